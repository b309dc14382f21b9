"""Import a river network from a GIS file of river lines (GeoJSON, Shapefile, GeoPackage; any SRS)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from geo.coords import Datum
from geo.demo import SYSTEM
from geo.rivers.services import river_network_import
from kernel.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "从 GIS 文件（.geojson / .json、.shp 或压缩的 Shapefile .zip、.gpkg）导入河网："
        "每个要素是一条河段，顶点按水流方向；字段为河段编号、河流编码、河流名称、可选的河流级别。"
        "读取文件的坐标系（或 --source-srid），转换为 WGS-84 存储，"
        "按 EPSG:4549（CGCS2000 3 度带 120°E）计算。逐要素报告问题；有错误则不写入任何数据，"
        "只有警告时导入为当前河网，并把断面与污水设施捕捉到新河网。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="GeoJSON、Shapefile（.shp / .zip）或 GeoPackage")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--layer", help="图层序号（从 0 起）或名称（默认第一个线图层）")
        parser.add_argument(
            "--source-srid", type=int, help="文件坐标系的 EPSG 代码（文件没有说明坐标系时必填）"
        )
        parser.add_argument(
            "--datum",
            choices=[d.value for d in Datum],
            default="wgs84",
            help="经纬度的基准：gcj02（高德 / 腾讯地图上描绘）、bd09（百度）；默认 wgs84",
        )
        parser.add_argument("--line-field", help="河段编号字段（默认依次尝试 line_id、河段编号、HDBM、id …）")
        parser.add_argument(
            "--river-field", help="河流编码字段（默认 river_id、河流编码、HLBM …；缺少时用河流名称）"
        )
        parser.add_argument("--name-field", help="河流名称字段（默认 river_name、name、河流名称、HLMC …）")
        parser.add_argument("--level-field", help="河流级别字段（可选：0 干流，1 一级支流…）")
        parser.add_argument(
            "--direction-field",
            help="流向字段（可选；默认 direction、流向、reversed、是否逆向 …）："
            "-1 / backward / 逆向 的河段倒转为水流方向",
        )
        parser.add_argument(
            "--flip-reversed",
            action="store_true",
            help="把与同一河流相邻河段流向相反的河段（自动检测，较短的一侧）倒转为水流方向",
        )
        parser.add_argument("--synthetic", action="store_true", help="标记为演示用合成河网")

    def handle(self, *args: Any, file: str, dry_run: bool, **options: Any) -> None:
        fields = {k: options.get(f"{k}_field") for k in ("line", "river", "name", "level", "direction")}
        try:
            report = river_network_import(
                principal=SYSTEM, path=Path(file), layer=options.get("layer"),
                source_srid=options.get("source_srid"), datum=options["datum"], fields=fields,
                dry_run=dry_run, is_synthetic=options["synthetic"], flip_reversed=options["flip_reversed"],
            )  # fmt: skip
        except ApplicationError as exc:
            for issue in (exc.details or {}).get("issues", []):
                self._issue(issue)
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        for issue in report["issues"]:
            self._issue(issue)
        srs = report["srs"]
        self.stdout.write(
            f"{report['file']}（图层 {report['layer']}，坐标系 {srs['name'] or srs['srid']}，"
            f"基准 {report['datum']}）："
            f"{report['features_read']} 个要素，{report['lines']} 条河段可用，{report['rivers']} 条河流，"
            f"{report['error_count']} 个错误，{report['warning_count']} 个警告。"
        )
        if dry_run:
            self.stdout.write("试运行：未写入。" if report["ok"] else "有错误：请修正后再导入。")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已导入为当前河网（版本 {report['network_id']}）；捕捉：{report['snapped']}"
                )
            )

    def _issue(self, issue: dict[str, Any]) -> None:
        where = f"要素 {issue['feature']}" if issue.get("feature") else "文件"
        line = f"{where} [{issue['line_id']}] {issue['severity']} {issue['code']}：{issue['message']}"
        self.stdout.write(self.style.ERROR(line) if issue["severity"] == "error" else line)
