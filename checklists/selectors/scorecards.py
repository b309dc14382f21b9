"""A unit's scorecard under a scheme, and the per-basis sums the assessment recompute reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q

from geo.models import Region
from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.errors import NotFound
from scoring.engine.assessment import basis_matches

from ..models import Finding, Inspection, InspectionPhoto, InspectionStatus, Purpose


@dataclass(frozen=True)
class ScorecardDeduction:
    item_key: str
    item_title: str
    points_lost: str  # decimal text
    reason: str
    category: str
    photos: tuple[str, ...]  # /api/v1/photos/{sha256}


@dataclass(frozen=True)
class ScorecardInspection:
    client_uuid: str
    purpose: str
    period: int | None
    percent: str  # decimal text
    vetoed: bool
    submitted_at: datetime | None
    sections: list[dict[str, Any]]  # the score document's sections, as stored
    deductions: tuple[ScorecardDeduction, ...]


@dataclass(frozen=True)
class ScorecardComponent:
    key: str
    title: str
    weight: float | int | str  # as the scheme document writes it
    score: str | None  # decimal text, from the scoreboard row
    inspections: tuple[ScorecardInspection, ...]


@dataclass(frozen=True)
class Scorecard:
    """A unit's row of a scoreboard with what is behind it (the API's ScorecardOut reads it; field
    order is the order clients receive)."""

    scheme_key: str
    status: str
    content_hash: str
    region_id: int
    unit_name: str
    total: str  # decimal text
    grade: str
    rank: int
    reverse_rank: int
    award: str
    vetoed: bool
    veto_reasons: list[str]
    notes: list[str]
    components: tuple[ScorecardComponent, ...]


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


def scorecard(*, principal: Principal, scheme_key: str, region_id: int) -> Scorecard:
    """A unit's row of a scoreboard (``region_id``: the town, or the department's / enterprise's unit
    id) with everything behind it: per component the inspections used, their section and item scores,
    the deductions with reasons, and the evidence photos."""
    from scoring.selectors import scoreboard_for
    from scoring.services import row_unit

    board = scoreboard_for(principal=principal, scheme_key=scheme_key)
    row = next((r for r in board.rows if row_unit(r) == region_id), None)
    region = Region.objects.filter(pk=row["region_id"] if row else region_id).only("path").first()
    if (
        row is None
        or region is None
        or not (principal.has_any(DISTRICT_ROLES) or principal.covers(region.path, REVIEWING_ROLES))
    ):
        raise NotFound("该单位不在考核结果中或不在您的管辖范围内", details={"region_id": region_id})
    uuids = [u for us in row["sources"].values() for u in us]
    templates = [c["template"] for c in board.scheme_document["components"]]
    # The annual inspections by id, and the approved routine ones of the same templates assessing the
    # scheme's year (whenever they were submitted).
    routine = Q(
        purpose=Purpose.ROUTINE,
        status=InspectionStatus.APPROVED,
        subject_kind=board.scheme_document["subject_kind"],
        subject_id=region_id,
        template__key__in=templates,
        period=board.year,
    )
    used_qs = Inspection.objects.filter(Q(client_uuid__in=uuids) | routine)
    by_template: dict[str, list[Inspection]] = {}
    for i in (
        used_qs.select_related("template")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("id")),
            Prefetch("photos", queryset=InspectionPhoto.objects.select_related("photo")),
        )
        .order_by("purpose", "submitted_at")
    ):
        by_template.setdefault(i.template.key, []).append(i)
    components = tuple(
        ScorecardComponent(
            key=component["key"],
            title=component["title"],
            weight=component["weight"],
            score=row["components"].get(component["key"]),
            inspections=tuple(_scorecard_inspection(i) for i in by_template.get(component["template"], [])),
        )
        for component in board.scheme_document["components"]
    )
    return Scorecard(
        scheme_key=scheme_key,
        status=board.status,
        content_hash=board.content_hash,
        region_id=row["region_id"],
        unit_name=row["unit_name"],
        total=row["total"],
        grade=row["grade"],
        rank=row["rank"],
        reverse_rank=row["reverse_rank"],
        award=row["award"],
        vetoed=row["vetoed"],
        veto_reasons=row["veto_reasons"],
        notes=row["notes"],
        components=components,
    )


def basis_sums(
    wanted: dict[int, str], basis: list[tuple[str, str, str]]
) -> list[tuple[int, str, Decimal, Decimal]]:
    """Points earned and available on single-award bases, summed by the database.

    ``wanted``: inspection id → the scheme component it scores; ``basis``: (award key, component, item
    key or prefix ending in "."). Returns (inspection id, award key, Σ earned, Σ maximum) over the
    applicable items of that inspection's score document matching the award's basis for its component —
    the same matching as :func:`scoring.engine.assessment.basis_score`, done where the documents are
    (jsonb on PostgreSQL, JSON1 on SQLite) so that no score document travels to Python."""
    if not wanted or not basis:
        return []
    table = Inspection._meta.db_table
    out: list[tuple[int, str, Decimal, Decimal]] = []
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
            return [(pk, award, e, m) for (pk, award), (e, m) in sums.items()]
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
                out.append((pk, award, sum(map(Decimal, earned.split())), sum(map(Decimal, maximum.split()))))
    return out
