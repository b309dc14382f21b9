"""The scoreboard page over the Haimen demo (read-only; the demo is loaded once for this module)."""

from __future__ import annotations

from accounts.models import User
from accounts.selectors import principal_for
from scoring.assessment.selectors import scoreboard_catalogue


def _noticed() -> str:
    office = principal_for(User.objects.get(username="anweiban"))
    return next(e.scheme_key for e in scoreboard_catalogue(principal=office) if e.public_status == "notice")


def test_the_office_sees_the_board_under_notice_and_the_baochang_appeal(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    key = _noticed()
    login(demo_page, "anweiban")
    demo_page.get_by_role("link", name="考核结果").first.click()
    demo_page.get_by_role("table", name="考核方案").get_by_role("link").filter(has_text="区镇").first.click()
    demo_page.wait_for_url(f"**/console/scoreboards/{key}/")
    demo_page.goto(f"/console/scoreboards/{key}/?status=notice")
    assert demo_page.locator(".status").inner_text() == "公示中"
    assert "申诉截止" in demo_page.locator(".board-state").inner_text()
    appeal = demo_page.locator(".appeal").filter(has_text="包场镇")
    assert "申诉成立" in appeal.inner_text()
    photo = appeal.locator(".photos img").first
    demo_page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    demo_page.wait_for_function("() => !!document.querySelector('.board-chart canvas')")
    screenshot(demo_page, "scoreboards-demo-anweiban")


def test_a_town_sees_its_own_row_under_notice_and_may_appeal(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    key = _noticed()
    login(demo_page, "changle")
    demo_page.goto(f"/console/scoreboards/{key}/")
    assert demo_page.locator(".status").inner_text() == "公示中"
    mine = demo_page.locator("tr.row-mine")
    assert mine.count() == 1 and "常乐镇" in mine.inner_text()
    assert demo_page.get_by_role("button", name="提交申诉").is_visible()
    assert demo_page.get_by_role("button", name="公示草稿").count() == 0
    screenshot(demo_page, "scoreboards-demo-changle")
