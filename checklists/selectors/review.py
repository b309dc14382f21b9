"""The review queue: submitted inspections a reviewer may decide, photo flags as they may read them."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from kernel.access import REVIEWING_ROLES, Principal
from kernel.errors import PermissionDenied

from ..models import Inspection, InspectionPhoto, InspectionStatus
from .inspections import inspection_list
from .photos import _photos_for


def review_queue(
    *, principal: Principal, template_key: str | None = None, town_id: int | None = None
) -> QuerySet[Inspection]:
    """``GET /inspections?status=submitted`` for a reviewer, newest submission first; each row's photos
    (one query for all rows) carry ``viewer_flags`` as this principal may read them. A role that reviews
    nothing has no queue (the review service would refuse it anyway)."""
    if not principal.has_any(REVIEWING_ROLES):
        raise PermissionDenied("您的角色不能审核检查")
    return (
        inspection_list(
            principal=principal,
            status=InspectionStatus.SUBMITTED,
            template_key=template_key,
            town_id=town_id,
        )
        .prefetch_related(Prefetch("photos", queryset=_photos_for(InspectionPhoto, principal)))
        .order_by("-submitted_at", "-id")
    )
