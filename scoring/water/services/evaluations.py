"""Evaluations of the caller's sections over a period, and of values sent directly (stateless)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from geo.models import RiverSection
from geo.selectors import section_list
from kernel.access import Principal
from kernel.errors import InvalidInput, NotFound

from ...engine import water
from .. import selectors


def evaluation_json(ev: water.Evaluation) -> dict[str, Any]:
    """The engine's evaluation as the API publishes it (the POST /water/evaluate contract and more)."""
    return {
        "class": ev.klass,
        "class_label": ev.class_label,
        "grade": ev.grade,
        "meets_target": ev.meets_target,
        "deciding": list(ev.deciding),
        "exceedances": {k: float(v) for k, v in ev.exceedances.items()},
        "main_pollutants": list(ev.main_pollutants),
        "main_pollutants_text": pollutants_text(ev),
        "cwqi": None if ev.cwqi is None else float(ev.cwqi),
        "missing": list(ev.missing),
        "classes": dict(ev.classes),
        "values": {k: float(v) for k, v in ev.values.items()},
    }


def pollutants_text(ev: water.Evaluation) -> str:
    """As the bureau writes it: 氨氮(0.52)、总磷(0.10) — the multiples over the Ⅲ limit."""
    return "、".join(f"{water.name_of(k)}({ev.exceedances[k]:.2f})" for k in ev.main_pollutants)


def evaluate_stateless(*, water_body: str, values: dict[str, Any], target_class: int = 3) -> dict[str, Any]:
    try:
        return evaluation_json(water.evaluate(values, water_body, target_class))
    except water.WaterInputError as exc:
        fields: dict[str, list[str]] = defaultdict(list)
        for p in exc.problems:
            fields["water_body" if p.code == "unknown_water_body" else f"values.{p.key}"].append(p.message)
        raise InvalidInput(
            "监测值未通过校验",
            code=exc.code,
            details={"fields": dict(fields), "codes": sorted({p.code for p in exc.problems})},
        ) from exc


def _sections(principal: Principal, *, level: str | None = None) -> list[RiverSection]:
    return list(section_list(paths=principal.region_paths(), level=level).filter(is_active=True))


def _section(principal: Principal, section_id: int) -> RiverSection:
    found = [s for s in _sections(principal) if s.pk == section_id]
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


def _section_json(s: RiverSection) -> dict[str, Any]:
    return {
        "id": s.pk,
        "code": s.code,
        "name": s.name,
        "level": s.level,
        "water_body": s.water_body,
        "target_class": s.target_class,
        "target_label": water.CLASS_LABELS[s.target_class],
    }


def _period_json(p: water.Period) -> dict[str, Any]:
    return {"kind": str(p.kind), "key": p.key, "label": p.label, "start": p.start, "end": p.end}


def evaluations(
    *, principal: Principal, kind: str, on: date, section_id: int | None = None
) -> dict[str, Any]:
    """Every section in scope (or one) evaluated over the period containing ``on``."""
    period = period_of(kind, on)
    sections = [_section(principal, section_id)] if section_id is not None else _sections(principal)
    values = selectors.period_values([s.pk for s in sections], period)
    rows = []
    for s in sections:
        ev = selectors.evaluate_values(s, values.get(s.pk, {})) if values.get(s.pk) else None
        rows.append(
            {
                "section": _section_json(s),
                "samples_found": bool(values.get(s.pk)),
                "evaluation": evaluation_json(ev) if ev else None,
            }
        )
    measured = [values[s.pk] for s in sections if values.get(s.pk)]
    district = water.group_cwqi(measured) if measured and section_id is None else None
    return {
        "period": _period_json(period),
        "censored_rule": str(selectors.censored_rule()),
        "cwqi_all_sections": None if district is None else float(district),
        "sections": rows,
    }
