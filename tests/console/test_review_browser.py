"""The review pages in a real Chromium: reject with a per-item comment and approve through the pages, the
decision reaching the inspector's API; flags, filters, the service's refusal, phone width."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checklists.conftest import Phone
from tests.console.review_helpers import ready, submitted


@pytest.fixture
def phones(console_users: dict[str, Any], world: Any) -> dict[str, Phone]:
    ready(world)
    return {name: Phone(console_users[name]) for name in ("jiancha1", "jiancha2", "changle")}


def _confirm(page: Any) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def test_reject_with_an_item_comment_reaches_the_inspector(page, login, screenshot, phones, world) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["jiancha1"], world, failing=True, far=True)
    submitted(phones["jiancha1"], world)
    submitted(phones["jiancha2"], world, facility=world.facility_b)
    login(page, "changle")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审核").click()
    page.wait_for_url("**/console/review/")
    assert page.locator(".review-queue tbody tr").count() == 2  # 四甲镇's is not 常乐镇's to review
    assert page.locator('.review-queue [data-flag="far_from_subject"]').count() == 1
    screenshot(page, "review-changle")
    page.locator(f'a[href="/console/review/{cu}/"]').click()
    page.wait_for_url(f"**/console/review/{cu}/")
    flag = page.locator('#item-op\\.running [data-flag="far_from_subject"]')
    assert "拍摄位置距检查对象" in flag.inner_text()
    assert page.locator("#item-op\\.running img").evaluate("img => img.complete && img.naturalWidth > 0")
    page.get_by_label("日常维护到位", exact=False)  # the item is on the page
    page.locator("#comment-op\\.maintenance").fill("请补拍运维记录本")
    page.get_by_label("退回理由（必填）").fill("运维记录缺失，请补充后重新提交")
    screenshot(page, "review-detail-changle")
    _confirm(page)
    page.get_by_role("button", name="退回").click()
    page.wait_for_url("**/console/review/")
    assert "已退回检查" in page.get_by_role("status").inner_text()
    mine = phones["jiancha1"].get(f"/api/v1/inspections/{cu}").json()
    assert mine["status"] == "rejected"
    assert mine["item_comments"] == {"op.maintenance": "请补拍运维记录本"}
    assert mine["review_reason"] == "运维记录缺失，请补充后重新提交"


def test_approve_through_the_page(page, login, phones, world) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["jiancha1"], world)
    login(page, "anweiban")
    page.goto(f"/console/review/{cu}/")
    _confirm(page)
    page.get_by_role("button", name="通过").click()
    page.wait_for_url("**/console/review/")
    assert "已通过检查" in page.get_by_role("status").inner_text()
    assert "没有待审核的检查" in page.locator("#review-queue").inner_text()
    assert phones["jiancha1"].get(f"/api/v1/inspections/{cu}").json()["status"] == "approved"


def test_filter_by_town_without_reload_and_the_url_reproduces_it(page, login, phones, world) -> None:  # type: ignore[no-untyped-def]
    a = submitted(phones["jiancha1"], world)
    b = submitted(phones["jiancha2"], world, facility=world.facility_b)
    login(page, "anweiban")
    page.goto("/console/review/")
    assert page.locator(".review-queue tbody tr").count() == 2
    page.get_by_label("区镇").select_option(label="四甲镇")
    page.wait_for_url(f"**/console/review/?*town={world.town_b.pk}*")
    page.locator(f'#review-queue a[href="/console/review/{a}/"]').wait_for(state="detached")
    assert page.locator(f'a[href="/console/review/{b}/"]').count() == 1
    page.reload()
    assert page.locator(".review-queue tbody tr").count() == 1
    assert page.get_by_label("区镇").input_value() == str(world.town_b.pk)


@pytest.mark.allow_console_errors("status of 403")
def test_reviewing_your_own_inspection_shows_the_services_message(
    page, login, screenshot, phones, world
) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["changle"], world)
    login(page, "changle")
    page.goto(f"/console/review/{cu}/")
    _confirm(page)
    page.get_by_role("button", name="通过").click()
    assert "不能审核自己提交的检查" in page.get_by_role("alert").inner_text()
    screenshot(page, "review-own-refused")


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_phone_width_needs_no_sideways_scrolling(page, login, screenshot, phones, world) -> None:  # type: ignore[no-untyped-def]
    cu = submitted(phones["jiancha1"], world, failing=True, far=True)
    login(page, "changle")
    for path, name in (
        ("/console/review/", "review-phone"),
        (f"/console/review/{cu}/", "review-detail-phone"),
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, name)
