"""Gathering approved inspections into the units an assessment scheme scores (the 区镇 scoreboard).

Per town and scheme component (a checklist template): the annual score is the latest approved annual
(or spot-check, audit, self) inspection of the year; routine inspections are averaged by the database
and combined with it by the scheme's rule; any approved inspection of the year with a triggered
一票否决 item vetoes the town. The database does the aggregation, so a recomputation costs little
more than one GROUP BY over the year's inspections.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, DecimalField, Q
from django.utils import timezone

from geo.models import Organisation, Region, RegionLevel
from scoring import schemes
from scoring.engine.assessment import ZERO, share_of_points
from scoring.models import Scoreboard, TaskCompletion
from scoring.services import UnitEvidence, award_decide, scoreboard_store_draft, task_completion_set

from ..models import Finding, Inspection, InspectionStatus, Purpose
from ..selectors import basis_sums


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def assessment_recompute(*, scheme_key: str) -> Scoreboard:
    definition = schemes.load(scheme_key)
    component_of = {c.template_key: c.key for c in definition.components}
    start, end = _year_bounds(definition.year)  # the assessment period: 1 January – 31 December
    year = Inspection.objects.filter(
        status=InspectionStatus.APPROVED,
        subject_kind=definition.subject_kind,
        template__key__in=list(component_of),
        submitted_at__gte=start,
        submitted_at__lt=end,
    )
    # One pass over the routine inspections (mean, count, any veto per town and component) and one over
    # the few non-routine ones (the latest wins): the year's rows are read twice, never more.
    routine_means: dict[tuple[int, str], tuple[Decimal, int]] = {}
    vetoed_units: set[int] = set()
    grouped = (
        year.filter(purpose=Purpose.ROUTINE)
        .values("subject_id", "template__key")
        .annotate(
            mean=Avg("percent", output_field=DecimalField(max_digits=7, decimal_places=4)),
            n=Count("id"),
            vetoes=Count("id", filter=Q(vetoed=True)),
        )
    )
    for row in grouped:
        routine_means[(row["subject_id"], component_of[row["template__key"]])] = (row["mean"], row["n"])
        if row["vetoes"]:
            vetoed_units.add(row["subject_id"])
    annual: dict[tuple[int, str], tuple[Decimal, str, int]] = {}
    rows = (
        year.exclude(purpose=Purpose.ROUTINE)
        .order_by("submitted_at", "id")
        .values_list("subject_id", "template__key", "percent", "client_uuid", "id", "vetoed")
    )
    for subject_id, template_key, percent, client_uuid, pk, vetoed in rows:
        annual[(subject_id, component_of[template_key])] = (percent, str(client_uuid), pk)
        if vetoed:
            vetoed_units.add(subject_id)
    single_scores = _single_scores(definition, annual)
    veto_titles: dict[int, set[str]] = defaultdict(set)
    if vetoed_units:
        findings = Finding.objects.filter(
            kind="veto", inspection__in=year.filter(vetoed=True, subject_id__in=vetoed_units)
        )
        for subject_id, title in findings.values_list("inspection__subject_id", "item_title"):
            veto_titles[subject_id].add(title)
    # Required-task completion is recorded per town (TaskCompletion); departments and enterprises have
    # no such record yet and count as having completed theirs.
    incomplete = (
        set(
            TaskCompletion.objects.filter(scheme_key=scheme_key, completed=False).values_list(
                "region_id", flat=True
            )
        )
        if definition.subject_kind == "town"
        else set()
    )
    assessed = {s for s, _ in annual} | {s for s, _ in routine_means} | vetoed_units
    units = []
    for unit_id, name, region_id in _units(definition.subject_kind, assessed):
        components: dict[str, Decimal | None] = {}
        sources: dict[str, list[str]] = {}
        for c in definition.components:
            a = annual.get((unit_id, c.key))
            mean = routine_means.get((unit_id, c.key), (None, 0))[0]
            components[c.key] = definition.routine.combine_mean(mean, a[0] if a else None)
            # The annual inspection by its id; the routine ones are found again by subject, template
            # and year in the drill-down (a year of monthly ids per unit would bloat every row).
            sources[c.key] = [a[1]] if a else []
        units.append(
            UnitEvidence(
                unit_id=unit_id,
                region_id=region_id,
                name=name,
                components=components,
                vetoed=unit_id in vetoed_units,
                veto_reasons=tuple(sorted(veto_titles.get(unit_id, ()))),
                tasks_completed=unit_id not in incomplete,
                sources=sources,
                single_scores=single_scores.get(unit_id, {}),
            )
        )
    return scoreboard_store_draft(scheme_key=scheme_key, units=units)


def _units(subject_kind: str, ids: set[int]) -> list[tuple[int, str, int]]:
    """(unit id, name, region id) of the assessed units: towns (the unit is its region), or
    departments / enterprises (their district / town region)."""
    if subject_kind == "town":
        towns = Region.objects.filter(level=RegionLevel.TOWN, pk__in=ids).order_by("path")
        return [(pk, name, pk) for pk, name in towns.values_list("pk", "name")]
    orgs = Organisation.objects.filter(kind=subject_kind, pk__in=ids).order_by("name", "pk")
    return list(orgs.values_list("pk", "name", "region_id"))


def _single_scores(
    definition: schemes.SchemeDefinition, annual: dict[tuple[int, str], tuple[Decimal, str, int]]
) -> dict[int, dict[str, Decimal | None]]:
    """Per town, each single award's basis score (share of the basis points earned) from the items of
    its annual inspections; the database matches and sums the items."""
    awards = definition.scheme.single_awards
    if not awards:
        return {}
    wanted = {pk: component for (_, component), (_, _, pk) in annual.items()}
    town_of = {pk: town for (town, _), (_, _, pk) in annual.items()}
    basis = [(a.key, component, pattern) for a in awards for component, pattern in a.basis]
    sums: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(lambda: [ZERO, ZERO]))
    for pk, award, earned, maximum in basis_sums(wanted, basis):
        acc = sums[town_of[pk]][award]
        acc[0] += earned
        acc[1] += maximum
    return {
        town: {a.key: share_of_points(*by_award[a.key]) if a.key in by_award else None for a in awards}
        for town, by_award in sums.items()
    }


def schemes_using(template_key: str, year: int) -> list[str]:
    return [
        d.key
        for d in schemes.available()
        if d.year == year and any(c.template_key == template_key for c in d.components)
    ]


def town_tasks_record(*, principal: Any, scheme_key: str, region_id: int, completed: bool, note: str) -> None:
    """Record a town's required-task completion and recompute the scheme's draft after commit."""
    with transaction.atomic():
        task_completion_set(
            principal=principal, scheme_key=scheme_key, region_id=region_id, completed=completed, note=note
        )
        _recompute_after_commit(scheme_key)


def award_decision_record(
    *, principal: Any, scheme_key: str, award_key: str, region_ids: list[int], reason: str
) -> None:
    """Record the office's decision on a tie at an award's cut-off and recompute the draft after commit."""
    with transaction.atomic():
        award_decide(
            principal=principal,
            scheme_key=scheme_key,
            award_key=award_key,
            region_ids=region_ids,
            reason=reason,
        )
        _recompute_after_commit(scheme_key)


def _recompute_after_commit(scheme_key: str) -> None:
    from ..tasks import assessment_recompute

    transaction.on_commit(lambda: assessment_recompute.delay(scheme_key))
