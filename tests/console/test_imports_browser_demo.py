"""``/console/imports/`` on the full Haimen demo (read-only): past imports of both kinds are listed, and the
district office's dry run of 常乐镇's ledger shows the row it flagged."""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_demo_lists_past_imports_of_each_kind(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = demo_page
    login(page, "anweiban")
    page.goto("/console/imports/")
    recent = page.locator("table.imports-recent tbody")
    expect(recent).to_contain_text("设施台账")
    expect(recent).to_contain_text("水质监测数据")
    screenshot(page, "imports-demo-anweiban")
    page.get_by_role("link", name="常乐镇农村生活污水处理设施台账（区镇报回）.xlsx").click()
    errors = page.locator("table.row-errors tbody")
    expect(errors).to_contain_text("unknown_village")
    expect(errors).to_contain_text("长江村")
    expect(page.locator(".summary")).to_contain_text("将新增设施")
    screenshot(page, "imports-demo-ledger")
