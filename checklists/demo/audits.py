"""The sewage facility audits of the demo: assignments, audits in every state, a reused photo, the
district's survey and one spot-check draw."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.utils import timezone

from geo.models import Region, SewageFacility
from kernel.access import Principal

from ..models import Assignment, Inspection, InspectionPhoto, SpotCheck
from ..services.inspections import (
    DeviceLocation,
    DraftInput,
    inspection_put,
    inspection_review,
    inspection_submit,
)
from ..services.rectifications import rectifications_mark_overdue
from ..services.spotchecks import spot_check_create
from ..services.templates import templates_sync
from .backdate import submitted_days_ago
from .photos import _demo_jpeg, _uuid


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


def _photos(inspection: Inspection, keys: list[str], owner: Principal, far_key: str = "") -> None:
    """Attach synthetic photos taken at the facility; ``far_key``'s photo was taken 3 km away."""
    from ..services.evidence import DevicePhotoMeta, inspection_photo_add

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
    year = timezone.localdate().year
    _audit_assignments(inspector, officer, facilities, changle, year)
    _audit_scenarios(inspector, officer, facilities, year)
    _reused_photo_audit(inspector, facilities[0])
    _phone_app_task(inspector, officer, changle, year)
    _spot_check_draw(district, towns, year)
    return {"templates_published": len(report.created), "inspections": Inspection.objects.count()}


def _audit_assignments(
    inspector: Principal, officer: Principal, facilities: list[SewageFacility], changle: Region, year: int
) -> None:
    due = timezone.localdate() + timedelta(days=14)
    for fac in facilities:
        Assignment.objects.get_or_create(
            inspector_id=inspector.user_id,
            template_key="sewage-facility-audit",
            subject_kind="sewage_facility",
            subject_id=fac.pk,
            note="常乐镇农村生活污水设施核查（演示）",  # the phone app's task below may share the facility
            defaults={
                "subject_name": fac.name,
                "subject_region": fac.village,
                "subject_town": changle,
                "purpose": "audit",
                "period": year,
                "due_date": due,
                "created_by_id": officer.user_id,
            },
        )


def _phone_app_task(inspector: Principal, officer: Principal, changle: Region, year: int) -> None:
    """An overdue re-audit of a surveyed facility, open for jiancha1's phone (/m/): the app lists it first,
    with the distance and direction to the facility, and warns of a photo taken far away."""
    located = SewageFacility.objects.filter(village__parent=changle, location__isnull=False)
    fac = located.order_by("code").first()
    if fac is None:
        return
    Assignment.objects.get_or_create(
        inspector_id=inspector.user_id,
        template_key="sewage-facility-audit",
        subject_kind="sewage_facility",
        subject_id=fac.pk,
        note="设施复查（演示：外业检查 App 的逾期任务）",
        defaults={
            "subject_name": fac.name,
            "subject_region": fac.village,
            "subject_town": changle,
            "purpose": "audit",
            "period": year,
            "due_date": timezone.localdate() - timedelta(days=3),
            "created_by_id": officer.user_id,
        },
    )


def _audit_scenarios(
    inspector: Principal, officer: Principal, facilities: list[SewageFacility], year: int
) -> None:
    # Three audits: one clean and approved, one with problems and approved (→ rectifications),
    # one rejected with a comment for the inspector to amend, plus one draft still on the phone and one
    # with a problem and a far-away photo waiting for review.
    scenarios = [
        ("clean", {}, "approve"),
        (
            "problems",
            {"ledger__meter": False, "op__maintenance": False, "op__pipe_network": False},
            "approve",
        ),
        ("rejected", {"op__capacity_match": False}, "reject"),
        ("draft", {}, None),
        # submitted and waiting in 常乐镇's review queue, its maintenance photo taken far from the facility
        ("awaiting", {"op__maintenance": False}, "submit"),
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
        # the rejected audit's capacity photo and the waiting audit's maintenance photo were taken far
        # from the facility: the reviewer sees the flag
        far_key = {"reject": "op.capacity-match", "submit": "op.maintenance"}.get(decision, "")
        _photos(inspection, keys, inspector, far_key=far_key)
        inspection_submit(
            principal=inspector, client_uuid=cu, if_match=None, device_submitted_at=timezone.now()
        )
        if decision == "submit":
            continue
        if name == "problems":
            submitted_days_ago(cu)  # found weeks ago: the meter and maintenance repairs are overdue
        inspection_review(
            principal=officer,
            client_uuid=cu,
            approve=decision == "approve",
            reason="" if decision == "approve" else "处理能力与实际不符的依据不足，请补充进水量记录照片",
            item_comments={} if decision == "approve" else {"op.capacity-match": "请补拍进水流量计读数"},
        )


def _spot_check_draw(district: Principal, towns: dict[str, Region], year: int) -> None:
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


def _reused_photo_audit(inspector: Principal, fac: SewageFacility) -> None:
    """A later audit of the clean audit's facility, submitted and awaiting review, whose 设施运行 photo is
    the approved audit's very file sent again under a new photo_uuid: the reviewer sees
    ``reused_same_subject`` naming the earlier audit."""
    from ..services.evidence import DevicePhotoMeta, inspection_photo_add

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
    made: list[UUID] = []
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
        made.append(cu)
    _survey_done_weeks_ago(made, SURVEY_AGE_DAYS)  # only this run's: loading the demo again changes nothing
    rectifications_mark_overdue()  # the nightly task's service: what the survey found is now overdue
    return len(made)


# The survey took place this many days before the demo is loaded (never before 1 January: it assesses
# this year), so some of its problems are past their deadlines — the 65号 dates or 30 days — by now.
SURVEY_AGE_DAYS = 75


def _survey_done_weeks_ago(client_uuids: list[UUID], days: int) -> None:
    """Move the survey's audits back in time as if done ``days`` ago: their server and phone times, the
    approvals (so the rates as of a past date see them) and their rectifications, whose deadlines are
    worked out again from the earlier day with the same rules. Services only write the present, so the
    demo sets these times itself; nothing else about the audits changes."""
    from geo.models import FacilityCondition

    from ..deadlines import DeadlineRules
    from ..models import InspectionRevision, Rectification

    today = timezone.localdate()
    shift = min(timedelta(days=days), today - date(today.year, 1, 1))
    rules = DeadlineRules.load()
    survey = Inspection.objects.filter(client_uuid__in=client_uuids)
    for inspection in survey:
        fields = ("device_started_at", "device_submitted_at", "received_at", "submitted_at", "reviewed_at")
        times = {f: getattr(inspection, f) - shift for f in fields if getattr(inspection, f) is not None}
        Inspection.objects.filter(pk=inspection.pk).update(**times)
        for revision in InspectionRevision.objects.filter(inspection=inspection):
            InspectionRevision.objects.filter(pk=revision.pk).update(
                submitted_at=revision.submitted_at - shift,
                device_submitted_at=revision.device_submitted_at and revision.device_submitted_at - shift,
                decided_at=revision.decided_at and revision.decided_at - shift,
            )
        conditions = FacilityCondition.objects.filter(inspection_uuid=inspection.client_uuid)
        for condition in conditions:
            conditions.filter(pk=condition.pk).update(approved_at=condition.approved_at - shift)
        found_on = timezone.localdate(times["submitted_at"])
        for r in Rectification.objects.filter(finding__inspection=inspection):
            deadline = rules.deadline(r.category, found_on)
            history = [{**h, "at": (datetime.fromisoformat(h["at"]) - shift).isoformat()} for h in r.history]
            Rectification.objects.filter(pk=r.pk).update(
                created_at=r.created_at - shift,
                deadline=deadline.due,
                deadline_rule=deadline.rule,
                history=history,
            )
