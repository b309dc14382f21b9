"""``/console/rankings/dekad/`` through the test client: every figure equals the API's answer for the same
旬 and user, the chart's bars are the ranked towns' scores, 持续靠后 as the history route, the part alone
for htmx, bad input inline, in the navigation."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from geo.models import RiverSection
from geo.services import section_upsert
from scoring.models import Measurement
from tests.conftest import ApiClient, World
from tests.console.test_console import signed_in

BAD = {"ph": 7.2, "do": 3.0, "nh3n": 1.5, "tp": 0.3}
GOOD = {"ph": 7.4, "do": 7.0, "nh3n": 0.3, "tp": 0.1}


def measure(section: RiverSection, day: int, values: dict[str, float]) -> None:
    at = datetime(2022, 9, day, 8, tzinfo=timezone.get_default_timezone())
    Measurement.objects.bulk_create(
        Measurement(section=section, sampled_at=at, indicator=k, value=Decimal(str(v)), source="manual")
        for k, v in values.items()
    )


@pytest.fixture
def measured(console_users: dict[str, Any], world: World) -> World:
    """乙桥 (provincial, 四甲镇) bad in every 旬 of September 2022; 丙桥 (provincial, 常乐镇) good."""
    other = section_upsert(
        code="S-P", name="丙桥", level="provincial", region=world.district, responsible_towns=[world.town_a]
    )
    for day in (2, 12, 22):
        measure(world.section_b, day, BAD)
        measure(other, day, GOOD)
    return world


def table(html: str, css: str) -> list[list[str]]:
    body = re.search(rf'<table class="{css}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, css
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body[1], re.S)
    ]


@pytest.mark.parametrize("username", ["huanjing", "changle"])
def test_every_figure_equals_the_api(measured, console_users, username) -> None:  # type: ignore[no-untyped-def]
    html = signed_in(username).get("/console/rankings/dekad/", {"on": "2022-09-25"}).content.decode()
    api = ApiClient(console_users[username])
    ranking = api.get("/api/v1/rankings/dekad", on="2022-09-25").json()
    history = api.get("/api/v1/rankings/dekad/history", **{"from": "2022-06-27", "to": "2022-09-25"}).json()
    assert "2022年9月下旬" in html and "暂无数据来源" not in html  # every indicator has its source
    rows = table(html, "dekad-table")
    assert [r[:3] for r in rows] == [
        [str(x["rank"]), x["town"]["name"], f"{x['score']:.2f}"] for x in ranking["ranking"]
    ]
    assert [r[1] for r in rows] == ["四甲镇", "常乐镇"]  # a town officer sees the whole district too
    # air, dust fall, water (the scheme's order): no air station or jar here, so 无数据 for those two
    assert rows[0][3:5] == ["无数据", "无数据"]
    assert rows[0][5] == f"{ranking['ranking'][0]['values']['water.cwqi']:.2f}" and rows[0][6] == "靠后"
    chart = json.loads(
        unescape(re.search(r'<script id="dekad-chart" type="application/json">(.*?)</script>', html, re.S)[1])
    )
    assert [d["value"] for d in chart["series"][0]["data"]] == [x["score"] for x in ranking["ranking"]]
    assert chart["yAxis"]["data"] == ["1. 四甲镇", "2. 常乐镇"]
    streaks = table(html, "persistent-table")
    # bottom 3 covers both towns: each has been at the bottom for the three 旬 of September
    assert [(r[0], r[1]) for r in streaks] == [
        (s["town"]["name"], str(s["length"])) for s in history["persistent_bottom"]
    ]
    assert [r[0] for r in streaks] == ["四甲镇", "常乐镇"] and all(r[3] == "仍在靠后" for r in streaks)
    assert streaks[0][2] == "2022年9月上旬至2022年9月下旬"


def test_htmx_part_errors_and_navigation(measured) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("guihua")
    part = client.get(
        "/console/rankings/dekad/", {"on": "2022-09-05"}, headers={"HX-Target": "dekad-ranking"}
    )
    html = part.content.decode()
    assert part.status_code == 200 and "<html" not in html and "2022年9月上旬区镇逆序排名" in html
    assert 'href="?on=2022-08-31"' in html and 'href="?on=2022-09-11"' in html
    empty = client.get("/console/rankings/dekad/", {"on": "2021-01-05"}).content.decode()
    assert "该旬没有可排名的区镇" in empty and 'id="dekad-chart"' not in empty
    assert [r[:3] for r in table(empty, "dekad-table")] == [
        ["—", "常乐镇", "无数据"],
        ["—", "四甲镇", "无数据"],
    ]  # division-code order
    bad = client.get("/console/rankings/dekad/", {"on": "2022-13-01"})
    assert bad.status_code == 422 and "应为日期" in bad.content.decode()
    assert client.get("/console/rankings/dekad/", {"on": "0001-01-01"}).status_code == 422
    nav = re.search(r'<nav class="site-nav".*?</nav>', client.get("/console/").content.decode(), re.S)
    assert nav and '<a href="/console/rankings/dekad/">逆序排名</a>' in nav[0]
    assert Client().get("/console/rankings/dekad/").status_code == 302  # anonymous → login
    assert client.post("/console/rankings/dekad/").status_code in (403, 405)
