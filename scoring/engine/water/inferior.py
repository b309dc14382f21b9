"""The 劣Ⅴ list (海政办发〔2022〕65号 item 19: 支流支浜劣Ⅴ类水体清单，持续整治，动态清零) from monthly
classes.

A monitoring point's months are the months it was measured, each with its GB 3838 class (6 = 劣Ⅴ); a month
without a measurement is not evidence either way. The rules:

- a point **enters** the list in a month measured 劣Ⅴ when it was not on the list (its previous measured
  month was better than 劣Ⅴ, or it had none);
- it **leaves** (清零) in the first later month measured better than 劣Ⅴ; an unmeasured month keeps it
  where it was — a point cannot be cleared by not being sampled;
- so a point is on the list in month *m* exactly when its latest measured month up to *m* was 劣Ⅴ, and it
  may enter and leave several times (动态清零: cleared, then back).

A spell on the list runs from ``entered`` to ``left`` (the month it was first found better; None while
still on it). ``count_by_month`` is how many points were on the list in each month asked for.

Pure: plain values in, frozen dataclasses out; months are ``datetime.date`` on the first of the month.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

INFERIOR_V = 6
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Spell:
    entered: date  # first month measured 劣Ⅴ
    left: date | None  # first later month measured better (清零); None: still on the list

    def covers(self, month: date) -> bool:
        return self.entered <= month and (self.left is None or month < self.left)


@dataclass(frozen=True)
class PointOnList:
    point: Hashable
    spells: tuple[Spell, ...]  # in order, disjoint

    @property
    def on_list(self) -> bool:
        """On the list at the end of the series (its latest measured month was 劣Ⅴ)."""
        return bool(self.spells) and self.spells[-1].left is None


@dataclass(frozen=True)
class InferiorVList:
    points: tuple[PointOnList, ...]  # the points that were ever on the list, in the order given
    count_by_month: tuple[tuple[date, int], ...]  # months asked for, in order


def month_start(d: date) -> date:
    return d.replace(day=1)


def spells(classes: Mapping[date, int | None]) -> tuple[Spell, ...]:
    """One point's spells on the list from its monthly classes (``None``: measured but no class — ignored
    like an unmeasured month). Months may come in any order; each must be a first of month."""
    out: list[Spell] = []
    entered: date | None = None
    for month in sorted(classes):
        if month.day != 1:
            raise ValueError(f"月份应为当月 1 日：{month.isoformat()}")
        klass = classes[month]
        if klass is None:
            continue
        if not 1 <= klass <= INFERIOR_V:
            raise ValueError(f"水质类别应为 1–6：{klass}")
        if klass == INFERIOR_V and entered is None:
            entered = month
        elif klass < INFERIOR_V and entered is not None:
            out.append(Spell(entered, month))
            entered = None
    if entered is not None:
        out.append(Spell(entered, None))
    return tuple(out)


def months_between(first: date, last: date) -> tuple[date, ...]:
    """Every first-of-month from ``first``'s month to ``last``'s, inclusive (empty when last < first)."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def inferior_v_list(series: Mapping[K, Mapping[date, int | None]], months: Iterable[date]) -> InferiorVList:
    """The list over several points: each point ever on it with its spells, and the count per month of
    ``months`` (give the series from before the first month asked for, so a point already on the list
    then is counted)."""
    points = []
    for point, classes in series.items():
        found = spells(classes)
        if found:
            points.append(PointOnList(point, found))
    counts = tuple(
        (m, sum(1 for p in points if any(s.covers(m) for s in p.spells))) for m in sorted(set(months))
    )
    return InferiorVList(tuple(points), counts)
