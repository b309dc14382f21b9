"""The assessment of the demo: annual town inspections, their scoreboard, and a district correction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone

from geo.models import Region
from kernel.access import Principal

from ..models import Inspection, InspectionPhoto
from ..services.inspections import (
    DraftInput,
    inspection_put,
    inspection_review,
    inspection_submit,
)
from .backdate import submitted_days_ago
from .photos import _demo_jpeg, _uuid

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

    from scoring.assessment import schemes

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
    from scoring.assessment.selectors import task_completion_of
    from scoring.assessment.services import task_completion_set

    name, note = TASKS_NOT_DONE
    if task_completion_of(scheme_key=key, region_id=towns[name].pk) is None:
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
            submitted_days_ago(cu)  # the assessment was done weeks ago: its hazards' repairs are due
            inspection_review(principal=reviewer, client_uuid=cu, approve=True, reason="", item_comments={})
    return key


def load_correction(*, principals: dict[str, Principal], towns: dict[str, Region], scheme_key: str) -> bool:
    """包场镇 appeals its veto while the scoreboard is under notice: the 较大事故 happened in a neighbouring
    town. The district upholds it and corrects the annual 安全生产 inspection's veto item in writing,
    naming the appeal; the board under notice stays as it was, the recomputed draft (without the veto)
    waits to be noticed again. Returns whether it was done now."""
    from kernel.errors import NotFound
    from scoring.assessment.selectors import appeals_for, scoreboard_for
    from scoring.assessment.services import appeal_decide, appeal_file

    from ..services.corrections import inspection_amend

    town = towns["包场镇"]
    # The scheme is the 区安委办's (its ``owners``): the office files for the town, decides, and another
    # account of a scheme owner — the administrator here, the office filled the inspection in — corrects.
    office, corrector = principals["anweiban"], principals["admin"]
    try:
        board = scoreboard_for(principal=office, scheme_key=scheme_key, status="notice")
    except NotFound:
        return False
    done = appeals_for(principal=office, scheme_key=scheme_key).filter(region=town).exists()
    if done or board.notice_until is None or timezone.now() > board.notice_until:
        return False
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
    from ..services.evidence import DevicePhotoMeta, inspection_photo_add

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
