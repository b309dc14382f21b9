"""Import a district's divisions (区划代码, 名称, 级别, 上级代码 …) from CSV / XLSX (geo/region_table/), or
replace their boundaries from a GIS file (GeoJSON, Shapefile, GeoPackage: geo.services.region_boundaries)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from geo import boundary_file
from geo.coords import Datum
from geo.region_import import _SYSTEM, regions_import
from geo.region_table import RegionFileError
from geo.services import region_boundaries_import
from kernel.errors import ApplicationError

_ACTIONS = {"create": "新增", "update": "更新"}
_GIS_OPTIONS = ("level", "match_by", "code_field", "name_field", "parent_field", "layer", "source_srid")
_SHOWN = 20  # unmatched features and regions left without a boundary printed one per line


class Command(BaseCommand):
    help = (
        "从 CSV / XLSX 导入区划（区划代码、名称、级别、上级代码、代码来源、其他来源代码、区镇类型、"
        "户数、边界）。"
        "按区划代码更新或新增，可重复运行；任何一行有错误则不写入任何数据。"
        "给出 GIS 文件（.geojson / .json、.shp 或压缩的 Shapefile .zip、.gpkg）时，替换已有区镇或村的边界："
        "读取文件的坐标系并转换为 WGS-84，按区划代码或名称匹配，报告未匹配的要素和仍无边界的区划。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "file", help="CSV（UTF-8 / GBK）或 XLSX 文件；或 GeoJSON、Shapefile（.shp / .zip）、GeoPackage"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将新增、更新的区划，不写入")
        parser.add_argument("--district-code", help="只接受属于该区（县）的区划，如 320614000000；其他行报错")
        gis = parser.add_argument_group("GIS 边界文件")
        gis.add_argument(
            "--level", choices=["town", "village", "natural_village"], help="要素的层级（默认 town）"
        )
        gis.add_argument(
            "--match-by", choices=["code", "name"], help="按区划代码或名称匹配（默认：有代码字段则按代码）"
        )
        gis.add_argument("--code-field", help="区划代码字段（默认依次尝试 code、区划代码、XZQDM、DM …）")
        gis.add_argument("--name-field", help="名称字段（默认依次尝试 name、名称、XZQMC、MC …）")
        gis.add_argument("--parent-field", help="上级区划的代码或名称字段（按名称匹配重名的村时需要）")
        gis.add_argument("--layer", help="图层序号（从 0 起）或名称（默认第一个面图层）")
        gis.add_argument(
            "--source-srid",
            type=int,
            help="文件坐标系的 EPSG 代码（文件没有说明坐标系时必填；给出则以此为准）",
        )
        gis.add_argument(
            "--datum",
            choices=[d.value for d in Datum],
            default="wgs84",
            help="经纬度的基准：gcj02（高德 / 腾讯地图上描绘的边界）、bd09（百度）；默认 wgs84",
        )

    def handle(self, *args, file: str, dry_run: bool, district_code: str | None, **options):  # type: ignore[no-untyped-def]
        path = Path(file)
        if path.suffix.lower() in boundary_file.SUFFIXES or path.is_dir():
            if district_code:
                raise CommandError("--district-code 只用于 CSV / XLSX 区划表")
            return self._boundaries(path, dry_run=dry_run, **options)
        given = [f"--{o.replace('_', '-')}" for o in _GIS_OPTIONS if options.get(o) is not None]
        if given or options["datum"] != "wgs84":
            raise CommandError(
                f"{'、'.join(given) or '--datum'} 只用于 GIS 边界文件（{'、'.join(boundary_file.SUFFIXES)}）"
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror}") from exc
        try:
            report = regions_import(
                data=data, filename=path.name, dry_run=dry_run, district_code=district_code
            )
        except RegionFileError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        for e in report["errors"]:
            where = f"第 {e['row']} 行" + (f"（{e['cell']}）" if e["cell"] else "")
            value = f"，值「{e['value']}」" if e["value"] else ""
            self.stderr.write(f"{where}「{e['column']}」[{e['code']}] {e['message']}{value}")
        if report["errors"]:
            raise CommandError(f"导入未执行：发现 {report['error_count']} 处错误（见上），未写入任何数据。")
        for c in report["changes"]:
            fields = f"：{'、'.join(c['fields'])}" if c["fields"] else ""
            self.stdout.write(
                f"  第 {c['row']} 行 {_ACTIONS[c['action']]} {c['name']}（{c['code'] or '无代码'}）{fields}"
            )
        if dry_run:
            summary = f"试运行：将新增 {report['would_create']} 个、更新 {report['would_update']} 个"
        else:
            summary = f"已新增 {report['created']} 个、更新 {report['updated']} 个"
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary}区划，{report['unchanged']} 个无变化（共 {report['rows_read']} 行）。"
            )
        )

    def _boundaries(self, path: Path, *, dry_run: bool, **options: Any) -> None:
        try:
            report = region_boundaries_import(
                principal=_SYSTEM,
                path=str(path),
                level=options["level"] or "town",
                match_by=options["match_by"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                parent_field=options["parent_field"],
                layer=options["layer"],
                source_srid=options["source_srid"],
                datum=options["datum"],
                dry_run=dry_run,
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        srs = report["srs"]
        epsg = f"（EPSG:{srs['srid']}）" if srs["srid"] else ""
        self.stdout.write(
            f"图层「{report['layer']}」（{report['driver']}），坐标系 {srs['name'] or '未知'}"
            f"{epsg}，基准 {report['datum']}；"
            f"按{'区划代码' if report['match_by'] == 'code' else '名称'}匹配，"
            f"共 {report['features_read']} 个要素。"
        )
        for m in report["matched"]:
            note = "（几何已修复）" if m["repaired"] else ""
            self.stdout.write(
                f"  第 {m['feature']} 个要素 → {m['region_name']}（{m['region_code'] or '无代码'}）{note}"
            )
        for u in report["unmatched"][:_SHOWN]:
            self.stdout.write(
                f"  未匹配：第 {u['feature']} 个要素 {u['name'] or u['code']} [{u['reason']}] {u['message']}"
            )
        if len(report["unmatched"]) > _SHOWN:
            self.stdout.write(f"  ……另有 {len(report['unmatched']) - _SHOWN} 个要素未匹配")
        for e in report["errors"]:
            self.stderr.write(f"第 {e['feature']} 个要素「{e['value']}」[{e['code']}] {e['message']}")
        for key, label in (("without_boundary", "仍无边界"), ("still_synthetic", "仍为演示用合成边界")):
            shown = "、".join(r["name"] for r in report[key][:_SHOWN])
            more = "……" if report[f"{key}_count"] > _SHOWN else ""
            if report[f"{key}_count"]:
                self.stdout.write(f"  {label}的区划 {report[f'{key}_count']} 个：{shown}{more}")
        for d in report["district_outlines"]:
            self.stdout.write(f"  {d['name']}的各区镇边界均已实测：其边界改为各区镇边界的并集")
        if report["errors"]:
            raise CommandError(
                f"导入未执行：发现 {report['error_count']} 个要素有错误（见上），未写入任何数据。"
            )
        verb = (
            f"试运行：将替换 {report['would_replace']} 个" if dry_run else f"已替换 {report['replaced']} 个"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}区划的边界（其中 {report['repaired']} 个几何已修复），"
                f"{len(report['unmatched'])} 个要素未匹配。"
            )
        )
