"""The sewage rates from the registry and approved audits, through the API, and the audit → facility
condition hook (the latest approved audit wins, with history; rates as of any date)."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from accounts.selectors import principal_for
from checklists.services.templates import templates_sync
from geo.models import FacilityCondition, FacilityService, SewageFacility
from scoring.sewage.services import rates
from tests.checklists.conftest import Phone, sewage_answers
from tests.conftest import ApiClient, assert_error, make_user


@pytest.fixture
def templates(db):  # type: ignore[no-untyped-def]
    return templates_sync()


def test_rates_follow_the_approved_audits(world, templates) -> None:  # type: ignore[no-untyped-def]
    FacilityService.objects.create(facility=world.facility_a, natural_village=world.natural_a, households=40)
    office = ApiClient(make_user("district_office", world.district, username="nongban"))
    before = office.get("/api/v1/sewage/rates").json()
    towns = {t["town"]["name"]: t for t in before["towns"]}
    # 常乐镇: 甲村's only natural village has 40 of 40 households served → treated → 1 / 1
    assert towns["常乐镇"]["treatment"] == {"numerator": 1, "denominator": 1, "percent": 100.0}
    # 四甲镇: 乙村 has no natural villages on record → untreated; its facility serves nobody
    assert towns["四甲镇"]["treatment"]["percent"] == 0.0
    # nothing audited yet: both facilities are not normal ("未经核查")
    assert towns["常乐镇"]["operation"] == {"numerator": 0, "denominator": 1, "percent": 0.0}
    assert before["district"]["treatment"]["percent"] == 50.0
    targets = {c["key"]: c["met"] for c in before["district"]["targets"]}
    assert targets == {"treatment": True, "operation": False}
    # The same checks per town, in the API's answer (an added field) as in the service's rows.
    assert {c["key"]: c["met"] for c in towns["常乐镇"]["targets"]} == {"treatment": True, "operation": False}
    per_town = {
        t.town.name: {c.key: (c.target, c.met) for c in t.targets}
        for t in rates(principal=principal_for(User.objects.get(username="nongban"))).towns
    }
    assert per_town["常乐镇"] == {"treatment": (30.0, True), "operation": (80.0, False)}
    assert per_town["四甲镇"] == {"treatment": (30.0, False), "operation": (80.0, False)}

    phone = Phone(make_user("inspector", world.town_a, username="jiancha_r"))
    reviewer = ApiClient(make_user("town_officer", world.town_a, username="officer_r"))
    answers = sewage_answers() | {"ledger.meter": {"value": False}, "op.running": {"value": False}}
    cu, submitted = phone.complete(world, answers)
    assert submitted.status_code == 200, submitted.content
    assert reviewer.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    condition = FacilityCondition.objects.get(facility=world.facility_a)
    assert condition.conditions == ["no_meter", "stopped"] and condition.status == "stopped"
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "stopped"  # the registry follows the latest approved audit
    # the town's 问题清单 / 整改清单, as it sends them upwards
    url = "/api/v1/rectifications/export"
    sheet = load_workbook(
        io.BytesIO(reviewer.get(url, sheet="problems", town_id=world.town_a.pk).content)
    ).active
    assert sheet["A1"].value == "常乐镇问题清单" and sheet["D2"].value == "问题类别"
    problems = {r[3]: r for r in sheet.iter_rows(min_row=3, max_row=4, values_only=True)}
    assert set(problems) == {"未设独立电表", "设备故障 / 停运"}
    assert all(r[7] and r[8] for r in problems.values())  # a deadline and the rule it came from
    csv_text = reviewer.get(url, town_id=world.town_a.pk, format="csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("序号,区镇,检查对象,问题描述,责任单位,整改期限,整改进度")
    assert len(csv_text.splitlines()) == 3
    detail = office.get(f"/api/v1/sewage/rates/towns/{world.town_a.pk}").json()
    # stopped still treats (coverage), but the facility is not normal; 10 t/d: no meter does not count
    assert detail["treatment"]["percent"] == 100.0
    assert detail["not_normal_facilities"] == [{"code": "WS-A", "reasons": ["主体设施停运"]}]
    assert detail["villages"][0]["natural_villages"][0] | {"id": 0} == {
        "id": 0, "name": "一组", "households": 40, "treated_households": 40, "treated": True, "counted": True
    }  # fmt: skip

    cu2, submitted = phone.complete(world)  # a clean re-audit
    assert reviewer.post(f"/api/v1/inspections/{cu2}/review", {"decision": "approve"}).status_code == 200
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "in_service"
    after = {t["town"]["name"]: t for t in office.get("/api/v1/sewage/rates").json()["towns"]}
    assert after["常乐镇"]["operation"]["percent"] == 100.0
    # as of yesterday neither audit had been approved: never audited again
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    past = {t["town"]["name"]: t for t in office.get("/api/v1/sewage/rates", on=yesterday).json()["towns"]}
    assert past["常乐镇"]["operation"]["percent"] == 0.0
    assert FacilityCondition.objects.filter(facility=world.facility_a).count() == 2  # history kept


def test_beyond_repair_leaves_the_village_untreated(world, templates) -> None:  # type: ignore[no-untyped-def]
    FacilityService.objects.create(facility=world.facility_a, natural_village=world.natural_a, households=40)
    SewageFacility.objects.filter(pk=world.facility_a.pk).update(status="beyond_repair")
    office = ApiClient(make_user("district_office", world.district, username="nongban2"))
    detail = office.get(f"/api/v1/sewage/rates/towns/{world.town_a.pk}").json()
    assert detail["treatment"]["percent"] == 0.0
    assert detail["villages"][0]["treated"] is False and detail["villages"][0]["reasons"]


def test_scope_and_bad_dates(world, templates) -> None:  # type: ignore[no-untyped-def]
    officer_b = ApiClient(make_user("town_officer", world.town_b))
    mine = officer_b.get("/api/v1/sewage/rates").json()
    assert [t["town"]["name"] for t in mine["towns"]] == ["四甲镇"] and "district" not in mine
    assert_error(officer_b.get(f"/api/v1/sewage/rates/towns/{world.town_a.pk}"), 404)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert_error(officer_b.get("/api/v1/sewage/rates", on=tomorrow), 422)
    assert_error(officer_b.get("/api/v1/sewage/rates", on="2022-13-40"), 422)


def test_a_rebuild_keeps_the_village_untreated_until_the_rebuilt_facility_passes(world, templates) -> None:  # type: ignore[no-untyped-def]
    from checklists.models import Rectification

    FacilityService.objects.create(facility=world.facility_a, natural_village=world.natural_a, households=40)
    office = ApiClient(make_user("district_office", world.district, username="nongban3"))
    phone = Phone(make_user("inspector", world.town_a, username="jiancha_b"))
    cu, _ = phone.complete(world, sewage_answers() | {"op.beyond-repair": {"value": False}})
    assert office.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "beyond_repair"
    town = f"/api/v1/sewage/rates/towns/{world.town_a.pk}"
    assert office.get(town).json()["treatment"]["percent"] == 0.0
    plan = Rectification.objects.get(subject_id=world.facility_a.pk, status="awaiting_approval")
    approved = office.post(
        f"/api/v1/rectifications/{plan.pk}/transition", {"action": "approve_plan", "decision": "rebuild"}
    )
    assert approved.status_code == 200, approved.content
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "under_construction"  # rebuilding: still untreated
    assert office.get(town).json()["treatment"]["percent"] == 0.0
    cu2, _ = phone.complete(world)  # the rebuilt facility's audit passes
    assert office.post(f"/api/v1/inspections/{cu2}/review", {"decision": "approve"}).status_code == 200
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "in_service"
    after = office.get(town).json()
    assert after["treatment"]["percent"] == 100.0 and after["operation"]["percent"] == 100.0
