"""Review (approve / reject with comments / amend as a new revision) and the 整改 flow."""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from checklists.models import Rectification
from checklists.services.rectifications import rectifications_mark_overdue
from kernel.audit.models import AuditEvent
from tests.checklists.conftest import Phone, draft, sewage_answers
from tests.conftest import ApiClient, assert_error, make_user


def review(client, cu, decision, reason="", **comments):  # type: ignore[no-untyped-def]
    body = {"decision": decision, "reason": reason, "item_comments": comments}
    return client.post(f"/api/v1/inspections/{cu}/review", body)


def test_reject_with_comments_then_amend_as_new_revision_then_approve(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    cu, _ = phone_a.complete(world, {**sewage_answers(), "op.maintenance": {"value": False}})
    assert_error(review(officer_a, cu, "reject"), 422)  # a reason is required
    assert_error(review(officer_a, cu, "reject", "x", **{"no.such": "x"}), 422)
    rejected = review(officer_a, cu, "reject", "运维记录照片不清晰", **{"op.maintenance": "请补拍运维记录"})
    assert rejected.status_code == 200, rejected.content
    # the inspector's phone sees the decision and the per-item comment
    mine = phone_a.get(f"/api/v1/inspections/{cu}").json()
    assert mine["status"] == "rejected" and mine["item_comments"] == {"op.maintenance": "请补拍运维记录"}
    assert mine["review_reason"] == "运维记录照片不清晰"
    # amending starts revision 2; revision 1 stays readable with its decision
    amended = phone_a.put(cu, draft(world, sewage_answers()), if_match=mine["version"])
    assert amended.status_code == 200
    assert (amended.json()["status"], amended.json()["revision"]) == ("draft", 2)
    phone_a.photo(cu, "op.running", seed=500)
    phone_a.photo(cu, "record.site-photo", seed=501)
    resubmitted = phone_a.submit(cu).json()
    assert resubmitted["status"] == "submitted" and resubmitted["findings"] == []
    approved = review(officer_a, cu, "approve").json()
    assert approved["status"] == "approved"
    revs = approved["revisions"]
    assert [(r["revision"], r["decision"]) for r in revs] == [(1, "rejected"), (2, "approved")]
    assert revs[0]["item_comments"] == {"op.maintenance": "请补拍运维记录"}
    assert revs[0]["answers"]["op.maintenance"]["value"] is False
    actions = set(
        AuditEvent.objects.filter(action__startswith="checklists.inspection.").values_list(
            "action", flat=True
        )
    )
    assert "checklists.inspection.reject" in actions and "checklists.inspection.approve" in actions


def test_reviewer_rules(world, phone_a, officer_a, templates) -> None:  # type: ignore[no-untyped-def]
    cu, _ = phone_a.complete(world, sewage_answers())
    assert_error(
        review(ApiClient(make_user("town_officer", world.town_b)), cu, "approve"), 404
    )  # another town
    assert_error(review(ApiClient(make_user("planner", world.district)), cu, "approve"), 404)
    assert_error(review(phone_a, cu, "approve"), 404)  # an inspector has no reviewing scope
    self_reviewer = Phone(make_user("town_officer", world.town_a))
    own_cu, _ = self_reviewer.complete(world, sewage_answers())
    assert_error(review(self_reviewer, own_cu, "approve"), 403, "own_inspection")
    assert review(officer_a, cu, "approve").status_code == 200
    assert_error(review(officer_a, cu, "approve"), 409, "not_submitted")


def test_review_honours_if_match(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    cu, _ = phone_a.complete(world, sewage_answers())
    read = phone_a.get(f"/api/v1/inspections/{cu}")
    version = int(read["ETag"].strip('"'))
    body = {"decision": "approve", "reason": "", "item_comments": {}}
    stale = officer_a.post(f"/api/v1/inspections/{cu}/review", body, headers={"If-Match": f'"{version - 1}"'})
    assert assert_error(stale, 409, "version_conflict")["details"]["current_version"] == version
    assert phone_a.get(f"/api/v1/inspections/{cu}").json()["status"] == "submitted"  # nothing written
    fresh = officer_a.post(f"/api/v1/inspections/{cu}/review", body, headers={"If-Match": f'"{version}"'})
    assert fresh.status_code == 200 and fresh["ETag"] == f'"{version + 1}"'


def test_town_b_cannot_see_town_a_inspections(world, phone_a, templates) -> None:  # type: ignore[no-untyped-def]
    cu, _ = phone_a.complete(world, sewage_answers())
    officer_b = ApiClient(make_user("town_officer", world.town_b))
    assert_error(officer_b.get(f"/api/v1/inspections/{cu}"), 404)
    assert officer_b.get("/api/v1/inspections").json()["count"] == 0
    officer_a = ApiClient(make_user("town_officer", world.town_a))
    assert officer_a.get("/api/v1/inspections", status="submitted").json()["count"] == 1


def approved_with_findings(world, phone_a, officer_a, answers):  # type: ignore[no-untyped-def]
    cu, _ = phone_a.complete(world, {**sewage_answers(), **answers})
    assert review(officer_a, cu, "approve").status_code == 200
    return cu


def test_approval_turns_findings_into_rectifications_with_2022_deadlines(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    approved_with_findings(world, phone_a, officer_a, {
        "ledger.meter": {"value": False}, "op.maintenance": {"value": False},
        "op.pipe-network": {"value": False}, "op.beyond-repair": {"value": False},
    })  # fmt: skip
    found = timezone.localdate()
    rows = {r.category: r for r in Rectification.objects.all()}
    assert set(rows) == {"no_meter", "maintenance_missing", "pipe_network_missing", "beyond_repair"}

    def expected(month: int, day: int) -> date:
        fixed = date(found.year, month, day)
        return fixed if fixed >= found else found + timedelta(days=30)

    assert rows["no_meter"].deadline == expected(10, 31)
    assert rows["maintenance_missing"].deadline == expected(11, 30)
    assert rows["pipe_network_missing"].deadline == expected(12, 31)
    br = rows["beyond_repair"]
    assert (br.deadline, br.requires_approval, br.status) == (None, True, "awaiting_approval")
    assert all(r.subject_town_id == world.town_a.pk and r.responsible_unit for r in rows.values())


def test_rectification_flow_with_separate_verifier(world, phone_a, officer_a, district) -> None:  # type: ignore[no-untyped-def]
    approved_with_findings(world, phone_a, officer_a, {"ledger.meter": {"value": False}})
    rect = Rectification.objects.get()
    url = f"/api/v1/rectifications/{rect.pk}/transition"
    assert_error(district.post(url, {"action": "close"}), 409, "invalid_transition")
    assert officer_a.post(url, {"action": "start"}).json()["status"] == "in_progress"
    assert officer_a.post(url, {"action": "submit", "note": "已安装独立电表"}).json()["status"] == "submitted"
    assert_error(officer_a.post(url, {"action": "close"}), 403)  # the town does not verify itself
    assert_error(district.post(url, {"action": "send_back"}), 422)  # a reason is required
    back = district.post(url, {"action": "send_back", "note": "未见电表照片"}).json()
    assert back["status"] == "in_progress"
    officer_a.post(url, {"action": "submit", "note": "补充照片"})
    closed = district.post(url, {"action": "close"}).json()
    assert closed["status"] == "closed"
    assert [h.get("action") for h in closed["history"]] == [
        None,
        "start",
        "submit",
        "send_back",
        "submit",
        "close",
    ]
    officer_b = ApiClient(make_user("town_officer", world.town_b))
    assert_error(officer_b.post(url, {"action": "start"}), 404)


def test_beyond_repair_needs_a_district_decision(world, phone_a, officer_a, district) -> None:  # type: ignore[no-untyped-def]
    approved_with_findings(world, phone_a, officer_a, {"op.beyond-repair": {"value": False}})
    rect = Rectification.objects.get()
    url = f"/api/v1/rectifications/{rect.pk}/transition"
    assert_error(
        officer_a.post(url, {"action": "start"}), 409, "invalid_transition"
    )  # no work before a decision
    assert_error(officer_a.post(url, {"action": "approve_plan", "decision": "rebuild"}), 403)
    assert_error(district.post(url, {"action": "approve_plan"}), 422)
    done = district.post(url, {"action": "approve_plan", "decision": "rebuild"}).json()
    assert (done["status"], done["approval_decision"]) == ("in_progress", "rebuild")


def test_overdue_marking_and_list_per_town(world, phone_a, officer_a, district) -> None:  # type: ignore[no-untyped-def]
    approved_with_findings(
        world, phone_a, officer_a, {"ledger.meter": {"value": False}, "op.maintenance": {"value": False}}
    )
    first = Rectification.objects.order_by("deadline").first()
    assert rectifications_mark_overdue(today=first.deadline) == 0  # due today is not overdue yet
    day_after = first.deadline + timedelta(days=1)
    assert (
        rectifications_mark_overdue(today=day_after)
        == Rectification.objects.filter(deadline=first.deadline).count()
    )
    assert rectifications_mark_overdue(today=day_after) == 0  # idempotent
    first.refresh_from_db()
    assert first.overdue and first.overdue_since == day_after
    by_town = district.get("/api/v1/rectifications/overdue-by-town").json()
    assert by_town[0]["town_id"] == world.town_a.pk and by_town[0]["count"] >= 1
    assert officer_a.get("/api/v1/rectifications", overdue="true").json()["count"] >= 1
    assert (
        ApiClient(make_user("town_officer", world.town_b))
        .get("/api/v1/rectifications/overdue-by-town")
        .json()
        == []
    )


def test_closed_rectifications_are_never_marked_overdue(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    approved_with_findings(world, phone_a, officer_a, {"ledger.meter": {"value": False}})
    Rectification.objects.update(status="closed")
    assert rectifications_mark_overdue(today=date(2099, 1, 1)) == 0


def test_unknown_inspection_is_404(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    assert_error(phone_a.get(f"/api/v1/inspections/{uuid.uuid4()}"), 404)
