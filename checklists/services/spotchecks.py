"""随机抽查 in the 双随机一公开 way: a stored, reproducible draw of subjects and inspectors."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.selectors import inspector_pool
from geo.models import Region, RegionLevel
from geo.selectors import subject_candidates, subject_get
from kernel.access import DISTRICT_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import InvalidInput, NotFound, PermissionDenied
from scoring.assessment.schemes import scheme_years_using, schemes_using
from scoring.assessment.services import scheme_owner_check

from ..models import Assignment, ChecklistTemplate, Purpose, SpotCheck, TemplateStatus
from ..periods import PeriodChoice, check_period
from ..sampling import DrawError, Sample, draw


def _district_of(principal: Principal) -> Region:
    if not principal.has_any(DISTRICT_ROLES):
        raise PermissionDenied("只有区级部门可以组织随机抽查")
    paths = principal.region_paths(DISTRICT_ROLES)
    qs = Region.objects.filter(level=RegionLevel.DISTRICT)
    district = qs.first() if paths is None else qs.filter(path__in=paths).first()
    if district is None:
        raise PermissionDenied("随机抽查须由区级账号发起")
    return district


def _require_scheme_owner(principal: Principal, template_key: str, year: int) -> None:
    """A draw whose inspections an assessment scheme counts (安全生产 of enterprises, …) is the scheme
    owners' to make and publish; others (sewage facility audits) any district role's."""
    for scheme_key in schemes_using(template_key, year):
        scheme_owner_check(principal=principal, scheme_key=scheme_key)


@transaction.atomic
def spot_check_create(
    *,
    principal: Principal,
    year: int,
    subject_kind: str,
    template_key: str,
    per_town: int,
    town_ids: list[int] | None = None,
    due_date: date | None = None,
) -> SpotCheck:
    district = _district_of(principal)
    _check_template_and_year(template_key=template_key, subject_kind=subject_kind, year=year)
    _require_scheme_owner(principal, template_key, year)
    town_list = _towns_drawn(district, town_ids)
    candidates = subject_candidates(kind=subject_kind, town_ids=town_list)
    pool = inspector_pool(district_path=district.path)
    seed = secrets.randbits(63)
    try:
        samples = draw(seed=seed, candidates=candidates, inspectors=pool, per_town=per_town)
    except DrawError as exc:
        raise InvalidInput(str(exc), code="no_eligible_inspector", details={"town_id": exc.town_id}) from exc
    spot = SpotCheck.objects.create(
        year=year,
        subject_kind=subject_kind,
        template_key=template_key,
        per_town=per_town,
        seed=str(seed),
        candidates={str(k): v for k, v in candidates.items()},
        inspectors={str(k): sorted(v) for k, v in pool.items()},
        result=[
            {"town_id": s.town_id, "subject_id": s.subject_id, "inspector_id": s.inspector_id}
            for s in samples
        ],
        due_date=due_date,
        gap_threshold=Decimal(str(settings.SPOT_CHECK_GAP_THRESHOLD)),
        created_by_id=principal.user_id,
    )
    _assignments_create(
        principal,
        spot,
        samples,
        year=year,
        subject_kind=subject_kind,
        template_key=template_key,
        due_date=due_date,
    )
    audit_record(action="checklists.spotcheck.draw", obj=spot, region_path=district.path,
                 after={"seed": spot.seed, "samples": len(samples)})  # fmt: skip
    return spot


def _check_template_and_year(*, template_key: str, subject_kind: str, year: int) -> None:
    """The newest published version of the template must inspect this kind; the year must be valid."""
    template = (
        ChecklistTemplate.objects.filter(key=template_key, status=TemplateStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if template is None:
        raise InvalidInput(details={"fields": {"template_key": ["模板不存在或已停用"]}})
    if template.subject_kind != subject_kind:
        raise InvalidInput(
            details={"fields": {"subject_kind": [f"模板 {template_key} 检查的是 {template.subject_kind}"]}}
        )
    # The draw's year is the period its inspections assess: the same rule as any inspection's period.
    refusal = check_period(
        PeriodChoice(year, "client"),
        today=timezone.localdate(),
        scheme_years=scheme_years_using(template_key),
    )
    if refusal is not None:
        raise InvalidInput(
            "抽查年度不正确", code=refusal.code, details={"fields": {"year": [refusal.message]}}
        )


def _towns_drawn(district: Region, town_ids: list[int] | None) -> list[int]:
    """The district's towns to draw in (all of them, or those asked for: each must be one)."""
    towns = Region.objects.filter(level=RegionLevel.TOWN, parent=district)
    if town_ids:
        towns = towns.filter(pk__in=town_ids)
        missing = set(town_ids) - set(towns.values_list("pk", flat=True))
        if missing:
            raise InvalidInput(details={"fields": {"town_ids": [f"不是本区的区镇：{sorted(missing)}"]}})
    return sorted(towns.values_list("pk", flat=True))


def _assignments_create(
    principal: Principal,
    spot: SpotCheck,
    samples: list[Sample],
    *,
    year: int,
    subject_kind: str,
    template_key: str,
    due_date: date | None,
) -> None:
    """One spot-check assignment per drawn subject, for the inspector drawn with it."""
    for s in samples:
        subject = subject_get(kind=subject_kind, subject_id=s.subject_id)
        Assignment.objects.create(
            template_key=template_key,
            inspector_id=s.inspector_id,
            purpose=Purpose.SPOT_CHECK,
            period=year,
            due_date=due_date,
            spot_check=spot,
            subject_kind=subject_kind,
            subject_id=subject.id,
            subject_name=subject.name,
            subject_region=subject.region,
            subject_town=subject.town,
            note=f"{year} 年随机抽查",
            created_by_id=principal.user_id,
        )


def spot_check_redraw(spot: SpotCheck) -> list[Sample]:
    """The draw recomputed from the stored seed and snapshots (equal to ``spot.result`` unless tampered)."""
    return draw(
        seed=int(spot.seed),
        candidates={int(k): v for k, v in spot.candidates.items()},
        inspectors={int(k): frozenset(v) for k, v in spot.inspectors.items()},
        per_town=spot.per_town,
    )


@transaction.atomic
def spot_check_publish(*, principal: Principal, spot_check_id: int) -> SpotCheck:
    district = _district_of(principal)
    spot = SpotCheck.objects.select_for_update().filter(pk=spot_check_id).first()
    if spot is None:
        raise NotFound("抽查不存在", details={"spot_check_id": spot_check_id})
    _require_scheme_owner(principal, spot.template_key, spot.year)
    if spot.published_at is None:
        spot.published_at = timezone.now()
        spot.save(update_fields=["published_at"])
        audit_record(action="checklists.spotcheck.publish", obj=spot, region_path=district.path,
                     after={"published_at": spot.published_at})  # fmt: skip
    return spot
