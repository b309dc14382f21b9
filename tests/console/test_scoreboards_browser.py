"""The scoreboard page in a real Chromium: 公示 → the town appeals with a photo → the office decides →
publish, all through the pages; the API shows the final board afterwards. Plus 逆序 over htmx, the chart,
a tie decided through its form, and the phone width."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.console.scoreboard_data import SCHEME, store_board
from tests.media.images import jpeg

PAGE = f"/console/scoreboards/{SCHEME}/"


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/console/login/")


@pytest.mark.allow_console_errors("status of 409")  # publishing while the appeal is pending, on purpose
def test_notice_appeal_with_a_photo_decision_and_publish_through_the_pages(  # type: ignore[no-untyped-def]
    page, login, screenshot, console_users, world
) -> None:
    store_board(world, 12)
    questions: list[str] = []

    def accept(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    login(page, "anweiban")
    page.goto(PAGE)
    assert page.locator(".status").inner_text() == "草稿"
    page.wait_for_function("() => !!document.querySelector('.board-chart canvas')")
    screenshot(page, "scoreboards-anweiban-draft")
    page.get_by_role("button", name="公示草稿").click()
    page.wait_for_selector("text=已公示")
    assert "公示" in questions[-1]
    assert page.locator(".status").inner_text() == "公示中"
    sign_out(page)

    login(page, "changle")
    page.goto(PAGE)
    mine = page.locator("tr.row-mine")
    assert mine.count() == 1 and "常乐镇" in mine.inner_text()
    assert page.get_by_role("button", name="公示草稿").count() == 0
    page.get_by_label("申诉理由").fill("年度考核所记隐患已于检查前整改完毕，请求复核。")
    page.get_by_role("button", name="提交申诉").click()
    page.wait_for_selector("text=申诉已提交")
    page.get_by_label("上传证据照片", exact=False).set_input_files(
        files=[{"name": "整改后.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    page.get_by_role("button", name="上传照片").click()
    page.wait_for_selector("text=证据照片已上传")
    photo = page.locator(".photos img").first
    photo.scroll_into_view_if_needed()
    answer = page.request.get(photo.get_attribute("src"))
    assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg", answer.status
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    screenshot(page, "scoreboards-changle")
    sign_out(page)

    login(page, "anweiban")
    page.goto(PAGE)
    # publishing while the appeal is pending: the service's own refusal, on the page
    page.get_by_role("button", name="正式发布").click()
    assert "仍有申诉未处理" in page.get_by_role("alert").inner_text()
    page.get_by_label("申诉不成立").check()
    page.get_by_label("书面处理意见").fill("经核实，整改发生在考核之后，申诉不成立。")
    page.get_by_role("button", name="提交处理意见").click()
    page.wait_for_selector("text=申诉已处理")
    assert "申诉不成立" in page.locator(".appeal").inner_text()
    page.get_by_role("button", name="正式发布").click()
    page.wait_for_selector("text=已正式发布")
    assert page.locator(".status").inner_text() == "已发布"
    screenshot(page, "scoreboards-anweiban-final")

    body = ApiClient(console_users["anweiban"]).get(f"/api/v1/scoreboards/{SCHEME}").json()
    assert body["status"] == "final"
    assert body["content_hash"] in page.locator(".hash").inner_text()
    shown = page.locator("tbody tr td.total").all_inner_texts()
    assert shown == [r["total"] for r in body["rows"]]


def test_reverse_toggle_swaps_the_table_and_keeps_the_url(page, login, console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 10)
    login(page, "anweiban")
    page.goto(PAGE)
    first = page.locator("tbody tr th").first.inner_text()
    page.get_by_role("link", name="逆序：关（最好在前）").click()
    page.wait_for_selector("text=逆序：开（最差在前）")
    assert page.url.endswith("?reverse=1")
    assert page.locator("tbody tr th").last.inner_text() == first
    page.reload()  # the URL reproduces the view
    assert page.locator("tbody tr th").last.inner_text() == first


@pytest.mark.allow_console_errors("status of 422")  # three chosen for four places, on purpose
def test_a_tie_is_decided_through_its_form(page, login, console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 8, tie=True)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "anweiban")
    page.goto(PAGE)
    form = page.locator("form.tie-form").filter(has_text="先进区镇")
    boxes = form.get_by_role("checkbox")
    assert boxes.count() == 5
    for i in range(3):
        boxes.nth(i).check()
    form.get_by_label("决定理由").fill("按上年度名次")
    form.get_by_role("button", name="决定并列").click()
    assert "剩余名额 4 个" in page.get_by_role("alert").inner_text()
    form = page.locator("form.tie-form").filter(has_text="先进区镇")
    for i in range(4):
        form.get_by_role("checkbox").nth(i).check()
    form.get_by_label("决定理由").fill("按上年度名次")
    form.get_by_role("button", name="决定并列").click()
    page.wait_for_selector("text=并列已决定")


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_phone_width_scrolls_the_table_not_the_page(page, login, screenshot, console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 12)
    login(page, "anweiban")
    page.goto(PAGE)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "scoreboards-anweiban-phone")
