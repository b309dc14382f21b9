"""One 旬's town scores and the reverse ranking (逆序, worst first)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from ..checklist import round_half_up
from .scheme import Better, IndicatorRule, Method, Missing, RankingScheme

ZERO = Decimal(0)


class RankingInputError(ValueError):
    """Values that are not numbers; ``problems`` lists every (indicator, town, value) found."""

    def __init__(self, problems: list[tuple[str, Hashable, object]]) -> None:
        self.problems = problems
        super().__init__("指标值须为有限的数值：" + "；".join(f"{k} / {t}: {v!r}" for k, t, v in problems))


@dataclass(frozen=True)
class TownScore:
    town: Hashable
    rank: int | None  # 1 = the worst town; None: no value on any indicator counted (listed last)
    score: Decimal | None  # 0–full, rounded half-up to the scheme's places; higher is better
    values: Mapping[str, Decimal | None]  # indicator key → the value (None: no data)
    points: Mapping[str, Decimal | None]  # indicator key → the points on it (None: not counted)


@dataclass(frozen=True)
class Ranking:
    towns: tuple[TownScore, ...]  # rank order (worst first), unranked towns last
    counted: tuple[str, ...]  # the scheme's indicators that had a source
    left_out: tuple[str, ...]  # the scheme's indicators without a source: weight given to the others


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not d.is_finite():
        raise InvalidOperation
    return d


def indicator_points(
    rule: IndicatorRule, values: Mapping[Hashable, Decimal | None], method: Method, full: Decimal
) -> dict[Hashable, Decimal | None]:
    """Each town's points on one indicator, from ``full`` (the best) down to 0 (the worst); None without
    a value. Rank points: ``full × (m − r) / (m − 1)`` with r the town's place among the m towns with data
    (best first, equal values share the better place); one town with data gets ``full``. Normalised:
    ``full × (worst − v) / (worst − best)`` (mirrored when higher is better); all values equal → ``full``."""
    sign = 1 if rule.better is Better.LOWER else -1
    present = {t: v for t, v in values.items() if v is not None}
    out: dict[Hashable, Decimal | None] = {t: None for t in values}
    if not present:
        return out
    if method is Method.RANK_POINTS:
        m = len(present)
        ordered = sorted(sign * v for v in present.values())
        for t, v in present.items():
            place = 1 + bisect_left(ordered, sign * v)  # the values below it (sorted: no O(m²) count)
            out[t] = full if m == 1 else full * (m - place) / (m - 1)
        return out
    best, worst = min(sign * v for v in present.values()), max(sign * v for v in present.values())
    for t, v in present.items():
        out[t] = full if best == worst else full * (worst - sign * v) / (worst - best)
    return out


def rank_towns(
    scheme: RankingScheme, values: Mapping[str, Mapping[Hashable, object]], towns: tuple[Hashable, ...] = ()
) -> Ranking:
    """The 旬's ranking: ``values`` maps indicator keys to {town: value or None}. An indicator of the scheme
    absent from ``values`` has no source and is left out for every town (its weight shared by the others).
    Towns are the union of the indicators' towns (``towns`` first, in that order, then as met); equal
    scores keep that order after the tie-break."""
    problems: list[tuple[str, Hashable, object]] = []
    clean: dict[str, dict[Hashable, Decimal | None]] = {}
    for key, by_town in values.items():
        clean[key] = {}
        for town, v in by_town.items():
            try:
                clean[key][town] = None if v is None else _decimal(v)
            except (InvalidOperation, ValueError):
                problems.append((key, town, v))
    if problems:
        raise RankingInputError(problems)
    counted = tuple(r.key for r in scheme.indicators if r.key in clean)
    everyone = list(dict.fromkeys([*towns, *(t for k in counted for t in clean[k])]))
    points = {
        k: indicator_points(
            scheme.indicator(k), {t: clean[k].get(t) for t in everyone}, scheme.method, scheme.full
        )
        for k in counted
    }
    scored: list[TownScore] = []
    for town in everyone:
        total = weights = ZERO
        has_data = False
        for k in counted:
            p, w = points[k][town], scheme.indicator(k).weight
            if p is not None:
                has_data = True
                total, weights = total + w * p, weights + w
            elif scheme.missing is Missing.ZERO:
                weights += w
        score = round_half_up(total / weights, scheme.places) if has_data else None
        scored.append(
            TownScore(
                town,
                None,
                score,
                MappingProxyType({k: clean[k].get(town) for k in counted}),
                MappingProxyType({k: points[k][town] for k in counted}),
            )
        )
    return Ranking(
        _ranked(scheme, scored), counted, tuple(r.key for r in scheme.indicators if r.key not in clean)
    )


def _ranked(scheme: RankingScheme, scored: list[TownScore]) -> tuple[TownScore, ...]:
    """Lowest score first; equal scores ordered by the tie-break indicators' points (fewer points first; a
    missing value counts as 0 points, so no data never wins a tie), and still-equal towns share a rank."""
    breaks = [k for k in scheme.tie_break if k in scored[0].points] if scored else []

    def key(ts: TownScore) -> tuple[Decimal, ...]:
        assert ts.score is not None
        return (ts.score, *(ts.points[k] or ZERO for k in breaks))

    ranked: list[TownScore] = []
    previous: tuple[Decimal, ...] | None = None
    for i, ts in enumerate(sorted((t for t in scored if t.score is not None), key=key)):
        k = key(ts)
        rank = ranked[-1].rank if ranked and k == previous else i + 1
        ranked.append(TownScore(ts.town, rank, ts.score, ts.values, ts.points))
        previous = k
    return (*ranked, *(t for t in scored if t.score is None))
