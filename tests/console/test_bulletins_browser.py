"""``/console/bulletins/`` in Chromium (own data: September 2022's provincial sections): the district
office reaches it from the navigation, issues a 每旬 bulletin by picking a day of the 旬 and a sewage
warning (htmx, in place, under the CSP), downloads the Word file and reads it back; an assessment bulletin
without a published board is refused beside its form (409), nothing recorded. Town officers have no entry
and see only finished bulletins, without the forms — as ``GET /api/v1/bulletins`` answers them."""

from __future__ import annotations

import pytest
from docx import Document
from playwright.sync_api import expect

from accounts.models import User
from console.services import principal_for
from scoring.bulletins.models import Bulletin
from scoring.bulletins.services import bulletin_generate, bulletin_issue
from tests.console.test_rankings import measured

__all__ = ["measured"]


@pytest.mark.allow_console_errors("status of 409")  # the unpublished board, refused in place
def test_the_office_issues_and_downloads(page, login, screenshot, measured) -> None:  # type: ignore[no-untyped-def]
    login(page, "anweiban")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="通报").click()
    page.wait_for_url("**/console/bulletins/")
    assert "暂无通报" in page.locator("#bulletin-table").inner_text()
    page.evaluate("window.keptDocument = true")  # lost on a full reload, kept by an htmx swap

    page.get_by_label("旬（选择该旬内任一日期）").fill("2022-09-25")
    page.get_by_role("button", name="出具每旬逆序排名通报").click()
    page.locator("#bulletins [data-notice]", has_text="2022-09-D3").wait_for()
    dekad = Bulletin.objects.get(kind="dekad")
    assert dekad.period == "2022-09-D3" and dekad.status == "done"  # generated eagerly after the commit
    row = page.locator(f'#bulletin-table tr[data-bulletin="{dekad.pk}"]')
    title = "关于2022年9月下旬区镇环境质量逆序排名情况的通报"
    assert title in row.inner_text() and "已完成" in row.inner_text()

    page.get_by_label("考核方案（须已正式发布，如 towns-2022）").fill("towns-2022")
    page.get_by_role("button", name="出具年度考核结果通报").click()
    refusal = page.locator('#bulletins form[data-kind="assessment"] + [role=alert]')
    refusal.wait_for()
    assert refusal.get_attribute("data-code") == "scoreboard_not_published"
    assert page.get_by_label("考核方案（须已正式发布，如 towns-2022）").input_value() == "towns-2022"
    assert not Bulletin.objects.filter(kind="assessment").exists()

    page.get_by_label("截至日期").fill("2022-09-30")
    page.get_by_role("button", name="出具农村生活污水治理进度预警通报").click()
    page.locator("#bulletins [data-notice]", has_text="2022-09-30").wait_for()
    warning = Bulletin.objects.get(kind="sewage_warning")
    assert page.locator("#bulletin-table tbody tr").first.get_attribute("data-bulletin") == str(warning.pk)
    assert bool(page.evaluate("window.keptDocument === true"))

    with page.expect_download() as download:
        row.get_by_role("link", name="Word").click()
    assert download.value.suggested_filename.endswith(".docx")
    doc = Document(download.value.path())
    assert title in "\n".join(p.text for p in doc.paragraphs)
    assert doc.tables[0].rows[1].cells[1].text == "四甲镇"  # the worst first, as in the JSON
    screenshot(page, "bulletins-anweiban")


def test_a_town_officer_sees_finished_bulletins_only(page, login, measured) -> None:  # type: ignore[no-untyped-def]
    office = principal_for(User.objects.get(username="anweiban"))
    done = bulletin_issue(principal=office, kind="dekad", period="2022-09-D3")
    Bulletin.objects.create(kind="dekad", period="2022-09-D2", created_by_id=office.user_id)  # queued
    login(page, "changle")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="逆序排名").wait_for()
    assert nav.get_by_role("link", name="通报").count() == 0
    page.goto("/console/bulletins/")
    rows = page.locator("#bulletin-table tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-bulletin") == str(done.pk)
    assert page.locator("#bulletins form").count() == 0


def test_the_list_follows_a_bulletin_being_generated(page, login, measured) -> None:  # type: ignore[no-untyped-def]
    queued = Bulletin.objects.create(kind="dekad", period="2022-09-D3")  # its message not yet run
    login(page, "anweiban")
    page.goto("/console/bulletins/")
    row = page.locator(f'#bulletin-table tr[data-bulletin="{queued.pk}"]')
    assert "排队中" in row.inner_text() and row.get_by_role("link", name="Word").count() == 0
    bulletin_generate(bulletin_id=queued.pk)  # the worker's run
    expect(row).to_contain_text("已完成", timeout=10_000)  # the list reloads itself while one is pending
    expect(row.get_by_role("link", name="Word")).to_have_count(1)
    expect(page.locator("#bulletin-list[hx-trigger]")).to_have_count(0)  # nothing pending: no more polls


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_page_fits_a_phone(page, login, screenshot, measured) -> None:  # type: ignore[no-untyped-def]
    login(page, "anweiban")
    page.goto("/console/bulletins/")
    page.get_by_label("旬（选择该旬内任一日期）").fill("2022-09-25")
    page.get_by_role("button", name="出具每旬逆序排名通报").click()
    page.locator("#bulletins [data-notice]", has_text="2022-09-D3").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the table scrolls in its box
    # not squeezed to a word per line: the table keeps its width and scrolls inside its box
    assert page.locator("#bulletin-table").evaluate("e => e.offsetWidth") >= 600
    screenshot(page, "bulletins-anweiban-phone")
