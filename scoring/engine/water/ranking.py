"""The reverse ranking of towns by CWQI (worst first)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from .readings import Problem, _attempt, _raise_if, to_decimal


@dataclass(frozen=True)
class TownRank:
    town: Hashable
    cwqi: Decimal | None
    rank: int | None  # 1 = the worst water; None without data


def reverse_ranking(cwqi_by_town: Mapping[Hashable, object]) -> tuple[TownRank, ...]:
    """逆序排名: the largest CWQI first, equal values share a rank (1, 2, 2, 4), towns without data
    (None) last with rank None; equal values and towns without data keep the given order."""
    problems: list[Problem] = []
    scored = []
    for i, (town, v) in enumerate(cwqi_by_town.items()):
        d = None if v is None else _attempt(problems, partial(to_decimal, str(town), v), i)
        if d is not None:
            scored.append((town, d))
    _raise_if(problems)
    ranked: list[TownRank] = []
    for i, (town, d) in enumerate(sorted(scored, key=lambda td: -td[1])):
        rank = ranked[-1].rank if ranked and ranked[-1].cwqi == d else i + 1
        ranked.append(TownRank(town, d, rank))
    return (*ranked, *(TownRank(t, None, None) for t, v in cwqi_by_town.items() if v is None))
