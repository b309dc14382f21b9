"""``/api/v1/water/sections/{id}/work-plan``: the 稳Ⅲ提Ⅲ 工作方案 of 65号 item 15 — its three parts from the
data (the section's months and main pollutants, the first-level tributaries within 10 km upstream, the
problems found upstream open and closed this year), the analysis text saved as versions (If-Match), the
Word export read back, scope and roles; and the issue's flow end to end."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from checklists.selectors.upstream import SectionUpstream, upstream_sites
from kernel.audit.models import AuditEvent
from scoring.models import Measurement, WorkPlanVersion
from tests.checklists import test_upstream
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db
# The upstream tests' network (a main river M, its tributary T, facility A ~8 km up T) and rectifications.
rivers, _no_cached_network = test_upstream.rivers, test_upstream._no_cached_network
_rectification = test_upstream._rectification


def _path(world) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/water/sections/{world.section_a.pk}/work-plan"


def _put(api, path, body, if_match=None, **params):  # type: ignore[no-untyped-def]
    headers = {"If-Match": f'"{if_match}"'} if if_match is not None else None
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    return api._send("put", path + query, body, headers, raw=isinstance(body, str))


def _month_start(back: int) -> datetime:
    today = timezone.localdate().replace(day=1)
    y, m = today.year, today.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return datetime(y, m, 5, 10, tzinfo=timezone.get_default_timezone())


def _measure(section, at: datetime, **values: float) -> None:  # type: ignore[no-untyped-def]
    for key, value in {"ph": 7.2, "do": 6.5, "codmn": 4, **values}.items():
        Measurement.objects.create(section=section, sampled_at=at, indicator=key, value=Decimal(str(value)),
                                   source="automatic")  # fmt: skip


def test_the_three_parts_from_the_data(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    _measure(rivers.section_a, _month_start(0), nh3n=1.5)  # this month Ⅳ, ammonia 0.5×
    _measure(rivers.section_a, _month_start(1), nh3n=0.4)  # last month Ⅱ
    _measure(rivers.section_a, _month_start(14), nh3n=9)  # beyond the 12 months: not analysed
    open_late = _rectification(rivers, overdue=True)
    closed = _rectification(rivers, overdue=False, closed=True)
    closed.closed_at = timezone.now() - timedelta(days=1)
    closed.history = [{"action": "start", "note": ""}, {"action": "submit", "note": "已更换曝气泵"}]
    closed.save()
    old = _rectification(rivers, overdue=False, closed=True)  # closed before this year: not in the plan
    old.closed_at = datetime(timezone.localdate().year - 1, 6, 1, tzinfo=timezone.get_default_timezone())
    old.save()
    api = api_as("environment_bureau", rivers.district)
    r = api.get(_path(rivers))
    assert r.status_code == 200, r.content
    plan = r.json()
    assert r["ETag"] == '"0"' and plan["version"] == 0 and plan["analysis_text"] == ""
    assert plan["year"] == timezone.localdate().year and plan["km"] == 10
    # (1) the months through this one, by the engine; ammonia the main pollutant
    q = plan["quality"]
    assert len(q["months"]) == 12 and q["last_month"] == f"{_month_start(0):%Y-%m}"
    this = q["months"][-1]["evaluation"]
    assert (this["class"], this["class_label"], this["meets_target"]) == (4, "Ⅳ", False)
    assert q["months"][-2]["evaluation"]["class_label"] == "Ⅱ" and q["months"][0]["evaluation"] is None
    assert q["analysis"]["main_pollutants"] == ["nh3n"]
    assert q["analysis"]["indicators"][0] == {"key": "nh3n", "name": "氨氮", "months_over": 1,
        "max_multiple": 0.5, "max_month": this_month(), "deciding_months": 2}  # fmt: skip
    assert q["analysis"]["months_missing_target"] == [this_month()] and q["steady_iii"] is True
    # (2) the first-level tributary T within 10 km, with its distance along the water
    assert [(t["river_id"], t["level"]) for t in plan["tributaries"]] == [("T", 1)]
    upstream = api.get(f"/api/v1/water/sections/{rivers.section_a.pk}/upstream").json()
    assert plan["tributaries"][0]["distance_m"] == next(
        x["distance_m"] for x in upstream["rivers"] if x["river_id"] == "T"
    )
    # (3) the open problem first, then the one closed this year; each at its point, with its state
    assert [(p["id"], p["is_open"]) for p in plan["problems"]] == [(open_late.pk, True), (closed.pk, False)]
    first, done = plan["problems"]
    assert (first["lon"], first["lat"]) == (
        upstream["facilities"][0]["lon"],
        upstream["facilities"][0]["lat"],
    )
    assert (
        first["site_name"] == rivers.facility_a.name
        and first["overdue"]
        and first["status_label"] == "待整改"
    )
    assert first["responsible_person"] is None and first["deadline"] == open_late.deadline.isoformat()
    assert done["measure"] == "已更换曝气泵" and done["status"] == "closed" and done["closed_at"]
    assert (plan["problems_open"], plan["problems_closed"]) == (1, 1)
    assert plan["upstream_unavailable"] is None and plan["network_id"] == upstream["network_id"]


def this_month() -> str:
    return f"{_month_start(0):%Y-%m}"


def test_text_versions_with_if_match_and_audit(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    api, path = api_as("town_officer", rivers.town_a), _path(rivers)
    text = "氨氮超标，主要来自上游支河生活污水。"
    first = _put(api, path, {"analysis": text, "document_number": "海环〔2026〕1号"})
    assert first.status_code == 200, first.content
    assert first["ETag"] == '"1"' and first.json()["version"] == 1 and first.json()["saved_by"]
    assert_error(_put(api, path, {"analysis": "第二稿"}), 428, "if_match_required")
    stale = assert_error(_put(api, path, {"analysis": "第二稿"}, if_match=0), 409, "version_conflict")
    assert stale["details"]["current_version"] == 1
    second = _put(api, path, {"analysis": "第二稿"}, if_match=1)
    assert second.status_code == 200 and second.json()["version"] == 2
    again = _put(api, path, {"analysis": "第二稿"}, if_match=1)  # a replay of the same text: no new version
    assert again.status_code == 200 and again.json()["version"] == 2
    plan = api.get(path).json()
    assert (plan["version"], plan["analysis_text"], plan["document_number"]) == (2, "第二稿", "")
    versions = api.get(path + "/versions").json()
    assert [(v["version"], v["analysis"]) for v in versions["items"]] == [
        (2, "第二稿"), (1, text),
    ]  # fmt: skip
    events = AuditEvent.objects.filter(action="scoring.work_plan.save").order_by("id")
    assert [(e.before["version"], e.after["version"]) for e in events] == [(0, 1), (1, 2)]
    assert events[1].actor_id == api.user_id
    # a past year's plan is its own
    past = _put(api, path, {"analysis": "去年"}, year=timezone.localdate().year - 1)
    assert past.status_code == 200 and past.json()["version"] == 1 and past.json()["year"] < plan["year"]


def test_bad_input_writes_nothing(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    api, path = api_as("environment_bureau", rivers.district), _path(rivers)
    future = timezone.localdate().year + 1
    assert "year" in str(assert_error(api.get(path, year=future), 422)["details"])
    assert "year" in str(assert_error(_put(api, path, {"analysis": "x"}, year=future), 422)["details"])
    assert "analysis" in str(assert_error(_put(api, path, {"analysis": "长" * 20_001}), 422)["details"])
    assert "analysis" in str(assert_error(_put(api, path, {"analysis": "a\x0bb"}), 422)["details"])  # no XML
    assert "document_number" in str(
        assert_error(_put(api, path, {"analysis": "x", "document_number": "一\n二"}), 422)["details"]
    )
    assert "extra" in str(assert_error(_put(api, path, {"analysis": "x", "extra": 1}), 422)["details"])
    assert_error(_put(api, path, {}), 422)
    assert_error(_put(api, path, "{", raw=True), 400)
    assert_error(_put(api, path, {"analysis": "x"}, if_match="abc"), 400, "invalid_if_match")
    assert_error(api.get(path, format="pdf"), 422)
    assert not WorkPlanVersion.objects.exists()


def test_scope_before_role_before_change(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    path = _path(rivers)
    town_b = api_as("town_officer", rivers.town_b)
    assert_error(town_b.get(path), 404, "not_found")
    assert_error(town_b.get(path + "/versions"), 404, "not_found")
    assert_error(_put(town_b, path, {"analysis": "越权"}), 404, "not_found")
    assert_error(town_b.get("/api/v1/water/sections/999999/work-plan"), 404, "not_found")
    planner = api_as("planner", rivers.district)
    assert planner.get(path).status_code == 200  # planners read it
    assert_error(_put(planner, path, {"analysis": "只读"}), 403, "permission_denied")
    inspector = api_as("inspector", rivers.town_a)
    assert_error(_put(inspector, path, {"analysis": "只读"}), 403, "permission_denied")
    assert not WorkPlanVersion.objects.exists()
    # a section town B shares with town A (甲乙桥, no point: parts two and three say why) it reads
    shared = town_b.get(f"/api/v1/water/sections/{rivers.section_ab.pk}/work-plan").json()
    assert shared["section"]["responsible_towns"] == ["常乐镇", "四甲镇"]
    assert shared["upstream_unavailable"] == "section_not_on_network"


def test_without_a_network_parts_two_and_three_say_why(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("environment_bureau", world.district)
    plan = api.get(_path(world)).json()
    assert plan["upstream_unavailable"] == "no_river_network" and plan["upstream_message"]
    assert plan["tributaries"] == [] == plan["problems"] and len(plan["quality"]["months"]) == 12


def test_word_export_holds_the_json(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    from checklists import workplan_docx as d

    _measure(rivers.section_a, _month_start(0), nh3n=1.5)
    _rectification(rivers, overdue=True)
    api = api_as("environment_bureau", rivers.district)
    _put(api, _path(rivers), {"analysis": "第一段。\n第二段。", "document_number": "海环〔2026〕7号"})
    plan = api.get(_path(rivers)).json()
    r = api.get(_path(rivers), format="docx")
    assert r.status_code == 200 and r["Content-Type"] == d.DOCX_TYPE
    assert r["Content-Disposition"] == f'attachment; filename="work-plan-S-A-{plan["year"]}.docx"'
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "甲桥断面“稳Ⅲ提Ⅲ”工作方案" in text and "文号：海环〔2026〕7号" in text
    assert "第一段。\n第二段。" in text and plan["quality"]["analysis"]["summary"] in text
    for heading in ("一、断面水质及超标原因分析", "二、断面上游10公里范围内一级支流清单及水质情况",
                    "三、溯源排查出的问题清单"):  # fmt: skip
        assert heading in text
    tables = [[tuple(c.text for c in row.cells) for row in t.rows] for t in doc.tables]
    months, indicators, tributaries, problems = tables
    assert months[0] == d.MONTH_HEADERS and len(months) == 13
    for row, m in zip(months[1:], plan["quality"]["months"], strict=True):
        ev = m["evaluation"]
        assert row[0] == m["month"] and row[1] == (ev["class_label"] if ev else "无数据")
    assert [r[0] for r in indicators[1:]] == [i["name"] for i in plan["quality"]["analysis"]["indicators"]]
    assert [(r[1], r[2]) for r in tributaries[1:]] == [
        (t["name"], f"{t['distance_m']:.0f}") for t in plan["tributaries"]
    ]
    assert problems[0] == d.PROBLEM_HEADERS
    assert [(r[1], r[5], r[6], r[7]) for r in problems[1:]] == [
        (p["site_name"], p["deadline"], p["responsible_unit"] or "—", "—") for p in plan["problems"]
    ]


def test_every_site_list_of_the_upstream_answer_feeds_the_closed_problems() -> None:
    """Outfalls and pump stations join ``SectionUpstream`` as lists of sites: ``upstream_sites`` must name
    them too, or the plan would miss their closed problems."""
    site_lists = {
        f.name for f in dataclasses.fields(SectionUpstream)
        if str(f.type).startswith("tuple[Upstream") and f.name not in {"rivers", "problems"}
    }  # fmt: skip
    fake = SectionUpstream(**{f.name: (f.name,) if f.name in site_lists else None
                              for f in dataclasses.fields(SectionUpstream)})  # type: ignore[arg-type]  # fmt: skip
    assert {v[0] for v in upstream_sites(fake).values()} == site_lists  # type: ignore[index]


def test_the_flow_end_to_end(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    """Network → a facility upstream → an inspection with a problem → the plan lists it → rectified → gone
    from the plan's open problems (listed as closed this year)."""
    from checklists.services.templates import templates_sync
    from tests.checklists.conftest import Phone, sewage_answers
    from tests.conftest import ApiClient, make_user

    templates_sync()
    phone = Phone(make_user("inspector", rivers.town_a))
    officer = ApiClient(make_user("town_officer", rivers.town_a))
    district = ApiClient(make_user("environment_bureau", rivers.district))
    cu, submitted = phone.complete(rivers, {**sewage_answers(), "ledger.meter": {"value": False}})
    assert submitted.status_code == 200, submitted.content
    body = {"decision": "approve", "reason": "", "item_comments": {}}
    assert officer.post(f"/api/v1/inspections/{cu}/review", body).status_code == 200
    plan = district.get(_path(rivers)).json()
    [problem] = plan["problems"]
    assert (
        problem["is_open"]
        and problem["site_id"] == rivers.facility_a.pk
        and problem["category"] == "no_meter"
    )
    assert problem["deadline"] and problem["responsible_unit"] and problem["distance_m"] > 0
    url = f"/api/v1/rectifications/{problem['id']}/transition"
    assert officer.post(url, {"action": "start", "note": "采购独立电表"}).status_code == 200
    assert officer.post(url, {"action": "submit", "note": "已安装独立电表"}).status_code == 200
    assert district.get(_path(rivers)).json()["problems"][0]["measure"] == "已安装独立电表"
    assert district.post(url, {"action": "close"}).json()["status"] == "closed"
    after = district.get(_path(rivers)).json()
    assert after["problems_open"] == 0 and [(p["id"], p["is_open"]) for p in after["problems"]] == [
        (problem["id"], False)
    ]
    assert (
        json.loads(district.get(f"/api/v1/water/sections/{rivers.section_a.pk}/upstream").content)["problems"]
        == []
    )
