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
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from geo import coords
from geo.selectors import subject_get
from geo.services import device_fix_fields
from kernel.access import REVIEWING_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kernel.outbox.services import outbox_enqueue
from media.checks import (
    REUSE_CODES,
    EvidenceUse,
    Thresholds,
    TimeReference,
    device_window,
    evidence_flags,
    later_likenesses,
    reuse_flags,
    time_flag,
)
from media.imaging import hamming
from media.models import Photo
from media.services import photo_store

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


def _local(moment: datetime | None) -> datetime | None:
    """Times in flags read in Asia/Shanghai, whichever zone the phone or the database gave them in."""
    return timezone.localtime(moment) if moment is not None else None


def _device_window(inspection: Inspection) -> TimeReference | None:
    return device_window(_local(inspection.device_started_at), _local(inspection.device_submitted_at))


def _flags(
    photo: Photo,
    phone: coords.LonLat | None,
    accuracy: float | None,
    subject: Any,
    captured_at: datetime | None,
    reference: TimeReference | None,
) -> list[dict[str, Any]]:
    exif_gps = coords.LonLat(photo.exif_location.x, photo.exif_location.y) if photo.exif_location else None
    subject_point = coords.LonLat(subject.x, subject.y) if subject is not None else None
    return [
        f.as_dict()
        for f in evidence_flags(
            exif_gps=exif_gps,
            exif_gps_status=photo.exif_gps_status,
            exif_taken_at=_local(photo.exif_taken_at),
            phone=phone,
            phone_accuracy_m=accuracy,
            subject=subject_point,
            captured_at=_local(captured_at),
            reference=reference,
            thresholds=_thresholds(),
        )
    ]


def _uses(photo_ids: list[int]) -> list[EvidenceUse]:
    """Every attachment, to an inspection or a repair, of these photos."""
    local = timezone.localtime
    inspections = InspectionPhoto.objects.filter(photo_id__in=photo_ids).values_list(
        "pk", "inspection_id", "inspection__subject_kind", "inspection__subject_id", "photo__sha256",
        "photo__phash", "inspection__subject_name", "item_key", "inspection__client_uuid", "client_uuid",
        "uploaded_at",
    )  # fmt: skip
    repairs = RectificationPhoto.objects.filter(photo_id__in=photo_ids).values_list(
        "pk", "rectification_id", "rectification__subject_kind", "rectification__subject_id",
        "photo__sha256", "photo__phash", "rectification__subject_name", "client_uuid", "uploaded_at",
    )  # fmt: skip
    return [
        *(
            EvidenceUse(
                "inspection", pk, owner, (kind, sid), sha, phash, name, item, str(ref), str(pu), local(at)
            )
            for pk, owner, kind, sid, sha, phash, name, item, ref, pu, at in inspections
        ),
        *(
            EvidenceUse(
                "rectification", pk, owner, (kind, sid), sha, phash, name, "", str(owner), str(pu), local(at)
            )
            for pk, owner, kind, sid, sha, phash, name, pu, at in repairs
        ),
    ]


def _reuse(mine: EvidenceUse, photo_ids: list[int]) -> list[dict[str, Any]]:
    flags = reuse_flags(mine, _uses(photo_ids), max_distance=settings.PHOTO_PHASH_MAX_DISTANCE)
    return [f.as_dict() for f in flags]


def _inspection_use(link: InspectionPhoto, inspection: Inspection) -> EvidenceUse:
    return EvidenceUse(
        kind="inspection",
        link_id=link.pk or 0,
        owner_id=inspection.pk,
        subject=(inspection.subject_kind, inspection.subject_id),
        sha256=link.photo.sha256,
        phash=link.photo.phash,
        subject_name=inspection.subject_name,
        item_key=link.item_key,
        owner_ref=str(inspection.client_uuid),
        photo_uuid=str(link.client_uuid),
    )


def _repair_use(link: RectificationPhoto, rect: Rectification) -> EvidenceUse:
    return EvidenceUse(
        kind="rectification",
        link_id=link.pk or 0,
        owner_id=rect.pk,
        subject=(rect.subject_kind, rect.subject_id),
        sha256=link.photo.sha256,
        phash=link.photo.phash,
        subject_name=rect.subject_name,
        owner_ref=str(rect.pk),
        photo_uuid=str(link.client_uuid),
    )


def _save_flags(link: InspectionPhoto | RectificationPhoto, flags: list[dict[str, Any]]) -> None:
    link.flags, link.flag_count = flags, len(flags)


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
    audit_record(
        action="checklists.rectification.photo",
        obj=rect,
        region_path=rect.subject_region.path,
        after={"photo": photo.sha256, "flags": [f["code"] for f in link.flags]},
    )
    _after_commit("rectification", link.pk, photo.pk)
    return photo_flags_for_viewer(principal=principal, links=[link])[0]


@transaction.atomic
def evidence_check_duplicates(*, kind: str, link_id: int) -> list[dict[str, Any]]:
    """Once the photo's perceptual hash is known: flag reuse of the same or a near-identical photo
    (Hamming distance ≤ PHOTO_PHASH_MAX_DISTANCE) attached before it in the same inspection or repair,
    for the same subject on another occasion, or for another subject; then check again the near-identical
    photos attached after it, whose own check may have run before this hash existed. Idempotent: the reuse
    flags are recomputed, the others kept; the attachment itself (an idempotent retry) never matches."""
    link = _locked_link(kind, link_id)
    if not link.photo.phash:
        return link.flags
    hashed = list(Photo.objects.exclude(phash="").values_list("pk", "phash"))
    mine, uses = _reuse_check(link, hashed)
    limit = settings.PHOTO_PHASH_MAX_DISTANCE
    for later in later_likenesses(mine, uses, max_distance=limit):
        _reuse_check(_locked_link(later.kind, later.link_id), hashed)  # locks go earlier → later: no cycle
    return link.flags


def _locked_link(kind: str, link_id: int) -> InspectionPhoto | RectificationPhoto:
    if kind == "inspection":
        return (
            InspectionPhoto.objects.select_for_update(of=("self",))
            .select_related("photo", "inspection")
            .get(pk=link_id)
        )
    return (
        RectificationPhoto.objects.select_for_update(of=("self",))
        .select_related("photo", "rectification")
        .get(pk=link_id)
    )


def _reuse_check(
    link: InspectionPhoto | RectificationPhoto, hashed: list[tuple[int, str]]
) -> tuple[EvidenceUse, list[EvidenceUse]]:
    """Recompute one attachment's reuse flags from every photo within the distance; returns the
    attachment and what it was compared with."""
    if isinstance(link, InspectionPhoto):
        mine = replace(_inspection_use(link, link.inspection), uploaded_at=_local(link.uploaded_at))
    else:
        mine = replace(_repair_use(link, link.rectification), uploaded_at=_local(link.uploaded_at))
    limit = settings.PHOTO_PHASH_MAX_DISTANCE
    near = [pk for pk, phash in hashed if pk != link.photo_id and hamming(phash, mine.phash) <= limit]
    uses = _uses([link.photo_id, *near])
    reuse = [f.as_dict() for f in reuse_flags(mine, uses, max_distance=limit)]
    flags = [f for f in link.flags if f.get("code") not in REUSE_CODES] + reuse
    if flags != link.flags:
        _save_flags(link, flags)
        link.save(update_fields=["flags", "flag_count"])
    return mine, uses


def inspection_photos_recheck_times(*, inspection: Inspection) -> int:
    """At submission the phone's ``device_submitted_at`` completes the inspection's own time span: the
    capture times of this revision's photos are checked again against it (``time_far`` recomputed, other
    flags kept). Called inside the submission's transaction. Returns how many photos changed."""
    reference = _device_window(inspection)
    changed = 0
    links = (
        InspectionPhoto.objects.select_for_update(of=("self",))
        .select_related("photo")
        .filter(inspection=inspection, revision=inspection.revision)
    )
    for link in links:
        late = time_flag(
            taken_at=_local(link.photo.exif_taken_at),
            captured_at=_local(link.device_captured_at),
            reference=reference,
            hours=settings.PHOTO_TIME_FLAG_HOURS,
        )
        flags = [f for f in link.flags if f.get("code") != "time_far"] + ([late.as_dict()] if late else [])
        if flags != link.flags:
            _save_flags(link, flags)
            link.save(update_fields=["flags", "flag_count"])
            changed += 1
    return changed


@transaction.atomic
def appeal_photo_add(*, principal: Principal, appeal_id: int, data: bytes) -> Any:
    """Evidence for a town's appeal (申诉), uploaded one photo at a time by the town while it is pending;
    stored once by content, listed on the appeal by SHA-256 and linked to it (:class:`AppealPhoto`), which
    is what lets the appeal's town and the district see it."""
    from scoring.models import Appeal, AppealStatus

    appeal = (
        Appeal.objects.select_for_update(of=("self",)).select_related("region").filter(pk=appeal_id).first()
    )
    if appeal is None or not principal.covers(appeal.region.path, REVIEWING_ROLES):
        raise NotFound("申诉不存在或不是本单位的申诉", details={"appeal_id": appeal_id})
    if appeal.status != AppealStatus.PENDING:
        raise Conflict("申诉已处理，不能再补充证据", code="appeal_decided", details={"status": appeal.status})
    photo = photo_store(data=data, uploaded_by_id=principal.user_id)
    # Also when the appeal already names these bytes: uploading them shows the town holds the photo.
    AppealPhoto.objects.get_or_create(
        appeal=appeal, photo=photo, defaults={"uploaded_by_id": principal.user_id}
    )
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

        outbox_enqueue(steps=[photo_derivatives.si(photo.pk)])
    return appeal
