"""Gathering approved inspections into the units an assessment scheme scores (the 区镇 scoreboard).

Per town and scheme component (a checklist template): the annual score is the latest approved annual
(or spot-check, audit, self) inspection of the year; routine inspections are averaged by the database
and combined with it by the scheme's rule; any approved inspection of the year with a triggered
一票否决 item vetoes the town. "Of the year" means assessing the scheme's year (the inspection's
``period``), whenever it was submitted. Only approved inspections count: one the district withdrew counts
nowhere, one it amended counts as its corrected revision. The database does the aggregation, so a
recomputation costs little more than one GROUP BY over the year's inspections.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import cache

from django.db import transaction

from geo.models import Organisation, Region, RegionLevel
from kernel.kit import collector_paused
from kernel.outbox.services import outbox_enqueue
from scoring.engine.assessment import ZERO, basis_matches, share_of_points
from scoring.engine.checklist import in_base

from .. import schemes
from ..models import Scoreboard, TaskCompletion
from ..source import AnnualRow, RoutineRow, YearSelection, inspections
from ..tasks import assessment_recompute as assessment_recompute_task
from .scoreboards import UnitEvidence, scoreboard_draft_lock, scoreboard_store_draft


def assessment_recompute(*, scheme_key: str) -> Scoreboard:
    """Recompute the scheme's draft from the approved inspections and task records committed so far.

    One transaction, under the scheme's draft lock taken before any input is read: recomputations of one
    scheme run one after another (an approval's and a task-record edit's may be queued at once), so the
    last to commit read every approval committed before it started, and never replaces a newer draft with
    one computed from older inputs."""
    with collector_paused(), transaction.atomic():  # ~50,000 short-lived acyclic objects for 1,000 units
        scoreboard_draft_lock(scheme_key=scheme_key)
        return _recompute(scheme_key)


def _recompute(scheme_key: str) -> Scoreboard:
    definition = schemes.load(scheme_key)
    component_of = {c.template_key: c.key for c in definition.components}
    selection = YearSelection(
        subject_kind=definition.subject_kind, template_keys=tuple(component_of), year=definition.year
    )
    source = inspections()
    # One pass over the routine inspections (mean, count, any veto per town and component) and one over
    # the few non-routine ones (the latest wins): the year's rows are read twice, never more.
    routine_means, vetoed_units = _routine_pass(source.routine_rows(selection), component_of)
    annual = _annual_pass(source.annual_rows(selection), component_of, vetoed_units)
    single_scores = _single_scores(definition, selection, annual)
    veto_titles: dict[int, set[str]] = defaultdict(set)
    for unit_id, title in source.veto_titles(selection, vetoed_units):
        veto_titles[unit_id].add(title)
    incomplete = _incomplete_tasks(scheme_key, definition.subject_kind)
    assessed = {s for s, _ in annual} | {s for s, _ in routine_means} | vetoed_units
    units = []
    for unit_id, name, region_id in _units(definition.subject_kind, assessed):
        components: dict[str, Decimal | None] = {}
        sources: dict[str, list[str]] = {}
        for c in definition.components:
            a = annual.get((unit_id, c.key))
            mean = routine_means.get((unit_id, c.key), (None, 0))[0]
            components[c.key] = definition.routine.combine_mean(mean, a.percent if a else None)
            # The annual inspection by its id; the routine ones are found again by subject, template
            # and year in the drill-down (a year of monthly ids per unit would bloat every row).
            sources[c.key] = [a.client_uuid] if a else []
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


def _routine_pass(
    rows: Iterable[RoutineRow], component_of: dict[str, str]
) -> tuple[dict[tuple[int, str], tuple[Decimal | None, int]], set[int]]:
    """Per unit and component: the mean and count of the routine inspections; the units any vetoed."""
    routine_means: dict[tuple[int, str], tuple[Decimal | None, int]] = {}
    vetoed_units: set[int] = set()
    for r in rows:
        routine_means[(r.subject_id, component_of[r.template_key])] = (r.mean, r.n)
        if r.vetoed:
            vetoed_units.add(r.subject_id)
    return routine_means, vetoed_units


def _annual_pass(
    rows: Iterable[AnnualRow], component_of: dict[str, str], vetoed_units: set[int]
) -> dict[tuple[int, str], AnnualRow]:
    """Per unit and component: the latest non-routine inspection (rows come oldest first); adds the units
    they veto."""
    annual: dict[tuple[int, str], AnnualRow] = {}
    for r in rows:
        annual[(r.subject_id, component_of[r.template_key])] = r
        if r.vetoed:
            vetoed_units.add(r.subject_id)
    return annual


def _incomplete_tasks(scheme_key: str, subject_kind: str) -> set[int]:
    # Required-task completion is recorded per town (TaskCompletion); departments and enterprises have
    # no such record yet and count as having completed theirs.
    return (
        set(
            TaskCompletion.objects.filter(scheme_key=scheme_key, completed=False).values_list(
                "region_id", flat=True
            )
        )
        if subject_kind == "town"
        else set()
    )


def _units(subject_kind: str, ids: set[int]) -> list[tuple[int, str, int]]:
    """(unit id, name, region id) of the assessed units: towns (the unit is its region), or
    departments / enterprises (their district / town region)."""
    # Every unit of the kind, filtered here: a district has tens of towns and at most a few thousand
    # organisations, and an IN list of every assessed id costs more to build than the rows to read.
    if subject_kind == "town":
        towns = Region.objects.filter(level=RegionLevel.TOWN).order_by("path").values_list("pk", "name")
        return [(pk, name, pk) for pk, name in towns if pk in ids]
    orgs = Organisation.objects.filter(kind=subject_kind).order_by("name", "pk")
    return [row for row in orgs.values_list("pk", "name", "region_id") if row[0] in ids]


def _single_scores(
    definition: schemes.SchemeDefinition, selection: YearSelection, annual: dict[tuple[int, str], AnnualRow]
) -> dict[int, dict[str, Decimal | None]]:
    """Per unit, each single award's basis score (share of the basis points earned) on its annual
    inspections. The points available come from the pinned template version (base items matching the
    basis); the points lost are the findings of the inspection's revision, a narrow indexed table, so
    no score document is read. Only where a basis item may be answered 不适用 (which removes its points
    from the base) does the database unpack that inspection's score document instead."""
    awards = definition.scheme.single_awards
    if not awards:
        return {}
    source = inspections()
    specs = source.template_items({a.template_id for a in annual.values()})
    plans: dict[tuple[int, str], list[tuple[str, tuple[str, ...], Decimal]]] = {}  # (template, component)
    fallback: dict[int, str] = {}
    wanted_keys: set[str] = set()
    for (_, component), a in annual.items():
        key = (a.template_id, component)
        if key not in plans:
            items = specs[a.template_id]
            plan = []
            for award in awards:
                patterns = [p for c, p in award.basis if c == component]
                keys = tuple(
                    k
                    for k, item in items.items()
                    if in_base(item.kind) and any(basis_matches(k, p) for p in patterns)
                )
                if any(items[k].allow_na for k in keys):
                    plan = []
                    break
                plan.append((award.key, keys, sum((items[k].points for k in keys), ZERO)))
            plans[key] = plan
            wanted_keys.update(k for _, keys, _ in plan for k in keys)
        if not plans[key]:
            fallback[a.pk] = component
    lost: dict[int, dict[str, Decimal]] = defaultdict(dict)  # inspection → item → points lost
    revision = {a.pk: a.revision for a in annual.values()}
    for pk, rev, item_key, points in source.points_lost(selection, wanted_keys):
        if revision.get(pk) == rev:  # a superseded inspection of the year is not in `annual`
            lost[pk][item_key] = lost[pk].get(item_key, ZERO) + points
    sums: dict[int, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)  # unit → award → (earned, max)
    unit_of = {a.pk: unit for (unit, _), a in annual.items()}

    def add(unit: int, award_key: str, earned: Decimal, maximum: Decimal) -> None:
        by_award = sums[unit]
        e, m = by_award.get(award_key, (ZERO, ZERO))
        by_award[award_key] = (e + earned, m + maximum)

    for (unit, component), a in annual.items():
        losses = lost.get(a.pk)  # most inspections lost nothing on most items
        for award_key, keys, maximum in plans[(a.template_id, component)]:
            if maximum > 0:
                lost_here = sum((losses.get(k, ZERO) for k in keys), ZERO) if losses else ZERO
                add(unit, award_key, maximum - lost_here, maximum)
    basis = [(a.key, component, pattern) for a in awards for component, pattern in a.basis]
    for pk, award_key, earned, maximum in source.basis_sums(fallback, basis):
        add(unit_of[pk], award_key, earned, maximum)
    share = cache(share_of_points)  # most units earn the same few (earned, maximum) pairs
    return {
        unit: {a.key: share(*by_award[a.key]) if a.key in by_award else None for a in awards}
        for unit, by_award in sums.items()
    }


def recompute_after_commit(scheme_key: str) -> None:
    """Recompute the scheme's draft after the current transaction commits (through the outbox: a broker
    down at the commit delays the recompute, never loses it)."""
    outbox_enqueue(steps=[assessment_recompute_task.si(scheme_key)])
