"""Import a district's divisions (区划代码, 名称, 级别, 上级代码 …) from CSV / XLSX (geo/region_table/)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geo.region_import import regions_import
from geo.region_table import RegionFileError

_ACTIONS = {"create": "新增", "update": "更新"}


class Command(BaseCommand):
    help = (
        "从 CSV / XLSX 导入区划（区划代码、名称、级别、上级代码、代码来源、其他来源代码、区镇类型、"
        "户数、边界）。"
        "按区划代码更新或新增，可重复运行；任何一行有错误则不写入任何数据。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="CSV（UTF-8 / GBK）或 XLSX 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将新增、更新的区划，不写入")
        parser.add_argument("--district-code", help="只接受属于该区（县）的区划，如 320614000000；其他行报错")

    def handle(self, *args, file: str, dry_run: bool, district_code: str | None, **options):  # type: ignore[no-untyped-def]
        path = Path(file)
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
