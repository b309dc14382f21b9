"""The bureau's monthly section table (Excel and CSV): section, level, target, class this month, class
in the same month last year, main pollutants with exceedance multiples, CWQI."""

from __future__ import annotations

from typing import Any

from kernel.sheets import csv_bytes, titled_xlsx

from ..engine import water
from .readouts import pollutants_text

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


RULE_TEXT = {
    water.CensoredRule.HALF_DL: "检出限的一半",
    water.CensoredRule.DL: "检出限",
    water.CensoredRule.ZERO: "零",
}


def to_xlsx(report: dict[str, Any], *, rule: water.CensoredRule) -> bytes:
    note = (
        f"评价依据 GB 3838-2002 单因子评价法；月均值为当月全部样品的算术平均；未检出按“{RULE_TEXT[rule]}”计；"
        "超标倍数以Ⅲ类标准计；CWQI 按环办监测〔2017〕51号。"
    )
    return titled_xlsx(
        title=title(report),
        sheet_name=f"{report['year']}-{report['month']:02d}",
        header=HEADER,
        rows=table(report),
        number_columns=(len(HEADER), len(HEADER)),
        footer=[note],
    )


def to_csv(report: dict[str, Any]) -> bytes:
    return csv_bytes(HEADER, table(report))
