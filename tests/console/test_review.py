"""The review pages through the test client: the queue's scope and filters, the decision through the
review service (its refusals shown on the page), photo evidence and its flags, and no query per row."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checklists.models import Inspection
from checklists.services.templates import spec_of
from kernel.audit.models import AuditEvent
from tests.checklists.conftest import Phone
from tests.console.review_helpers import ready, submitted
from tests.console.test_console import _InlineCode, signed_in


@pytest.fixture
def phones(console_users: dict[str, Any], world: Any) -> dict[str, Phone]:
    ready(world)
    return {name: Phone(console_users[name]) for name in ("jiancha1", "jiancha2", "changle")}


def test_queue_lists_submitted_inspections_in_scope_newest_first(phones, world, console_users) -> None:  # type: ignore[no-untyped-def]
    older = submitted(phones["jiancha1"], world, failing=True)
    newer = submitted(phones["jiancha1"], world, far=True)
    b = submitted(phones["jiancha2"], world, facility=world.facility_b)
    html = signed_in("changle").get("/console/review/").content.decode()
    assert html.index(newer) < html.index(older)  # newest first
    assert b not in html  # another town's inspection is not in 常乐镇's queue
    assert "共 2 条待审核" in html
    assert "远离检查对象" in html and "无定位" in html  # the far photo's and the others' flag badges
    office = signed_in("anweiban").get("/console/review/").content.decode()
    assert all(cu in office for cu in (older, newer, b))
    title = Inspection.objects.get(client_uuid=older).template.title
    assert title in office and str(console_users["jiancha1"]) in office


def test_queue_filters_by_town_and_template_and_reloads_the_same(phones, world) -> None:  # type: ignore[no-untyped-def]
    a = submitted(phones["jiancha1"], world)
    b = submitted(phones["jiancha2"], world, facility=world.facility_b)
    client = signed_in("anweiban")
    full = client.get(f"/console/review/?town={world.town_b.pk}").content.decode()
    assert b in full and a not in full and "selected>四甲镇" in full
    partial = client.get(
        f"/console/review/?town={world.town_b.pk}",
        headers={"HX-Request": "true", "HX-Target": "review-queue"},
    ).content.decode()
    assert b in partial and a not in partial and "<html" not in partial
    none = client.get("/console/review/?template=water-section-inspection").content.decode()
    assert "没有待审核的检查" in none
    assert a in client.get("/console/review/?template=sewage-facility-audit").content.decode()


@pytest.mark.parametrize("username", ["jiancha1", "guihua"])
def test_roles_that_review_nothing_get_no_queue(phones, world, username) -> None:  # type: ignore[no-untyped-def]
    submitted(phones["jiancha1"], world)
    response = signed_in(username).get("/console/review/")
    assert response.status_code == 403 and "您的角色不能审核检查" in response.content.decode()


@pytest.mark.parametrize("username", ["jiancha1", "guihua", "sijia"])
def test_a_forged_review_is_refused_by_the_service(phones, world, username) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["jiancha1"], world)
    client = signed_in(username)
    response = client.post(f"/console/review/{cu}/", {"decision": "approve", "version": "2"})
    assert response.status_code == 404  # outside the caller's reviewing scope: not revealed
    assert Inspection.objects.get(client_uuid=cu).status == "submitted"


def test_another_towns_inspection_answers_404(phones, world) -> None:  # type: ignore[no-untyped-def]
    b = submitted(phones["jiancha2"], world, facility=world.facility_b)
    assert signed_in("changle").get(f"/console/review/{b}/").status_code == 404
    assert signed_in("sijia").get(f"/console/review/{b}/").status_code == 200


def test_detail_shows_answers_lost_points_photos_and_flags(phones, world) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["jiancha1"], world, failing=True, far=True)
    inspection = Inspection.objects.get(client_uuid=cu)
    response = signed_in("changle").get(f"/console/review/{cu}/")
    html = response.content.decode()
    assert response.status_code == 200
    for title in (
        "运行状况",
        "日常维护到位、运行稳定（查运维记录）",
        "台账与保障",
        "设立独立电表（20吨及以上设施必须）",
    ):  # section and item titles of the pinned version
        assert title in html, title
    for finding in inspection.findings.all():
        assert (
            f"扣 {finding.points_lost.normalize():f} 分" in html or f"扣 {finding.points_lost:g} 分" in html
        )
    assert 'data-flag="far_from_subject"' in html and "拍摄位置距检查对象" in html
    assert 'data-flag="no_gps"' in html
    assert html.count('name="comment:') == len(spec_of(inspection.template).items())  # a box per item
    for p in inspection.photos.all():
        assert f"/console/photos/{p.photo.sha256}/?variant=list" in html
    parser = _InlineCode()
    parser.feed(html)
    assert parser.found == []


def test_reject_with_item_comments_reaches_the_inspectors_api(phones, world) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["jiancha1"], world, failing=True)
    client = signed_in("changle")
    version = Inspection.objects.get(client_uuid=cu).version
    response = client.post(
        f"/console/review/{cu}/",
        {"decision": "reject", "version": version, "reason": "运维记录缺失",
         "comment:op.maintenance": "请补拍运维记录", "comment:ledger.meter": "  "},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain[-1][0] == "/console/review/"
    assert "已退回检查" in response.content.decode()
    mine = phones["jiancha1"].get(f"/api/v1/inspections/{cu}").json()
    assert mine["status"] == "rejected" and mine["review_reason"] == "运维记录缺失"
    assert mine["item_comments"] == {"op.maintenance": "请补拍运维记录"}
    assert AuditEvent.objects.filter(action="checklists.inspection.reject").count() == 1


def test_reject_without_reason_shows_the_services_message_and_keeps_the_comments(phones, world) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["jiancha1"], world, failing=True)
    version = Inspection.objects.get(client_uuid=cu).version
    response = signed_in("changle").post(
        f"/console/review/{cu}/",
        {"decision": "reject", "version": version, "reason": "", "comment:op.maintenance": "请补拍"},
    )
    html = response.content.decode()
    assert response.status_code == 422 and "退回必须说明理由" in html and "请补拍</textarea>" in html
    assert Inspection.objects.get(client_uuid=cu).status == "submitted"


def test_approve_then_the_stale_page_and_a_second_decision_are_refused(phones, world) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["jiancha1"], world)
    version = Inspection.objects.get(client_uuid=cu).version
    client = signed_in("changle")
    ok = client.post(f"/console/review/{cu}/", {"decision": "approve", "version": version}, follow=True)
    assert "已通过检查" in ok.content.decode() and cu not in ok.content.decode()
    assert phones["jiancha1"].get(f"/api/v1/inspections/{cu}").json()["status"] == "approved"
    stale = client.post(f"/console/review/{cu}/", {"decision": "approve", "version": version})
    assert stale.status_code == 409 and "检查记录已被修改，请刷新后再审核" in stale.content.decode()
    again = client.post(
        f"/console/review/{cu}/", {"decision": "reject", "reason": "x", "version": version + 1}
    )
    assert again.status_code == 409 and "只有待审核的检查可以审核" in again.content.decode()


def test_reviewing_your_own_inspection_shows_the_services_message(phones, world) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["changle"], world)  # a town officer may inspect, but not review himself
    client = signed_in("changle")
    assert "本人提交" in client.get("/console/review/").content.decode()
    response = client.post(f"/console/review/{cu}/", {"decision": "approve", "version": "2"})
    assert response.status_code == 403 and "不能审核自己提交的检查" in response.content.decode()
    assert Inspection.objects.get(client_uuid=cu).status == "submitted"


def test_duplicate_flags_name_another_subject_only_inside_the_viewers_scope(phones, world) -> None:  # type: ignore[no-untyped-def]
    submitted(phones["jiancha2"], world, facility=world.facility_b, reuse=7)
    cu = submitted(phones["jiancha1"], world, reuse=7)  # facility B's photo, sent again for A
    town = signed_in("changle").get(f"/console/review/{cu}/").content.decode()
    office = signed_in("anweiban").get(f"/console/review/{cu}/").content.decode()
    assert 'data-flag="duplicate_photo"' in town and 'data-flag="duplicate_photo"' in office
    assert world.facility_b.name in office and world.facility_b.name not in town


def test_photo_files_follow_the_evidence_rule(phones, world) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["jiancha1"], world)
    sha = Inspection.objects.get(client_uuid=cu).photos.first().photo.sha256
    town = signed_in("changle")
    for variant in ("", "?variant=list", "?variant=phone"):
        response = town.get(f"/console/photos/{sha}/{variant}")
        assert response.status_code == 200 and response["Content-Type"].startswith("image/")
    assert town.get(f"/console/photos/{sha}/?variant=huge").status_code == 404
    assert signed_in("sijia").get(f"/console/photos/{sha}/").status_code == 404  # another town's evidence
    assert signed_in("guihua").get(f"/console/photos/{sha}/").status_code == 404


def _queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_queue_queries_do_not_grow_with_the_rows(phones, world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("anweiban")
    for i in range(5):  # one photo used for two facilities: the duplicate's one query is there from the start
        submitted(phones["jiancha1"], world, far=i % 2 == 0, failing=i % 3 == 0, reuse=1 if i < 1 else None)
    submitted(phones["jiancha2"], world, facility=world.facility_b, reuse=1)
    few = _queries(client, "/console/review/")
    for i in range(14):
        submitted(phones["jiancha1" if i % 2 else "jiancha2"], world,
                  facility=None if i % 2 else world.facility_b, far=i % 2 == 0)  # fmt: skip
    assert "共 20 条待审核" in signed_in("anweiban").get("/console/review/").content.decode()
    assert _queries(client, "/console/review/") == few


def test_detail_queries_do_not_grow_with_the_photos_and_findings(phones, world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("anweiban")
    small = submitted(phones["jiancha1"], world)
    large = submitted(phones["jiancha1"], world, failing=True, far=True, extra_photos=6)
    assert _queries(client, f"/console/review/{large}/") == _queries(client, f"/console/review/{small}/")
