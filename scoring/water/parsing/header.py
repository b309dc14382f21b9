"""Finding and reading the header: role and indicator aliases, units written in brackets, wide or long
layout, and the table reader that scans for the header."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kernel.tables import TableReader, cell_text, norm, norm_key
from scoring.engine.water import (
    ALL_KEYS,
    name_of,
)

from .codes import LONG, WIDE
from .records import MeasurementFileError
from .units import UNIT_FACTORS, _norm_unit, unit_factor

# Indicator aliases beyond the engine's keys and zh names (matched after _norm_key).
_INDICATOR_ALIASES: Mapping[str, tuple[str, ...]] = {
    "ph": ("pH值", "酸碱度"),
    "do": ("DO", "溶氧"),
    "codmn": ("CODMn", "COD_Mn", "高锰酸钾指数"),
    "cod": ("COD", "CODcr", "COD_Cr"),
    "bod5": ("BOD5", "BOD", "生化需氧量"),
    "nh3n": ("NH3-N",),
    "tp": ("TP",),
    "tn": ("TN",),
    "f": ("F-", "氟"),
    "cr6": ("Cr6+", "CrVI", "Cr(VI)", "铬(六价)"),
    "cn": ("CN-", "总氰化物"),
    "phenol": ("挥发性酚", "挥发酚类"),
    "oil": ("石油",),
    "las": ("LAS",),
    "s2": ("S2-",),
    "fcoli": ("粪大肠菌群数",),
    "temp": ("温度", "water_temperature", "temperature"),
    "cond": ("conductivity", "EC"),
    "turb": ("turbidity",),
}
SECTION_CODE, SECTION_NAME, TIME = "section_code", "section_name", "time"
INDICATOR, VALUE, UNIT, FLAG = "indicator", "value", "unit", "flag"
_ROLE_ALIASES: Mapping[str, tuple[str, ...]] = {
    SECTION_CODE: ("断面编码", "断面代码", "断面编号", "section_code", "section_id"),
    SECTION_NAME: ("断面名称", "断面", "监测断面", "section", "section_name", "站点名称", "点位名称"),
    TIME: (
        "监测时间",
        "采样时间",
        "时间",
        "日期",
        "采样日期",
        "监测日期",
        "日期时间",
        "数据时间",
        "sampled_at",
        "time",
        "datetime",
        "date",
        "timestamp",
    ),
    INDICATOR: ("指标", "项目", "监测项目", "检测项目", "指标名称", "indicator", "parameter"),
    VALUE: ("数值", "监测值", "值", "浓度", "结果", "监测结果", "检测结果", "value", "result"),
    UNIT: ("单位", "unit", "units"),
    FLAG: ("标识", "标志", "标记", "数据标识", "flag", "qualifier"),
}


def _alias_table() -> tuple[dict[str, str], dict[str, str]]:
    roles = {norm_key(a): role for role, aliases in _ROLE_ALIASES.items() for a in aliases}
    indicators: dict[str, str] = {}
    for key in ALL_KEYS:
        for alias in (key, name_of(key), *_INDICATOR_ALIASES.get(key, ())):
            indicators[norm_key(alias)] = key
    return roles, indicators


_ROLES, _INDICATORS = _alias_table()
_BRACKETED = re.compile(r"^(?P<rest>.*?)\s*[(\[【]\s*(?P<inner>[^()\[\]【】]*?)\s*[)\]】]$")


def _split_unit(text: str) -> tuple[str, list[str]]:
    """Split bracketed tails off a header: ``氨氮(NH3-N)(mg/L)`` → ``("氨氮", ["NH3-N", "mg/L"])``; also
    ``氨氮 mg/L`` when the last word is a known unit."""
    text, inner = norm(text), []
    while (m := _BRACKETED.match(text)) and m["rest"]:
        text = m["rest"]
        inner.insert(0, m["inner"])
    if not inner and " " in text:
        head, _, tail = text.rpartition(" ")
        if any(_norm_unit(tail) in units for units in UNIT_FACTORS.values()):
            return head.strip(), [tail]
    return text, inner


def match_indicator(text: str) -> tuple[str | None, str]:
    """An indicator header / name → (engine key or None, the unit text written with it, "" if none)."""
    whole = _INDICATORS.get(norm_key(text))
    if whole is not None:
        return whole, ""
    name, inner = _split_unit(text)
    key = _INDICATORS.get(norm_key(name))
    if key is None:
        return None, ""
    units = [u for u in inner if _INDICATORS.get(norm_key(u)) != key]  # "化学需氧量(COD)": no unit
    return key, "; ".join(units)


@dataclass
class _Column:
    index: int  # 0-based
    text: str  # the header as written (stripped)
    role: str  # a role, or "indicator_column" for a wide indicator column
    key: str = ""
    unit: str = ""
    factor: Decimal | None = Decimal(1)


_IND_COLUMN = "indicator_column"


@dataclass
class _Header:
    row: int
    columns: list[_Column]
    ignored: list[str]

    def of(self, role: str) -> list[_Column]:
        return [c for c in self.columns if c.role == role]

    @property
    def recognised(self) -> int:
        return len(self.columns)

    @property
    def layout(self) -> str:
        return LONG if self.of(INDICATOR) and self.of(VALUE) else WIDE


def _analyse_header(row: int, cells: Sequence[Any]) -> _Header:
    columns: list[_Column] = []
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        text = norm(cell_text(cell))
        if not text:
            continue
        role = _ROLES.get(norm_key(text)) or _ROLES.get(norm_key(_split_unit(text)[0]))
        if role:
            columns.append(_Column(index, text, role))
            continue
        key, unit = match_indicator(text)
        if key is None:
            ignored.append(text)
        else:
            columns.append(_Column(index, text, _IND_COLUMN, key, unit, unit_factor(key, unit)))
    return _Header(row, columns, ignored)


_NO_HEADER = "未找到表头：前 20 行中没有可识别的列名（如 断面名称、监测时间、氨氮(mg/L)）"
_READER = TableReader(
    _analyse_header, _NO_HEADER, error=MeasurementFileError, not_text_message="该文件不是文本格式的 CSV 文件"
)


def _duplicate_column(header: _Header, cols: list[_Column]) -> MeasurementFileError:
    texts = [c.text for c in cols]
    return MeasurementFileError(
        "duplicate_column",
        f"多列表示同一内容：{'、'.join(texts)}",
        header_row=header.row,
        columns=texts,
    )
