"""Town indicators and the 每旬 reverse ranking of towns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from geo.models import RiverSection, SectionLevel
from geo.selectors import section_list
from kernel.access import Principal

from ...engine import water
from .. import selectors
from ..readouts import (
    DekadRank,
    DekadRanking,
    TownIndicator,
    TownIndicators,
    TownRef,
    TownSection,
    period_row,
    section_row,
)
from .evaluations import _sections, period_of


def town_indicators(*, principal: Principal, kind: str, on: date) -> TownIndicators:
    """For each responsible town: its sections' evaluations over the period and the town's CWQI (each
    indicator averaged over its sections first) — the water inputs of the town rankings."""
    period = period_of(kind, on)
    sections = _sections(principal)
    values = selectors.period_values([s.pk for s in sections], period)
    towns: dict[int, TownRef] = {}
    rows: dict[int, list[TownSection]] = defaultdict(list)
    measured: dict[int, list[dict[str, Decimal]]] = defaultdict(list)
    for s in sections:
        ev = selectors.evaluate_values(s, values[s.pk]) if values.get(s.pk) else None
        row = TownSection(
            **vars(section_row(s)),
            class_label=ev.class_label if ev else None,
            meets_target=ev.meets_target if ev else None,
            cwqi=float(ev.cwqi) if ev and ev.cwqi is not None else None,
        )
        for town in s.responsible_towns.all():
            towns.setdefault(town.pk, TownRef(town.pk, town.name))
            rows[town.pk].append(row)
            if values.get(s.pk):
                measured[town.pk].append(values[s.pk])
    out = []
    for town in sorted(towns.values(), key=lambda t: t.name):
        vs = measured.get(town.id)
        cwqi = water.group_cwqi(vs) if vs else None
        out.append(
            TownIndicator(
                town=town,
                sections=tuple(rows[town.id]),
                cwqi=None if cwqi is None else float(cwqi),
                sections_meeting_target=sum(1 for x in rows[town.id] if x.meets_target),
            )
        )
    return TownIndicators(period=period_row(period), towns=tuple(out))


@dataclass(frozen=True)
class TownCwqi:
    """Per responsible town: the CWQI of its sections over a span (indicators averaged over the sections
    that measured them first; None without data), its name and its sections' names."""

    cwqi: dict[int, Decimal | None]  # in town-name order
    names: dict[int, str]
    sections: dict[int, list[str]]


def _town_cwqi(sections: list[RiverSection], start: date, end: date) -> TownCwqi:
    values = selectors.period_means([s.pk for s in sections], start, end)
    return _town_cwqi_of(sections, values)


def _town_cwqi_of(sections: list[RiverSection], values: dict[int, dict[str, Decimal]]) -> TownCwqi:
    per_town: dict[int, list[dict[str, Decimal]]] = defaultdict(list)
    names: dict[int, str] = {}
    section_names: dict[int, list[str]] = defaultdict(list)
    for s in sections:
        for town in s.responsible_towns.all():
            names[town.pk] = town.name
            section_names[town.pk].append(s.name)
            if values.get(s.pk):
                per_town[town.pk].append(values[s.pk])
    cwqi = {
        t: (water.group_cwqi(per_town[t]) if per_town.get(t) else None)
        for t in sorted(names, key=names.__getitem__)
    }
    return TownCwqi(cwqi, names, section_names)


def town_cwqi_values(
    *, start: date, end: date, level: str = SectionLevel.PROVINCIAL
) -> dict[int, Decimal | None]:
    """The ``water.cwqi`` indicator of the town rankings (unscoped: the caller scopes): town id → the CWQI
    of the active sections of ``level`` it is responsible for, samples from ``start`` to ``end``."""
    sections = list(section_list(paths=None, level=level).filter(is_active=True))
    return _town_cwqi(sections, start, end).cwqi


def town_cwqi_series(
    *, spans: Sequence[tuple[date, date]], level: str = SectionLevel.PROVINCIAL
) -> list[dict[int, Decimal | None]]:
    """:func:`town_cwqi_values` for each of ``spans``, the sections and their towns read once: one
    statement per span (each span's means of samples)."""
    sections = list(section_list(paths=None, level=level).filter(is_active=True))
    ids = [s.pk for s in sections]
    return [_town_cwqi_of(sections, selectors.period_means(ids, start, end)).cwqi for start, end in spans]


def dekad_ranking(*, principal: Principal, on: date, level: str = SectionLevel.PROVINCIAL) -> DekadRanking:
    """每旬 reverse ranking (逆序, worst first) of the towns responsible for the given level's sections
    (the provincial ones by default), by the CWQI of those sections over the dekad containing ``on``."""
    period = period_of(water.PeriodKind.DEKAD, on)
    town = _town_cwqi(_sections(principal, level=level), period.start, period.end)
    ranking = water.reverse_ranking(town.cwqi)
    return DekadRanking(
        period=period_row(period),
        level=level,
        ranking=tuple(
            DekadRank(
                rank=r.rank,
                town=TownRef(r.town, town.names[r.town]),
                cwqi=None if r.cwqi is None else float(r.cwqi),
                sections=tuple(town.sections[r.town]),
            )
            for r in ranking
        ),
    )
