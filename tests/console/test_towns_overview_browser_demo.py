"""区镇总览 over the full Haimen demo (read-only): every demo town has a row, the year's assessment, its
sections and its sewage rates filled in, as the API answers the same user."""

from __future__ import annotations

from accounts.models import User
from checklists.selectors import town_overview
from console.services import principal_for


def test_overview_over_the_demo(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    overview = town_overview(principal=principal_for(User.objects.get(username="anweiban")))
    assert overview.board is not None, "the demo has this year's town assessment"
    assert any(r.water.sections for r in overview.rows) and all(r.sewage for r in overview.rows)
    login(demo_page, "anweiban")
    demo_page.goto("/console/towns/")
    table = demo_page.locator("#towns-overview table")
    table.wait_for()
    assert table.locator("tbody tr").count() == len(overview.rows)
    for row in overview.rows:
        line = table.locator(f'tr[data-town="{row.town.name}"]')
        total = row.assessment.total if row.assessment else "—"
        assert line.locator("[data-field=total]").inner_text().strip() == total
        if row.water.sections:
            expected = f"{row.water.meeting_target} / {row.water.sections}"
            assert line.locator("[data-field=water]").inner_text().startswith(expected)
    screenshot(demo_page, "towns-overview-demo")
