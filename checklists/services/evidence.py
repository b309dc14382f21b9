"""Photo evidence for inspections and repairs: store once, check where and when it was taken, flag.

Checks raise flags, never rejections: evidence is not silently dropped. Thumbnails and the perceptual
hash are made after commit by Celery, followed by the duplicate check (the same or a near-identical
photo already used for another subject is a fraud signal).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.access import REVIEWING_ROLES, Principal
from backend.audit.services import audit_record
from backend.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from geo import coords
from geo.selectors import subject_get
from geo.services import device_fix_fields
from media.checks import Thresholds, evidence_flags
from media.imaging import hamming
from media.models import Photo
from media.services import photo_store

from ..models import RECTIFICATION_DONE, InspectionPhoto, InspectionStatus, Rectification, RectificationPhoto
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


def _thresholds() -> Thresholds:
    return Thresholds(
        subject_distance_m=settings.PHOTO_SUBJECT_DISTANCE_M,
        exif_phone_distance_m=settings.PHOTO_EXIF_PHONE_DISTANCE_M,
        time_hours=settings.PHOTO_TIME_FLAG_HOURS,
    )


def _flags(
    photo: Photo, phone: coords.LonLat | None, accuracy: float | None, subject: Any, when: datetime | None
) -> list[dict[str, Any]]:
    exif_gps = coords.LonLat(photo.exif_location.x, photo.exif_location.y) if photo.exif_location else None
    subject_point = coords.LonLat(subject.x, subject.y) if subject is not None else None
    return [
        f.as_dict()
        for f in evidence_flags(
            exif_gps=exif_gps,
            exif_gps_status=photo.exif_gps_status,
            exif_taken_at=photo.exif_taken_at,
            phone=phone,
            phone_accuracy_m=accuracy,
            subject=subject_point,
            reference_time=when,
            thresholds=_thresholds(),
        )
    ]


def _after_commit(kind: str, link_id: int, photo_id: int) -> None:
    from celery import chain

    from media.tasks import photo_derivatives

    from ..tasks import evidence_duplicates

    transaction.on_commit(
        lambda: chain(photo_derivatives.si(photo_id), evidence_duplicates.si(kind, link_id)).delay()
    )


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
        return existing  # a retried upload
    if inspection.status not in (InspectionStatus.DRAFT, InspectionStatus.REJECTED):
        raise Conflict(
            "已提交的检查不能再添加照片", code="inspection_locked", details={"status": inspection.status}
        )
    if item_key and item_key not in spec_of(inspection.template).items():
        raise InvalidInput(details={"fields": {"item_key": ["模板中没有这个检查项"]}})
    device_fields, phone = _device_fields(device)
    photo = photo_store(data=data, uploaded_by_id=principal.user_id)
    subject = subject_get(kind=inspection.subject_kind, subject_id=inspection.subject_id)
    when = inspection.device_started_at or inspection.received_at
    flags = _flags(photo, phone, device_fields.get("device_accuracy_m"), subject.location, when)
    link = InspectionPhoto.objects.create(
        client_uuid=photo_uuid,
        inspection=inspection,
        revision=inspection.revision,
        item_key=item_key,
        photo=photo,
        uploaded_by_id=principal.user_id,
        flags=flags,
        flag_count=len(flags),
        **device_fields,
    )
    audit_record(
        action="checklists.inspection.photo",
        obj=inspection,
        region_path=inspection.subject_region.path,
        after={"photo": photo.sha256, "item_key": item_key, "flags": [f["code"] for f in flags]},
    )
    _after_commit("inspection", link.pk, photo.pk)
    return link


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
        return existing
    if rect.status in RECTIFICATION_DONE:
        raise Conflict("整改已销号或已撤销", code="rectification_closed", details={"status": rect.status})
    device_fields, phone = _device_fields(device)
    photo = photo_store(data=data, uploaded_by_id=principal.user_id)
    subject = subject_get(kind=rect.subject_kind, subject_id=rect.subject_id)
    when = device.captured_at if device and device.captured_at else timezone.now()
    flags = _flags(photo, phone, device_fields.get("device_accuracy_m"), subject.location, when)
    link = RectificationPhoto.objects.create(
        client_uuid=photo_uuid,
        rectification=rect,
        photo=photo,
        uploaded_by_id=principal.user_id,
        flags=flags,
        flag_count=len(flags),
        **device_fields,
    )
    audit_record(
        action="checklists.rectification.photo",
        obj=rect,
        region_path=rect.subject_region.path,
        after={"photo": photo.sha256, "flags": [f["code"] for f in flags]},
    )
    _after_commit("rectification", link.pk, photo.pk)
    return link


def _subject_of(link: InspectionPhoto | RectificationPhoto) -> tuple[str, int, str]:
    owner = link.inspection if isinstance(link, InspectionPhoto) else link.rectification
    return owner.subject_kind, owner.subject_id, owner.subject_name


def evidence_check_duplicates(*, kind: str, link_id: int) -> list[dict[str, Any]]:
    """Flag the link when the same or a near-identical photo already serves as evidence elsewhere.

    Compares perceptual hashes (Hamming distance ≤ PHOTO_PHASH_MAX_DISTANCE) with every hashed photo
    linked to another subject. Idempotent: the duplicate flags are recomputed, the others kept.
    """
    model = InspectionPhoto if kind == "inspection" else RectificationPhoto
    related = "inspection" if kind == "inspection" else "rectification"
    link = model.objects.select_related("photo", related).get(pk=link_id)
    if not link.photo.phash:
        return link.flags
    mine = _subject_of(link)
    limit = settings.PHOTO_PHASH_MAX_DISTANCE
    matches: dict[tuple[str, int], tuple[str, int]] = {}
    for other_model, owner in ((InspectionPhoto, "inspection"), (RectificationPhoto, "rectification")):
        rows = other_model.objects.exclude(photo__phash="").values_list(
            "photo__phash", f"{owner}__subject_kind", f"{owner}__subject_id", f"{owner}__subject_name"
        )
        for phash, s_kind, s_id, s_name in rows:
            if (s_kind, s_id) == mine[:2]:
                continue
            d = hamming(phash, link.photo.phash)
            if d <= limit and ((s_kind, s_id) not in matches or d < matches[(s_kind, s_id)][1]):
                matches[(s_kind, s_id)] = (s_name, d)
    flags = [f for f in link.flags if f.get("code") != "duplicate_photo"]
    for name, d in sorted(matches.values(), key=lambda m: m[1]):
        label = "同一张照片" if d == 0 else f"近似照片（差异 {d}）"
        flags.append(
            {"code": "duplicate_photo", "message": f"{label}已用于其他检查对象：{name}", "value": float(d)}
        )
    model.objects.filter(pk=link.pk).update(flags=flags, flag_count=len(flags))
    return flags


@transaction.atomic
def appeal_photo_add(*, principal: Principal, appeal_id: int, data: bytes) -> Any:
    """Evidence for a town's appeal (申诉), uploaded one photo at a time by the town while it is pending;
    stored once by content and listed on the appeal by SHA-256 for the district office to see."""
    from scoring.models import Appeal, AppealStatus

    appeal = (
        Appeal.objects.select_for_update(of=("self",)).select_related("region").filter(pk=appeal_id).first()
    )
    if appeal is None or not principal.covers(appeal.region.path, REVIEWING_ROLES):
        raise NotFound("申诉不存在或不是本单位的申诉", details={"appeal_id": appeal_id})
    if appeal.status != AppealStatus.PENDING:
        raise Conflict("申诉已处理，不能再补充证据", code="appeal_decided", details={"status": appeal.status})
    photo = photo_store(data=data, uploaded_by_id=principal.user_id)
    if photo.sha256 not in appeal.evidence:
        appeal.evidence = [*appeal.evidence, photo.sha256]
        appeal.save(update_fields=["evidence"])
        audit_record(
            action="scoring.appeal.evidence",
            obj=appeal,
            region_path=appeal.region.path,
            after={"photo": photo.sha256},
        )
        from media.tasks import photo_derivatives

        transaction.on_commit(lambda: photo_derivatives.delay(photo.pk))
    return appeal
