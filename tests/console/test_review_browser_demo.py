"""The review queue over the Haimen demo (read-only): 常乐镇's reviewer finds audits waiting with flagged
photos, and one opens with its answers, lost points and the far-away photo highlighted."""

from __future__ import annotations


def test_town_reviewer_sees_the_demo_queue_with_flags(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = demo_page
    login(page, "changle")
    page.goto("/console/review/")
    rows = page.locator(".review-queue tbody tr")
    assert rows.count() >= 2
    assert page.locator('.review-queue [data-flag="far_from_subject"]').count() >= 1
    assert page.locator('.review-queue [data-flag="reused_same_subject"]').count() >= 1
    screenshot(page, "review-demo-changle")
    far = page.locator(".review-queue tbody tr", has=page.locator('[data-flag="far_from_subject"]'))
    far.first.get_by_role("link").first.click()
    page.wait_for_url("**/console/review/*/")
    assert "拍摄位置距检查对象" in page.locator('.photo [data-flag="far_from_subject"]').first.inner_text()
    assert page.locator(".lost").count() >= 1  # the maintenance item's lost points
    assert page.get_by_role("button", name="退回").is_visible()
    screenshot(page, "review-demo-detail-changle")
