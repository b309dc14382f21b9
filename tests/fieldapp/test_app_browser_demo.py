"""The phone app over the Haimen demo, as 常乐镇's inspector jiancha1 finds it: tasks with distance and
direction, the rejected audit with the reviewer's reason, the rectifications (read-only: the demo is shared
by the module's tests)."""

from __future__ import annotations

from typing import Any

from checklists.models import Assignment, Inspection, Rectification
from geo.models import SewageFacility
from tests.browser import PASSWORD
from tests.fieldapp import phone as phones

demo_phone = phones.demo_phone  # the fixture


def sign_in(page: Any, username: str = "jiancha1") -> None:
    page.goto("/m/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="任务").wait_for()
    if username == "jiancha1":
        page.locator("[data-assignment]").first.wait_for()


def test_jiancha1_sees_tasks_a_rejected_audit_and_rectifications(demo_phone, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = demo_phone
    # the demo's overdue re-audit (checklists/demo/audits.py: _phone_app_task), of a surveyed facility
    task = Assignment.objects.get(inspector__username="jiancha1", note__startswith="设施复查（演示")
    facility = SewageFacility.objects.get(pk=task.subject_id)
    # standing 300 m south of the first facility
    page.context.set_geolocation({"longitude": facility.location.x, "latitude": facility.location.y - 0.0027})
    sign_in(page)
    first = page.locator("[data-assignment]").first
    assert first.get_attribute("data-assignment") == str(task.pk) and "逾期" in first.inner_text()
    where = page.locator(f'[data-assignment="{task.pk}"] .where')
    where.filter(has_text="北").wait_for()
    assert "距 3" in where.inner_text()  # about 300 m, to the north
    page.screenshot(path=str(screenshot(page, "fieldapp-demo-tasks")))  # the viewport, for the README

    rejected = Inspection.objects.get(inspector__username="jiancha1", status="rejected")
    page.locator(".tabs").get_by_role("link", name="我的检查").click()
    card = page.locator(f'[data-uuid="{rejected.client_uuid}"]')
    card.filter(has_text="已退回").wait_for()
    card.get_by_role("link").click()
    page.locator("#review").filter(has_text=rejected.review_reason[:8]).wait_for()
    assert page.get_by_role("button", name="修改后重新提交（第 2 次修订）").is_visible()
    page.screenshot(path=str(screenshot(page, "fieldapp-demo-rejected")))

    # the town's officer does the rectifications (an inspector's scope holds none)
    page.locator(".tabs").get_by_role("link", name="任务").click()
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("heading", name="登录").wait_for()
    sign_in(page, "changle")
    town = Rectification.objects.filter(subject_town__name="常乐镇")
    open_rects = town.exclude(status__in=["closed", "cancelled"])
    page.locator(".tabs").get_by_role("link", name="整改").click()
    page.locator("[data-rectification]").first.wait_for()
    shown = page.locator("[data-rectification]")
    assert shown.count() == open_rects.count() > 0
    flags = [shown.nth(i).get_attribute("class") == "card overdue" for i in range(shown.count())]
    assert flags == sorted(flags, reverse=True)  # overdue first
    assert sum(flags) == sum(r.overdue for r in open_rects)
    page.screenshot(path=str(screenshot(page, "fieldapp-demo-rectifications")))
