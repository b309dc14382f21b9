"""HJ 633-2012 Table 1 (IAQI breakpoints) and Table 2 (AQI categories): IAQI, AQI, primary pollutants."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType


class Pollutant(StrEnum):
    SO2 = "so2"
    NO2 = "no2"
    PM10 = "pm10"
    PM25 = "pm25"
    CO = "co"  # mg/m³; every other pollutant μg/m³
    O3 = "o3"


class Averaging(StrEnum):
    H24 = "24h"
    H1 = "1h"
    H8 = "8h"  # O3 only


POLLUTANTS = MappingProxyType(
    {
        Pollutant.SO2: "二氧化硫（SO₂）",
        Pollutant.NO2: "二氧化氮（NO₂）",
        Pollutant.PM10: "颗粒物（PM₁₀）",
        Pollutant.PM25: "细颗粒物（PM₂.₅）",
        Pollutant.CO: "一氧化碳（CO）",
        Pollutant.O3: "臭氧（O₃）",
    }
)

IAQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)


def _d(*values: int | str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


# Concentration limits for the IAQI_STEPS above (a shorter row ends where the table's note takes over).
BREAKPOINTS: Mapping[tuple[Pollutant, Averaging], tuple[Decimal, ...]] = MappingProxyType(
    {
        (Pollutant.SO2, Averaging.H24): _d(0, 50, 150, 475, 800, 1600, 2100, 2620),
        (Pollutant.SO2, Averaging.H1): _d(0, 150, 500, 650, 800),  # > 800: the 24 h IAQI (note 2)
        (Pollutant.NO2, Averaging.H24): _d(0, 40, 80, 180, 280, 565, 750, 940),
        (Pollutant.NO2, Averaging.H1): _d(0, 100, 200, 700, 1200, 2340, 3090, 3840),
        (Pollutant.PM10, Averaging.H24): _d(0, 50, 150, 250, 350, 420, 500, 600),
        (Pollutant.CO, Averaging.H24): _d(0, 2, 4, 14, 24, 36, 48, 60),
        (Pollutant.CO, Averaging.H1): _d(0, 5, 10, 35, 60, 90, 120, 150),
        (Pollutant.O3, Averaging.H1): _d(0, 160, 200, 300, 400, 800, 1000, 1200),
        (Pollutant.O3, Averaging.H8): _d(0, 100, 160, 215, 265, 800),  # > 800: the 1 h IAQI (note 3)
        (Pollutant.PM25, Averaging.H24): _d(0, 35, 75, 115, 150, 250, 350, 500),
    }
)

# Rows whose end is a note ("use another averaging"), not IAQI 500.
_SUBSTITUTED = frozenset({(Pollutant.SO2, Averaging.H1), (Pollutant.O3, Averaging.H8)})


def iaqi(
    pollutant: Pollutant | str, averaging: Averaging | str, concentration: Decimal | int | str
) -> int | None:
    """The sub-index of one concentration, rounded up to an integer. None where Table 1's notes say the
    IAQI comes from another averaging (SO2 1 h > 800, O3 8 h > 800); 500 above any other row's end.
    Raises ValueError for a negative concentration or a pollutant / averaging the table does not have."""
    key = (Pollutant(pollutant), Averaging(averaging))
    if key not in BREAKPOINTS:
        raise ValueError(f"HJ 633 has no {key[1].value} IAQI for {key[0].value}")
    c = Decimal(concentration)
    if not c.is_finite() or c < 0:
        raise ValueError(f"concentration must be a non-negative number, got {concentration!r}")
    bps = BREAKPOINTS[key]
    if c > bps[-1]:
        return None if key in _SUBSTITUTED else IAQI_STEPS[-1]
    for i in range(1, len(bps)):
        if c <= bps[i]:
            lo, hi = bps[i - 1], bps[i]
            i_lo, i_hi = IAQI_STEPS[i - 1], IAQI_STEPS[i]
            # exact (a Fraction): a Decimal quotient such as 50 / 35 × 35 lands a hair above 50
            return i_lo + math.ceil(Fraction(i_hi - i_lo) * Fraction(c - lo) / Fraction(hi - lo))
    raise AssertionError("unreachable")  # c ≤ bps[-1] was checked


def aqi_of(iaqis: Mapping[str, int | None]) -> int | None:
    """AQI = the highest IAQI; None when there is none."""
    values = [v for v in iaqis.values() if v is not None]
    return max(values) if values else None


def primary_pollutants(iaqis: Mapping[str, int | None]) -> tuple[str, ...]:
    """The pollutants whose IAQI equals the AQI, when AQI > 50 (else none), in the order given."""
    aqi = aqi_of(iaqis)
    if aqi is None or aqi <= 50:
        return ()
    return tuple(k for k, v in iaqis.items() if v == aqi)


@dataclass(frozen=True)
class Category:
    level: int  # 1–6
    level_label: str  # 一级 … 六级
    name: str  # 优 … 严重污染
    low: int  # AQI range, inclusive
    high: int | None
    color: str  # Table 2's colour


CATEGORIES = (
    Category(1, "一级", "优", 0, 50, "绿色"),
    Category(2, "二级", "良", 51, 100, "黄色"),
    Category(3, "三级", "轻度污染", 101, 150, "橙色"),
    Category(4, "四级", "中度污染", 151, 200, "红色"),
    Category(5, "五级", "重度污染", 201, 300, "紫色"),
    Category(6, "六级", "严重污染", 301, None, "褐红色"),
)


def category_of(aqi: int) -> Category:
    """Table 2's category of an (integer) AQI; 优良 are levels 1 and 2 (AQI ≤ 100)."""
    if aqi < 0:
        raise ValueError("AQI cannot be negative")
    return next(c for c in CATEGORIES if c.high is None or aqi <= c.high)
