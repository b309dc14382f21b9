"""Dust fall (降尘量): a jar's deposit normalised to t/(km²·30 d), and a period's mean."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

PLACES = Decimal("0.01")


@dataclass(frozen=True)
class DustReading:
    """One jar's exposure: from ``start`` to ``end`` (both inclusive) it collected ``deposit`` t/km²."""

    start: date
    end: date
    deposit: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def dust_rate(deposit: Decimal | int | str, days: int) -> Decimal:
    """t/(km²·30 d) = deposit × 30 / exposure days, unrounded; ValueError: days < 1, deposit < 0."""
    d = Decimal(deposit)
    if days < 1:
        raise ValueError("exposure must last at least one day")
    if not d.is_finite() or d < 0:
        raise ValueError("deposit must be a non-negative number")
    return d * 30 / days


def dust_period_mean(readings: Iterable[DustReading], start: date, end: date) -> Decimal | None:
    """The mean rate over ``start``–``end`` (inclusive): each jar's rate weighted by the days its exposure
    overlaps the period, rounded half to even to 0.01; None when no exposure overlaps it."""
    weighted, total = Decimal(0), 0
    for r in readings:
        overlap = (min(r.end, end) - max(r.start, start)).days + 1
        if overlap <= 0:
            continue
        weighted += dust_rate(r.deposit, r.days) * overlap
        total += overlap
    if not total:
        return None
    return (weighted / total).quantize(PLACES, rounding=ROUND_HALF_EVEN)
