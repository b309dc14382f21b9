"""A period's air quality from its days: the mean AQI, each statistic's mean, the days 优良."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from .daily import STATISTICS, Day

MEAN_PLACES = Decimal("0.1")
CO_PLACES = Decimal("0.001")


def _mean(values: list[Decimal], places: Decimal) -> Decimal | None:
    return mean_of_total(sum(values, Decimal(0)), len(values), places)


def mean_of_total(total: Decimal | int, n: int, places: Decimal = MEAN_PLACES) -> Decimal | None:
    """``total / n`` rounded half to even to ``places``; None when ``n`` is 0."""
    if not n:
        return None
    return (Decimal(total) / n).quantize(places, rounding=ROUND_HALF_EVEN)


def places_of(statistic: str) -> Decimal:
    """A statistic's mean is kept to 0.1 (CO: 0.001 mg/m³)."""
    return CO_PLACES if statistic == "co" else MEAN_PLACES


@dataclass(frozen=True)
class Totals:
    """What a period's means are made of — sums and counts, which a database aggregate can give: the
    days' AQI sum and count, the 优良 days, and each statistic's (sum, count)."""

    aqi_sum: int
    aqi_days: int
    good_days: int
    statistics: Mapping[str, tuple[Decimal, int]]


@dataclass(frozen=True)
class PeriodAir:
    aqi: Decimal | None  # mean of the days' AQI (days with an AQI)
    means: Mapping[str, Decimal | None]  # statistic (so2 … o3_8h) → mean of the days that have it
    days: int  # days with an AQI
    good_days: int  # of which 优良 (AQI ≤ 100)

    @property
    def good_rate(self) -> Decimal | None:
        """优良天数比例, % to 0.1."""
        return None if not self.days else _mean([Decimal(100 * self.good_days) / self.days], MEAN_PLACES)


def air_period_means(days: Iterable[Day], start: date, end: date) -> PeriodAir:
    """The days within ``start``–``end`` (inclusive) summed up; a day counted once per call (the caller
    gives one station's days, or a town's stations' days when it wants station-days)."""
    inside = [d for d in days if start <= d.day <= end]
    aqis = [d.aqi for d in inside if d.aqi is not None]
    statistics = {}
    for k in STATISTICS:
        values = [v for d in inside if (v := getattr(d.values, k)) is not None]
        statistics[k] = (sum(values, Decimal(0)), len(values))
    return period_from_totals(Totals(sum(aqis), len(aqis), sum(a <= 100 for a in aqis), statistics))


def period_from_totals(totals: Totals) -> PeriodAir:
    """The period's means from its sums and counts (the same rounding as ``air_period_means``)."""
    means = {k: mean_of_total(*totals.statistics.get(k, (Decimal(0), 0)), places_of(k)) for k in STATISTICS}
    return PeriodAir(
        aqi=mean_of_total(totals.aqi_sum, totals.aqi_days, MEAN_PLACES),
        means=means,
        days=totals.aqi_days,
        good_days=totals.good_days,
    )
