"""Reads of the checklists app, scoped, with their joins done up front."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from geo.models import Region, SewageFacility
from geo.selectors import subjects_visible
from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.errors import NotFound
from kernel.scope import scope_q
from media.checks import flags_for_viewer
from media.models import Photo
from scoring.engine.assessment import basis_matches

from .models import (
    RECTIFICATION_DONE,
    AppealPhoto,
    Assignment,
    AssignmentStatus,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionCorrection,
    InspectionPhoto,
    InspectionRevision,
    InspectionStatus,
    Purpose,
    Rectification,
    RectificationPhoto,
    SpotCheck,
    TemplateStatus,
)


def template_catalogue(*, since: datetime | None = None) -> QuerySet[ChecklistTemplate]:
    """Published versions; with ``since``, also versions retired since then (so phones can drop them)."""
    qs = ChecklistTemplate.objects.order_by("key", "version")
    if since is None:
        return qs.filter(status=TemplateStatus.PUBLISHED)
    return qs.filter(updated_at__gte=since)


def assignment_catalogue(*, principal: Principal, since: datetime | None = None) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(inspector_id=principal.user_id).order_by("due_date", "id")
    if since is None:
        return qs.filter(status=AssignmentStatus.OPEN)
    return qs.filter(updated_at__gte=since)


def _inspection_scope(principal: Principal) -> Q:
    # Your own inspections, plus those about subjects in the scope of your reviewing roles.
    return Q(inspector_id=principal.user_id) | (
        scope_q(principal.region_paths(REVIEWING_ROLES), "subject_region__path")
        if principal.has_any(REVIEWING_ROLES)
        else Q(pk__in=[])
    )


def inspection_list(
    *,
    principal: Principal,
    status: str | None = None,
    subject_kind: str | None = None,
    town_id: int | None = None,
    template_key: str | None = None,
    period: int | None = None,
    mine: bool = False,
) -> QuerySet[Inspection]:
    qs = Inspection.objects.filter(
        Q(inspector_id=principal.user_id) if mine else _inspection_scope(principal)
    )
    if status:
        qs = qs.filter(status=status)
    if subject_kind:
        qs = qs.filter(subject_kind=subject_kind)
    if town_id is not None:
        qs = qs.filter(subject_town_id=town_id)
    if template_key:
        qs = qs.filter(template__key=template_key)
    if period is not None:
        qs = qs.filter(period=period)
    return (
        qs.select_related("template", "inspector", "subject_town")
        .annotate(photo_flags=Coalesce(Sum("photos__flag_count"), 0))
        .order_by("-updated_at", "-id")
    )


class _ViewerPhotos(QuerySet[Any]):
    """Photo attachments read by one viewer: when fetched — a prefetch fetches those of every row at once —
    each gets ``viewer_flags``, its flags as that viewer may read them (:func:`photo_flags_for_viewer`)."""

    viewer: Principal | None = None

    def _clone(self) -> _ViewerPhotos:
        clone: _ViewerPhotos = super()._clone()  # type: ignore[assignment]
        clone.viewer = self.viewer
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self.viewer is not None and self._result_cache:
            photo_flags_for_viewer(principal=self.viewer, links=self._result_cache)


def _photos_for(model: type[Any], principal: Principal | None) -> QuerySet[Any]:
    qs = _ViewerPhotos(model=model).select_related("photo")
    qs.viewer = principal
    return qs


def photo_flags_for_viewer(*, principal: Principal, links: list[Any]) -> list[Any]:
    """Set ``viewer_flags`` on these attachments: their stored flags as the principal may read them — a
    duplicate photo's other subject is named only to a viewer whose scope holds it (one query per
    subject kind for all the links)."""
    wanted = set()
    for link in links:
        for flag in link.flags:
            details = flag.get("details") or {}
            if flag.get("code") == "duplicate_photo" and isinstance(details.get("subject_id"), int):
                wanted.add((str(details.get("subject_kind")), details["subject_id"]))
    visible = subjects_visible(paths=principal.region_paths(), subjects=wanted) if wanted else set()
    for link in links:
        link.viewer_flags = flags_for_viewer(link.flags, visible)
    return links


def _inspection_detail(principal: Principal | None = None) -> QuerySet[Inspection]:
    return Inspection.objects.select_related(
        "template", "inspector", "subject_town", "reviewed_by"
    ).prefetch_related(
        Prefetch("photos", queryset=_photos_for(InspectionPhoto, principal).order_by("uploaded_at", "id")),
        Prefetch("findings", queryset=Finding.objects.order_by("revision", "id")),
        Prefetch("revisions", queryset=InspectionRevision.objects.order_by("revision")),
        Prefetch(
            "corrections",
            queryset=InspectionCorrection.objects.select_related("corrected_by").order_by(
                "corrected_at", "id"
            ),
        ),
    )


def inspection_get(*, principal: Principal, client_uuid: uuid.UUID) -> Inspection:
    inspection = (
        _inspection_detail(principal).filter(_inspection_scope(principal), client_uuid=client_uuid).first()
    )
    if inspection is None:
        raise NotFound("检查记录不存在或不在您的管辖范围内", details={"client_uuid": str(client_uuid)})
    return inspection


def inspection_result(inspection: Inspection, *, principal: Principal | None = None) -> Inspection:
    """The inspection a service has just changed, with its detail loaded — no second scope check: the
    service checked the caller's right before changing anything, and its answer is the change's result.
    Its photos' flags are as ``principal`` may read them (without one, naming no other subject)."""
    return _inspection_detail(principal).get(pk=inspection.pk)


def rectification_list(
    *,
    principal: Principal,
    status: str | None = None,
    overdue: bool | None = None,
    town_id: int | None = None,
) -> QuerySet[Rectification]:
    qs = Rectification.objects.filter(
        scope_q(principal.region_paths(REVIEWING_ROLES | DISTRICT_ROLES), "subject_region__path")
    )
    if status:
        qs = qs.filter(status=status)
    if overdue is not None:
        qs = qs.filter(overdue=overdue)
    if town_id is not None:
        qs = qs.filter(subject_town_id=town_id)
    return _rectification_detail(qs, principal).order_by("deadline", "id")


def _rectification_detail(
    qs: QuerySet[Rectification], principal: Principal | None = None
) -> QuerySet[Rectification]:
    return qs.select_related("finding", "subject_town").prefetch_related(
        Prefetch("photos", queryset=_photos_for(RectificationPhoto, principal))
    )


def rectification_result(
    rectification: Rectification, *, principal: Principal | None = None
) -> Rectification:
    """A rectification a service has just changed (see :func:`inspection_result`)."""
    return _rectification_detail(Rectification.objects.all(), principal).get(pk=rectification.pk)


@dataclass(frozen=True)
class TownOverdue:
    town_id: int | None
    town_name: str
    count: int
    items: list[Rectification]


def overdue_by_town(*, principal: Principal) -> list[TownOverdue]:
    """The overdue list per town (逾期清单): what each town must be warned about."""
    groups: dict[int | None, list[Rectification]] = {}
    names: dict[int | None, str] = {}
    for r in rectification_list(principal=principal, overdue=True).exclude(status__in=RECTIFICATION_DONE):
        groups.setdefault(r.subject_town_id, []).append(r)
        names[r.subject_town_id] = r.subject_town.name if r.subject_town else "区直"
    return sorted(
        (TownOverdue(t, names[t], len(items), items) for t, items in groups.items()),
        key=lambda g: (-g.count, g.town_name),
    )


def spot_check_list(*, principal: Principal) -> QuerySet[SpotCheck]:
    qs = SpotCheck.objects.order_by("-created_at")
    return qs if principal.has_any(DISTRICT_ROLES) else qs.filter(published_at__isnull=False)


def spot_check_get(*, principal: Principal, spot_check_id: int) -> SpotCheck:
    spot = spot_check_list(principal=principal).filter(pk=spot_check_id).first()
    if spot is None:
        raise NotFound("抽查不存在或尚未公开", details={"spot_check_id": spot_check_id})
    return spot


@dataclass(frozen=True)
class SpotComparison:
    assignment: Assignment
    spot_percent: Decimal | None
    own_percent: Decimal | None
    gap: Decimal | None
    flagged: bool


def spot_check_comparison(spot: SpotCheck) -> list[SpotComparison]:
    """Each sampled subject: the spot-check score, the town's own latest approved score, the gap — both
    assessing the draw's year."""
    assignments = list(spot.assignments.order_by("subject_town_id", "subject_id"))
    subject_ids = [a.subject_id for a in assignments]
    approved = Inspection.objects.filter(
        status=InspectionStatus.APPROVED,
        subject_kind=spot.subject_kind,
        subject_id__in=subject_ids,
        template__key=spot.template_key,
        period=spot.year,
    ).values("assignment_id", "subject_id", "purpose", "percent", "submitted_at")
    spot_scores: dict[int, Decimal] = {}
    own_scores: dict[int, tuple[Any, Decimal]] = {}
    for row in approved:
        if row["purpose"] == Purpose.SPOT_CHECK:
            if row["assignment_id"] is not None:
                spot_scores[row["assignment_id"]] = row["percent"]
        elif row["subject_id"] not in own_scores or own_scores[row["subject_id"]][0] < row["submitted_at"]:
            own_scores[row["subject_id"]] = (row["submitted_at"], row["percent"])
    result = []
    for a in assignments:
        s = spot_scores.get(a.pk)
        o = own_scores.get(a.subject_id, (None, None))[1]
        gap = (s - o) if s is not None and o is not None else None
        result.append(SpotComparison(a, s, o, gap, gap is not None and abs(gap) > spot.gap_threshold))
    return result


def _evidence_links(principal: Principal, within: str | None = None) -> list[QuerySet[Any]]:
    """The attachments through which the principal may see photos — to inspections and repairs they may
    see, and uploads to appeals they may see — optionally only about subjects (for appeals: units)
    inside the region path ``within``."""
    paths = principal.region_paths(REVIEWING_ROLES | DISTRICT_ROLES)
    inspections = InspectionPhoto.objects.filter(
        inspection__in=Inspection.objects.filter(_inspection_scope(principal))
    )
    rectifications = RectificationPhoto.objects.filter(scope_q(paths, "rectification__subject_region__path"))
    # Only photos uploaded to an appeal: the SHA-256s an appeal merely names grant nothing.
    appeal_uploads = AppealPhoto.objects.filter(scope_q(paths, "appeal__region__path"))
    if within is not None:
        inspections = inspections.filter(inspection__subject_region__path__startswith=within)
        rectifications = rectifications.filter(rectification__subject_region__path__startswith=within)
        appeal_uploads = appeal_uploads.filter(appeal__region__path__startswith=within)
    return [inspections, rectifications, appeal_uploads]


def photo_visible(*, principal: Principal, sha256: str) -> Photo:
    """A photo, if it is evidence for something the principal may see (else 404)."""
    photo = Photo.objects.filter(sha256=sha256).first()
    if photo is not None and any(links.filter(photo=photo).exists() for links in _evidence_links(principal)):
        return photo
    raise NotFound("照片不存在或无权查看", details={"sha256": sha256})


def photos_citable(*, principal: Principal, region_path: str, sha256s: list[str]) -> set[str]:
    """Which of these photos an appeal about the unit at ``region_path`` may name: those the appellant may
    already see as evidence about that unit's region (an inspection's or a repair's about a subject
    there, or one uploaded to an appeal of that region). Whoever may see the appeal could see them
    already, so naming them opens nothing."""
    wanted = set(sha256s)
    found: set[str] = set()
    for links in _evidence_links(principal, within=region_path):
        if wanted - found:
            found |= set(
                links.filter(photo__sha256__in=wanted - found).values_list("photo__sha256", flat=True)
            )
    return found


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


@dataclass(frozen=True)
class FacilityServes:
    natural_village_id: int
    natural_village: str
    households: int
    village_households: int | None


@dataclass(frozen=True)
class FacilityConditionRow:
    conditions: list[str]
    status: str
    approved_at: datetime
    inspection: str  # the audit's client uuid
    withdrawn_at: datetime | None
    withdrawal_reason: str


@dataclass(frozen=True)
class FacilityDossier:
    """A sewage facility with everything known about it (the API's FacilityDossierOut reads it)."""

    facility: SewageFacility
    serves: tuple[FacilityServes, ...]
    conditions: tuple[FacilityConditionRow, ...]  # newest first
    audits: list[Inspection]
    rectifications: list[Rectification]


def facility_dossier(*, principal: Principal, facility_id: int) -> FacilityDossier:
    """A sewage facility with everything known about it: the households it serves, its audits (with
    their photos' flags), its operating condition history and its rectifications with repair photos."""
    from geo.models import FacilityCondition, FacilityService
    from geo.selectors import facility_get

    facility = facility_get(paths=principal.region_paths(), facility_id=facility_id)
    services = FacilityService.objects.filter(facility=facility).select_related("natural_village")
    conditions = FacilityCondition.objects.filter(facility=facility).order_by("-approved_at")
    return FacilityDossier(
        facility=facility,
        serves=tuple(
            FacilityServes(
                s.natural_village_id, s.natural_village.name, s.households, s.natural_village.households
            )
            for s in services
        ),
        conditions=tuple(
            FacilityConditionRow(
                conditions=c.conditions,
                status=c.status,
                approved_at=c.approved_at,
                inspection=str(c.inspection_uuid),
                withdrawn_at=c.withdrawn_at,
                withdrawal_reason=c.withdrawal_reason,
            )
            for c in conditions
        ),
        audits=list(
            inspection_list(principal=principal, subject_kind="sewage_facility").filter(
                subject_id=facility.pk
            )
        ),
        rectifications=list(
            rectification_list(principal=principal).filter(
                subject_kind="sewage_facility", subject_id=facility.pk
            )
        ),
    )
