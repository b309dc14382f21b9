"""/console/sewage/ through the test client: the page shows what the API answers the same user, in the same
scope, and its downloads are the API's files."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.selectors import principal_for
from checklists.services.templates import templates_sync
from geo.models import FacilityService, SewageFacility
from scoring.sewage.services import rates as sewage_rates
from tests.browser import PASSWORD
from tests.checklists.conftest import Phone, draft, sewage_answers
from tests.conftest import ApiClient, make_user
from tests.factories import FacilityFactory

URL = "/console/sewage/"


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/console/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def rate_cells(html: str) -> dict[int, dict[str, str]]:
    """{town id: {"treatment-fraction": "1/1", "treatment-percent": "100.00%", "treatment-met": "达标", …}}"""
    rows = {}
    for town, body in re.findall(r'<tr data-town="(\d+)">(.*?)</tr>', html, re.S):
        cells = re.findall(r'data-rate="([\w-]+)">(.*?)</td>', body, re.S)
        rows[int(town)] = {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in cells}
    return rows


def facility_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-facility="(\d+)">', html)]


def sheet_rows(html: str, sheet: str) -> list[list[str]]:
    table = re.search(rf'<table class="sheet" data-sheet="{sheet}">(.*?)</table>', html, re.S)
    if table is None:
        return []
    body = table.group(1).split("<tbody>")[1]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


MET = {True: "达标", False: "未达标", None: "无数据"}


@pytest.fixture
def audited(world, console_users):  # type: ignore[no-untyped-def]
    """常乐镇's facility A serves its natural village and has an approved audit with two problems (→ two
    rectifications); 四甲镇's facility B was never audited."""
    templates_sync()
    FacilityService.objects.create(facility=world.facility_a, natural_village=world.natural_a, households=40)
    audit(world, world.facility_a, ["ledger.meter", "op.running"])
    return world


def audit(world: Any, facility: Any, failed: list[str]) -> None:
    """An approved sewage audit of ``facility`` failing ``failed`` items (each → a rectification)."""
    phone = Phone(make_user("inspector", world.district, username=f"jc-{facility.pk}-{len(failed)}"))
    answers = sewage_answers() | {key: {"value": False} for key in failed}
    cu = f"00000000-0000-4000-8000-{facility.pk:06d}{len(failed):06d}"
    assert (
        phone.put(
            cu, draft(world, answers, subject={"kind": "sewage_facility", "id": facility.pk})
        ).status_code
        == 201
    )
    for key in ("op.running", "record.site-photo", *failed):
        assert phone.photo(cu, key, seed=facility.pk * 10 + len(key)).status_code == 201
    assert phone.submit(cu).status_code == 200
    reviewer = ApiClient(
        make_user("district_office", world.district, username=f"rv-{facility.pk}-{len(failed)}")
    )
    assert reviewer.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200


# --- rates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["huanjing", "changle", "guihua"])
def test_every_rate_on_the_page_is_the_api_answer_for_the_same_user(audited, console_users, username) -> None:  # type: ignore[no-untyped-def]
    user = console_users[username]
    api = ApiClient(user)
    for on in (None, timezone.localdate() - timedelta(days=1)):
        query = {"on": on.isoformat()} if on else {}
        answer = api.get("/api/v1/sewage/rates", **query).json()
        html = signed_in(username).get(URL, query).content.decode()
        checks = {
            t.town.id: {c.key: c.met for c in t.targets}
            for t in sewage_rates(principal=principal_for(user), on=on).towns
        }
        shown = rate_cells(html)
        assert set(shown) == {t["town"]["id"] for t in answer["towns"]}
        for town in answer["towns"]:
            row = shown[town["town"]["id"]]
            for key in ("treatment", "operation"):
                rate = town[key]
                assert row[f"{key}-fraction"] == f"{rate['numerator']}/{rate['denominator']}"
                assert row[f"{key}-percent"] == percent(rate["percent"])
                assert row[f"{key}-met"] == MET[checks[town["town"]["id"]][key]]
        if "district" in answer:
            for target in answer["district"]["targets"]:
                assert f"{percent(target['rate']['percent'])}</span>" in html
                assert f"{target['rate']['numerator']}/{target['rate']['denominator']}，目标" in html
        else:
            assert "全区" not in html.split('id="rates-heading"')[1].split("</section>")[0]
    if username == "changle":
        assert set(shown) == {audited.town_a.pk}
    # 常乐镇: 1 / 1 village treated ≥ 30 %; its one facility stopped → 0 / 1 < 80 %: a failing town.
    if username != "changle":
        assert shown[audited.town_a.pk]["treatment-met"] == "达标"
    assert shown[audited.town_a.pk]["operation-met"] == "未达标"


def test_a_future_date_shows_the_services_message_and_the_rest_of_the_page(audited, console_users) -> None:  # type: ignore[no-untyped-def]
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = signed_in("huanjing").get(URL, {"on": future})
    html = response.content.decode()
    assert response.status_code == 422
    assert "不能查询未来日期" in html and 'data-code="validation_error"' in html
    assert facility_ids(html)  # the facilities and lists still show
    bad = signed_in("huanjing").get(URL, {"town_id": "常乐镇"})
    assert bad.status_code == 422 and "区镇须为正整数" in bad.content.decode()
    assert signed_in("huanjing").get(URL, {"on": "2022-13-01"}).status_code == 422


def test_the_chart_data_are_the_rates_and_the_targets(audited, console_users) -> None:  # type: ignore[no-untyped-def]
    import json
    from html import unescape

    html = signed_in("huanjing").get(URL).content.decode()
    answer = ApiClient(console_users["huanjing"]).get("/api/v1/sewage/rates").json()
    for key, target in (("treatment", 30), ("operation", 80)):
        data = rf'<script id="sewage-chart-{key}" type="application/json">(.*?)</script>'
        raw = re.search(data, html, re.S)
        assert raw and f'data-chart="sewage-chart-{key}"' in html
        option = json.loads(unescape(raw.group(1)))
        assert option["xAxis"]["data"] == [t["town"]["name"] for t in answer["towns"]]
        assert [b["value"] for b in option["series"][0]["data"]] == [
            t[key]["percent"] for t in answer["towns"]
        ]
        assert option["series"][0]["markLine"]["data"][0]["yAxis"] == target


# --- facilities ----------------------------------------------------------------------------------------


@pytest.fixture
def registry(world, console_users):  # type: ignore[no-untyped-def]
    for i, status in enumerate(["in_service", "stopped", "beyond_repair", "in_service", "retired"]):
        FacilityFactory(village=world.village_a if i % 2 else world.village_b, status=status, code=f"F-{i}")
    return world


FILTERS: list[dict[str, Any]] = [
    {},
    {"status": "stopped"},
    {"status": "in_service"},
    {"status": "no-such-status"},
    {"town": "a"},
    {"town": "b"},
    {"town": "a", "status": "in_service"},
]


@pytest.mark.parametrize("username", ["huanjing", "changle", "guihua", "admin"])
@pytest.mark.parametrize("filters", FILTERS)
def test_facility_filters_return_what_the_api_returns(registry, console_users, username, filters) -> None:  # type: ignore[no-untyped-def]
    query = {k: v for k, v in filters.items() if k != "town"}
    if "town" in filters:
        query["town_id"] = (registry.town_a if filters["town"] == "a" else registry.town_b).pk
    api = ApiClient(console_users[username]).get("/api/v1/geo/facilities", **query).json()
    html = signed_in(username).get(URL, query).content.decode()
    assert facility_ids(html) == [f["id"] for f in api["items"]]
    assert f"设施（{api['count']} 座）" in html
    # htmx asks for the same view and gets only the part the filters change
    partial = signed_in(username).get(URL, query, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="sewage-body">') and "<html" not in partial
    assert facility_ids(partial) == facility_ids(html)


def test_the_facility_list_is_paged_like_a_full_reload(world, console_users) -> None:  # type: ignore[no-untyped-def]
    for i in range(23):
        FacilityFactory(village=world.village_a, code=f"P-{i:02d}")
    client = signed_in("huanjing")
    first = client.get(URL, {"town_id": world.town_a.pk}).content.decode()
    second = client.get(URL, {"town_id": world.town_a.pk, "page": 2}).content.decode()
    api = ApiClient(console_users["huanjing"]).get("/api/v1/geo/facilities", town_id=world.town_a.pk).json()
    assert facility_ids(first) + facility_ids(second) == [f["id"] for f in api["items"]]
    assert len(facility_ids(first)) == 20 and "第 1 / 2 页" in first
    assert f'href="/console/sewage/?town_id={world.town_a.pk}&amp;page=2"' in first


def test_a_town_sees_only_its_own_facilities_and_dossiers(registry, console_users) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("changle")
    html = client.get(URL).content.decode()
    own = set(facility_ids(html))
    towns = SewageFacility.objects.filter(pk__in=own).values_list("village__parent_id", flat=True)
    assert own and set(towns) == {registry.town_a.pk}
    assert registry.facility_b.pk not in own
    assert f'<option value="{registry.town_b.pk}"' not in html  # another town is not even offered
    assert client.get(f"{URL}facilities/{registry.facility_b.pk}/").status_code == 404
    assert client.get(f"{URL}facilities/{registry.facility_a.pk}/").status_code == 200
    assert client.get(f"{URL}facilities/999999/").status_code == 404
    assert client.get(f"{URL}facilities/99999999999999999999999/").status_code == 404
    office = signed_in("huanjing")
    assert office.get(f"{URL}facilities/{registry.facility_b.pk}/").status_code == 200


def test_the_dossier_shows_what_the_api_dossier_returns(audited, console_users) -> None:  # type: ignore[no-untyped-def]
    for username in ("huanjing", "changle"):
        api = (
            ApiClient(console_users[username])
            .get(f"/api/v1/sewage/facilities/{audited.facility_a.pk}")
            .json()
        )
        html = signed_in(username).get(f"{URL}facilities/{audited.facility_a.pk}/").content.decode()
        assert api["facility"]["code"] in html and api["facility"]["name"] in html
        assert [c["conditions"] for c in api["conditions"]] == [["no_meter", "stopped"]]
        assert "未设立独立电表、主体设施停运" in html
        assert len(api["audits"]) == 1 and "已通过" in html
        assert len(api["rectifications"]) == 2
        for r in api["rectifications"]:
            assert r["item_title"] in html and r["deadline"] in html
        assert "一组" in html  # the natural village it serves


def test_anonymous_visitors_are_sent_to_the_login_page(world) -> None:  # type: ignore[no-untyped-def]
    for path in (URL, f"{URL}facilities/{world.facility_a.pk}/", f"{URL}exports/problems.xlsx"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/console/login/?next=")


# --- 问题清单 / 整改清单 --------------------------------------------------------------------------------


def api_export(user: Any, sheet: str, fmt: str, town_id: int | None = None) -> Any:
    query: dict[str, Any] = {"sheet": sheet, "format": fmt, "subject_kind": "sewage_facility"}
    if town_id is not None:
        query["town_id"] = town_id
    return ApiClient(user).get("/api/v1/rectifications/export", **query)


def xlsx_rows(content: bytes) -> list[tuple[Any, ...]]:
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return rows[:-1]  # the footer holds the export time


@pytest.mark.parametrize("username", ["huanjing", "changle", "sijia", "guihua"])
def test_downloads_are_the_api_files_for_the_same_user(audited, console_users, username) -> None:  # type: ignore[no-untyped-def]
    user = console_users[username]
    client = signed_in(username)
    for town_id in (None, audited.town_a.pk, audited.town_b.pk):
        suffix = f"?town_id={town_id}" if town_id else ""
        for sheet in ("problems", "rectifications"):
            csv = client.get(f"{URL}exports/{sheet}.csv{suffix}")
            assert csv.status_code == 200 and csv["Content-Type"] == "text/csv; charset=utf-8"
            assert csv["Content-Disposition"] == f'attachment; filename="{sheet}.csv"'
            assert csv.content == api_export(user, sheet, "csv", town_id).content
            xlsx = client.get(f"{URL}exports/{sheet}.xlsx{suffix}")
            assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
            assert xlsx_rows(xlsx.content) == xlsx_rows(api_export(user, sheet, "xlsx", town_id).content)
    rows = xlsx_rows(client.get(f"{URL}exports/rectifications.xlsx").content)
    seen = sum(1 for r in rows if isinstance(r[0], int))  # numbered rows: not the title, header or blank
    assert seen == {"huanjing": 2, "changle": 2, "sijia": 0, "guihua": 0}[username]


def test_the_lists_on_the_page_are_the_download_rows(audited, console_users) -> None:  # type: ignore[no-untyped-def]
    from csv import reader

    client = signed_in("changle")
    html = client.get(URL).content.decode()
    for sheet in ("problems", "rectifications"):
        text = client.get(f"{URL}exports/{sheet}.csv").content.decode("utf-8-sig")
        rows = list(reader(io.StringIO(text)))[1:]
        assert len(rows) == 2
        assert sheet_rows(html, sheet) == rows
    assert f'href="{URL}exports/problems.xlsx"' in html
    town = client.get(URL, {"town_id": audited.town_a.pk}).content.decode()
    assert f'href="{URL}exports/problems.xlsx?town_id={audited.town_a.pk}"' in town
    assert "常乐镇问题清单" in town


def test_an_unknown_sheet_or_format_is_refused(audited, console_users) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("huanjing")
    for path in ("exports/other.xlsx", "exports/problems.pdf"):
        response = client.get(URL + path)
        assert response.status_code == 422 and "须为" in response.content.decode()
    assert client.get(f"{URL}exports/problems.xlsx?town_id=x").status_code == 422


# --- no query per row ----------------------------------------------------------------------------------


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_facilities(world, console_users) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("huanjing")
    for i in range(3):
        FacilityFactory(village=world.village_a, code=f"Q-{i}")
    few = queries(client, URL)  # 5 facilities
    for i in range(15):
        FacilityFactory(village=world.village_b if i % 2 else world.village_a, code=f"R-{i}")
    assert len(facility_ids(client.get(URL).content.decode())) == 20
    assert queries(client, URL) == few


def test_queries_do_not_grow_with_list_rows(audited, console_users) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("huanjing")
    few = queries(client, URL)
    dossier = queries(client, f"{URL}facilities/{audited.facility_a.pk}/")
    audit(audited, audited.facility_b, ["ledger.meter", "op.running", "op.pipe-network", "op.capacity-match"])
    assert len(sheet_rows(client.get(URL).content.decode(), "rectifications")) == 6
    assert queries(client, URL) == few
    audit(audited, audited.facility_a, ["op.pipe-network", "op.capacity-match", "op.maintenance"])
    assert queries(client, f"{URL}facilities/{audited.facility_a.pk}/") == dossier


def test_the_pages_only_read(audited, console_users) -> None:  # type: ignore[no-untyped-def]
    """Nothing on these pages changes anything: a POST (even with a valid CSRF token) is refused."""
    client = signed_in("huanjing")
    for path in (URL, f"{URL}facilities/{audited.facility_a.pk}/", f"{URL}exports/problems.csv"):
        assert client.post(path, {"town_id": audited.town_a.pk}).status_code == 405
