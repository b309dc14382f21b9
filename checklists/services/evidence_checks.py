"""The reuse and time checks of photo evidence: flags for an upload, the after-commit duplicate
check, and re-checking capture times once the phone's submit time is known (see ``evidence``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from geo import coords
from geo.services.map_layers import PHOTOS, map_layers_bump
from kernel.queries import CompiledOnce
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

from ..models import (
    Inspection,
    InspectionPhoto,
    Rectification,
    RectificationPhoto,
)


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


@transaction.atomic
def evidence_check_duplicates(*, kind: str, link_id: int) -> list[dict[str, Any]]:
    """Once the photo's perceptual hash is known: flag reuse of the same or a near-identical photo
    (Hamming distance ≤ PHOTO_PHASH_MAX_DISTANCE) attached before it in the same inspection or repair,
    for the same subject on another occasion, or for another subject; then check again the near-identical
    photos attached after it, whose own check may have run before this hash existed. Idempotent: the reuse
    flags are recomputed, the others kept; the attachment itself (an idempotent retry) never matches.

    Locks every attachment it may write, its own and the later look-alikes, before writing anything, in
    :func:`_lock_links`' order (the one order of all writers of several attachments), and the photos
    map layer last: two checks of look-alike photos then never wait for each other in a cycle."""
    link = _link(kind, link_id)
    if not link.photo.phash:
        return link.flags
    hashed = list(Photo.objects.exclude(phash="").values_list("pk", "phash"))
    mine = _stored_use(link)
    limit = settings.PHOTO_PHASH_MAX_DISTANCE
    laters = later_likenesses(mine, _uses(_near(link.photo_id, mine.phash, hashed)), max_distance=limit)
    locked = _lock_links([mine, *laters])
    if mine.link not in locked:
        return []  # deleted with its inspection or repair since it was read: nothing left to flag
    link = locked[mine.link]
    changed = _reuse_check(link, hashed)
    for later in laters:
        if later.link in locked:  # (a link deleted meanwhile has nothing left to flag)
            changed = _reuse_check(locked[later.link], hashed) or changed
    if changed:
        map_layers_bump(PHOTOS)  # after every attachment's lock: this row is shared by all photo writers
    return link.flags


def _link(kind: str, link_id: int) -> InspectionPhoto | RectificationPhoto:
    if kind == "inspection":
        return InspectionPhoto.objects.select_related("photo", "inspection").get(pk=link_id)
    return RectificationPhoto.objects.select_related("photo", "rectification").get(pk=link_id)


def _lock_links(uses: list[EvidenceUse]) -> dict[tuple[str, int], InspectionPhoto | RectificationPhoto]:
    """Lock these attachments, each statement locking its rows in its ``ORDER BY``: inspection photos
    before repair photos, each by ``(uploaded_at, id)``. Every writer that locks several attachments keeps
    to this order (see also :func:`inspection_photos_recheck_times`), so no two can deadlock."""
    ids = {kind: [u.link_id for u in uses if u.kind == kind] for kind in ("inspection", "rectification")}
    rows: list[InspectionPhoto | RectificationPhoto] = []
    if ids["inspection"]:
        rows += (
            InspectionPhoto.objects.select_for_update(of=("self",))
            .select_related("photo", "inspection")
            .filter(pk__in=ids["inspection"])
            .order_by("uploaded_at", "pk")
        )
    if ids["rectification"]:
        rows += (
            RectificationPhoto.objects.select_for_update(of=("self",))
            .select_related("photo", "rectification")
            .filter(pk__in=ids["rectification"])
            .order_by("uploaded_at", "pk")
        )
    return {(_kind(row), row.pk): row for row in rows}


def _kind(link: InspectionPhoto | RectificationPhoto) -> str:
    return "inspection" if isinstance(link, InspectionPhoto) else "rectification"


def _stored_use(link: InspectionPhoto | RectificationPhoto) -> EvidenceUse:
    if isinstance(link, InspectionPhoto):
        return replace(_inspection_use(link, link.inspection), uploaded_at=_local(link.uploaded_at))
    return replace(_repair_use(link, link.rectification), uploaded_at=_local(link.uploaded_at))


def _near(photo_id: int, phash: str, hashed: list[tuple[int, str]]) -> list[int]:
    """This photo and every other within the distance."""
    limit = settings.PHOTO_PHASH_MAX_DISTANCE
    return [photo_id, *(pk for pk, other in hashed if pk != photo_id and hamming(other, phash) <= limit)]


def _reuse_check(link: InspectionPhoto | RectificationPhoto, hashed: list[tuple[int, str]]) -> bool:
    """Recompute one (locked) attachment's reuse flags from every photo within the distance; returns
    whether they changed (the caller bumps the photos map layer, once, after all its locks)."""
    mine = _stored_use(link)
    uses = _uses(_near(link.photo_id, mine.phash, hashed))
    limit = settings.PHOTO_PHASH_MAX_DISTANCE
    reuse = [f.as_dict() for f in reuse_flags(mine, uses, max_distance=limit)]
    flags = [f for f in link.flags if f.get("code") not in REUSE_CODES] + reuse
    if flags == link.flags:
        return False
    _save_flags(link, flags)
    link.save(update_fields=["flags", "flag_count"])
    return True


# This revision's photos, locked: read at every submit, compiled once per process.
_REVISION_LINKS = CompiledOnce(
    lambda inspection_id, revision: (
        InspectionPhoto.objects.select_for_update(of=("self",))
        .select_related("photo")
        .filter(inspection_id=inspection_id, revision=revision)
        .order_by("uploaded_at", "pk")
    ),  # the order of every lock on several attachments (_lock_links)
    args=(int, int),
)


def inspection_photos_recheck_times(*, inspection: Inspection) -> int:
    """At submission the phone's ``device_submitted_at`` completes the inspection's own time span: the
    capture times of this revision's photos are checked again against it (``time_far`` recomputed, other
    flags kept). Called inside the submission's transaction. Returns how many photos changed."""
    reference = _device_window(inspection)
    changed = 0
    for link in _REVISION_LINKS.objects(inspection.pk, inspection.revision):
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
            map_layers_bump(PHOTOS)
            changed += 1
    return changed
