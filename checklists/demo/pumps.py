"""Demo pump station inspections (65号 item 19): on the demo stations holding sewage, the environment
bureau's inspections approved by the district — one finds sewage still held (a rectification with a
deadline, in the section's upstream problems), one finds none and clears the station (清零)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from geo.models import PumpStation
from kernel.access import Principal

from ..models import Inspection
from ..services.inspections import (
    DeviceLocation,
    DraftInput,
    inspection_put,
    inspection_review,
    inspection_submit,
)
from .photos import _demo_jpeg, _uuid

KEYS = ("sewage.not-held", "sewage.no-discharge", "sewage.source-cut", "op.records", "op.equipment")


def _answers(**failed: bool) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {k: {"value": True} for k in KEYS}
    for key in failed:
        answers[key] = {"value": False, "comment": "现场检查发现问题（演示）"}
    return answers


def load(*, inspector: Principal, reviewer: Principal) -> int:
    """Inspect the first demo stations holding sewage; returns how many inspections were made."""
    from ..services.evidence import DevicePhotoMeta, inspection_photo_add

    stations = list(
        PumpStation.objects.filter(
            code__startswith="HM-PS-", holds_sewage=True, location__isnull=False
        ).order_by("code")[:3]
    )
    made = 0
    for i, station in enumerate(stations):
        held = i != 1  # the second is found clean and cleared (清零); the others stay listed, with a repair
        cu = _uuid(f"demo-pump-{station.code}")
        if Inspection.objects.filter(client_uuid=cu).exists():
            continue
        lon, lat = station.location.x, station.location.y
        failed = {"sewage.not-held": False, "sewage.source-cut": False} if held else {}
        draft = DraftInput(
            template_key="pump-station-inspection", template_version=1, subject_kind="pump_station",
            subject_id=station.pk, answers=_answers(**failed), purpose="routine",
            period=timezone.localdate().year, device_started_at=timezone.now() - timedelta(hours=1),
            device_location=DeviceLocation(lon, lat, "wgs84", 6.0),
        )  # fmt: skip
        inspection, _ = inspection_put(principal=inspector, client_uuid=cu, draft=draft, if_match=None,
                                       digest=cu.hex)  # fmt: skip
        for k, key in enumerate(["sewage.not-held", *(key for key in failed if key != "sewage.not-held")]):
            inspection_photo_add(
                principal=inspector, client_uuid=inspection.client_uuid, photo_uuid=_uuid(f"{cu}-{key}"),
                item_key=key, data=_demo_jpeg(inspection.pk * 10 + k, lon, lat),
                device=DevicePhotoMeta(lon=lon, lat=lat, accuracy_m=6.0, captured_at=timezone.now()),
            )  # fmt: skip
        inspection_submit(
            principal=inspector, client_uuid=cu, if_match=None, device_submitted_at=timezone.now()
        )
        inspection_review(principal=reviewer, client_uuid=cu, approve=True, reason="", item_comments={})
        made += 1
    return made
