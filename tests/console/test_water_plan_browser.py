"""The 工作方案 panel in Chromium (own data: a network, a facility upstream with an open problem): the town
officer writes the analysis, saves it in place (htmx, under the CSP), sees the problem list and downloads
the Word file; the planner reads the same panel without a form."""

from __future__ import annotations

from docx import Document

from tests.checklists import test_upstream

rivers, _no_cached_network = test_upstream.rivers, test_upstream._no_cached_network


def test_write_save_and_download_the_work_plan(page, login, screenshot, console_users, rivers) -> None:  # type: ignore[no-untyped-def]
    late = test_upstream._rectification(rivers, overdue=True)
    login(page, "changle")
    page.goto(f"/console/water/sections/{rivers.section_a.pk}/")
    panel = page.locator("#work-plan")
    problem = panel.locator(f'tr[data-problem="{late.pk}"]')
    assert rivers.facility_a.name in problem.inner_text() and "逾期" in problem.inner_text()
    assert "支河" in panel.locator('[data-plan-table="tributaries"]').inner_text()
    page.get_by_label("超标原因分析（保存为新版本）").fill(
        "氨氮超标，主要来自支河沿线生活污水。\n下一步：逐项整改。"
    )
    page.get_by_label("文号").fill("海环〔2026〕9号")
    page.get_by_role("button", name="保存工作方案").click()
    page.locator("#work-plan [data-saved]", has_text="已保存为第 1 版").wait_for()
    assert page.locator("[data-plan-version]").inner_text() == "1"
    page.get_by_label("文号").fill("海环〔2026〕10号")  # edited on the swapped-in form: version 2
    page.get_by_role("button", name="保存工作方案").click()
    page.locator("#work-plan [data-saved]", has_text="已保存为第 2 版").wait_for()
    assert "历次版本（2）" in page.locator("#work-plan details summary").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word（.docx）").click()
    doc = Document(download.value.path())
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "文号：海环〔2026〕10号" in text and "氨氮超标，主要来自支河沿线生活污水。" in text
    assert doc.tables[-1].rows[1].cells[1].text == rivers.facility_a.name
    # Last: Playwright's screenshot leaves style="" on the inputs, which an htmx swap would copy (CSP).
    screenshot(page, "water-work-plan-changle")


def test_the_planner_reads_it(page, login, console_users, rivers) -> None:  # type: ignore[no-untyped-def]
    login(page, "guihua")
    page.goto(f"/console/water/sections/{rivers.section_a.pk}/")
    page.locator("#work-plan [data-plan-text]", has_text="尚未填写").wait_for()
    assert page.get_by_role("button", name="保存工作方案").count() == 0
