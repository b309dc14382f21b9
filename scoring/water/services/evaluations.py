"""Evaluations of sections for a period (and the stateless evaluation), with the pure engine."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from geo.models import RiverSection, SectionLevel
from geo.selectors import section_list
from kernel.access import Principal
from kernel.errors import InvalidInput, NotFound

from ...engine import water
from .. import selectors
from ..readouts import (
    EvaluationRow,
    Evaluations,
    SectionEvaluation,
    evaluation_row,
    period_row,
    section_row,
)


def evaluate_stateless(*, water_body: str, values: dict[str, Any], target_class: int = 3) -> EvaluationRow:
    try:
        return evaluation_row(water.evaluate(values, water_body, target_class))
    except water.WaterInputError as exc:
        fields: dict[str, list[str]] = defaultdict(list)
        for p in exc.problems:
            fields["water_body" if p.code == "unknown_water_body" else f"values.{p.key}"].append(p.message)
        raise InvalidInput(
            "监测值未通过校验",
            code=exc.code,
            details={"fields": dict(fields), "codes": sorted({p.code for p in exc.problems})},
        ) from exc


def _sections(
    principal: Principal, *, level: str | None = None, tributaries: bool = False
) -> list[RiverSection]:
    """Active sections in scope. Tributary monitoring points (level ``tributary``, the 劣Ⅴ list's) are
    measured like sections but never assessed, ranked or reported as one: left out unless asked for."""
    qs = section_list(paths=principal.region_paths(), level=level).filter(is_active=True)
    if level is None and not tributaries:
        qs = qs.exclude(level=SectionLevel.TRIBUTARY)
    return list(qs)


def _section(principal: Principal, section_id: int) -> RiverSection:
    found = [s for s in _sections(principal, tributaries=True) if s.pk == section_id]
    if not found:
        raise NotFound("断面不存在或不在您的管辖范围内", details={"section_id": section_id})
    return found[0]


def section_ids(*, principal: Principal, section_id: int | None) -> list[int]:
    if section_id is not None:
        return [_section(principal, section_id).pk]
    return [s.pk for s in _sections(principal)]


def period_of(kind: str, on: date) -> water.Period:
    try:
        return water.period_of(on, kind)
    except water.WaterInputError as exc:
        raise InvalidInput(details={"fields": {"period": [exc.message]}}) from exc


def evaluations(*, principal: Principal, kind: str, on: date, section_id: int | None = None) -> Evaluations:
    """Every section in scope (or one) evaluated over the period containing ``on``."""
    period = period_of(kind, on)
    sections = [_section(principal, section_id)] if section_id is not None else _sections(principal)
    values = selectors.period_values([s.pk for s in sections], period)
    rows = []
    for s in sections:
        ev = selectors.evaluate_values(s, values.get(s.pk, {})) if values.get(s.pk) else None
        rows.append(
            SectionEvaluation(section_row(s), bool(values.get(s.pk)), evaluation_row(ev) if ev else None)
        )
    measured = [values[s.pk] for s in sections if values.get(s.pk)]
    district = water.group_cwqi(measured) if measured and section_id is None else None
    return Evaluations(
        period=period_row(period),
        censored_rule=str(selectors.censored_rule()),
        cwqi_all_sections=None if district is None else float(district),
        sections=tuple(rows),
    )
