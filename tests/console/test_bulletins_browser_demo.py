"""``/console/bulletins/`` over the full Haimen demo (read-only): the office sees the demo's bulletins (the
synthetic 2022 assessment result and today's sewage warning), finished, and downloads the Word file."""

from __future__ import annotations

from docx import Document

from scoring.bulletins.models import Bulletin


def test_the_demo_bulletins(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = demo_page
    demo = list(Bulletin.objects.order_by("-created_at", "-id"))
    assert {b.kind for b in demo} == {"assessment", "sewage_warning"}
    assert all(b.status == "done" for b in demo)
    login(page, "anweiban")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="通报").click()
    page.wait_for_url("**/console/bulletins/")
    rows = page.locator("#bulletin-table tbody tr")
    assert [rows.nth(i).get_attribute("data-bulletin") for i in range(rows.count())] == [
        str(b.pk) for b in demo
    ]
    assessment = next(b for b in demo if b.kind == "assessment")
    row = page.locator(f'#bulletin-table tr[data-bulletin="{assessment.pk}"]')
    assert assessment.title in row.inner_text() and "已完成" in row.inner_text()
    with page.expect_download() as download:
        row.get_by_role("link", name="Word").click()
    text = "\n".join(p.text for p in Document(download.value.path()).paragraphs)
    assert assessment.content["data"]["content_hash"] in text  # the board's 内容摘要, printed
    screenshot(page, "bulletins-demo-anweiban")
