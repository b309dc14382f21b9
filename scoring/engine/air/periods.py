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
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(places, rounding=ROUND_HALF_EVEN)


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
    with_aqi = [d for d in inside if d.aqi is not None]
    means = {
        k: _mean(
            [v for d in inside if (v := getattr(d.values, k)) is not None],
            CO_PLACES if k == "co" else MEAN_PLACES,
        )
        for k in STATISTICS
    }
    return PeriodAir(
        aqi=_mean([Decimal(d.aqi) for d in with_aqi if d.aqi is not None], MEAN_PLACES),
        means=means,
        days=len(with_aqi),
        good_days=sum(d.good for d in with_aqi),
    )
