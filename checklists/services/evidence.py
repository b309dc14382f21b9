"""Photo evidence for inspections and repairs: store once, check where and when it was taken, flag.

Checks raise flags, never rejections: evidence is not silently dropped. Reuse of the same bytes is known
at upload (photos are stored once by SHA-256) and flagged in the upload's own answer; thumbnails and the
perceptual hash are made after commit by Celery, followed by the reuse check again with near-identical
photos. Reuse is a fraud signal in three scopes: another photo of the same inspection or repair, another
inspection or repair of the same subject (last quarter's photo sent again), another subject.

Capture times are compared with the phone's own times for the inspection (``device_started_at``, and
``device_submitted_at`` once submitted), never with when the server received an offline draft.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from geo import coords
from geo.selectors import subject_get
from geo.services import device_fix_fields
from geo.services.map_layers import PHOTOS, map_layers_bump
from kernel.access import REVIEWING_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kernel.outbox.services import outbox_enqueue
from media.checks import TimeReference
from media.services import photo_store
from scoring.assessment.services import appeal_evidence_add

from ..models import (
    RECTIFICATION_DONE,
    AppealPhoto,
    Inspection,
    InspectionPhoto,
    InspectionStatus,
    Rectification,
    RectificationPhoto,
)
from ..selectors import photo_flags_for_viewer
from .evidence_checks import (
    _device_window,
    _flags,
    _inspection_use,
    _repair_use,
    _reuse,
    _save_flags,
    evidence_check_duplicates,
    inspection_photos_recheck_times,
)
from .inspections import own_inspection
from .templates import spec_of


@dataclass(frozen=True)
class DevicePhotoMeta:
    """The phone's own fix when the photo was taken (pickers may strip EXIF GPS)."""

    lon: float | None = None
    lat: float | None = None
    datum: str = coords.Datum.WGS84
    accuracy_m: float | None = None
    captured_at: datetime | None = None


def _device_fields(meta: DevicePhotoMeta | None) -> tuple[dict[str, Any], coords.LonLat | None]:
    meta = meta or DevicePhotoMeta()
    fields = device_fix_fields(meta.lon, meta.lat, meta.datum, meta.accuracy_m, field="lon")
    fields["device_captured_at"] = meta.captured_at
    point = fields["device_location"]
    return fields, coords.LonLat(point.x, point.y) if point is not None else None


def _after_commit(kind: str, link_id: int, photo_id: int) -> None:
    """Thumbnails and hash, then the reuse check: recorded with the link, sent after the commit."""
    from media.tasks import photo_derivatives

    from ..tasks import evidence_duplicates

    outbox_enqueue(steps=[photo_derivatives.si(photo_id), evidence_duplicates.si(kind, link_id)])


@transaction.atomic
def inspection_photo_add(
    *,
    principal: Principal,
    client_uuid: uuid.UUID,
    photo_uuid: uuid.UUID,
    item_key: str,
    data: bytes,
    device: DevicePhotoMeta | None = None,
) -> InspectionPhoto:
    """Attach one photo to an inspection (uploaded on its own, so a weak link never resends the answers)."""
    inspection = own_inspection(principal, client_uuid)
    existing = InspectionPhoto.objects.filter(client_uuid=photo_uuid).select_related("photo").first()
    if existing is not None:
        if existing.inspection_id != inspection.pk or existing.item_key != item_key:
            raise Conflict(
                "照片编号已被使用", code="uuid_taken", details={"fields": {"photo_uuid": ["已被使用"]}}
            )
        return photo_flags_for_viewer(principal=principal, links=[existing])[0]  # a retried upload
    if inspection.status not in (InspectionStatus.DRAFT, InspectionStatus.REJECTED):
        raise Conflict(
            "已提交的检查不能再添加照片", code="inspection_locked", details={"status": inspection.status}
        )
    if item_key and item_key not in spec_of(inspection.template).items():
        raise InvalidInput(details={"fields": {"item_key": ["模板中没有这个检查项"]}})
    device_fields, phone = _device_fields(device)
    photo = photo_store(data=data, uploaded_by_id=principal.user_id)
    subject = subject_get(kind=inspection.subject_kind, subject_id=inspection.subject_id)
    # The phone's own times only: a draft filled offline reaches the server hours or days after the visit.
    reference = _device_window(inspection)
    link = InspectionPhoto(
        client_uuid=photo_uuid,
        inspection=inspection,
        revision=inspection.revision,
        item_key=item_key,
        photo=photo,
        uploaded_by_id=principal.user_id,
        **device_fields,
    )
    _save_flags(
        link,
        _flags(photo, phone, link.device_accuracy_m, subject.location, link.device_captured_at, reference)
        + _reuse(_inspection_use(link, inspection), [photo.pk]),  # the same bytes are known already
    )
    link.save(force_insert=True)
    # Counted under the inspection's lock (own_inspection), so that a submit waiting for it reads the
    # count with this photo (see inspection_submit); an inspection from before the count keeps None.
    Inspection.objects.filter(pk=inspection.pk).update(revision_photos=F("revision_photos") + 1)
    map_layers_bump(PHOTOS)
    audit_record(
        action="checklists.inspection.photo",
        obj=inspection,
        region_path=inspection.subject_region.path,
        after={"photo": photo.sha256, "item_key": item_key, "flags": [f["code"] for f in link.flags]},
    )
    _after_commit("inspection", link.pk, photo.pk)
    return photo_flags_for_viewer(principal=principal, links=[link])[0]


@transaction.atomic
def rectification_photo_add(
    *,
    principal: Principal,
    rectification_id: int,
    photo_uuid: uuid.UUID,
    data: bytes,
    device: DevicePhotoMeta | None = None,
) -> RectificationPhoto:
    """Evidence of a repair, checked against the subject's location like any evidence."""
    rect = Rectification.objects.select_related("subject_region").filter(pk=rectification_id).first()
    if rect is None or not principal.covers(rect.subject_region.path, REVIEWING_ROLES):
        raise NotFound("整改事项不存在或不在您的管辖范围内", details={"rectification_id": rectification_id})
    if not principal.has_any(REVIEWING_ROLES):
        raise PermissionDenied("您的角色不能上传整改照片")
    existing = RectificationPhoto.objects.filter(client_uuid=photo_uuid).first()
    if existing is not None:
        if existing.rectification_id != rect.pk:
            raise Conflict(
                "照片编号已被使用", code="uuid_taken", details={"fields": {"photo_uuid": ["已被使用"]}}
            )
        return photo_flags_for_viewer(principal=principal, links=[existing])[0]
    if rect.status in RECTIFICATION_DONE:
        raise Conflict("整改已销号或已撤销", code="rectification_closed", details={"status": rect.status})
    device_fields, phone = _device_fields(device)
    photo = photo_store(data=data, uploaded_by_id=principal.user_id)
    subject = subject_get(kind=rect.subject_kind, subject_id=rect.subject_id)
    link = RectificationPhoto(
        client_uuid=photo_uuid,
        rectification=rect,
        photo=photo,
        uploaded_by_id=principal.user_id,
        **device_fields,
    )
    # A repair carries no device times of its own: the phone's capture stamp, or else the upload.
    now = timezone.localtime()
    reference = None if link.device_captured_at else TimeReference(now, now, "uploaded_at")
    _save_flags(
        link,
        _flags(photo, phone, link.device_accuracy_m, subject.location, link.device_captured_at, reference)
        + _reuse(_repair_use(link, rect), [photo.pk]),
    )
    link.save(force_insert=True)
    map_layers_bump(PHOTOS)
    audit_record(
        action="checklists.rectification.photo",
        obj=rect,
        region_path=rect.subject_region.path,
        after={"photo": photo.sha256, "flags": [f["code"] for f in link.flags]},
    )
    _after_commit("rectification", link.pk, photo.pk)
    return photo_flags_for_viewer(principal=principal, links=[link])[0]


@transaction.atomic
def appeal_photo_add(*, principal: Principal, appeal_id: int, data: bytes) -> Any:
    """Evidence for a town's appeal (申诉), uploaded one photo at a time by the town while it is pending;
    stored once by content, listed on the appeal by SHA-256 and linked to it (:class:`AppealPhoto`), which
    is what lets the appeal's town and the district see it. The appeal is checked (scope, still pending)
    before the photo is stored."""
    stored: list[int] = []

    def store(appeal_pk: int) -> str:
        photo = photo_store(data=data, uploaded_by_id=principal.user_id)
        # Also when the appeal already names these bytes: uploading them shows the town holds the photo.
        AppealPhoto.objects.get_or_create(
            appeal_id=appeal_pk, photo=photo, defaults={"uploaded_by_id": principal.user_id}
        )
        stored.append(photo.pk)
        return photo.sha256

    appeal, added = appeal_evidence_add(principal=principal, appeal_id=appeal_id, store=store)
    if added:
        from media.tasks import photo_derivatives

        outbox_enqueue(steps=[photo_derivatives.si(stored[0])])
    return appeal


__all__ = [
    "DevicePhotoMeta",
    "appeal_photo_add",
    "evidence_check_duplicates",
    "inspection_photo_add",
    "inspection_photos_recheck_times",
    "rectification_photo_add",
]
