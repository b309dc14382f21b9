"""区镇总览 (``/console/towns/``) through the test client: the API's rows and scope, the year picker's part,
the Excel download, a bad year, and a fixed number of queries."""

from __future__ import annotations

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.checklists.test_town_overview import YEAR, _grow, _publish
from tests.conftest import ApiClient
from tests.console.scoreboard_data import store_board
from tests.console.test_console import signed_in
from tests.console.test_towns import _repairs_and_inspections


def _cells(html: str, town: str, field: str) -> str:
    row = html.split(f'data-town="{town}"', 1)[1].split("</tr>", 1)[0]
    return row.split(f'data-field="{field}">', 1)[1].split("</td>", 1)[0]


def test_the_overview_shows_the_api_rows_for_the_same_user(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, n=2)
    _publish(console_users)
    _repairs_and_inspections(world, console_users["jiancha1"], 4)
    api = ApiClient(console_users["anweiban"]).get("/api/v1/towns/overview", year=YEAR).json()
    page = signed_in("anweiban").get("/console/towns/", {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>区镇总览</h1>" in html and "正式发布" in html
    for row in api["rows"]:
        name = row["town"]["name"]
        assert f'href="/console/towns/{row["town"]["id"]}/"' in html
        assert _cells(html, name, "total") == row["assessment"]["total"]
        assert _cells(html, name, "grade").startswith(row["assessment"]["grade"])
        water = row["water"]
        assert _cells(html, name, "water").startswith(f"{water['meeting_target']} / {water['sections']}")
    assert "2</a>" in _cells(html, "常乐镇", "overdue") and _cells(html, "四甲镇", "overdue") == "0"
    assert f'<option value="{YEAR}" selected>' in html


def test_the_year_picker_swaps_the_table_alone(console_users, world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("anweiban")
    part = client.get("/console/towns/", {"year": YEAR}, headers={"HX-Target": "towns-overview"})
    assert part.status_code == 200
    html = part.content.decode()
    assert "<h1>" not in html and f"{YEAR}年区镇总览" in html
    bad = client.get("/console/towns/", {"year": "3000"}, headers={"HX-Target": "towns-overview"})
    assert bad.status_code == 422 and "year" in bad.content.decode()
    assert signed_in("anweiban").get("/console/towns/", {"year": "x"}).status_code == 422


def test_town_officers_land_on_their_town_and_see_only_it_in_the_overview(console_users, world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("changle")
    assert client.get("/console/towns/")["Location"] == f"/console/towns/{world.town_a.pk}/"
    html = client.get("/console/towns/", {"year": YEAR}).content.decode()
    assert 'data-town="常乐镇"' in html and "四甲镇" not in html
    # a planner sees every town, and no rectification count (not theirs to read)
    planner = signed_in("guihua").get("/console/towns/", {"year": YEAR}).content.decode()
    assert _cells(planner, "四甲镇", "overdue") == "—"


def test_the_excel_download_is_the_api_sheet(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, n=2)
    response = signed_in("anweiban").get("/console/towns/", {"year": YEAR, "format": "xlsx"})
    assert response.status_code == 200
    assert f'filename="towns-overview-{YEAR}.xlsx"' in response["Content-Disposition"]
    api = ApiClient(console_users["anweiban"]).get("/api/v1/towns/overview", year=YEAR, format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    theirs = load_workbook(io.BytesIO(api.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if not str(r[0] or "").startswith("导出时间")]
    same = [r for r in theirs.iter_rows(values_only=True) if not str(r[0] or "").startswith("导出时间")]
    assert rows == same


def test_queries_do_not_grow_with_towns(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, n=2)
    client = signed_in("anweiban")
    client.get("/console/towns/", {"year": YEAR})
    with CaptureQueriesContext(connection) as few:
        client.get("/console/towns/", {"year": YEAR})
    _grow(world, console_users, 10)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/console/towns/", {"year": YEAR}).content.decode()
    assert html.count("data-town=") == 12
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
