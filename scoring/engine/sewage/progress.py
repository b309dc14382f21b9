"""Which towns lag the year's sewage targets (65号 item 28: 对序时进度仍不达要求的区镇进行通报预警).

The rule, *unconfirmed* (for the office to confirm; the seed gives the year-end targets and "序时进度",
not the formula):
- 治理率 is progress: a town should climb evenly from its rate at the start of the year (1 January) to the
  target by the deadline (31 December: 65号 三 sets the 30 % "到年底"). Its 序时 target on day ``on`` is
  ``start + (target − start) × elapsed / total`` days, the target itself from the deadline on, and never
  less than the target for a town already above it (it must stay there). It lags when its rate on ``on`` is
  below that.
- 正常运行率 is a state, not progress: a town lags when its rate is below the target (80 %) on ``on``.
- A town with no villages (or no facilities in scope) has no rate: it is not judged (``None``).
Exact fractions throughout; percentages are rounded only for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .model import Rate, meets


@dataclass(frozen=True)
class RateProgress:
    key: str  # "treatment" | "operation"
    rate: Rate  # on the day
    start: Rate | None  # on 1 January (treatment only)
    target: Decimal  # year-end target, percent
    expected: Fraction | None  # the 序时 target on the day, percent; None when not judged
    lags: bool | None  # None: no rate to judge


@dataclass(frozen=True)
class TownProgress:
    town_id: int
    treatment: RateProgress
    operation: RateProgress

    @property
    def lags(self) -> bool:
        return bool(self.treatment.lags) or bool(self.operation.lags)


def scheduled(start: Fraction, target: Fraction, elapsed_days: int, total_days: int) -> Fraction:
    """The 序时 target after ``elapsed_days`` of ``total_days``: even progress from ``start`` to
    ``target``; never below the target once there."""
    if start >= target or total_days <= 0:
        return target
    share = Fraction(min(max(elapsed_days, 0), total_days), total_days)
    return start + (target - start) * share


def _percent(r: Rate) -> Fraction | None:
    return None if r.denominator == 0 else Fraction(r.numerator * 100, r.denominator)


def treatment_progress(
    *, start: Rate, now: Rate, target: Decimal, on: date, year_start: date, deadline: date
) -> RateProgress:
    current, begun = _percent(now), _percent(start)
    if current is None:
        return RateProgress("treatment", now, start, target, None, None)
    expected = scheduled(
        begun if begun is not None else Fraction(0),
        Fraction(target),
        (on - year_start).days,
        (deadline - year_start).days,
    )
    return RateProgress("treatment", now, start, target, expected, current < expected)


def operation_progress(*, now: Rate, target: Decimal) -> RateProgress:
    met = meets(now, target)
    return RateProgress(
        "operation",
        now,
        None,
        target,
        None if met is None else Fraction(target),
        None if met is None else not met,
    )
