"""The 每旬 reverse ranking of towns: one 旬, and a run of 旬 with the towns staying at the bottom.

Scope: the ranking is the district's (65号 item 38: 每旬通报 to every town), so it is always computed over
every town and shown whole to every signed-in role — a town officer sees where the town stands among all
towns (a ranking cut down to the caller's towns would make every town "rank 1"). The indicator values it
shows are town aggregates that the 通报 publishes anyway; section and station details stay behind their own
scoped routes."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from geo.selectors import region_list
from kernel.access import Principal
from kernel.errors import InvalidInput, PermissionDenied

from ..engine import rankings as engine
from ..engine.water import Period, PeriodKind, period_of
from . import schemes
from .indicators import INDICATORS, series

MAX_DEKADS = 108  # three years of 旬 per history request


@dataclass(frozen=True)
class TownRef:
    id: int
    name: str


@dataclass(frozen=True)
class IndicatorInfo:
    key: str
    title: str
    unit: str
    better: str
    weight: Decimal
    counted: bool  # False: no source for it yet, left out for every town


@dataclass(frozen=True)
class DekadRow:
    rank: int | None
    town: TownRef
    score: Decimal | None
    values: dict[str, Decimal | None]
    points: dict[str, Decimal | None]
    at_bottom: bool


@dataclass(frozen=True)
class DekadRanking:
    scheme: str
    title: str
    period: Period
    indicators: tuple[IndicatorInfo, ...]
    persistent: engine.PersistentRule
    ranking: tuple[DekadRow, ...]


@dataclass(frozen=True)
class StreakRow:
    town: TownRef
    length: int
    first: str
    last: str
    ongoing: bool


@dataclass(frozen=True)
class DekadHistory:
    scheme: str
    title: str
    indicators: tuple[IndicatorInfo, ...]
    persistent: engine.PersistentRule
    dekads: tuple[DekadRanking, ...]
    persistent_bottom: tuple[StreakRow, ...]


def _may_read(principal: Principal) -> None:
    if not principal.is_admin and not principal.grants:
        raise PermissionDenied("您没有任何角色，无权查看排名")


def _towns(ids: set[Hashable]) -> dict[int, TownRef]:
    """The towns by division code (the official order: equal ranks keep it)."""
    rows = region_list(paths=None).filter(pk__in=ids).order_by("code", "name").values_list("pk", "name")
    return {pk: TownRef(pk, name) for pk, name in rows}


def _rank_all(scheme: engine.RankingScheme, periods: tuple[Period, ...]) -> tuple[DekadRanking, ...]:
    """Every period's ranking; each indicator's source read once for all of them (``indicators.series``)
    and the towns once."""
    spans = [(p.start, p.end) for p in periods]
    per_key = {r.key: series(r.key, spans) for r in scheme.indicators if r.key in INDICATORS}
    all_towns = _towns({t for vs in per_key.values() for v in vs for t in v})
    return tuple(
        _rank(scheme, period, {k: vs[i] for k, vs in per_key.items()}, all_towns)
        for i, period in enumerate(periods)
    )


def _rank(
    scheme: engine.RankingScheme,
    period: Period,
    values: dict[str, dict[int, Decimal | None]],
    all_towns: dict[int, TownRef],
) -> DekadRanking:
    ids = {t for v in values.values() for t in v}
    towns = {pk: ref for pk, ref in all_towns.items() if pk in ids}  # the official order kept
    result = engine.rank_towns(
        scheme, {k: {t: v for t, v in vs.items() if t in towns} for k, vs in values.items()}, tuple(towns)
    )
    info = tuple(
        IndicatorInfo(r.key, r.title, r.unit, str(r.better), r.weight, r.key in result.counted)
        for r in scheme.indicators
    )
    rows = tuple(
        DekadRow(
            ts.rank,
            towns[ts.town],  # type: ignore[index]
            ts.score,
            {i.key: ts.values.get(i.key) for i in info},  # every scheme indicator: a stable shape
            {i.key: ts.points.get(i.key) for i in info},
            engine.at_bottom(ts, scheme.persistent),
        )
        for ts in result.towns
    )
    return DekadRanking(scheme.key, scheme.title, period, info, scheme.persistent, rows)


def ranking_of(*, on: date, scheme_key: str = schemes.DEFAULT_KEY) -> DekadRanking:
    """The district's ranking over the 旬 containing ``on``, for callers that scope themselves (a
    bulletin of the 旬, the town overview's latest rank): no principal."""
    return _rank_all(schemes.load(scheme_key), (period_of(on, PeriodKind.DEKAD),))[0]


def ranking_of_key(*, period: str, scheme_key: str = schemes.DEFAULT_KEY) -> DekadRanking:
    """:func:`ranking_of` for a 旬 named by its key ("2022-09-D2"); 422 ``invalid_period`` otherwise."""
    try:
        dekad = engine.dekad_of_key(period)
    except ValueError as exc:
        raise InvalidInput(
            str(exc), code="invalid_period", details={"fields": {"period": [str(exc)]}}
        ) from exc
    return ranking_of(on=dekad.start, scheme_key=scheme_key)


def town_ranks(*, on: date, scheme_key: str = schemes.DEFAULT_KEY) -> dict[int, int | None]:
    """Town id → its 逆序名次 in the 旬 containing ``on`` (None: unranked); towns not in it are absent."""
    return {r.town.id: r.rank for r in ranking_of(on=on, scheme_key=scheme_key).ranking}


def dekad_ranking(*, principal: Principal, on: date, scheme_key: str = schemes.DEFAULT_KEY) -> DekadRanking:
    """The 逆序 ranking of the towns over the 旬 containing ``on`` (the worst first)."""
    _may_read(principal)
    return ranking_of(on=on, scheme_key=scheme_key)


def dekad_history(
    *, principal: Principal, first: date, last: date, scheme_key: str = schemes.DEFAULT_KEY
) -> DekadHistory:
    """The ranking of every 旬 from the one containing ``first`` to the one containing ``last``, and the
    towns at the bottom for the scheme's N 旬 in a row (约谈 candidates; ongoing runs first)."""
    _may_read(principal)
    return history_of(first=first, last=last, scheme_key=scheme_key)


def history_of(*, first: date, last: date, scheme_key: str = schemes.DEFAULT_KEY) -> DekadHistory:
    """:func:`dekad_history` for callers that scope themselves (the 每旬 bulletin): no principal."""
    if first > last:
        raise InvalidInput(
            "起始日期不能晚于截止日期", details={"fields": {"from": ["起始日期不能晚于截止日期"]}}
        )
    periods = engine.dekads_between(first, last)
    if len(periods) > MAX_DEKADS:
        raise InvalidInput(
            f"一次最多查询 {MAX_DEKADS} 旬（3 年）",
            code="range_too_long",
            details={"fields": {"to": [f"一次最多查询 {MAX_DEKADS} 旬（3 年）"]}, "max_dekads": MAX_DEKADS},
        )
    scheme = schemes.load(scheme_key)
    dekads = _rank_all(scheme, periods)
    history = [
        (d.period.key, [engine.TownScore(r.town.id, r.rank, r.score, {}, {}) for r in d.ranking])
        for d in dekads
    ]
    names = {r.town.id: r.town for d in dekads for r in d.ranking}
    streaks = tuple(
        StreakRow(names[s.town], s.length, s.first, s.last, s.ongoing)  # type: ignore[index]
        for s in engine.persistent_bottom(history, scheme.persistent)
    )
    info = dekads[0].indicators if dekads else ()
    return DekadHistory(scheme.key, scheme.title, info, scheme.persistent, dekads, streaks)
