"""A day's air quality (日报) from its hourly means, or from the day's statistics as reported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from .iaqi import Averaging, Category, Pollutant, aqi_of, category_of, iaqi, primary_pollutants

MIN_HOURS_24H = 20  # GB 3095-2012 Table 4: a 24 h mean needs ≥ 20 hourly means
MIN_HOURS_8H = 6  # an 8 h moving mean needs ≥ 6 of its hours
MIN_WINDOWS_8H = 14  # the day's highest 8 h mean needs ≥ 14 valid 8 h means (of the 17 ending 08:00–24:00)
MIN_HOURS_1H_MAX = (
    20  # engine choice (unconfirmed): the day's highest 1 h O3 needs as many hours as a 24 h mean
)

# hour (0 = 00:00–01:00 … 23) → pollutant → concentration (None or absent: no valid value that hour)
HourlyValues = Mapping[int, Mapping[str, Decimal | int | str | None]]

_DAY_MEANS = (Pollutant.SO2, Pollutant.NO2, Pollutant.PM10, Pollutant.PM25, Pollutant.CO)


def rounded(pollutant: str, value: Decimal) -> Decimal:
    """HJ 663-2013 修约 (GB/T 8170, half to even): CO to 0.1 mg/m³, the others to 1 μg/m³."""
    step = Decimal("0.1") if pollutant == Pollutant.CO else Decimal(1)
    return value.quantize(step, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class AirDayValues:
    """A day's statistics (日报): 24 h means, O3's highest 1 h and highest 8 h moving mean; None = invalid."""

    so2: Decimal | None = None
    no2: Decimal | None = None
    pm10: Decimal | None = None
    pm25: Decimal | None = None
    co: Decimal | None = None
    o3_1h: Decimal | None = None
    o3_8h: Decimal | None = None

    def as_dict(self) -> dict[str, Decimal | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


STATISTICS = tuple(f.name for f in fields(AirDayValues))
_AVERAGING = {
    "so2": (Pollutant.SO2, Averaging.H24),
    "no2": (Pollutant.NO2, Averaging.H24),
    "pm10": (Pollutant.PM10, Averaging.H24),
    "pm25": (Pollutant.PM25, Averaging.H24),
    "co": (Pollutant.CO, Averaging.H24),
    "o3_1h": (Pollutant.O3, Averaging.H1),
    "o3_8h": (Pollutant.O3, Averaging.H8),
}


@dataclass(frozen=True)
class Day:
    day: date
    values: AirDayValues
    iaqi: Mapping[str, int | None]  # statistic (so2 … o3_8h) → IAQI
    aqi: int | None
    primary: tuple[str, ...]  # pollutants (o3 once, whichever of its statistics), only when AQI > 50
    category: Category | None

    @property
    def good(self) -> bool:
        """优良: AQI ≤ 100."""
        return self.aqi is not None and self.aqi <= 100


class DayProblem(ValueError):
    """Hourly input the engine cannot read (an hour outside 0–23, a negative or unknown value)."""


def day_of(day: date, values: AirDayValues) -> Day:
    """A day's IAQIs, AQI, primary pollutants and category from its statistics."""
    sub = {k: (None if v is None else iaqi(*_AVERAGING[k], v)) for k, v in values.as_dict().items()}
    aqi = aqi_of(sub)
    primary = tuple(dict.fromkeys(k.split("_")[0] for k in primary_pollutants(sub)))
    return Day(day, values, sub, aqi, primary, None if aqi is None else category_of(aqi))


def day_from_hours(day: date, hours: HourlyValues) -> Day:
    """The day's statistics from its hourly means (GB 3095's minimum counts; see the package docstring),
    then ``day_of``."""
    series: dict[str, list[Decimal | None]] = {p.value: [None] * 24 for p in Pollutant}
    for hour, row in hours.items():
        if not 0 <= hour <= 23:
            raise DayProblem(f"hour must be 0–23, got {hour}")
        for key, value in row.items():
            if key not in series:
                raise DayProblem(f"unknown pollutant {key!r}")
            if value is None:
                continue
            c = Decimal(value)
            if not c.is_finite() or c < 0:
                raise DayProblem(f"{key} at hour {hour}: concentration must be non-negative")
            series[key][hour] = c
    stats: dict[str, Decimal | None] = {}
    for p in _DAY_MEANS:
        valid = [c for c in series[p] if c is not None]
        stats[p.value] = (
            rounded(p, sum(valid, Decimal(0)) / len(valid)) if len(valid) >= MIN_HOURS_24H else None
        )
    o3 = series[Pollutant.O3]
    o3_valid = [c for c in o3 if c is not None]
    stats["o3_1h"] = max(o3_valid) if len(o3_valid) >= MIN_HOURS_1H_MAX else None
    windows = []
    for end in range(7, 24):
        valid = [c for c in o3[end - 7 : end + 1] if c is not None]
        if len(valid) >= MIN_HOURS_8H:
            windows.append(rounded(Pollutant.O3, sum(valid, Decimal(0)) / len(valid)))
    stats["o3_8h"] = max(windows) if len(windows) >= MIN_WINDOWS_8H else None
    return day_of(day, AirDayValues(**stats))


@dataclass(frozen=True)
class HourAqi:
    iaqi: Mapping[str, int | None]
    aqi: int | None
    primary: tuple[str, ...]


def hour_aqi(
    *,
    so2: Decimal | None = None,
    no2: Decimal | None = None,
    co: Decimal | None = None,
    o3: Decimal | None = None,
    o3_8h: Decimal | None = None,
    pm10_24h: Decimal | None = None,
    pm25_24h: Decimal | None = None,
    so2_24h: Decimal | None = None,
) -> HourAqi:
    """An hour's AQI (实时报, HJ 633 §5.3): the 1 h IAQI of SO2, NO2, CO and O3, the IAQI of O3's 8 h moving
    mean, of PM10's and PM2.5's 24 h moving means. SO2 1 h above 800 μg/m³ has no 1 h IAQI: the IAQI of
    ``so2_24h`` stands in (none when it is not given); O3 8 h above 800 has none, its 1 h IAQI counts."""
    sub: dict[str, int | None] = {
        "so2": None if so2 is None else iaqi(Pollutant.SO2, Averaging.H1, so2),
        "no2": None if no2 is None else iaqi(Pollutant.NO2, Averaging.H1, no2),
        "co": None if co is None else iaqi(Pollutant.CO, Averaging.H1, co),
        "o3_1h": None if o3 is None else iaqi(Pollutant.O3, Averaging.H1, o3),
        "o3_8h": None if o3_8h is None else iaqi(Pollutant.O3, Averaging.H8, o3_8h),
        "pm10": None if pm10_24h is None else iaqi(Pollutant.PM10, Averaging.H24, pm10_24h),
        "pm25": None if pm25_24h is None else iaqi(Pollutant.PM25, Averaging.H24, pm25_24h),
    }
    if so2 is not None and sub["so2"] is None and so2_24h is not None:  # Table 1, note 2
        sub["so2"] = iaqi(Pollutant.SO2, Averaging.H24, so2_24h)
    aqi = aqi_of(sub)
    return HourAqi(sub, aqi, tuple(dict.fromkeys(k.split("_")[0] for k in primary_pollutants(sub))))
