"""Haimen demo data for the checklists: templates, assignments, inspections in every state,
findings and rectifications, and one spot-check draw. Synthetic: every inspection here is invented to
show the workflow; the answers are not real observations. Idempotent (fixed client UUIDs). Every
inspection and assignment states the year it assesses (``period``): the current year."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from geo.models import Region, SewageFacility
from kernel.access import Principal

from .models import Assignment, Inspection, InspectionPhoto, SpotCheck
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
    import random

    from PIL import Image, ImageDraw

    from media.imaging import dms_rationals

    rng = random.Random(seed)  # noqa: S311 - a picture, not a secret
    img = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(14):  # distinct shapes per photo: placeholders must not look like reused photos
        x, y = rng.randrange(600), rng.randrange(440)
        box = (x, y, x + rng.randrange(30, 240), y + rng.randrange(30, 180))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    exif = Image.Exif()
    exif[271], exif[272] = "DEMO", "合成示例照片"
    exif.get_ifd(0x8769)[36867] = timezone.localtime().strftime("%Y:%m:%d %H:%M:%S")
    if lon is not None and lat is not None:
        exif.get_ifd(0x8825).update({1: "N", 2: dms_rationals(lat), 3: "E", 4: dms_rationals(lon)})
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
    year = timezone.localdate().year
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
                "period": year,
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
            period=year,
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
    _reused_photo_audit(inspector, facilities[0])
    if not SpotCheck.objects.exists():
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


def _reused_photo_audit(inspector: Principal, fac: SewageFacility) -> None:
    """A later audit of the clean audit's facility, submitted and awaiting review, whose 设施运行 photo is
    the approved audit's very file sent again under a new photo_uuid: the reviewer sees
    ``reused_same_subject`` naming the earlier audit."""
    from .services.evidence import DevicePhotoMeta, inspection_photo_add

    cu = _uuid(f"demo-audit-{fac.code}-reused")
    earlier = (
        InspectionPhoto.objects.filter(
            inspection__client_uuid=_uuid(f"demo-audit-{fac.code}-clean"), item_key="op.running"
        )
        .select_related("photo")
        .first()
    )
    if earlier is None or Inspection.objects.filter(client_uuid=cu).exists():
        return
    draft = DraftInput(
        template_key="sewage-facility-audit",
        template_version=1,
        subject_kind="sewage_facility",
        subject_id=fac.pk,
        answers=_sewage_answers(),
        purpose="audit",
        device_started_at=timezone.now() - timedelta(hours=1),
        device_location=DeviceLocation(fac.location.x, fac.location.y, "wgs84", 6.0)
        if fac.location
        else None,
    )
    inspection, _ = inspection_put(
        principal=inspector, client_uuid=cu, draft=draft, if_match=None, digest=cu.hex
    )
    _photos(inspection, ["record.site-photo"], inspector)
    with earlier.photo.file.open("rb") as fh:
        reused = fh.read()
    lon, lat = (fac.location.x, fac.location.y) if fac.location else (None, None)
    inspection_photo_add(
        principal=inspector,
        client_uuid=cu,
        photo_uuid=_uuid(f"{cu}-op.running"),
        item_key="op.running",
        data=reused,
        device=DevicePhotoMeta(lon=lon, lat=lat, accuracy_m=6.0, captured_at=timezone.now()),
    )
    inspection_submit(principal=inspector, client_uuid=cu, if_match=None, device_submitted_at=timezone.now())


# The district's 2022-style survey of every facility: most pass; the rest show the seed's typical problems.
SURVEY_PROBLEMS = [
    {}, {}, {}, {"op__running": False}, {}, {"op__pipe_network": False}, {}, {"ledger__meter": False}, {},
    {"op__capacity_match": False}, {}, {}, {"op__damage": False},
]  # fmt: skip


def load_survey(*, principals: dict[str, Principal]) -> int:
    """One approved audit of every synthetic facility not yet audited (the district office inspects,
    the environment bureau approves): the rates then rest on real audits. Returns how many were made."""
    inspector, reviewer = principals["anweiban"], principals["huanjing"]
    audited = set(
        Inspection.objects.filter(subject_kind="sewage_facility").values_list("subject_id", flat=True)
    )
    facilities = SewageFacility.objects.filter(is_synthetic=True).exclude(pk__in=audited)
    made = 0
    for i, fac in enumerate(facilities.exclude(status="under_construction").order_by("code")):
        failed = SURVEY_PROBLEMS[i % len(SURVEY_PROBLEMS)]
        cu = _uuid(f"demo-survey-{fac.code}")
        draft = DraftInput(
            template_key="sewage-facility-audit",
            template_version=1,
            subject_kind="sewage_facility",
            subject_id=fac.pk,
            answers=_sewage_answers(**failed),
            purpose="audit",
            period=timezone.localdate().year,
            assignment_id=None,
            device_started_at=timezone.now() - timedelta(hours=1),
            device_location=DeviceLocation(fac.location.x, fac.location.y, "wgs84", 8.0)
            if fac.location
            else None,
        )
        inspection, _ = inspection_put(
            principal=inspector, client_uuid=cu, draft=draft, if_match=None, digest=cu.hex
        )
        keys = ["op.running", "record.site-photo"] + [
            k for k, v in draft.answers.items() if v["value"] is False
        ]
        _photos(inspection, list(dict.fromkeys(keys)), inspector)
        inspection_submit(
            principal=inspector, client_uuid=cu, if_match=None, device_submitted_at=timezone.now()
        )
        inspection_review(principal=reviewer, client_uuid=cu, approve=True, reason="", item_comments={})
        made += 1
    return made


SAFETY_CHECKS = (
    "leadership.party-gov-responsibility", "leadership.committee", "leadership.target-assessment",
    "inspection.hazard-ledger", "training.plan", "emergency.plan", "emergency.supplies",
)  # fmt: skip
FIRE_CHECKS = (
    "org.committee", "org.office", "forces.fulltime-brigade", "forces.volunteers", "grid.integrated",
    "assessment.in-town-assessment",
)  # fmt: skip
# (town, unrectified hazards, staffing score, missing micro stations, 较大事故 veto) — invented for the demo
ANNUAL = [
    ("常乐镇", 0, 5, 0, False),
    ("四甲镇", 3, 4, 2, False),
    ("悦来镇", 6, 3, 1, False),
    ("海门街道", 1, 5, 0, False),
    ("三厂工业园区", 2, 4, 4, False),
    ("包场镇", 0, 5, 0, True),
]
# A town that did not complete the year's required tasks: it ranks first, yet by the scheme's default
# reading of 81号 二、4 it takes 优胜区镇 instead of 先进区镇 and no single award.
TASKS_NOT_DONE = ("常乐镇", "未完成年度微型消防站建设任务（2个村未建成）")


def _annual_answers(
    template: str, hazards: int, staffing: int, micro: int, veto: bool
) -> dict[str, dict[str, Any]]:
    values: dict[str, Any]
    if template == "safety-town":
        answers = {k: {"value": True} for k in SAFETY_CHECKS}
        values = {
            "leadership.staffing": staffing,
            "inspection.unrectified-hazards": hazards,
            "inspection.enforcement-cases": 7,
            "inspection.special-campaigns": 8,
            "training.enterprise-heads": 5,
            "accidents.general-accidents": 0,
            "accidents.major-accident": veto,
            "accidents.concealment": False,
        }
    else:
        answers = {k: {"value": True} for k in FIRE_CHECKS}
        values = {
            "org.contract-staff": 2,
            "org.meetings": 6,
            "forces.micro-stations": micro,
            "grid.training": 7,
            "grid.hazards": 0,
            "assessment.funding": 6,
            "accidents.fatal-fire": False,
        }
    answers.update({k: {"value": v} for k, v in values.items()})
    return answers


def load_assessment(*, principals: dict[str, Principal], towns: dict[str, Region]) -> str:
    """Annual 安全生产 and 消防 assessments of six towns by the district office, reviewed by another
    district account, and the current year's scheme (the 2022 rules, a demo file in var/schemes)."""
    import yaml
    from django.conf import settings

    from scoring import schemes

    year = timezone.localdate().year
    key = f"towns-demo-{year}"
    target = Path(settings.VAR_DIR) / "schemes" / f"{key}.yaml"
    if not target.exists():
        doc = schemes.load("towns-2022").document | {
            "key": key,
            "year": year,
            "title": f"{year}年度区镇安全生产和消防工作考核（演示：沿用2022年规则）",
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        header = "# 演示方案：沿用海政办发〔2022〕81号的规则，仅用于演示数据。\n"
        target.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    office, reviewer = principals["anweiban"], principals["huanjing"]
    from scoring.models import TaskCompletion
    from scoring.services import task_completion_set

    name, note = TASKS_NOT_DONE
    if not TaskCompletion.objects.filter(scheme_key=key, region=towns[name]).exists():
        task_completion_set(
            principal=office, scheme_key=key, region_id=towns[name].pk, completed=False, note=note
        )
    for name, hazards, staffing, micro, veto in ANNUAL:
        town = towns[name]
        for template in ("safety-town", "fire-town"):
            cu = _uuid(f"demo-annual-{year}-{name}-{template}")
            if Inspection.objects.filter(client_uuid=cu).exists():
                continue
            answers = _annual_answers(template, hazards, staffing, micro, veto)
            draft = DraftInput(
                template_key=template,
                template_version=1,
                subject_kind="town",
                subject_id=town.pk,
                answers=answers,
                purpose="annual",
                period=year,  # the scheme's year (an annual assessment states it, whenever it is done)
            )
            inspection, _ = inspection_put(
                principal=office, client_uuid=cu, draft=draft, if_match=None, digest=cu.hex
            )
            failed = [k for k, a in answers.items() if a["value"] is not True and a["value"] != 0]
            _town_photos(inspection, ["record.site-photo", *failed], office, town)
            inspection_submit(
                principal=office, client_uuid=cu, if_match=None, device_submitted_at=timezone.now()
            )
            inspection_review(principal=reviewer, client_uuid=cu, approve=True, reason="", item_comments={})
    return key


def load_correction(*, principals: dict[str, Principal], towns: dict[str, Region], scheme_key: str) -> bool:
    """包场镇 appeals its veto while the scoreboard is under notice: the 较大事故 happened in a neighbouring
    town. The district upholds it and corrects the annual 安全生产 inspection's veto item in writing,
    naming the appeal; the board under notice stays as it was, the recomputed draft (without the veto)
    waits to be noticed again. Returns whether it was done now."""
    from scoring.models import Appeal, Scoreboard, ScoreboardStatus
    from scoring.services import appeal_decide

    from .services.appeals import appeal_file
    from .services.corrections import inspection_amend

    town = towns["包场镇"]
    board = Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.NOTICE).first()
    done = Appeal.objects.filter(scoreboard__scheme_key=scheme_key, region=town).exists()
    if board is None or done or board.notice_until is None or timezone.now() > board.notice_until:
        return False
    # The scheme is the 区安委办's (its ``owners``): the office files for the town, decides, and another
    # account of a scheme owner — the administrator here, the office filled the inspection in — corrects.
    office, corrector = principals["anweiban"], principals["admin"]
    annual = _uuid(f"demo-annual-{board.year}-包场镇-safety-town")
    # Evidence named by SHA-256 must be a photo the appellant may already see about the town: here the
    # annual inspection's own site photo.
    cited = InspectionPhoto.objects.filter(inspection__client_uuid=annual, item_key="record.site-photo")
    appeal = appeal_file(
        principal=office,
        scheme_key=scheme_key,
        region_id=town.pk,
        reason="（演示，区安委办代包场镇录入）所记较大生产安全事故发生在相邻区镇，并非本镇辖区，请求撤销一票否决；"
        "证据为年度检查的现场照片。",
        evidence=list(cited.values_list("photo__sha256", flat=True)),
    )
    appeal_decide(
        principal=office,
        appeal_id=appeal.pk,
        upheld=True,
        decision="经核实，该事故发生在相邻区镇，申诉成立；更正包场镇年度安全生产考核检查后重新计分、重新公示。",
        rescore=True,
    )
    inspection_amend(
        principal=corrector,
        client_uuid=annual,
        answers={"accidents.major-accident": {"value": False, "comment": "区级更正：事故不在本镇（演示）"}},
        reason="较大事故发生在相邻区镇，误记为包场镇（据申诉更正，演示）",
        appeal_id=appeal.pk,
    )
    return True


def _town_photos(inspection: Inspection, keys: list[str], owner: Principal, town: Region) -> None:
    from .services.evidence import DevicePhotoMeta, inspection_photo_add

    lon, lat = (town.centroid.x, town.centroid.y) if town.centroid else (None, None)
    for i, key in enumerate(keys):
        inspection_photo_add(
            principal=owner,
            client_uuid=inspection.client_uuid,
            photo_uuid=_uuid(f"{inspection.client_uuid}-{key}"),
            item_key=key,
            data=_demo_jpeg(inspection.pk * 10 + i + 500, lon, lat),
            device=DevicePhotoMeta(lon=lon, lat=lat, accuracy_m=8.0, captured_at=timezone.now()),
        )
