"""Scoreboards as an official 通报 table: Excel (openpyxl) and CSV."""

from __future__ import annotations

from typing import Any

from kernel.sheets import csv_bytes, titled_xlsx

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
    status = "正式发布" if board.status == "final" else "草稿（未发布）"
    return titled_xlsx(
        title=f"{board.title}{'（逆序）' if reverse else ''}",
        sheet_name="考核结果",
        header=header,
        rows=body,
        number_columns=(3, len(header) - 3),
        footer=[f"状态：{status}；内容摘要：{board.content_hash}", ROUNDING_NOTE],
    )


def to_csv(board: Scoreboard, *, reverse: bool = False) -> bytes:
    return csv_bytes(*table(board, reverse=reverse))
