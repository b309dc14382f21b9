"""The town dashboard over the full Haimen demo (loaded once for this module; read-only tests): the
numbers the API gives the same user, the photo lightbox driven with the keyboard, screenshots."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from geo.models import Region
from tests.conftest import ApiClient
from tests.console.test_console import signed_in


@pytest.fixture(autouse=True)
def _own_media_root() -> None:
    """Not a folder per test here: the demo (loaded once, before any test's own fixtures) stored its
    photos under the media root of that moment, and the lightbox test must be served them."""


def _town(name: str) -> Region:
    return Region.objects.get(name=name, level="town")


def _field(html: str, name: str) -> str:
    match = re.search(rf'data-field="{re.escape(name)}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def _scheme_block(html: str, scheme_key: str) -> str:
    start = html.index(f'data-scheme="{scheme_key}"')
    return html[start : html.index("</article>", start)]


# ``browser`` first: the demo is loaded in the event-loop context the browser tests run in (conftest).
@pytest.mark.parametrize(
    ("username", "town"),
    [("anweiban", "四甲镇"), ("anweiban", "包场镇"), ("changle", "常乐镇"), ("guihua", "四甲镇")],
)
def test_every_number_is_the_api_answer_for_the_same_user(browser, demo_site, db, username, town) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import User

    region = _town(town)
    html = signed_in(username).get(f"/console/towns/{region.pk}/").content.decode()
    api = ApiClient(User.objects.get(username=username))
    boards = api.get("/api/v1/scoreboards").json()
    shown = 0
    for board in boards:
        if board["unit_kind"] != "town" or board["status"] is None:  # no board computed yet: 404
            continue
        rows = api.get(f"/api/v1/scoreboards/{board['scheme_key']}").json()["rows"]
        [row] = [r for r in rows if r["region_id"] == region.pk]
        block = _scheme_block(html, board["scheme_key"])
        assert _field(block, "total") == row["total"]
        assert _field(block, "grade") == row["grade"]
        assert _field(block, "rank") == str(row["rank"])
        assert _field(block, "award") == (row["award"] or "—")
        for reason in row["veto_reasons"]:
            assert reason in block
        shown += 1
        card = api.get(f"/api/v1/scoreboards/{board['scheme_key']}/towns/{region.pk}")
        if card.status_code == 404:  # planners see the row, not what is behind it: nor does the page
            assert "查看明细" not in block
            continue
        for component in card.json()["components"]:
            assert _field(block, f"component-{component['key']}") == component["score"]
    assert shown >= 1
    rates = api.get(f"/api/v1/sewage/rates/towns/{region.pk}").json()
    for i, key in enumerate(("treatment", "operation"), start=1):
        percent = rates[key]["percent"]
        assert _field(html, f"rate-{i}") == ("—" if percent is None else f"{percent}%")
    status = api.get("/api/v1/water/status", year=timezone.localdate().year).json()
    mine = [s for s in status["sections"] if region.pk in {t["id"] for t in s["responsible_towns"]}]
    assert mine or town == "包场镇", "the demo town answers for sections"
    for s in mine:
        row_html = html[html.index(f'data-section="{s["section"]["code"]}"') :]
        row_html = row_html[: row_html.index("</tr>")]
        latest = max(s["monthly"], key=int)
        assert _field(row_html, "latest-class") == f"{latest}月 {s['monthly'][latest]['class_label']}"
    overdue = {g["town_id"]: g["count"] for g in api.get("/api/v1/rectifications/overdue-by-town").json()}
    assert _field(html, "overdue-count") == str(overdue.get(region.pk, 0))


def test_the_demo_shows_a_failing_town_and_overdue_repairs(browser, demo_site, db) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("anweiban")
    failing = client.get(f"/console/towns/{_town('包场镇').pk}/").content.decode()
    assert 'class="failing"' in failing and "一票否决" in failing
    assert "申诉成立" in failing and 'data-lightbox="申诉证据"' in failing  # the appeal and its evidence
    for name in ("常乐镇", "四甲镇"):
        html = client.get(f"/console/towns/{_town(name).pk}/").content.decode()
        assert 'class="overdue"' in html and _field(html, "overdue-count") != "0"
        assert "<td>组织领导与责任落实</td>" in html  # the drill-down names sections by the template's titles


def test_the_lightbox_opens_and_closes_with_the_keyboard(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(demo_page, "anweiban")
    demo_page.goto(f"/console/towns/{_town('四甲镇').pk}/")
    article = demo_page.locator("article.assessment").first
    article.locator("details.drill > summary").first.press("Enter")
    inspection = article.locator("details.drill-inspection").first
    inspection.locator("summary").first.press("Enter")
    link = inspection.locator("a[data-lightbox]").first
    link.focus()
    demo_page.keyboard.press("Enter")
    dialog = demo_page.locator("dialog#lightbox")
    assert dialog.evaluate("d => d.open")
    image = dialog.locator("img")
    image.evaluate("img => img.decode()")
    assert image.evaluate("img => img.naturalWidth") > 0  # the console's photo door served it
    assert dialog.evaluate("d => d.contains(document.activeElement)")
    screenshot(demo_page, "towns-lightbox")
    demo_page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert link.evaluate("a => a === document.activeElement")  # focus back where it was


@pytest.mark.parametrize(
    ("username", "town"), [("changle", "常乐镇"), ("anweiban", "四甲镇"), ("anweiban", "包场镇")]
)
def test_screenshots_over_the_demo(demo_page, login, screenshot, username, town) -> None:  # type: ignore[no-untyped-def]
    login(demo_page, username)
    demo_page.get_by_role("navigation", name="主导航").get_by_role("link", name="区镇").click()
    if username != "changle":  # a town officer lands on their own town; the district picks one
        demo_page.get_by_role("link", name=town).click()
    demo_page.wait_for_url(f"**/console/towns/{_town(town).pk}/")
    charts = 1 if town == "包场镇" else 2  # the rates, and the sections the town answers for
    assert demo_page.locator("[data-chart] canvas").count() >= charts
    assert demo_page.locator("tr.overdue").count() >= 1
    evidence = demo_page.locator(".appeals img")  # shown (not in a closed drill-down): they load
    for i in range(evidence.count()):
        evidence.nth(i).evaluate("img => img.decode()")
        assert evidence.nth(i).evaluate("img => img.naturalWidth") > 0
    screenshot(demo_page, f"towns-{username}" + ("-failing" if town == "包场镇" else ""))


@pytest.mark.parametrize("demo_page", ["phone"], indirect=True)
def test_phone_width_keeps_tables_in_their_box(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(demo_page, "changle")
    demo_page.goto(f"/console/towns/{_town('常乐镇').pk}/")
    width: Any = demo_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375
    screenshot(demo_page, "towns-changle-phone")
