"""Inspections of the demo's synthetic outfalls (65号 item 19): along each key section's river some outfalls
inspected clean, one with problems (→ rectifications at the outfall, in the upstream answer's problems),
the rest still to inspect — so 有口皆查 coverage is partial, as it is mid-campaign. Invented, like every
demo inspection; fixed client UUIDs keep it idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from geo.models import Outfall
from kernel.access import Principal

from ..models import Inspection
from ..services.evidence import DevicePhotoMeta, inspection_photo_add
from ..services.inspections import (
    DeviceLocation,
    DraftInput,
    inspection_put,
    inspection_review,
    inspection_submit,
)
from .photos import _demo_jpeg, _uuid

_OK_KEYS = ("reg.located", "reg.sign", "reg.permit", "dis.no-illegal", "dis.monitoring", "dis.appearance",
            "rect.decision", "rect.progress")  # fmt: skip
# The outfall's place in each section's row of five (see geo.demo._OUTFALLS) → the keys found failing, or
# None for an outfall left uninspected.
_PLAN: dict[str, tuple[str, ...] | None] = {
    "1": (), "2": ("reg.sign", "dis.no-illegal"), "3": None, "4": None, "5": ()
}  # fmt: skip


def _answers(failed: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {k: {"value": True} for k in _OK_KEYS}
    for key in failed:
        answers[key] = {"value": False, "comment": "现场检查发现问题（演示）"}
    answers["record.observation"] = {"value": "正在排放" if failed else "未排放"}
    return answers


def load_outfall_inspections(*, inspector: Principal, reviewer: Principal) -> int:
    """Inspect the demo outfalls by ``_PLAN`` (``inspector`` fills, ``reviewer`` approves)."""
    done = 0
    for outfall in Outfall.objects.filter(is_synthetic=True, code__startswith="HM-PWK-").order_by("code"):
        failed = _PLAN.get(outfall.code[-1])
        cu = _uuid(f"demo-outfall-inspection-{outfall.code}")
        if failed is None or Inspection.objects.filter(client_uuid=cu).exists():
            continue
        at = outfall.location
        draft = DraftInput(
            template_key="outfall-inspection", template_version=1, subject_kind="outfall",
            subject_id=outfall.pk, answers=_answers(failed), purpose="audit",
            period=timezone.localdate().year, assignment_id=None,
            device_started_at=timezone.now() - timedelta(hours=1),
            device_location=DeviceLocation(at.x, at.y, "wgs84", 6.0) if at else None,
        )  # fmt: skip
        inspection, _ = inspection_put(principal=inspector, client_uuid=cu, draft=draft, if_match=None,
                                       digest=cu.hex)  # fmt: skip
        for i, key in enumerate(["record.site-photo", *failed]):
            inspection_photo_add(
                principal=inspector, client_uuid=cu, photo_uuid=_uuid(f"{cu}-{key}"), item_key=key,
                data=_demo_jpeg(inspection.pk * 10 + i, at.x if at else None, at.y if at else None),
                device=DevicePhotoMeta(lon=at.x if at else None, lat=at.y if at else None, accuracy_m=6.0,
                                       captured_at=timezone.now()),
            )  # fmt: skip
        inspection_submit(
            principal=inspector, client_uuid=cu, if_match=None, device_submitted_at=timezone.now()
        )
        inspection_review(principal=reviewer, client_uuid=cu, approve=True, reason="", item_comments={})
        done += 1
    return done
