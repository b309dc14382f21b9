"""The one narrow read the assessment makes of inspections (``scoring.assessment.source``): frozen rows.

The assessment app owns scoreboards, appeals and awards; this app owns the inspections they are scored
from. Every query the assessment needs of them is here, taking plain values and returning immutable rows
(``NamedTuple`` / frozen dataclasses from the port), with the aggregation done by the database. Installed
as the assessment's inspection source from ``ChecklistsConfig.ready()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, DecimalField, F, Prefetch, Q, QuerySet

from scoring.assessment.source import (
    AnnualRow,
    BasisSum,
    ItemRow,
    LostRow,
    RoutineRow,
    ScorecardDeduction,
    ScorecardInspection,
    YearSelection,
)
from scoring.engine.assessment import basis_matches

from ..models import ChecklistTemplate, Finding, Inspection, InspectionPhoto, InspectionStatus, Purpose
from ..services.templates import spec_of
from .evidence import photos_citable

__all__ = [
    "annual_rows",
    "basis_sums",
    "photos_citable",
    "points_lost",
    "routine_rows",
    "scorecard_inspections",
    "template_items",
    "veto_titles",
]


def _templates(selection: YearSelection) -> dict[int, str]:
    """The selection's template versions: id → key (the passes below then never join the template table)."""
    return dict(ChecklistTemplate.objects.filter(key__in=selection.template_keys).values_list("pk", "key"))


def _year(selection: YearSelection, template_ids: list[int]) -> QuerySet[Inspection]:
    return Inspection.objects.filter(
        status=InspectionStatus.APPROVED,
        subject_kind=selection.subject_kind,
        template_id__in=template_ids,
        period=selection.year,  # the year assessed, not the year submitted (January reports last year)
    )


def routine_rows(selection: YearSelection) -> Iterator[RoutineRow]:
    key_of = _templates(selection)
    grouped = (
        _year(selection, list(key_of))
        .filter(purpose=Purpose.ROUTINE)
        .values("subject_id", "template_id")
        .annotate(
            mean=Avg("percent", output_field=DecimalField(max_digits=7, decimal_places=4)),
            n=Count("id"),
            vetoes=Count("id", filter=Q(vetoed=True)),
        )
        .values_list("subject_id", "template_id", "mean", "n", "vetoes")
    )
    for subject_id, template_id, mean, n, vetoes in grouped:
        yield RoutineRow(subject_id, key_of[template_id], mean, n, bool(vetoes))


def annual_rows(selection: YearSelection) -> Iterator[AnnualRow]:
    key_of = _templates(selection)
    rows = (
        _year(selection, list(key_of))
        .exclude(purpose=Purpose.ROUTINE)
        .order_by("submitted_at", "id")
        .values_list("subject_id", "template_id", "percent", "client_uuid", "id", "revision", "vetoed")
    )
    for subject_id, template_id, percent, client_uuid, pk, revision, vetoed in rows:
        yield AnnualRow(
            subject_id, key_of[template_id], percent, str(client_uuid), pk, template_id, revision, vetoed
        )


def veto_titles(selection: YearSelection, unit_ids: set[int]) -> Iterator[tuple[int, str]]:
    if not unit_ids:
        return
    year = _year(selection, list(_templates(selection)))
    findings = Finding.objects.filter(
        kind="veto",
        inspection__in=year.filter(vetoed=True, subject_id__in=unit_ids),
        # the inspection's current revision: an earlier one (rejected, or corrected by the district) may
        # have failed another veto item
        revision=F("inspection__revision"),
    )
    yield from findings.values_list("inspection__subject_id", "item_title")


def template_items(template_ids: set[int]) -> dict[int, Mapping[str, ItemRow]]:
    return {
        t.pk: {k: ItemRow(item.kind, item.points, item.allow_na) for k, item in spec_of(t).items().items()}
        for t in ChecklistTemplate.objects.filter(pk__in=template_ids)
    }


def points_lost(selection: YearSelection, item_keys: set[str]) -> Iterator[LostRow]:
    # A subquery, not 2,000 ids as parameters: the findings of the year's non-routine inspections.
    candidates = _year(selection, list(_templates(selection))).exclude(purpose=Purpose.ROUTINE).values("pk")
    findings = Finding.objects.filter(inspection__in=candidates, item_key__in=item_keys)
    for row in findings.values_list("inspection_id", "revision", "item_key", "points_lost"):
        yield LostRow(*row)


def _deduction(inspection: Inspection, finding: Finding) -> ScorecardDeduction:
    photos = tuple(
        f"/api/v1/photos/{p.photo.sha256}"
        for p in inspection.photos.all()
        if p.item_key == finding.item_key and p.revision <= finding.revision
    )
    return ScorecardDeduction(
        item_key=finding.item_key,
        item_title=finding.item_title,
        points_lost=str(finding.points_lost),
        reason=finding.reason,
        category=finding.category,
        photos=photos,
    )


def _scorecard_inspection(i: Inspection) -> ScorecardInspection:
    return ScorecardInspection(
        client_uuid=str(i.client_uuid),
        purpose=i.purpose,
        period=i.period,
        percent=str(i.percent),
        vetoed=i.vetoed,
        submitted_at=i.submitted_at,
        sections=(i.score or {}).get("sections", []),
        deductions=tuple(_deduction(i, f) for f in i.findings.all() if f.revision == i.revision),
    )


def scorecard_inspections(
    selection: YearSelection, unit_id: int, annual_uuids: list[str]
) -> dict[str, tuple[ScorecardInspection, ...]]:
    # The annual inspections by id, and the approved routine ones of the same templates assessing the
    # scheme's year (whenever they were submitted).
    routine = Q(
        purpose=Purpose.ROUTINE,
        status=InspectionStatus.APPROVED,
        subject_kind=selection.subject_kind,
        subject_id=unit_id,
        template__key__in=selection.template_keys,
        period=selection.year,
    )
    used = (
        Inspection.objects.filter(Q(client_uuid__in=annual_uuids) | routine)
        .select_related("template")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("id")),
            Prefetch("photos", queryset=InspectionPhoto.objects.select_related("photo")),
        )
        .order_by("purpose", "submitted_at")
    )
    by_template: dict[str, list[ScorecardInspection]] = {}
    for i in used:
        by_template.setdefault(i.template.key, []).append(_scorecard_inspection(i))
    return {key: tuple(rows) for key, rows in by_template.items()}


def basis_sums(wanted: dict[int, str], basis: list[tuple[str, str, str]]) -> list[BasisSum]:
    """Points earned and available on single-award bases, summed by the database.

    ``wanted``: inspection id → the scheme component it scores; ``basis``: (award key, component, item
    key or prefix ending in "."). Returns (inspection id, award key, Σ earned, Σ maximum) over the
    applicable items of that inspection's score document matching the award's basis for its component —
    the same matching as :func:`scoring.engine.assessment.basis_score`, done where the documents are
    (jsonb on PostgreSQL, JSON1 on SQLite) so that no score document travels to Python."""
    if not wanted or not basis:
        return []
    table = Inspection._meta.db_table
    out: list[BasisSum] = []
    ids = list(wanted)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A jsonpath filter keeps only the basis items of each document (scheme values are passed as
            # jsonpath variables, never spliced into the path); matching them to awards happens here.
            patterns = sorted({p for _, _, p in basis})
            tests = [
                f"@.key {'starts with' if p.endswith('.') else '=='} $p{n}" for n, p in enumerate(patterns)
            ]
            path = f"$.items[*] ? (({' || '.join(tests)}) && @.applicable != false)"
            cursor.execute(
                f"SELECT i.id, e->>'key', e->>'earned', e->>'maximum' FROM {table} i "  # noqa: S608 - ours
                "CROSS JOIN LATERAL jsonb_path_query(i.score, %s::jsonpath, %s::jsonb) e "
                "WHERE i.id = ANY(%s)",
                [path, json.dumps({f"p{n}": p for n, p in enumerate(patterns)}), ids],
            )
            by_component: dict[str, list[tuple[str, str]]] = {}
            for award, component, pattern in basis:
                by_component.setdefault(component, []).append((award, pattern))
            sums: dict[tuple[int, str], list[Decimal]] = {}
            for pk, key, earned, maximum in cursor.fetchall():
                for award, pattern in by_component.get(wanted[pk], ()):
                    if basis_matches(key, pattern):
                        acc = sums.setdefault((pk, award), [Decimal(0), Decimal(0)])
                        acc[0] += Decimal(earned)
                        acc[1] += Decimal(maximum)
            return [BasisSum(pk, award, e, m) for (pk, award), (e, m) in sums.items()]
        b_values = ", ".join(["(%s, %s, %s)"] * len(basis))
        for start in range(0, len(ids), 300):
            chunk = ids[start : start + 300]
            w_values = ", ".join(["(%s, %s)"] * len(chunk))
            key = "json_extract(e.value, '$.key')"
            cursor.execute(
                f"""WITH w(id, component) AS (VALUES {w_values}),
                         b(award, component, pattern) AS (VALUES {b_values})
                SELECT w.id, b.award, group_concat(json_extract(e.value, '$.earned'), ' '),
                       group_concat(json_extract(e.value, '$.maximum'), ' ')
                FROM w JOIN {table} i ON i.id = w.id, json_each(i.score, '$.items') e
                JOIN b ON b.component = w.component AND ({key} = b.pattern
                     OR (substr(b.pattern, -1) = '.' AND substr({key}, 1, length(b.pattern)) = b.pattern))
                WHERE COALESCE(json_extract(e.value, '$.applicable'), 1)
                GROUP BY w.id, b.award""",  # noqa: S608 - the table name is ours, values are parameters
                [*(x for pk in chunk for x in (pk, wanted[pk])), *(x for row in basis for x in row)],
            )
            # SQLite sums in binary floating point: add the exact decimal strings in Python instead.
            for pk, award, earned, maximum in cursor.fetchall():
                out.append(
                    BasisSum(
                        pk,
                        award,
                        sum(map(Decimal, earned.split()), Decimal(0)),
                        sum(map(Decimal, maximum.split()), Decimal(0)),
                    )
                )
    return out
