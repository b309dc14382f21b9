"""Units: each indicator's table unit, the exact conversions to it (``UNIT_FACTORS``) and the hint given
for an unknown unit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from kernel.tables import norm
from scoring.engine.water import (
    OTHER_MEASURES,
    TABLE,
    name_of,
)

_TABLE_UNITS: dict[str, str] = {
    **{k: ind.unit for k, ind in TABLE.items()},
    **{k: unit for k, (_, unit) in OTHER_MEASURES.items()},
}

# Accepted units per table unit: normalised unit text (NFKC, casefolded, no spaces) → factor to the table
# unit. Only exact conversions; anything else (g/L, ng/L, FNU, 度 …) is an unknown unit.
_MILLI = Decimal("0.001")
UNIT_FACTORS: Mapping[str, Mapping[str, Decimal]] = {
    "mg/L": {"mg/l": Decimal(1), "毫克/升": Decimal(1), "μg/l": _MILLI, "ug/l": _MILLI, "微克/升": _MILLI},
    "无量纲": {"无量纲": Decimal(1), "无": Decimal(1), "ph": Decimal(1), "ph单位": Decimal(1)},
    "个/L": {"个/l": Decimal(1), "mpn/l": Decimal(1), "个/100ml": Decimal(10), "mpn/100ml": Decimal(10)},
    "℃": {"°c": Decimal(1), "摄氏度": Decimal(1)},
    "μS/cm": {"μs/cm": Decimal(1), "us/cm": Decimal(1), "ms/cm": Decimal(1000), "ms/m": Decimal(10)},
    "NTU": {"ntu": Decimal(1)},
}


def _norm_unit(text: str) -> str:
    return re.sub(r"\s+", "", norm(text).casefold())


def unit_factor(key: str, unit: str) -> Decimal | None:
    """The factor taking a value of ``key`` written in ``unit`` to the table unit; None if unknown.
    A blank unit is the table unit."""
    table_unit = _TABLE_UNITS[key]
    written = _norm_unit(unit)
    if written in ("", _norm_unit(table_unit)):
        return Decimal(1)
    return UNIT_FACTORS.get(table_unit, {}).get(written)


_UNIT_HINTS = {
    "mg/L": "mg/L、μg/L",
    "无量纲": "不填或“无量纲”",
    "个/L": "个/L、MPN/L、个/100mL、MPN/100mL",
    "μS/cm": "μS/cm、mS/cm、mS/m",
}


def _unknown_unit(key: str, unit: str) -> str:
    table_unit = _TABLE_UNITS[key]
    return f"{name_of(key)}的单位「{unit}」无法识别（可用：{_UNIT_HINTS.get(table_unit, table_unit)}）"
