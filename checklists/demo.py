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


def _demo_jpeg(seed: int, lon: float | None, lat: float | None) -> bytes:
    """A synthetic placeholder photo (coloured panels), with EXIF time and GPS like a phone writes."""
    import io

    from PIL import Image, ImageDraw
    from PIL.TiffImagePlugin import IFDRational

    img = Image.new("RGB", (640, 480), (40 + seed * 37 % 180, 110, 90 + seed * 53 % 150))
    draw = ImageDraw.Draw(img)
    for i in range(6):
        x = (seed * 97 + i * 131) % 560
        draw.rectangle(
            (x, 60 * i, x + 80, 60 * i + 50), fill=((seed * 31 + i * 71) % 256, 200, (i * 43) % 256)
        )
    exif = Image.Exif()
    exif[271], exif[272] = "DEMO", "合成示例照片"
    exif.get_ifd(0x8769)[36867] = timezone.localtime().strftime("%Y:%m:%d %H:%M:%S")
    if lon is not None and lat is not None:

        def dms(v: float) -> tuple[IFDRational, IFDRational, IFDRational]:
            h = round(v * 360000)
            d, rest = divmod(h, 360000)
            m, sec = divmod(rest, 6000)
            return IFDRational(d), IFDRational(m), IFDRational(sec, 100)

        exif.get_ifd(0x8825).update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, exif=exif.tobytes())
    return buf.getvalue()


def _photos(inspection: Inspection, keys: list[str], owner: Principal, far_key: str = "") -> None:
    """Attach synthetic photos taken at the facility; ``far_key``'s photo was taken 3 km away."""
    from .services.evidence import DevicePhotoMeta, inspection_photo_add

    subject = SewageFacility.objects.get(pk=inspection.subject_id)
    lon, lat = (subject.location.x, subject.location.y) if subject.location else (None, None)
    for i, key in enumerate(keys):
        p_lon, p_lat = (lon + 0.03, lat) if key == far_key and lon is not None else (lon, lat)
        inspection_photo_add(
            principal=owner,
            client_uuid=inspection.client_uuid,
            photo_uuid=_uuid(f"{inspection.client_uuid}-{key}"),
            item_key=key,
            data=_demo_jpeg(inspection.pk * 10 + i, p_lon, p_lat),
            device=DevicePhotoMeta(lon=p_lon, lat=p_lat, accuracy_m=6.0, captured_at=timezone.now()),
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
        # the rejected audit's capacity photo was taken far from the facility: the reviewer sees the flag
        _photos(inspection, keys, inspector, far_key="op.capacity-match" if decision == "reject" else "")
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
