"""Inspections as a principal may read them: the list, one in full, a service's result."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from kernel.access import REVIEWING_ROLES, Principal
from kernel.errors import NotFound
from kernel.scope import scope_q

from ..models import Finding, Inspection, InspectionCorrection, InspectionPhoto, InspectionRevision
from .photos import _photos_for


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
