"""End to end: inspections through the API for several towns → approved → scoreboard recomputed →
published → exported Excel opened with openpyxl and checked cell by cell."""

import hashlib
import io
import json
import uuid
from decimal import Decimal as D
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from checklists.services.templates import templates_sync
from geo.models import RegionLevel
from scoring.assessment import schemes
from scoring.assessment.services import content_hash
from scoring.models import Scoreboard
from tests.checklists.conftest import Phone, png_bytes
from tests.conftest import ApiClient, assert_error, make_user
from tests.factories import RegionFactory

SAFETY_CHECKS = (
    "leadership.party-gov-responsibility", "leadership.committee", "leadership.target-assessment",
    "inspection.hazard-ledger", "training.plan", "emergency.plan", "emergency.supplies",
)  # fmt: skip


def safety(hazards: int = 0, veto: bool = False) -> dict:  # type: ignore[type-arg]
    answers = {k: {"value": True} for k in SAFETY_CHECKS}
    answers.update({
        "leadership.staffing": {"value": 5}, "inspection.unrectified-hazards": {"value": hazards},
        "inspection.enforcement-cases": {"value": 8}, "inspection.special-campaigns": {"value": 8},
        "training.enterprise-heads": {"value": 6}, "accidents.general-accidents": {"value": 0},
        "accidents.major-accident": {"value": veto}, "accidents.concealment": {"value": False},
    })  # fmt: skip
    return answers


def fire(micro_missing: int = 0) -> dict:  # type: ignore[type-arg]
    values = {
        "org.committee": True, "org.office": True, "org.contract-staff": 2, "org.meetings": 6,
        "forces.fulltime-brigade": True, "forces.micro-stations": micro_missing, "forces.volunteers": True,
        "grid.integrated": True, "grid.training": 8, "grid.hazards": 0, "assessment.in-town-assessment": True,
        "assessment.funding": 7, "accidents.fatal-fire": False,
    }  # fmt: skip
    return {k: {"value": v} for k, v in values.items()}


def scheme_this_year(key: str, tmp_path: Any, monkeypatch: Any) -> str:
    """The 2022 rules under ``key``, applied to the current year (the inspections are submitted today)."""
    doc = schemes.load("towns-2022").document | {"key": key, "year": timezone.localdate().year}
    (tmp_path / f"{key}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(schemes, "SCHEME_DIR", tmp_path)
    return key


@pytest.fixture
def this_years_scheme(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    return scheme_this_year("towns-test", tmp_path, monkeypatch)


def assess(office: Phone, reviewer: ApiClient, town, template: str, answers: dict) -> str:  # type: ignore[no-untyped-def, type-arg]
    cu = str(uuid.uuid4())
    body = {"template_key": template, "template_version": 1, "subject": {"kind": "town", "id": town.pk},
            "answers": answers, "purpose": "annual"}  # fmt: skip
    assert office.put(cu, body).status_code == 201
    office.photo(cu, "record.site-photo", seed=hash(cu) % 1000)
    for key, a in answers.items():
        if a["value"] is not True:  # anything that may have lost points carries its photo
            office.photo(cu, key, seed=hash(cu + key) % 1000)
    assert office.submit(cu).status_code == 200
    assert reviewer.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    return cu


def test_inspections_to_published_excel(world, this_years_scheme, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    templates_sync()
    town_c = RegionFactory(level=RegionLevel.TOWN, name="悦来镇", parent=world.district)
    office = Phone(make_user("district_office", world.district, username="anweiban_e2e"))
    reviewer = ApiClient(make_user("environment_bureau", world.district, username="reviewer_e2e"))
    with django_capture_on_commit_callbacks(execute=True):
        # 常乐镇: safety 100, fire 100 → 100.00 优秀
        assess(office, reviewer, world.town_a, "safety-town", safety())
        assess(office, reviewer, world.town_a, "fire-town", fire())
        # 四甲镇: 4 hazards (−2 of 85 → 97.647…) and 3 missing micro stations (−3 → 97) → 97.52
        assess(office, reviewer, world.town_b, "safety-town", safety(hazards=4))
        assess(office, reviewer, world.town_b, "fire-town", fire(micro_missing=3))
        # 悦来镇: a 较大事故 vetoes it whatever its points
        assess(office, reviewer, town_c, "safety-town", safety(veto=True))
        assess(office, reviewer, town_c, "fire-town", fire())

    board = office.get(f"/api/v1/scoreboards/{this_years_scheme}").json()
    assert board["status"] == "draft"
    rows = {r["unit_name"]: r for r in board["rows"]}
    # 安全生产 base: 20 + 30 + 10 + 10 + 15 = 85 points (veto, bonus and penalty items sit outside it)
    safety_b = (D(85) - D(2)) / D(85) * 100  # 4 hazards × 0.5
    expected_b = (D("0.8") * safety_b + D("0.2") * D(97)).quantize(D("0.01"))
    assert (D(rows["常乐镇"]["total"]), rows["常乐镇"]["grade"], rows["常乐镇"]["rank"]) == (
        D("100.00"),
        "优秀",
        1,
    )
    assert D(rows["四甲镇"]["total"]) == expected_b and rows["四甲镇"]["grade"] == "优秀"
    assert rows["悦来镇"]["vetoed"] and rows["悦来镇"]["grade"] == "不合格" and rows["悦来镇"]["award"] == ""
    assert "较大及以上生产安全责任事故" in rows["悦来镇"]["veto_reasons"][0]
    # 隐患排查 single award basis: hazard ledger 6/6 + unrectified hazards 6/8 + fire grid.hazards 12/12
    assert D(rows["四甲镇"]["single_scores"]["hazards"]) == (D(24) / D(26) * 100).quantize(D("0.0001"))
    assert rows["悦来镇"]["single_awards"] == []  # vetoed: no award of any kind
    assert rows["常乐镇"]["award"] == rows["四甲镇"]["award"] == "先进区镇"
    assert len(rows["常乐镇"]["sources"]["safety"]) == 1
    reverse = office.get(f"/api/v1/scoreboards/{this_years_scheme}", reverse="true").json()
    assert reverse["rows"][0]["reverse_rank"] == 1

    # drill-down: total → components → inspections → sections → deductions with their photos
    card = office.get(f"/api/v1/scoreboards/{this_years_scheme}/towns/{world.town_b.pk}").json()
    assert card["total"] == rows["四甲镇"]["total"] and [c["key"] for c in card["components"]] == [
        "safety",
        "fire",
    ]
    hazards = next(d for d in card["components"][0]["inspections"][0]["deductions"]
                   if d["item_key"] == "inspection.unrectified-hazards")  # fmt: skip
    assert (
        hazards["points_lost"] == "2.000" and "发现 4 处" in hazards["reason"] and len(hazards["photos"]) == 1
    )
    assert office.get(hazards["photos"][0]).status_code == 200

    # towns do not see drafts; the district puts the result under notice (公示), a town appeals, the
    # district decides in writing, then publishes; the final never changes afterwards
    url = f"/api/v1/scoreboards/{this_years_scheme}"
    officer_a = ApiClient(make_user("town_officer", world.town_a))
    officer_b = ApiClient(make_user("town_officer", world.town_b))
    assert_error(officer_a.get(url), 404)
    assert_error(officer_a.post(f"{url}/notice"), 403)
    noticed = office.post(f"{url}/notice").json()
    assert noticed["status"] == "notice" and noticed["notice_until"]
    assert officer_a.get(url).json()["status"] == "notice"  # public now
    assert officer_a.get(f"{url}/towns/{world.town_a.pk}").json()["unit_name"] == "常乐镇"
    assert_error(officer_a.get(f"{url}/towns/{world.town_b.pk}"), 404)  # another town's details
    assert_error(
        officer_a.post(f"{url}/appeals", {"region_id": world.town_b.pk, "reason": "x"}), 404
    )  # not its own
    appeal = officer_b.post(
        f"{url}/appeals", {"region_id": world.town_b.pk, "reason": "微型消防站已于年底建成"}
    )
    assert appeal.status_code == 201, appeal.content
    # evidence: photos uploaded to the appeal one at a time; the district office sees them, town A not
    photos = f"/api/v1/appeals/{appeal.json()['id']}/photos"

    def evidence(who: ApiClient, seed: int):  # type: ignore[no-untyped-def]
        # a size no inspection photo here has: the same bytes elsewhere would be visible through that
        upload = SimpleUploadedFile("e.png", png_bytes(seed, size=(71, 53)), content_type="image/png")
        return who.client.post(photos, {"file": upload}, headers=who._headers(None))

    with_photo = evidence(officer_b, 31)
    assert with_photo.status_code == 201, with_photo.content
    sha = with_photo.json()["evidence"][0]
    assert office.get(f"/api/v1/photos/{sha}").status_code == 200
    assert_error(officer_a.get(f"/api/v1/photos/{sha}"), 404)
    assert_error(evidence(officer_a, 32), 404)  # not town A's appeal
    assert_error(office.post(f"{url}/publish"), 409, "appeals_pending")
    assert [a["unit_name"] for a in officer_b.get(f"{url}/appeals").json()] == ["四甲镇"]
    assert officer_a.get(f"{url}/appeals").json() == []
    decision = {"upheld": False, "decision": "建成时间晚于检查时间，维持原评分"}
    decided = office.post(f"/api/v1/appeals/{appeal.json()['id']}/decide", decision).json()
    assert decided["status"] == "rejected"
    final = office.post(f"{url}/publish").json()
    assert final["status"] == "final" and final["content_hash"] == noticed["content_hash"]
    assert officer_a.get(url).json()["content_hash"] == final["content_hash"]
    with django_capture_on_commit_callbacks(execute=True):
        assess(office, reviewer, world.town_b, "fire-town", fire())  # an amendment after publication
    stored = Scoreboard.objects.get(pk=final["id"])
    assert stored.content_hash == final["content_hash"]
    # The 内容摘要 can be recomputed from what was stored, and by a town from what the API gives it.
    assert content_hash(stored.rows, stored.scheme_document) == final["content_hash"]
    original = officer_a.get(f"{url}/content").json()
    canonical = json.dumps(
        {"rows": original["rows"], "scheme": original["scheme"]}, sort_keys=True, ensure_ascii=False
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == original["content_hash"] == final["content_hash"]
    assert Scoreboard.objects.filter(scheme_key=this_years_scheme, status="draft").count() == 1

    response = officer_a.get(f"/api/v1/scoreboards/{this_years_scheme}/export", format="xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "2022年度区镇安全生产和消防工作考核"
    assert [c.value for c in ws[2]] == [
        "序号",
        "区镇",
        "安全生产得分",
        "消防得分",
        "总分",
        "等次",
        "排名",
        "备注",
    ]
    singles = "；".join([
        "宣传教育培训先进单位", "安全生产（消防安全）行政执法先进单位", "专项整治先进单位",
        "安全生产（消防安全）隐患排查先进单位",
    ])  # fmt: skip
    assert [c.value for c in ws[3]] == [1, "常乐镇", 100.0, 100.0, 100.0, "优秀", 1, f"先进区镇；{singles}"]
    assert [c.value for c in ws[4]][:7] == [
        2,
        "四甲镇",
        float(safety_b.quantize(D("0.01"))),
        97.0,
        float(expected_b),
        "优秀",
        2,
    ]
    assert ws[4][7].value == f"先进区镇；{singles}"  # only two eligible towns for three places each
    row5 = [c.value for c in ws[5]]
    assert row5[1] == "悦来镇" and row5[5] == "不合格" and row5[7].startswith("一票否决：")
    assert final["content_hash"] in ws["A7"].value and "四舍五入" in ws["A8"].value
    csv_text = officer_a.get(f"/api/v1/scoreboards/{this_years_scheme}/export", format="csv").content.decode(
        "utf-8-sig"
    )
    assert csv_text.splitlines()[1].startswith("1,常乐镇,100.0,100.0,100.0,优秀,1,先进区镇")


def test_upheld_appeal_needing_a_rescore_blocks_publication_and_late_appeals_are_refused(
    world, this_years_scheme, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    templates_sync()
    office = Phone(make_user("district_office", world.district, username="office_2"))
    reviewer = ApiClient(make_user("environment_bureau", world.district, username="reviewer_2"))
    with django_capture_on_commit_callbacks(execute=True):
        appealed = assess(office, reviewer, world.town_a, "safety-town", safety(hazards=2))
        assess(office, reviewer, world.town_a, "fire-town", fire())
    url = f"/api/v1/scoreboards/{this_years_scheme}"
    office.post(f"{url}/notice")
    officer_a = ApiClient(make_user("town_officer", world.town_a))
    appeal = officer_a.post(
        f"{url}/appeals", {"region_id": world.town_a.pk, "reason": "隐患已整改", "evidence": ["bad"]}
    )
    assert_error(appeal, 422)
    appeal = officer_a.post(
        f"{url}/appeals", {"region_id": world.town_a.pk, "reason": "隐患当场已整改"}
    ).json()
    assert_error(office.post(f"/api/v1/appeals/{appeal['id']}/decide", {"upheld": True, "decision": ""}), 422)
    office.post(
        f"/api/v1/appeals/{appeal['id']}/decide",
        {"upheld": True, "decision": "情况属实，重新计分", "rescore": True},
    )
    assert_error(
        office.post(f"/api/v1/appeals/{appeal['id']}/decide", {"upheld": False, "decision": "x"}), 409
    )
    assert_error(office.post(f"{url}/publish"), 409, "rescore_pending")
    # a re-inspection alone does not answer the appeal: nothing is noticed again until the inspection
    # appealed against is corrected in writing, naming the appeal
    with django_capture_on_commit_callbacks(execute=True):
        assess(office, reviewer, world.town_a, "safety-town", safety(hazards=0))
    assert_error(office.post(f"{url}/notice"), 409, "rescore_pending")
    # by a district office account (the scheme's owner) that did not fill the inspection in
    corrector = ApiClient(make_user("district_office", world.district, username="office_2b"))
    with django_capture_on_commit_callbacks(execute=True):
        amended = corrector.post(
            f"/api/v1/inspections/{appealed}/amend",
            {"answers": {"inspection.unrectified-hazards": {"value": 0}}, "reason": "隐患当场已整改",
             "appeal_id": appeal["id"]},
        )  # fmt: skip
    assert amended.status_code == 200, amended.content
    # after the correction the district recomputes and notices again; the old notice is withdrawn
    renoticed = office.post(f"{url}/notice").json()
    assert Scoreboard.objects.filter(scheme_key=this_years_scheme, status="withdrawn").count() == 1
    Scoreboard.objects.filter(pk=renoticed["id"]).update(notice_until=timezone.now() - timedelta(minutes=1))
    late = officer_a.post(f"{url}/appeals", {"region_id": world.town_a.pk, "reason": "再次申诉"})
    assert_error(late, 409, "appeal_window_closed")
    assert office.post(f"{url}/publish").json()["status"] == "final"


def test_a_town_that_missed_required_tasks_wins_no_xianjin_and_a_failed_town_no_award(
    world, this_years_scheme, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    templates_sync()
    town_c = RegionFactory(level=RegionLevel.TOWN, name="悦来镇", parent=world.district)
    office = Phone(make_user("district_office", world.district, username="office_3"))
    reviewer = ApiClient(make_user("environment_bureau", world.district, username="reviewer_3"))
    # 悦来镇 fails (不合格) on leadership, emergency and accidents, but its training, enforcement,
    # campaign and hazard items — every single award's basis — are as perfect as the others'.
    failing = safety() | {
        "leadership.party-gov-responsibility": {"value": False}, "leadership.committee": {"value": False},
        "leadership.target-assessment": {"value": False}, "leadership.staffing": {"value": 0},
        "emergency.plan": {"value": False}, "emergency.supplies": {"value": False},
        "accidents.general-accidents": {"value": 3},
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        for town, answers in ((world.town_a, safety()), (world.town_b, safety()), (town_c, failing)):
            assess(office, reviewer, town, "safety-town", answers)
            assess(office, reviewer, town, "fire-town", fire())
    url = f"/api/v1/scoreboards/{this_years_scheme}"
    tasks = f"{url}/towns/{world.town_a.pk}/tasks"
    officer_a = ApiClient(make_user("town_officer", world.town_a))
    denied = officer_a.client.put(
        tasks,
        {"completed": False, "note": "x"},
        content_type="application/json",
        headers=officer_a._headers(None),
    )
    assert_error(denied, 403)
    body = {"completed": False, "note": ""}
    response = office.client.put(tasks, body, content_type="application/json", headers=office._headers(None))
    assert_error(response, 422)  # the missing task must be named
    body = {"completed": False, "note": "未完成年度消防站建设任务"}
    with django_capture_on_commit_callbacks(execute=True):
        response = office.client.put(
            tasks, body, content_type="application/json", headers=office._headers(None)
        )
    assert response.status_code == 204
    rows = {r["unit_name"]: r for r in office.get(url).json()["rows"]}
    singles = ["宣传教育培训先进单位", "安全生产（消防安全）行政执法先进单位", "专项整治先进单位",
               "安全生产（消防安全）隐患排查先进单位"]  # fmt: skip
    # The scheme's defaults (81号: 不得推荐为先进单位): 常乐镇 ranks first with 四甲镇 and still takes
    # 优胜, but no 先进 of any kind; 四甲镇 takes 先进 and every single award, places it need not share.
    assert rows["常乐镇"]["rank"] == 1 and rows["常乐镇"]["award"] == "优胜区镇"
    assert rows["常乐镇"]["single_awards"] == [] and not rows["常乐镇"]["eligible"]
    assert rows["常乐镇"]["excluded_awards"] == [
        "advanced",
        "training",
        "enforcement",
        "campaigns",
        "hazards",
    ]
    assert rows["常乐镇"]["notes"] == ["未完成年度规定任务，不参评先进区镇、单项奖"]
    assert (rows["四甲镇"]["award"], rows["四甲镇"]["single_awards"]) == ("先进区镇", singles)
    # 悦来镇 is 不合格: no 先进 although places are left, and no single award although its bases are perfect
    assert rows["悦来镇"]["grade"] == "不合格" and D(rows["悦来镇"]["single_scores"]["training"]) == 100
    assert (rows["悦来镇"]["award"], rows["悦来镇"]["single_awards"]) == ("", [])
    assert rows["悦来镇"]["notes"] == ["考核等次为不合格，不参评任何奖项"]
    # The readings are in the scheme the result was computed with, each with the sentence it reads.
    content = office.get(f"{url}/content").json()
    tasks_option = content["scheme"]["eligibility"]["tasks_incomplete"]
    assert "不得推荐为海门区安全生产先进单位" in tasks_option["source"][0]
    assert content_hash(content["rows"], content["scheme"]) == content["content_hash"]


@pytest.fixture
def one_place_scheme(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The 2022 rules with one place per award, so that two equal towns tie across every cut-off."""
    doc = schemes.load("towns-2022").document | {"key": "towns-tie", "year": timezone.localdate().year}
    doc["awards"] = [{**a, "quota": 1} for a in doc["awards"]]
    doc["single_awards"] = [{**a, "quota": 1} for a in doc["single_awards"]]
    (tmp_path / "towns-tie.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(schemes, "SCHEME_DIR", tmp_path)
    return "towns-tie"


def test_the_office_decides_a_tie_at_an_award_cut_off(
    world, one_place_scheme, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    templates_sync()
    office = Phone(make_user("district_office", world.district, username="office_4"))
    reviewer = ApiClient(make_user("environment_bureau", world.district, username="reviewer_4"))
    with django_capture_on_commit_callbacks(execute=True):
        for town in (world.town_a, world.town_b):  # identical results: tied on every score and tie-break
            assess(office, reviewer, town, "safety-town", safety())
            assess(office, reviewer, town, "fire-town", fire())
    url = f"/api/v1/scoreboards/{one_place_scheme}"
    a, b = world.town_a.pk, world.town_b.pk
    board = office.get(url).json()
    assert board["undecided"]["advanced"] == [a, b] and board["undecided"]["excellent"] == []
    assert board["undecided"]["training"] == [a, b]
    assert_error(office.post(f"{url}/notice"), 409, "awards_undecided")

    def decide(who: ApiClient, award: str, body: dict) -> object:  # type: ignore[type-arg]
        return who.client.put(
            f"{url}/awards/{award}/decision",
            body,
            content_type="application/json",
            headers=who._headers(None),
        )

    officer_a = ApiClient(make_user("town_officer", world.town_a))
    assert_error(decide(officer_a, "advanced", {"region_ids": [a], "reason": "x"}), 403)
    assert_error(decide(office, "nope", {"region_ids": [a], "reason": "x"}), 404)
    # 优胜 waits for 先进: who is left for it depends on that decision
    assert_error(decide(office, "excellent", {"region_ids": [a], "reason": "x"}), 409, "award_not_undecided")
    for bad in ({"region_ids": [a, b], "reason": "x"}, {"region_ids": [a, a], "reason": "x"},
                {"region_ids": [999], "reason": "x"}, {"region_ids": [a], "reason": "  "}):  # fmt: skip
        body = assert_error(decide(office, "advanced", bad), 422)
        assert set(body["details"]["fields"]) <= {"region_ids", "reason"}
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            office, "advanced", {"region_ids": [b], "reason": "四甲镇全年无一般事故，经区安委会研究"}
        )
    assert response.status_code == 204
    board = office.get(url).json()
    rows = {r["region_id"]: r for r in board["rows"]}
    # the decision fills 先进; 优胜 then goes to the other town by the ordinary rule
    assert (rows[b]["award"], rows[a]["award"]) == ("先进区镇", "优胜区镇")
    assert any("由区安委办决定" in n and "经区安委会研究" in n for n in rows[b]["notes"])
    assert "advanced" not in board["undecided"] and "excellent" not in board["undecided"]
    assert board["undecided"]["training"] == [a, b]  # single awards are decided one by one
    for key in ("training", "enforcement", "campaigns", "hazards"):
        with django_capture_on_commit_callbacks(execute=True):
            assert decide(office, key, {"region_ids": [a], "reason": "台账更完整"}).status_code == 204
    board = office.get(url).json()
    assert board["undecided"] == {}
    assert len({r["region_id"]: r for r in board["rows"]}[a]["single_awards"]) == 4
    assert office.post(f"{url}/notice").status_code == 200


@pytest.fixture
def emergency_award_scheme(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A single award on the 应急管理 section, one of whose items may be answered 不适用."""
    doc = schemes.load("towns-2022").document | {"key": "towns-na", "year": timezone.localdate().year}
    doc["single_awards"] = [
        {"key": "emergency", "label": "应急管理先进单位", "quota": 1, "basis": ["safety:emergency."]}
    ]
    (tmp_path / "towns-na.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(schemes, "SCHEME_DIR", tmp_path)
    return "towns-na"


def test_single_award_basis_with_not_applicable_items(
    world, emergency_award_scheme, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    templates_sync()
    town_c = RegionFactory(level=RegionLevel.TOWN, name="悦来镇", parent=world.district)
    office = Phone(make_user("district_office", world.district, username="anweiban_na"))
    reviewer = ApiClient(make_user("environment_bureau", world.district, username="reviewer_na"))
    na = safety() | {"emergency.supplies": {"value": None, "na": True}}
    failed = safety() | {"emergency.supplies": {"value": False}}
    with django_capture_on_commit_callbacks(execute=True):
        for town, answers in ((world.town_a, safety()), (world.town_b, na), (town_c, failed)):
            assess(office, reviewer, town, "safety-town", answers)
            assess(office, reviewer, town, "fire-town", fire())
    rows = {
        r["unit_name"]: r for r in office.get(f"/api/v1/scoreboards/{emergency_award_scheme}").json()["rows"]
    }
    # 应急管理: plan 5 + supplies 5. Supplies 不适用 leaves the base (5 of 5); failed: 5 of 10
    assert D(rows["常乐镇"]["single_scores"]["emergency"]) == 100
    assert D(rows["四甲镇"]["single_scores"]["emergency"]) == 100
    assert D(rows["悦来镇"]["single_scores"]["emergency"]) == 50
