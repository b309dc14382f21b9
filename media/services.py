"""Storing photos once per content."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from backend.errors import ApplicationError

from .imaging import ImageRejected, inspect
from .models import Photo, photo_path


@transaction.atomic
def photo_store(*, data: bytes, uploaded_by_id: int) -> Photo:
    """Validate and store ``data``; the same bytes are stored once and the existing row is returned.

    Nothing is written when validation fails. The file path is derived from the content, so a file left
    behind by a rolled-back transaction is simply reused by the next upload of the same bytes.
    """
    try:
        facts = inspect(data, max_bytes=settings.PHOTO_MAX_BYTES, max_pixels=settings.PHOTO_MAX_PIXELS)
    except ImageRejected as exc:
        raise ApplicationError(
            exc.message, code=exc.code, status=exc.status, details={"fields": {"file": [exc.message]}}
        ) from exc
    existing = Photo.objects.filter(sha256=facts.sha256).first()
    if existing is not None:
        return existing
    photo = Photo(
        sha256=facts.sha256,
        content_type=facts.content_type,
        extension=facts.extension,
        size_bytes=facts.size_bytes,
        width=facts.width,
        height=facts.height,
        uploaded_by_id=uploaded_by_id,
    )
    name = photo_path(photo, "")
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    photo.file.name = name
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:  # the same bytes uploaded concurrently: the first row wins
        return Photo.objects.get(sha256=facts.sha256)
    return photo
