"""Storing photos once per content, and making their derivatives."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.errors import ApplicationError

from .imaging import ImageRejected, derivatives, inspect
from .models import Photo, derivative_path, photo_path


@transaction.atomic
def photo_store(*, data: bytes, uploaded_by_id: int) -> Photo:
    """Validate and store ``data``; the same bytes are stored once and the existing row is returned.

    Nothing is written when validation fails. The file path is derived from the content, so a file left
    behind by a rolled-back transaction is simply reused by the next upload of the same bytes.
    """
    try:
        facts = inspect(
            data,
            max_bytes=settings.PHOTO_MAX_BYTES,
            max_pixels=settings.PHOTO_MAX_PIXELS,
            max_exif_bytes=settings.PHOTO_MAX_EXIF_BYTES,
            local_tz=timezone.get_default_timezone(),
        )
    except ImageRejected as exc:
        raise ApplicationError(
            exc.message, code=exc.code, status=exc.status, details={"fields": {"file": [exc.message]}}
        ) from exc
    existing = Photo.objects.filter(sha256=facts.sha256).first()
    if existing is not None:
        return existing
    exif = facts.exif
    photo = Photo(
        sha256=facts.sha256,
        content_type=facts.content_type,
        extension=facts.extension,
        size_bytes=facts.size_bytes,
        width=facts.width,
        height=facts.height,
        exif_taken_at=exif.taken_at,
        exif_location=Point(exif.gps.lon, exif.gps.lat, srid=4326) if exif.gps else None,
        exif_altitude_m=exif.gps.altitude_m if exif.gps else None,
        exif_direction_deg=exif.gps.direction_deg if exif.gps else None,
        exif_gps_status=exif.gps_status,
        exif_make=exif.make,
        exif_model=exif.model,
        exif_orientation=exif.orientation,
        uploaded_by_id=uploaded_by_id,
    )
    photo.file.name = _save_once(photo_path(photo, ""), data)
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:  # the same bytes uploaded concurrently: the first row wins
        return Photo.objects.get(sha256=facts.sha256)
    return photo


def _save_once(name: str, data: bytes) -> str:
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


def photo_make_derivatives(*, photo_id: int) -> Photo:
    """Thumbnails and perceptual hash. Idempotent: a photo that has them is left alone, and a half-done
    run (a worker killed mid-way) is simply redone, since every path is derived from the content."""
    photo = Photo.objects.get(pk=photo_id)
    if photo.derivatives_at is not None:
        return photo
    with photo.file.open("rb") as fh:
        data = fh.read()
    result = derivatives(
        data, phone_edge=settings.PHOTO_THUMB_PHONE_PX, list_edge=settings.PHOTO_THUMB_LIST_PX
    )
    phone_name = _save_once(derivative_path(photo, "phone"), result.phone_jpeg)
    list_name = _save_once(derivative_path(photo, "list"), result.list_jpeg)
    done = {"thumb_phone": phone_name, "thumb_list": list_name, "phash": result.phash}
    done["derivatives_at"] = timezone.now()
    if Photo.objects.filter(pk=photo.pk, derivatives_at__isnull=True).update(**done) == 0:
        photo.refresh_from_db()  # another run finished first: its values stand
        return photo
    for field, value in done.items():
        setattr(photo, field, value)
    return photo
