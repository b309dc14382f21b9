"""Haimen demo data for the checklists: templates, assignments, inspections in every state,
findings and rectifications, and one spot-check draw. Synthetic: every inspection here is invented to
show the workflow; the answers are not real observations. Idempotent (fixed client UUIDs)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from backend.access import Principal
from geo.models import Region, SewageFacility

from .models import Assignment, Inspection, SpotCheck
from .services.inspections import (
    DeviceLocation,
    DraftInput,
    inspection_put,
    inspection_review,
    inspection_submit,
)
from .services.spotchecks import spot_check_create
from .services.templates import templates_sync

NAMESPACE = uuid.UUID("8d2e3f7a-2022-4b81-9c65-0d3a5e6f7081")


def _uuid(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def _sewage_answers(**failed: bool) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {
        key: {"value": True}
        for key in (
            "op.running", "op.damage", "op.beyond-repair", "op.pipe-network", "op.capacity-match",
            "op.maintenance", "ledger.meter", "ledger.operator", "ledger.funding",
        )
    }  # fmt: skip
    answers["effluent.cod"] = {"value": 42}
    answers["effluent.nh3n"] = {"value": 4.1}
    for key, ok in failed.items():
        answers[key.replace("__", ".").replace("_", "-")] = {
            "value": ok,
            "comment": "现场核查发现问题（演示）",
        }
    return answers


def _photos(inspection: Inspection, keys: list[str], owner: Principal) -> None:
    """Attach generated placeholder photos (synthetic images, one colour per item) to required items."""
    import io

    from PIL import Image

    from .services.evidence import inspection_photo_add

    for i, key in enumerate(keys):
        img = Image.new("RGB", (320, 240), ((37 * i + inspection.pk * 11) % 256, 120, (91 * i) % 256))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80)
        inspection_photo_add(
            principal=owner,
            client_uuid=inspection.client_uuid,
            photo_uuid=_uuid(f"{inspection.client_uuid}-{key}"),
            item_key=key,
            data=buf.getvalue(),
        )


def load(*, principals: dict[str, Principal], towns: dict[str, Region]) -> dict[str, int]:
    report = templates_sync()
    inspector, officer, district = principals["jiancha1"], principals["changle"], principals["anweiban"]
    changle = towns["常乐镇"]
    facilities = list(SewageFacility.objects.filter(village__parent=changle).order_by("code")[:4])
    due = timezone.localdate() + timedelta(days=14)
    for fac in facilities:
        Assignment.objects.get_or_create(
            inspector_id=inspector.user_id,
            template_key="sewage-facility-audit",
            subject_kind="sewage_facility",
            subject_id=fac.pk,
            defaults={
                "subject_name": fac.name,
                "subject_region": fac.village,
                "subject_town": changle,
                "purpose": "audit",
                "due_date": due,
                "note": "常乐镇农村生活污水设施核查（演示）",
                "created_by_id": officer.user_id,
            },
        )
    # Three audits: one clean and approved, one with problems and approved (→ rectifications),
    # one rejected with a comment for the inspector to amend, plus one draft still on the phone.
    scenarios = [
        ("clean", {}, "approve"),
        (
            "problems",
            {"ledger__meter": False, "op__maintenance": False, "op__pipe_network": False},
            "approve",
        ),
        ("rejected", {"op__capacity_match": False}, "reject"),
        ("draft", {}, None),
    ]
    for i, (name, failed, decision) in enumerate(scenarios):
        fac = facilities[i % len(facilities)]  # a town with few facilities sees some audited twice
        cu = _uuid(f"demo-audit-{fac.code}-{name}")
        if Inspection.objects.filter(client_uuid=cu).exists():
            continue
        assignment = Assignment.objects.filter(
            inspector_id=inspector.user_id, subject_id=fac.pk, subject_kind="sewage_facility", status="open"
        ).first()
        draft = DraftInput(
            template_key="sewage-facility-audit",
            template_version=1,
            subject_kind="sewage_facility",
            subject_id=fac.pk,
            answers=_sewage_answers(**failed),
            purpose="audit",
            assignment_id=assignment.pk if assignment else None,
            device_started_at=timezone.now() - timedelta(hours=2),
            device_location=DeviceLocation(fac.location.x, fac.location.y, "wgs84", 6.0)
            if fac.location
            else None,
        )
        inspection, _ = inspection_put(
            principal=inspector, client_uuid=cu, draft=draft, if_match=None, digest=cu.hex
        )
        if decision is None:
            continue
        keys = ["op.running", "record.site-photo"] + [
            k for k, v in draft.answers.items() if v["value"] is False
        ]
        _photos(inspection, keys, inspector)
        inspection_submit(
            principal=inspector, client_uuid=cu, if_match=None, device_submitted_at=timezone.now()
        )
        inspection_review(
            principal=officer,
            client_uuid=cu,
            approve=decision == "approve",
            reason="" if decision == "approve" else "处理能力与实际不符的依据不足，请补充进水量记录照片",
            item_comments={} if decision == "approve" else {"op.capacity-match": "请补拍进水流量计读数"},
        )
    if not SpotCheck.objects.exists():
        year = date.today().year
        spot_check_create(
            principal=district,
            year=year,
            subject_kind="sewage_facility",
            template_key="sewage-facility-audit",
            per_town=1,
            town_ids=[towns["常乐镇"].pk, towns["四甲镇"].pk, towns["悦来镇"].pk],
            due_date=date.today() + timedelta(days=30),
        )
    return {"templates_published": len(report.created), "inspections": Inspection.objects.count()}
