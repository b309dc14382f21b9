"""Scoreboards as an official 通报 table: Excel (openpyxl) and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .models import Scoreboard
from .services import row_unit

UNIT_LABELS = {"town": "区镇", "department": "部门", "enterprise": "企事业单位"}

ROUNDING_NOTE = (
    "总分＝各组成部分百分制得分×权重之和，四舍五入保留两位小数；"
    "等次：[90,∞) 优秀，[80,90) 良好，[70,80) 合格，70 以下不合格。"
)


def table(board: Scoreboard, *, reverse: bool = False) -> tuple[list[str], list[list[Any]]]:
    components = board.scheme_document["components"]
    unit = UNIT_LABELS.get(board.scheme_document.get("subject_kind", "town"), "单位")
    header = ["序号", unit, *[f"{c['title']}得分" for c in components], "总分", "等次", "排名", "备注"]
    rows = sorted(board.rows, key=lambda r: (r["reverse_rank"] if reverse else r["rank"], row_unit(r)))
    body = []
    for i, r in enumerate(rows, start=1):
        remarks = [
            f"一票否决：{'；'.join(r['veto_reasons'])}" if r["vetoed"] else "",
            r["award"],
            *r.get("single_awards", ()),
            *r["notes"],
        ]
        body.append(
            [i, r["unit_name"], *[float(r["components"][c["key"]]) for c in components], float(r["total"]),
             r["grade"], r["reverse_rank"] if reverse else r["rank"], "；".join(x for x in remarks if x)]
        )  # fmt: skip
    return header, body


def to_xlsx(board: Scoreboard, *, reverse: bool = False) -> bytes:
    header, body = table(board, reverse=reverse)
    wb = Workbook()
    ws = wb.active
    ws.title = "考核结果"
    ws.append([f"{board.title}{'（逆序）' if reverse else ''}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in body:
        ws.append(row)
    for r in ws.iter_rows(min_row=3, min_col=3, max_col=len(header) - 3):
        for cell in r:
            cell.number_format = "0.00"
    ws.append([])
    status = "正式发布" if board.status == "final" else "草稿（未发布）"
    ws.append([f"状态：{status}；内容摘要：{board.content_hash}"])
    ws.append([ROUNDING_NOTE])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(board: Scoreboard, *, reverse: bool = False) -> bytes:
    header, body = table(board, reverse=reverse)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(body)
    return ("\ufeff" + buf.getvalue()).encode()  # BOM: Excel on Windows opens UTF-8 CSV correctly
