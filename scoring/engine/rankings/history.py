"""A run of 旬: the calendar's dekads between two days, and the towns that stay at the bottom (持续靠后)."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..water.periods import Period, PeriodKind, period_of
from .ranking import TownScore
from .scheme import PersistentRule

DEKAD_KEY = re.compile(r"(\d{4})-(\d{2})-D([123])")


def dekad_of_key(key: str) -> Period:
    """The 旬 of a period key as ``Period.key`` writes it ("2022-09-D2"); ValueError for anything else."""
    m = DEKAD_KEY.fullmatch(key.strip()) if isinstance(key, str) else None
    if not m or not 1 <= int(m[2]) <= 12 or not 1900 <= int(m[1]) <= 2999:
        raise ValueError(f"旬的写法应为 YYYY-MM-D1 / D2 / D3（如 2022-09-D2），而不是 {key!r}")
    return period_of(date(int(m[1]), int(m[2]), 10 * int(m[3]) - 9), PeriodKind.DEKAD)


def dekads_between(first: date, last: date) -> tuple[Period, ...]:
    """Every 旬 from the one containing ``first`` to the one containing ``last`` (none when first > last):
    上旬 1–10, 中旬 11–20, 下旬 21 to the month's end (8–11 days: 28–31-day months, 29 February)."""
    out: list[Period] = []
    p = period_of(first, PeriodKind.DEKAD)
    while p.start <= last:
        out.append(p)
        p = period_of(p.end + timedelta(days=1), PeriodKind.DEKAD)
    return tuple(out)


@dataclass(frozen=True)
class Streak:
    town: Hashable
    length: int  # 旬 in a row at the bottom
    first: str  # the first and last dekad's keys ("2022-09-D1")
    last: str
    ongoing: bool  # it reaches the history's last 旬: the town is still at the bottom


def at_bottom(ts: TownScore, rule: PersistentRule) -> bool:
    """Among the ``bottom`` worst: 逆序名次 ≤ bottom (a rank shared across the line counts)."""
    return ts.rank is not None and ts.rank <= rule.bottom


def persistent_bottom(
    history: Sequence[tuple[str, Sequence[TownScore]]], rule: PersistentRule
) -> tuple[Streak, ...]:
    """Every run of at least ``in_a_row`` consecutive 旬 (consecutive entries of ``history``, oldest first)
    in which a town was at the bottom. A 旬 in which the town is unranked (no data) or absent ends its run.
    Ongoing runs first, then the longer, then by first appearance."""
    runs: list[Streak] = []
    current: dict[Hashable, list[str]] = {}
    for key, ranking in history:
        bottom = {ts.town for ts in ranking if at_bottom(ts, rule)}
        for town in [t for t in current if t not in bottom]:
            runs.append(_streak(town, current.pop(town), ongoing=False))
        for ts in ranking:
            if ts.town in bottom:
                current.setdefault(ts.town, []).append(key)
    runs += [_streak(town, keys, ongoing=True) for town, keys in current.items()]
    long = [r for r in runs if r.length >= rule.in_a_row]
    order = {id(r): i for i, r in enumerate(long)}
    return tuple(sorted(long, key=lambda r: (not r.ongoing, -r.length, order[id(r)])))


def _streak(town: Hashable, keys: list[str], *, ongoing: bool) -> Streak:
    return Streak(town, len(keys), keys[0], keys[-1], ongoing)
