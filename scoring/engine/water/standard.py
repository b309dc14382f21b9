"""GB 3838-2002 Table 1 (every limit, classes Ⅰ..Ⅴ), the evaluated and extra indicators, class labels,
grades and the engine's constants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import MappingProxyType

ZERO, HUNDRED = Decimal(0), Decimal(100)
RIVER, LAKE = "river", "lake"
WATER_BODIES = (RIVER, LAKE)
LE, GE, RANGE = "≤", "≥", "range"
WORST = 6  # 劣Ⅴ
TARGET_CLASS = 3
CLASS_LABELS = MappingProxyType({1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"})
GRADES = MappingProxyType({1: "优", 2: "优", 3: "良好", 4: "轻度污染", 5: "中度污染", 6: "重度污染"})
DO_FLOOR = Decimal("0.2")
DO_ALERT = Decimal(5)
EXTRA_PLACES = 6
SHARE_MIN_SECTIONS = 5


ERROR_CODES = frozenset(
    {
        "unknown_indicator",  # a key that is neither evaluated nor an accepted extra
        "not_a_number",  # a boolean, None where a number is needed, another type, unparseable text
        "not_finite",  # NaN or ±infinity
        "negative_value",
        "ph_out_of_range",  # pH outside 0–14
        "detection_limit_required",  # "ND" / "未检出" without a detection limit
        "invalid_detection_limit",  # a detection limit that is not positive
        "not_evaluated",  # a CWQI asked for an indicator outside the 21
        "unknown_water_body",
        "invalid_target_class",
        "invalid_setting",  # an unknown censored rule or mean_of
        "invalid_month",
        "invalid_count",  # share grading with impossible counts
    }
)


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str
    direction: str  # LE: at most the limit; GE: at least (DO); RANGE: within [low, limit] (pH)
    limits: tuple[Decimal, ...]  # classes Ⅰ..Ⅴ (RANGE: the upper bound, the same for every class)
    lake_limits: tuple[Decimal, ...] | None = None  # lakes / reservoirs, when different (TP)
    low: Decimal | None = None  # RANGE: the lower bound, the same for every class

    def limits_for(self, water_body: str = RIVER) -> tuple[Decimal, ...]:
        return self.lake_limits if water_body == LAKE and self.lake_limits else self.limits

    def limit(self, klass: int, water_body: str = RIVER) -> Decimal:
        return self.limits_for(water_body)[klass - 1]


def _ind(key: str, name: str, row: str, unit: str = "mg/L", direction: str = LE, lake: str = "") -> Indicator:
    def dec(text: str) -> tuple[Decimal, ...]:
        return tuple(Decimal(x) for x in text.split())

    low = Decimal(6) if direction == RANGE else None
    return Indicator(key, name, unit, direction, dec(row), dec(lake) if lake else None, low)


# GB 3838-2002 Table 1 (mg/L unless noted), classes Ⅰ..Ⅴ.
TABLE: Mapping[str, Indicator] = MappingProxyType(
    {
        i.key: i
        for i in (
            _ind("ph", "pH", "9 9 9 9 9", "无量纲", RANGE),  # 6–9 for every class
            _ind("do", "溶解氧", "7.5 6 5 3 2", direction=GE),
            _ind("codmn", "高锰酸盐指数", "2 4 6 10 15"),
            _ind("cod", "化学需氧量", "15 15 20 30 40"),
            _ind("bod5", "五日生化需氧量", "3 3 4 6 10"),
            _ind("nh3n", "氨氮", "0.15 0.5 1.0 1.5 2.0"),
            _ind("tp", "总磷", "0.02 0.1 0.2 0.3 0.4", lake="0.01 0.025 0.05 0.1 0.2"),
            _ind("tn", "总氮", "0.2 0.5 1.0 1.5 2.0"),
            _ind("cu", "铜", "0.01 1.0 1.0 1.0 1.0"),
            _ind("zn", "锌", "0.05 1.0 1.0 2.0 2.0"),
            _ind("f", "氟化物", "1.0 1.0 1.0 1.5 1.5"),
            _ind("se", "硒", "0.01 0.01 0.01 0.02 0.02"),
            _ind("as", "砷", "0.05 0.05 0.05 0.1 0.1"),
            _ind("hg", "汞", "0.00005 0.00005 0.0001 0.001 0.001"),
            _ind("cd", "镉", "0.001 0.005 0.005 0.005 0.01"),
            _ind("cr6", "六价铬", "0.01 0.05 0.05 0.05 0.1"),
            _ind("pb", "铅", "0.01 0.01 0.05 0.05 0.1"),
            _ind("cn", "氰化物", "0.005 0.05 0.2 0.2 0.2"),
            _ind("phenol", "挥发酚", "0.002 0.002 0.005 0.01 0.1"),
            _ind("oil", "石油类", "0.05 0.05 0.05 0.5 1.0"),
            _ind("las", "阴离子表面活性剂", "0.2 0.2 0.2 0.3 0.3"),
            _ind("s2", "硫化物", "0.05 0.1 0.2 0.5 1.0"),
            _ind("fcoli", "粪大肠菌群", "200 2000 10000 20000 40000", "个/L"),
        )
    }
)
EVALUATED = ("ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "cu", "zn", "f", "se", "as", "hg", "cd",
             "cr6", "pb", "cn", "phenol", "oil", "las", "s2")  # fmt: skip
OTHER_MEASURES = MappingProxyType(
    {"temp": ("水温", "℃"), "cond": ("电导率", "μS/cm"), "turb": ("浊度", "NTU")}
)
EXTRAS = ("tn", "fcoli", *OTHER_MEASURES)  # measured, accepted, never evaluated
ALL_KEYS = (*EVALUATED, *EXTRAS)


def name_of(key: str) -> str:
    return TABLE[key].name if key in TABLE else OTHER_MEASURES[key][0] if key in OTHER_MEASURES else key


@cache  # the table is constant; every evaluation asks once per indicator (bench/dekad: 160,000 times)
def places_for(key: str) -> int:
    """Decimals a value of ``key`` is rounded to before classification: finest limit's decimals + 4."""
    if key not in TABLE:
        return EXTRA_PLACES
    ind = TABLE[key]
    limits = (*ind.limits, *(ind.lake_limits or ()), *((ind.low,) if ind.low is not None else ()))
    return max(max(-d.as_tuple().exponent for d in limits), 0) + 4
