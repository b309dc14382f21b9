"""Submitted inspections for the review pages' tests, made through the phone's API like a real inspector."""

from __future__ import annotations

import io
import itertools
import uuid
from typing import Any

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from checklists.services.templates import templates_sync
from tests.checklists.conftest import Phone, draft, sewage_answers

_seeds = itertools.count(1)


def png_bytes(seed: int) -> bytes:
    """A distinct small picture per seed (size and colour), so only the photos a test reuses on purpose
    are duplicates."""
    img = Image.new("RGB", (64 + seed % 97, 48 + seed // 97 % 89), ((seed * 37) % 256, (seed * 91) % 256, 90))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


FAILING = {"op.maintenance": {"value": False}, "ledger.meter": {"value": False}}


def ready(world: Any) -> None:
    """Published templates, and facility A where it stands (so a photo can be far from it)."""
    templates_sync()
    world.facility_a.location = Point(121.2, 31.9, srid=4326)
    world.facility_a.save()


def photo(
    phone: Phone, cu: str, item_key: str, seed: int, lon: float | None = None, lat: float | None = None
) -> Any:
    upload = SimpleUploadedFile("p.png", png_bytes(seed), content_type="image/png")
    data: dict[str, Any] = {"photo_uuid": str(uuid.uuid4()), "item_key": item_key, "file": upload}
    if lon is not None:
        data |= {"lon": lon, "lat": lat, "datum": "wgs84", "accuracy_m": 5}
    response = phone.client.post(f"/api/v1/inspections/{cu}/photos", data, headers=phone._headers(None))
    assert response.status_code == 201, response.content
    return response.json()


def submitted(
    phone: Phone,
    world: Any,
    *,
    facility: Any = None,
    failing: bool = False,
    far: bool = False,
    extra_photos: int = 0,
    reuse: int | None = None,
) -> str:
    """A submitted sewage audit; ``far``: its 设施运行 photo was taken ~10 km from the facility (the
    others carry no location at all: ``no_gps``); ``reuse``: a 设施全景 photo made with that seed (the
    same bytes as another inspection's photo made with it)."""
    cu = str(uuid.uuid4())
    answers = {**sewage_answers(), **(FAILING if failing else {})}
    body = draft(world, answers)
    if facility is not None:
        body["subject"]["id"] = facility.pk
    assert phone.put(cu, body).status_code == 201
    photo(phone, cu, "op.running", 1000 + next(_seeds), *((121.3, 31.9) if far else (None, None)))
    photo(phone, cu, "record.site-photo", 1000 + next(_seeds) if reuse is None else reuse)
    for key in FAILING if failing else {}:
        photo(phone, cu, key, 1000 + next(_seeds))
    for _ in range(extra_photos):
        photo(phone, cu, "record.site-photo", 1000 + next(_seeds))
    response = phone.submit(cu)
    assert response.status_code == 200, response.content
    return cu
