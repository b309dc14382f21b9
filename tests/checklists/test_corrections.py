"""Correcting an approved inspection (撤销 / 更正) by the district, in writing: the whole chain from a
wrong 一票否决 through notice, appeal and decision to a republished result without the veto."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from checklists.models import Inspection, InspectionCorrection, InspectionRevision, Rectification
from kernel.audit.models import AuditEvent
from scoring.models import Appeal, Scoreboard
from tests.checklists.conftest import Phone
from tests.conftest import ApiClient, assert_error, make_user
from tests.scoring.test_scoreboard_e2e import assess, fire, safety, scheme_this_year


@pytest.fixture
def scheme(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    return scheme_this_year("towns-fix", tmp_path, monkeypatch)


@pytest.fixture
def office(world, templates):  # type: ignore[no-untyped-def]
    """The district office filling the annual assessments (区安委办)."""
    return Phone(make_user("district_office", world.district, username="anweiban_fix"))


@pytest.fixture
def reviewer(world, templates):  # type: ignore[no-untyped-def]
    """Another account of the district office (the 安全生产 / 消防 schemes' owner): reviews, and corrects
    what it approved."""
    return ApiClient(make_user("district_office", world.district, username="reviewer_fix"))


def rows_of(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["unit_name"]: r for r in board["rows"]}


def upheld_appeal(office: ApiClient, officer: ApiClient, url: str, region_id: int, reason: str) -> int:
    filed = officer.post(f"{url}/appeals", {"region_id": region_id, "reason": reason})
    assert filed.status_code == 201, filed.content
    appeal_id = filed.json()["id"]
    decision = {"upheld": True, "decision": "经核实申诉成立，更正检查后重新计分", "rescore": True}
    assert office.post(f"/api/v1/appeals/{appeal_id}/decide", decision).status_code == 200
    return int(appeal_id)


def test_a_wrong_veto_withdrawn_on_an_upheld_appeal_leaves_the_republished_town_not_vetoed(
    world, scheme, office, reviewer, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/scoreboards/{scheme}"
    with django_capture_on_commit_callbacks(execute=True):
        assess(office, reviewer, world.town_a, "safety-town", safety())
        assess(office, reviewer, world.town_a, "fire-town", fire())
        # 四甲镇 was recorded with a 较大事故 that happened elsewhere; its corrected re-inspection came
        # later and gives its score, but the wrong one still vetoes it for the whole year
        wrong = assess(office, reviewer, world.town_b, "safety-town", safety(veto=True))
        assess(office, reviewer, world.town_b, "safety-town", safety(hazards=2))
        assess(office, reviewer, world.town_b, "fire-town", fire())
    board = office.get(url).json()
    assert rows_of(board)["四甲镇"]["vetoed"] and rows_of(board)["四甲镇"]["grade"] == "不合格"
    noticed = office.post(f"{url}/notice").json()
    officer_b = ApiClient(make_user("town_officer", world.town_b))
    appeal_id = upheld_appeal(office, officer_b, url, world.town_b.pk, "较大事故发生在相邻区镇，误记为本镇")
    assert_error(office.post(f"{url}/publish"), 409, "rescore_pending")

    before = reviewer.get(f"/api/v1/inspections/{wrong}").json()
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(
            f"/api/v1/inspections/{wrong}/withdraw",
            {"reason": "事故发生在相邻区镇，误记为四甲镇", "appeal_id": appeal_id},
            headers={"If-Match": f'"{before["version"]}"'},
        )
    assert response.status_code == 200, response.content
    withdrawn = response.json()
    assert response["ETag"] == f'"{withdrawn["version"]}"'
    assert (withdrawn["status"], withdrawn["version"]) == ("withdrawn", before["version"] + 1)
    assert withdrawn["revision"] == before["revision"]  # nothing re-scored: the revision stays as it was
    [correction] = withdrawn["corrections"]
    assert correction["action"] == "withdraw" and correction["appeal_id"] == appeal_id
    assert correction["corrected_by"] == "reviewer_fix" and "相邻区镇" in correction["reason"]
    assert (correction["before"]["status"], correction["after"]["status"]) == ("approved", "withdrawn")

    # the board under notice is untouched; the recomputation is a new draft
    stored = Scoreboard.objects.get(pk=noticed["id"])
    assert (stored.status, stored.content_hash) == ("notice", noticed["content_hash"])
    assert next(r for r in stored.rows if r["unit_name"] == "四甲镇")["vetoed"]
    draft = office.get(url).json()
    assert draft["status"] == "draft"
    town_b = rows_of(draft)["四甲镇"]
    assert not town_b["vetoed"] and town_b["veto_reasons"] == [] and town_b["grade"] == "优秀"
    # the noticed content predates the correction: it is noticed again before publication
    assert_error(office.post(f"{url}/publish"), 409, "renotice_required")
    renoticed = office.post(f"{url}/notice").json()
    assert renoticed["content_hash"] == draft["content_hash"]
    Scoreboard.objects.filter(pk=renoticed["id"]).update(notice_until=timezone.now() - timedelta(minutes=1))
    final = office.post(f"{url}/publish").json()
    assert final.get("status") == "final", final
    assert final["content_hash"] == renoticed["content_hash"]
    published = rows_of(officer_b.get(url).json())["四甲镇"]
    assert not published["vetoed"] and published["rank"] == 2

    # the appeal records the correction that answered it
    appeal = next(a for a in officer_b.get(f"{url}/appeals").json() if a["id"] == appeal_id)
    assert appeal["corrected_at"] and appeal["corrections"][0]["inspection"] == wrong
    assert appeal["corrections"][0]["action"] == "withdraw"
    event = AuditEvent.objects.get(action="checklists.inspection.withdraw")
    assert event.before["status"] == "approved" and event.after["status"] == "withdrawn"
    assert event.after["appeal_id"] == appeal_id


def test_amending_a_wrongly_failed_veto_item_is_a_new_rescored_revision(
    world, scheme, office, reviewer, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/scoreboards/{scheme}"
    with django_capture_on_commit_callbacks(execute=True):
        cu = assess(office, reviewer, world.town_b, "safety-town", safety(hazards=2, veto=True))
        assess(office, reviewer, world.town_b, "fire-town", fire())
    veto_rect = Rectification.objects.get(finding__inspection__client_uuid=cu, finding__kind="veto")
    hazard_rect = Rectification.objects.get(
        finding__inspection__client_uuid=cu, finding__item_key="inspection.unrectified-hazards"
    )
    before = reviewer.get(f"/api/v1/inspections/{cu}").json()
    assert before["vetoed"] and before["revision"] == 1
    body = {
        "answers": {"accidents.major-accident": {"value": False, "comment": "经核实事故不在本镇"}},
        "reason": "较大事故发生在相邻区镇，误记为四甲镇",
    }
    stale = reviewer.post(f"/api/v1/inspections/{cu}/amend", body, headers={"If-Match": '"1"'})
    assert_error(stale, 409, "version_conflict")
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(
            f"/api/v1/inspections/{cu}/amend", body, headers={"If-Match": f'"{before["version"]}"'}
        )
    assert response.status_code == 200, response.content
    amended = response.json()
    assert (amended["status"], amended["revision"], amended["version"]) == (
        "approved",
        2,
        before["version"] + 1,
    )
    assert not amended["vetoed"] and amended["percent"] == before["percent"]  # a veto keeps the points
    assert amended["answers"]["accidents.major-accident"]["value"] is False
    assert (
        amended["answers"]["inspection.unrectified-hazards"]
        == before["answers"]["inspection.unrectified-hazards"]
    )
    assert amended["review_reason"] == "区级更正：较大事故发生在相邻区镇，误记为四甲镇"
    assert [f["item_key"] for f in amended["findings"]] == ["inspection.unrectified-hazards"]
    assert {f["revision"] for f in amended["findings"]} == {2}
    # the approved revision 1 stays readable as it was decided
    revs = amended["revisions"]
    assert [(r["revision"], r["decision"]) for r in revs] == [(1, "approved"), (2, "approved")]
    assert revs[0]["vetoed"] and revs[0]["answers"]["accidents.major-accident"]["value"] is True
    assert not revs[1]["vetoed"] and revs[1]["reason"] == amended["review_reason"]
    [correction] = amended["corrections"]
    assert (correction["action"], correction["revision_before"], correction["revision_after"]) == (
        "amend",
        1,
        2,
    )
    assert correction["before"]["vetoed"] and not correction["after"]["vetoed"]
    assert correction["rectifications"] == {"cancelled": [veto_rect.pk], "created": []}
    # the veto's rectification is cancelled with a note, not deleted; the hazard keeps its own
    veto_rect.refresh_from_db()
    hazard_rect.refresh_from_db()
    assert veto_rect.status == "cancelled" and "相邻区镇" in veto_rect.history[-1]["note"]
    assert hazard_rect.status == "open"
    assert InspectionRevision.objects.filter(inspection__client_uuid=cu).count() == 2
    event = AuditEvent.objects.get(action="checklists.inspection.amend")
    assert (event.before["vetoed"], event.after["vetoed"], event.after["revision"]) == (True, False, 2)
    assert event.actor_username == "reviewer_fix"

    # the draft counts the corrected revision: no veto, and the deduction keeps the visit's photo
    row = rows_of(office.get(url).json())["四甲镇"]
    assert not row["vetoed"] and row["veto_reasons"] == [] and row["grade"] == "优秀"
    card = office.get(f"{url}/towns/{world.town_b.pk}").json()
    [deduction] = card["components"][0]["inspections"][0]["deductions"]
    assert deduction["item_key"] == "inspection.unrectified-hazards" and len(deduction["photos"]) == 1

    # answers that change nothing, unknown items and a required item left empty are refused
    again = reviewer.post(f"/api/v1/inspections/{cu}/amend", body)
    assert_error(again, 422, "no_change")
    unknown = {"answers": {"no.such": {"value": True}}, "reason": "x"}
    assert_error(reviewer.post(f"/api/v1/inspections/{cu}/amend", unknown), 422, "invalid_answers")
    emptied = {"answers": {"leadership.committee": {"value": None}}, "reason": "x"}
    body = assert_error(reviewer.post(f"/api/v1/inspections/{cu}/amend", emptied), 422, "incomplete")
    assert "answers.leadership.committee" in body["details"]["fields"]
    assert Inspection.objects.get(client_uuid=cu).version == amended["version"]


def test_who_may_correct_and_what_is_refused(
    world, scheme, office, reviewer, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/scoreboards/{scheme}"
    with django_capture_on_commit_callbacks(execute=True):
        cu = assess(office, reviewer, world.town_b, "safety-town", safety(veto=True))
        assess(office, reviewer, world.town_a, "safety-town", safety())
    withdraw = f"/api/v1/inspections/{cu}/withdraw"
    body = {"reason": "误记"}
    # outside the scope: not found, whatever the role; seen but not the district's to correct: 403
    assert_error(ApiClient(make_user("district_office", world.town_a)).post(withdraw, body), 404)
    assert_error(ApiClient(make_user("planner", world.district)).post(withdraw, body), 404)
    assert_error(ApiClient(make_user("town_officer", world.town_b)).post(withdraw, body), 403)
    assert_error(office.post(withdraw, body), 403, "own_inspection")  # the one who filled it in
    # a district role that does not own the scheme counting it (the environment bureau): 403
    bureau = ApiClient(make_user("environment_bureau", world.district, username="huanjing_who"))
    assert_error(bureau.post(withdraw, body), 403, "permission_denied")
    assert_error(reviewer.post(f"/api/v1/inspections/{uuid.uuid4()}/withdraw", body), 404)
    assert_error(reviewer.post(withdraw, {"reason": "  "}), 422)
    assert_error(reviewer.post(withdraw, {}), 422)
    # an appeal must be upheld, about this unit, on a scheme this inspection counts in
    office.post(f"{url}/notice")
    officer_a = ApiClient(make_user("town_officer", world.town_a))
    officer_b = ApiClient(make_user("town_officer", world.town_b))
    other_unit = upheld_appeal(office, officer_a, url, world.town_a.pk, "常乐镇的申诉")
    pending = officer_b.post(f"{url}/appeals", {"region_id": world.town_b.pk, "reason": "误记事故"}).json()
    wrong = assert_error(reviewer.post(withdraw, {**body, "appeal_id": other_unit}), 422)
    assert "appeal_id" in wrong["details"]["fields"]
    assert_error(reviewer.post(withdraw, {**body, "appeal_id": 999999}), 422)
    assert_error(reviewer.post(withdraw, {**body, "appeal_id": pending["id"]}), 409, "appeal_not_upheld")
    # nothing was written by any refusal
    assert Inspection.objects.get(client_uuid=cu).status == "approved"
    assert not InspectionCorrection.objects.exists()
    assert not Appeal.objects.exclude(corrected_at=None).exists()

    done = reviewer.post(withdraw, body)
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    assert_error(reviewer.post(withdraw, body), 409, "not_approved")
    assert_error(reviewer.post(f"/api/v1/inspections/{cu}/amend", {"answers": {}, "reason": "x"}), 422)
    # the phone cannot edit, submit anew or add photos to a withdrawn inspection
    listed = reviewer.get("/api/v1/inspections", status="withdrawn").json()
    assert [i["client_uuid"] for i in listed["items"]] == [cu]
    edit = office.put(cu, {"template_key": "safety-town", "template_version": 1,
                           "subject": {"kind": "town", "id": world.town_b.pk}, "answers": {}},
                      if_match=done.json()["version"])  # fmt: skip
    assert_error(edit, 409, "inspection_locked")
    assert_error(office.photo(cu, "record.site-photo", seed=7), 409, "inspection_locked")
    # not reviewed yet: it is reviewed, not corrected
    submitted = str(uuid.uuid4())
    draft = {"template_key": "fire-town", "template_version": 1, "purpose": "annual",
             "subject": {"kind": "town", "id": world.town_b.pk}, "answers": fire()}  # fmt: skip
    assert office.put(submitted, draft).status_code == 201
    office.photo(submitted, "record.site-photo", seed=8)
    assert office.submit(submitted).json()["status"] == "submitted"
    assert_error(reviewer.post(f"/api/v1/inspections/{submitted}/withdraw", body), 409, "not_approved")


def test_the_correction_must_be_in_the_draft_before_it_is_noticed(
    world, scheme, office, reviewer, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from scoring.assessment.services import assessment_recompute

    url = f"/api/v1/scoreboards/{scheme}"
    with django_capture_on_commit_callbacks(execute=True):
        cu = assess(office, reviewer, world.town_b, "safety-town", safety(veto=True))
        assess(office, reviewer, world.town_b, "fire-town", fire())
    office.post(f"{url}/notice")
    appeal_id = upheld_appeal(
        office, ApiClient(make_user("town_officer", world.town_b)), url, world.town_b.pk, "误记"
    )
    with django_capture_on_commit_callbacks(execute=True):  # another approval makes a new draft
        assess(office, reviewer, world.town_a, "safety-town", safety())
    assert_error(office.post(f"{url}/notice"), 409, "rescore_pending")
    # the correction commits, but its recomputation has not run yet (a busy worker)
    with django_capture_on_commit_callbacks(execute=False):
        done = reviewer.post(f"/api/v1/inspections/{cu}/withdraw", {"reason": "误记", "appeal_id": appeal_id})
    assert done.status_code == 200, done.content
    assert_error(office.post(f"{url}/notice"), 409, "draft_outdated")
    assessment_recompute(scheme_key=scheme)
    renoticed = office.post(f"{url}/notice").json()
    assert not rows_of(renoticed)["四甲镇"]["vetoed"]


def test_a_withdrawn_facility_audit_counts_nowhere_and_undoes_what_it_settled(
    world, phone_a, officer_a, district
) -> None:  # type: ignore[no-untyped-def]
    from geo.models import FacilityCondition, FacilityService
    from tests.checklists.conftest import sewage_answers

    FacilityService.objects.create(facility=world.facility_a, natural_village=world.natural_a, households=40)
    rates = "/api/v1/sewage/rates"

    def operation() -> dict[str, Any]:
        towns = {t["town"]["name"]: t for t in district.get(rates).json()["towns"]}
        return towns["常乐镇"]["operation"]  # type: ignore[no-any-return]

    def approve(who: ApiClient, cu: str) -> None:
        assert who.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200

    # audit 1: stopped and no meter (→ two rectifications); audit 2, by the district: all fixed, so the
    # re-audit closes both repairs (复核销号) and the facility is back in service
    first, _ = phone_a.complete(
        world, sewage_answers() | {"op.running": {"value": False}, "ledger.meter": {"value": False}}
    )
    approve(officer_a, first)
    second, _ = phone_a.complete(world)
    approve(district, second)
    assert set(Rectification.objects.values_list("status", flat=True)) == {"closed"}
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "in_service" and operation()["percent"] == 100.0

    # audit 2 was of another facility: withdrawn, its closures rested on it and are undone
    corrector = ApiClient(make_user("environment_bureau", world.district, username="huanjing_fix"))
    response = corrector.post(f"/api/v1/inspections/{second}/withdraw", {"reason": "核查的是邻村的设施"})
    assert response.status_code == 200, response.content
    reopened = list(Rectification.objects.order_by("pk"))
    assert [r.status for r in reopened] == ["open", "open"]
    assert all(r.history[-1]["action"] == "reopen" and r.closed_at is None for r in reopened)
    assert response.json()["corrections"][0]["rectifications"] == {
        "cancelled": [],
        "reopened": [r.pk for r in reopened],
    }
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "stopped"  # what audit 1 established stands again
    assert operation() == {"numerator": 0, "denominator": 1, "percent": 0.0}
    withdrawn = FacilityCondition.objects.get(inspection_uuid=second)
    assert withdrawn.withdrawn_at and withdrawn.withdrawal_reason == "核查的是邻村的设施"
    dossier = district.get(f"/api/v1/sewage/facilities/{world.facility_a.pk}").json()
    assert [c["withdrawn_at"] is not None for c in dossier["conditions"]] == [True, False]
    assert {a["status"] for a in dossier["audits"]} == {"approved", "withdrawn"}

    # audit 1 withdrawn too: its rectifications are cancelled, the facility is what the ledger said
    # before any audit, and never audited again as far as the rates go
    assert corrector.post(f"/api/v1/inspections/{first}/withdraw", {"reason": "重复录入"}).status_code == 200
    assert [r.status for r in Rectification.objects.order_by("pk")] == ["cancelled", "cancelled"]
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "in_service"
    assert operation() == {"numerator": 0, "denominator": 1, "percent": 0.0}
    problems = officer_a.get("/api/v1/rectifications/export", sheet="problems", format="csv")
    assert len(problems.content.decode("utf-8-sig").splitlines()) == 1  # the header only
    assert officer_a.get("/api/v1/rectifications/overdue-by-town").json() == []


def test_an_amended_facility_audit_sets_the_corrected_condition_as_of_its_approval(
    world, phone_a, officer_a, district
) -> None:  # type: ignore[no-untyped-def]
    from geo.models import FacilityCondition
    from tests.checklists.conftest import sewage_answers

    cu, _ = phone_a.complete(
        world, sewage_answers() | {"op.running": {"value": False}, "ledger.meter": {"value": False}}
    )
    assert officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    approved_at = FacilityCondition.objects.get(inspection_uuid=cu).approved_at
    body = {"answers": {"op.running": {"value": True}}, "reason": "设施当日因检修短暂停机，实为正常运行"}
    response = district.post(f"/api/v1/inspections/{cu}/amend", body)
    assert response.status_code == 200, response.content
    rects = {r.category: r.status for r in Rectification.objects.all()}
    assert rects == {"equipment_fault": "cancelled", "no_meter": "open"}
    condition = FacilityCondition.objects.get(inspection_uuid=cu)
    assert (condition.conditions, condition.status) == (["no_meter"], "in_service")
    assert condition.approved_at == approved_at  # the facility was in that state when first audited
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "in_service"


def test_an_amended_veto_gives_the_reason_of_the_corrected_revision_only(
    world, scheme, office, reviewer, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """The accident was not a 较大事故 but it was reported late: still vetoed, for the right reason."""
    with django_capture_on_commit_callbacks(execute=True):
        cu = assess(office, reviewer, world.town_b, "safety-town", safety(veto=True))
        assess(office, reviewer, world.town_b, "fire-town", fire())
        answers = {"accidents.major-accident": {"value": False}, "accidents.concealment": {"value": True}}
        body = {"answers": answers, "reason": "事故等级核定为一般事故，但存在迟报"}
        assert reviewer.post(f"/api/v1/inspections/{cu}/amend", body).status_code == 200
    row = rows_of(office.get(f"/api/v1/scoreboards/{scheme}").json())["四甲镇"]
    assert row["vetoed"] and row["veto_reasons"] == ["迟报、漏报、谎报、瞒报生产安全事故（一票否决）"]


def test_withdrawing_an_audit_leaves_a_rebuild_decision_taken_since_standing(
    world, phone_a, officer_a, district
) -> None:  # type: ignore[no-untyped-def]
    from tests.checklists.conftest import sewage_answers

    cu, _ = phone_a.complete(world, sewage_answers() | {"op.beyond-repair": {"value": False}})
    assert officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    rect = Rectification.objects.get()
    plan = {"action": "approve_plan", "decision": "rebuild"}
    assert district.post(f"/api/v1/rectifications/{rect.pk}/transition", plan).status_code == 200
    world.facility_a.refresh_from_db()
    assert world.facility_a.status == "under_construction"
    assert district.post(f"/api/v1/inspections/{cu}/withdraw", {"reason": "设施编号录错"}).status_code == 200
    rect.refresh_from_db()
    world.facility_a.refresh_from_db()
    assert rect.status == "cancelled" and world.facility_a.status == "under_construction"


def test_a_withdrawn_spot_check_leaves_the_comparison_and_its_task_is_open_again(
    world, templates, district
) -> None:  # type: ignore[no-untyped-def]
    from tests.checklists.conftest import draft, sewage_answers

    make_user("inspector", world.town_a, username="insp_fix_a")  # the draw needs one from each town
    insp_b = Phone(make_user("inspector", world.town_b, username="insp_fix_b"))
    body = {"year": timezone.localdate().year, "subject_kind": "sewage_facility",
            "template_key": "sewage-facility-audit", "per_town": 1}  # fmt: skip
    spot = district.post("/api/v1/spot-checks", body).json()
    task = next(a for a in insp_b.get("/api/v1/catalogue").json()["assignments"])
    cu = str(uuid.uuid4())
    assert insp_b.put(cu, draft(world, sewage_answers(), assignment_id=task["id"])).status_code == 201
    for key in ("op.running", "record.site-photo"):
        insp_b.photo(cu, key, seed=hash(cu + key) % 997)
    insp_b.submit(cu)
    assert district.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    comparison = f"/api/v1/spot-checks/{spot['id']}/comparison"
    assert {r["spot_percent"] for r in district.get(comparison).json()} == {"100.0000", None}
    assert insp_b.get("/api/v1/catalogue").json()["assignments"] == []

    corrector = ApiClient(make_user("district_office", world.district, username="anweiban_fix2"))
    assert corrector.post(f"/api/v1/inspections/{cu}/withdraw", {"reason": "抽查对象录错"}).status_code == 200
    assert {r["spot_percent"] for r in district.get(comparison).json()} == {None}
    assert [a["id"] for a in insp_b.get("/api/v1/catalogue").json()["assignments"]] == [task["id"]]
