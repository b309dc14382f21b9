"""Thumbnails made by a real Celery worker consuming from Redis (the PostGIS leg of make test)."""

import time
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from media.models import Photo
from tests.checklists.conftest import draft
from tests.conftest import needs_redis
from tests.media.images import jpeg, scene

pytestmark = needs_redis


def test_upload_then_worker_makes_derivatives(redis_worker, world, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu = uuid.uuid4()
    assert phone_a.put(cu, draft(world)).status_code == 201
    body = {"photo_uuid": str(uuid.uuid4()), "item_key": "op.running",
            "file": SimpleUploadedFile("p.jpg", jpeg(scene(91, (2000, 1500))))}  # fmt: skip
    response = phone_a.client.post(f"/api/v1/inspections/{cu}/photos", body, headers=phone_a._headers(None))
    assert response.status_code == 201
    photo = Photo.objects.get(sha256=response.json()["sha256"])
    assert photo.derivatives_at is None  # the request only validated and stored
    deadline = time.monotonic() + 30
    while photo.derivatives_at is None and time.monotonic() < deadline:
        time.sleep(0.2)
        photo.refresh_from_db()
    assert photo.derivatives_at is not None and photo.phash
    assert photo.thumb_phone.name.endswith("-phone.jpg") and photo.thumb_list.name.endswith("-list.jpg")
    thumb = phone_a.get(f"/api/v1/photos/{photo.sha256}", variant="phone")
    assert thumb.status_code == 200 and "X-Derivative-Pending" not in thumb
