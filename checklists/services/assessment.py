"""Gathering approved inspections into the units an assessment scheme scores (the 区镇 scoreboard).

Per town and scheme component (a checklist template): the annual score is the latest approved annual
(or spot-check, audit, self) inspection of the year; routine inspections are combined with it by the
scheme's rule; any approved inspection of the year with a triggered 一票否决 item vetoes the town.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from geo.models import Region, RegionLevel
from scoring import schemes
from scoring.models import Scoreboard
from scoring.services import UnitEvidence, scoreboard_store_draft

from ..models import Finding, Inspection, InspectionStatus, Purpose


def assessment_recompute(*, scheme_key: str) -> Scoreboard:
    definition = schemes.load(scheme_key)
    template_of = {c.template_key: c.key for c in definition.components}
    approved = (
        Inspection.objects.filter(
            status=InspectionStatus.APPROVED,
            subject_kind=definition.subject_kind,
            template__key__in=list(template_of),
            submitted_at__year=definition.year,
        )
        .select_related("template")
        .order_by("submitted_at", "id")
        .only(
            "id", "client_uuid", "subject_id", "purpose", "percent", "vetoed", "submitted_at", "template__key"
        )
    )
    annual: dict[tuple[int, str], Inspection] = {}
    routine: dict[tuple[int, str], list[Inspection]] = defaultdict(list)
    vetoed: dict[int, list[int]] = defaultdict(list)
    for i in approved:
        key = (i.subject_id, template_of[i.template.key])
        if i.purpose == Purpose.ROUTINE:
            routine[key].append(i)
        else:
            annual[key] = i  # ordered by time: the latest wins
        if i.vetoed:
            vetoed[i.subject_id].append(i.pk)
    veto_titles: dict[int, set[str]] = defaultdict(set)
    vetoing = [pk for pks in vetoed.values() for pk in pks]
    rows = Finding.objects.filter(inspection_id__in=vetoing, kind="veto")
    for subject_id, title in rows.values_list("inspection__subject_id", "item_title"):
        veto_titles[subject_id].add(title)
    units = []
    for town in Region.objects.filter(level=RegionLevel.TOWN).defer("boundary").order_by("path"):
        components: dict[str, Decimal | None] = {}
        sources: dict[str, list[str]] = {}
        for c in definition.components:
            a = annual.get((town.pk, c.key))
            r = routine.get((town.pk, c.key), [])
            components[c.key] = definition.routine.combine([x.percent for x in r], a.percent if a else None)
            sources[c.key] = [str(x.client_uuid) for x in ([a] if a else []) + r]
        if all(v is None for v in components.values()) and not vetoed.get(town.pk):
            continue  # not assessed this year: not on the board
        units.append(
            UnitEvidence(
                region_id=town.pk,
                name=town.name,
                components=components,
                vetoed=bool(vetoed.get(town.pk)),
                veto_reasons=tuple(sorted(veto_titles.get(town.pk, ()))),
                sources=sources,
            )
        )
    return scoreboard_store_draft(scheme_key=scheme_key, units=units)


def schemes_using(template_key: str, year: int) -> list[str]:
    return [
        d.key
        for d in schemes.available()
        if d.year == year and any(c.template_key == template_key for c in d.components)
    ]
