"""The bureau's monthly section table (Excel and CSV): section, level, target, class this month, class
in the same month last year, main pollutants with exceedance multiples, CWQI."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..engine import water
from .services import pollutants_text

HEADER = [
    "序号",
    "断面名称",
    "考核级别",
    "水质目标",
    "本月水质类别",
    "去年同期水质类别",
    "是否达标",
    "主要污染指标（超标倍数）",
    "水质指数（CWQI）",
]


def table(report: dict[str, Any]) -> list[list[Any]]:
    body = []
    for i, row in enumerate(report["rows"], start=1):
        now: water.Evaluation | None = row["now"]
        before: water.Evaluation | None = row["before"]
        met = "" if now is None or now.meets_target is None else ("达标" if now.meets_target else "未达标")
        body.append(
            [
                i,
                row["section"]["name"],
                row["level_label"],
                row["section"]["target_label"] + "类",
                now.class_label if now else "无数据",
                before.class_label if before else "无数据",
                met,
                pollutants_text(now) if now else "",
                float(now.cwqi) if now and now.cwqi is not None else None,
            ]
        )
    return body


def title(report: dict[str, Any]) -> str:
    return f"{report['year']}年{report['month']}月地表水监测断面水质状况"


def to_xlsx(report: dict[str, Any], *, rule: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{report['year']}-{report['month']:02d}"
    ws.append([title(report)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(HEADER)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in table(report):
        ws.append(row)
    for (cell,) in ws.iter_rows(min_row=3, min_col=len(HEADER), max_col=len(HEADER)):
        cell.number_format = "0.00"
    ws.append([])
    ws.append(
        [
            f"评价依据 GB 3838-2002 单因子评价法；月均值为当月全部样品的算术平均；未检出按“{rule}”计；"
            "超标倍数以Ⅲ类标准计；CWQI 按环办监测〔2017〕51号。"
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(report: dict[str, Any]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(table(report))
    return ("\ufeff" + buf.getvalue()).encode()
