"""/console/sewage/ in Chromium over the full Haimen demo (``demo_page``; read-only tests)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import User
from console.services import principal_for, sewage_rates
from geo.models import Region, SewageFacility


def rates_for(username: str):  # type: ignore[no-untyped-def]
    return sewage_rates(principal=principal_for(User.objects.get(username=username)))


def test_environment_bureau_sees_every_town_targets_and_overdue_work(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = demo_page
    login(page, "huanjing")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="污水设施").click()
    page.wait_for_url("**/console/sewage/")
    rates = rates_for("huanjing")
    table = page.get_by_role("table", name="各区镇比率")
    assert table.locator("tbody tr").count() == len(rates.towns) == 14
    failing = [t for t in rates.towns if any(c.met is False for c in t.targets)]
    assert failing and table.get_by_text("未达标").count() >= len(failing)
    for town in failing[:3]:
        row = table.locator(f'tr[data-town="{town.town.id}"]')
        assert f"{town.operation.numerator}/{town.operation.denominator}" in row.inner_text()
    expect(page.locator("[data-chart] canvas")).to_have_count(2)  # not wait_for_function: CSP, no eval
    overdue = page.locator('table[data-sheet="rectifications"] tr.overdue')
    assert overdue.count() >= 1 and "逾期" in page.get_by_role("heading", name="整改清单").inner_text()
    screenshot(page, "sewage-huanjing")

    # the filters swap the lists in place (htmx) and the address reproduces them
    town = Region.objects.get(name="包场镇")
    page.get_by_label("区镇", exact=True).select_option(str(town.pk))
    page.wait_for_url(f"**/console/sewage/?town_id={town.pk}*")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-chart] canvas")).to_have_count(2)  # the swapped-in charts are drawn
    codes = set(SewageFacility.objects.filter(village__parent=town).values_list("code", flat=True))
    shown = page.locator("table.facilities tbody th").all_inner_texts()
    assert shown and set(shown) <= codes and len(shown) == min(20, len(codes))
    page.reload()
    assert page.locator("table.facilities tbody th").all_inner_texts() == shown

    # a session downloads the 整改清单 the API exports
    with page.expect_download() as info:
        page.locator('a[href*="exports/rectifications.xlsx"]').click()
    assert info.value.suggested_filename == "rectifications.xlsx"
    with open(info.value.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).active
    assert sheet["A1"].value == "包场镇整改清单"

    page.locator("table.facilities tbody a").first.click()
    page.wait_for_url("**/console/sewage/facilities/*/")
    assert page.get_by_role("heading", name="运行状况历史").is_visible()
    assert page.get_by_role("table", name="核查（含照片核验标记数）").is_visible()
    screenshot(page, "sewage-facility-huanjing")


@pytest.mark.allow_console_errors("status of 404")  # another town's dossier
def test_a_town_sees_its_own_town_only(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = demo_page
    login(page, "changle")
    page.goto("/console/sewage/")
    changle = Region.objects.get(name="常乐镇")
    rows = page.get_by_role("table", name="各区镇比率").locator("tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-town") == str(changle.pk)
    assert "未达标" in rows.first.inner_text()  # 常乐镇 misses 80 % in the demo
    assert page.get_by_text("全区农村生活污水治理率").count() == 0
    codes = set(SewageFacility.objects.filter(village__parent=changle).values_list("code", flat=True))
    shown = set(page.locator("table.facilities tbody th").all_inner_texts())
    assert shown and shown <= codes
    assert page.get_by_label("区镇", exact=True).locator("option").all_inner_texts() == [
        "全部（管辖范围内）",
        "常乐镇",
    ]
    expect(page.locator("[data-chart] canvas")).to_have_count(2)  # not wait_for_function: CSP, no eval
    screenshot(page, "sewage-changle")
    other = SewageFacility.objects.exclude(village__parent=changle).first()
    assert other is not None
    response = page.goto(f"/console/sewage/facilities/{other.pk}/")
    assert response is not None and response.status == 404


@pytest.mark.parametrize("demo_page", ["phone"], indirect=True)
def test_the_page_fits_a_phone(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = demo_page
    login(page, "huanjing")
    page.goto("/console/sewage/")
    expect(page.locator("[data-chart] canvas")).to_have_count(2)  # not wait_for_function: CSP, no eval
    # wide tables scroll inside their own box, not the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = page.locator(".table-wrap").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    page.get_by_label("设施状态").focus()
    assert page.evaluate("document.activeElement.id") == "sewage-status"
    screenshot(page, "sewage-huanjing-phone")
