from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image

from checklists.services.templates import templates_sync
from tests.conftest import ApiClient, make_user


@pytest.fixture
def templates(db):  # type: ignore[no-untyped-def]
    return templates_sync()


def png_bytes(seed: int = 0, size: tuple[int, int] = (64, 48)) -> bytes:
    img = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def sewage_answers() -> dict[str, Any]:
    return {
        "op.running": {"value": True},
        "op.damage": {"value": True},
        "op.beyond-repair": {"value": True},
        "op.pipe-network": {"value": True},
        "op.capacity-match": {"value": True},
        "op.maintenance": {"value": True},
        "ledger.meter": {"value": True},
        "ledger.meter-number": {"value": "320600001111"},
        "ledger.operator": {"value": True},
        "ledger.funding": {"value": True},
        "effluent.cod": {"value": 35},
        "effluent.nh3n": {"value": 3.2},
    }


def draft(world: Any, answers: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "template_key": "sewage-facility-audit",
        "template_version": 1,
        "subject": {"kind": "sewage_facility", "id": world.facility_a.pk},
        "answers": sewage_answers() if answers is None else answers,
        "device_started_at": "2022-09-20T09:30:00+08:00",
        "device_location": {"lon": 121.2, "lat": 31.9, "datum": "gcj02", "accuracy_m": 8},
        **extra,
    }


class Phone(ApiClient):
    """An inspector's phone: PUT drafts, upload photos, submit."""

    def put(
        self, client_uuid: uuid.UUID | str, body: Any, if_match: int | None = None, raw: bool = False
    ) -> Any:
        import json

        headers = self._headers({"If-Match": f'"{if_match}"'} if if_match is not None else None)
        data = body if raw else json.dumps(body, ensure_ascii=False)
        return self.client.put(
            f"/api/v1/inspections/{client_uuid}", data, content_type="application/json", headers=headers
        )

    def photo(
        self,
        client_uuid: uuid.UUID | str,
        item_key: str = "",
        seed: int = 0,
        photo_uuid: uuid.UUID | None = None,
    ) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("p.png", png_bytes(seed), content_type="image/png")
        return self.client.post(
            f"/api/v1/inspections/{client_uuid}/photos",
            {"photo_uuid": str(photo_uuid or uuid.uuid4()), "item_key": item_key, "file": upload},
            headers=self._headers(None),
        )

    def submit(self, client_uuid: uuid.UUID | str, if_match: int | None = None) -> Any:
        headers = {"If-Match": f'"{if_match}"'} if if_match is not None else None
        return self.post(
            f"/api/v1/inspections/{client_uuid}/submit",
            {"device_submitted_at": "2022-09-20T10:00:00+08:00"},
            headers=headers,
        )

    def complete(self, world: Any, answers: dict[str, Any] | None = None) -> tuple[str, Any]:
        """A full, submitted sewage audit of facility A; returns (uuid, submit response)."""
        cu = str(uuid.uuid4())
        assert self.put(cu, draft(world, answers)).status_code == 201
        for key in ("op.running", "record.site-photo"):
            assert self.photo(cu, key, seed=hash(cu + key) % 1000).status_code == 201
        for key, a in (answers or {}).items():
            if a.get("value") is False:
                self.photo(cu, key, seed=hash(cu + key + "f") % 1000)
        return cu, self.submit(cu)


@pytest.fixture
def phone_a(world, templates):  # type: ignore[no-untyped-def]
    return Phone(make_user("inspector", world.town_a, username="jiancha_a"))


@pytest.fixture
def officer_a(world, templates):  # type: ignore[no-untyped-def]
    return ApiClient(make_user("town_officer", world.town_a, username="officer_a"))


@pytest.fixture
def district(world, templates):  # type: ignore[no-untyped-def]
    return ApiClient(make_user("district_office", world.district, username="anweiban_t"))
