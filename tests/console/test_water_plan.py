"""The 工作方案 panel of ``/console/water/sections/<id>/`` through the test client: the plan's three parts as
the API answers them, the text saved as versions by the same service (htmx in place, or a plain form and a
redirect), errors beside the form with the typed text kept, read-only for planners, scope as the API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import timezone

from scoring.models import WorkPlan, WorkPlanVersion
from tests.conftest import ApiClient, World
from tests.console.test_console import signed_in

HX = {"HX-Request": "true"}


@pytest.fixture
def section(console_users: dict[str, Any], world: World) -> Any:
    return world.section_a


def _page(username: str, section: Any) -> str:
    response = signed_in(username).get(f"/console/water/sections/{section.pk}/")
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_the_panel_shows_the_plan_and_saves_versions(section, console_users) -> None:  # type: ignore[no-untyped-def]
    html = _page("changle", section)
    assert "“稳Ⅲ提Ⅲ”工作方案" in html and 'id="work-plan"' in html
    for part in (
        "一、断面水质及超标原因分析",
        "二、断面上游 10 公里范围内一级支流清单",
        "三、溯源排查出的问题清单",
    ):
        assert part in html
    plan = ApiClient(console_users["changle"]).get(f"/api/v1/water/sections/{section.pk}/work-plan").json()
    assert plan["quality"]["analysis"]["summary"] in html and plan["upstream_message"] in html
    assert 'name="analysis"' in html and 'name="version" value="0"' in html
    client = signed_in("changle")
    url = f"/console/water/sections/{section.pk}/work-plan/"
    form = {"analysis": "氨氮超标：上游支流生活污水", "document_number": "海环〔2026〕3号", "version": "0",
            "year": str(timezone.localdate().year)}  # fmt: skip
    saved = client.post(url, form, headers=HX)
    assert saved.status_code == 200, saved.content
    part = saved.content.decode()
    assert "已保存为第 1 版" in part and 'name="version" value="1"' in part and "<html" not in part
    # a stale form (version 0 again): 409 beside the form, the typed text kept, nothing written
    stale = client.post(url, {"analysis": "另一稿", "version": "0"}, headers=HX)
    assert stale.status_code == 409 and 'data-code="version_conflict"' in stale.content.decode()
    assert "另一稿" in stale.content.decode()
    assert WorkPlanVersion.objects.count() == 1
    plain = client.post(url, {"analysis": "第二稿", "version": "1"})  # without htmx: saved, then the page
    assert plain.status_code == 302 and plain["Location"] == f"/console/water/sections/{section.pk}/"
    assert WorkPlan.objects.get().version == 2
    assert "第二稿" in _page("huanjing", section) and "历次版本（2）" in _page("huanjing", section)


def test_planners_read_town_b_does_not_see_it_errors_inline(section, console_users) -> None:  # type: ignore[no-untyped-def]
    url = f"/console/water/sections/{section.pk}/work-plan/"
    html = _page("guihua", section)
    assert 'id="work-plan"' in html and 'name="analysis"' not in html and "（尚未填写）" in html
    refused = signed_in("guihua").post(url, {"analysis": "规划写", "version": "0"}, headers=HX)
    assert refused.status_code == 403 and 'data-code="permission_denied"' in refused.content.decode()
    sijia = signed_in("sijia")
    assert sijia.get(f"/console/water/sections/{section.pk}/").status_code == 404
    assert sijia.post(url, {"analysis": "越权", "version": "0"}, headers=HX).status_code == 404
    assert sijia.get(f"/console/water/sections/{section.pk}/work-plan.docx").status_code == 404
    too_long = signed_in("changle").post(url, {"analysis": "长" * 20_001, "version": "0"}, headers=HX)
    assert too_long.status_code == 422 and "<code>analysis</code>" in too_long.content.decode()
    assert not WorkPlanVersion.objects.exists()
    assert signed_in("changle").get(url).status_code == 302  # the panel alone is for htmx


def test_the_word_file_from_the_console(section, console_users) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    response = signed_in("huanjing").get(f"/console/water/sections/{section.pk}/work-plan.docx")
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(response.content))
    assert "甲桥断面“稳Ⅲ提Ⅲ”工作方案" in doc.paragraphs[0].text and len(doc.tables) == 3  # no indicators
