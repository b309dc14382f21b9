"""The town dashboard through the test client: scope as the API's, no query per row, the photo door."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.console.test_console import signed_in


def test_a_town_officer_sees_their_town_and_404_elsewhere(console_users, world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("changle")
    page = client.get(f"/console/towns/{world.town_a.pk}/")
    assert page.status_code == 200
    assert "<h1>常乐镇</h1>" in page.content.decode()
    assert client.get(f"/console/towns/{world.town_b.pk}/").status_code == 404
    assert client.get(f"/console/towns/{world.village_a.pk}/").status_code == 404  # not a town
    assert client.get(f"/console/towns/{world.district.pk}/").status_code == 404
    assert client.get("/console/towns/999999/").status_code == 404
    # …and the index takes them straight to their own town
    index = client.get("/console/towns/")
    assert index.status_code == 302 and index["Location"] == f"/console/towns/{world.town_a.pk}/"


@pytest.mark.parametrize("username", ["anweiban", "guihua", "admin"])
def test_district_and_planners_see_every_town(console_users, world, username) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(username)
    for town in (world.town_a, world.town_b):
        assert client.get(f"/console/towns/{town.pk}/").status_code == 200
    assert client.get(f"/console/towns/{world.village_b.pk}/").status_code == 404
    html = client.get("/console/towns/").content.decode()
    for town in (world.town_a, world.town_b):
        assert f'href="/console/towns/{town.pk}/"' in html


def test_anonymous_visitors_are_sent_to_login(world) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    response = Client().get(f"/console/towns/{world.town_a.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")


def test_navigation_has_the_towns_entry(console_users) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/console/towns/"' in signed_in("changle").get("/console/").content.decode()


def _repairs_and_inspections(world: Any, user: Any, n: int) -> None:
    """``n`` rectifications (half overdue) and ``n`` submitted inspections about 常乐镇's facility."""
    from checklists.models import ChecklistTemplate, Finding, Inspection, Rectification
    from checklists.services.templates import templates_sync

    templates_sync()
    template = ChecklistTemplate.objects.get(key="sewage-facility-audit", status="published")
    today = timezone.localdate()
    subject = {
        "subject_kind": "sewage_facility",
        "subject_id": world.facility_a.pk,
        "subject_name": world.facility_a.name,
        "subject_region": world.village_a,
        "subject_town": world.town_a,
    }
    start = Inspection.objects.count()
    for i in range(n):
        inspection = Inspection.objects.create(
            client_uuid=uuid.uuid4(), template=template, inspector=user, purpose="audit", period=today.year,
            status="submitted", submitted_at=timezone.now(), percent=Decimal("90"), **subject,
        )  # fmt: skip
        finding = Finding.objects.create(
            inspection=inspection, revision=1, item_key=f"ledger.meter-{start + i}", item_title="无电表",
            kind="boolean", category="no_meter", points_lost=Decimal("1"), reason="现场无电表",
        )  # fmt: skip
        late = i % 2 == 0
        Rectification.objects.create(
            finding=finding, category="no_meter", status="open", overdue=late,
            deadline=today - timedelta(days=3) if late else today + timedelta(days=30),
            overdue_since=today - timedelta(days=2) if late else None, **subject,
        )  # fmt: skip


def test_queries_do_not_grow_with_rectifications_and_inspections(console_users, world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("anweiban")
    path = f"/console/towns/{world.town_a.pk}/"
    _repairs_and_inspections(world, console_users["jiancha1"], 5)
    client.get(path)  # warm caches (templates, scheme files)
    with CaptureQueriesContext(connection) as few:
        html = client.get(path).content.decode()
    assert html.count('class="overdue"') == 3
    _repairs_and_inspections(world, console_users["jiancha1"], 15)
    with CaptureQueriesContext(connection) as many:
        html = client.get(path).content.decode()
    assert html.count('class="overdue"') == 3 + 8 and "待审核的检查（20）" in html
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_town_officer_sees_the_same_rectifications_as_the_api(console_users, world) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ApiClient

    _repairs_and_inspections(world, console_users["jiancha1"], 4)
    html = signed_in("changle").get(f"/console/towns/{world.town_a.pk}/").content.decode()
    api = ApiClient(console_users["changle"])
    listed = api.get("/api/v1/rectifications", town_id=world.town_a.pk).json()["items"]
    overdue = api.get("/api/v1/rectifications/overdue-by-town").json()
    assert f"未销号 {len(listed)} 项" in html
    assert f'<span data-field="overdue-count">{overdue[0]["count"]}</span>' in html
    for r in listed:
        assert r["deadline"] in html
    # the other town's officer cannot open it, nor see them through the API
    assert signed_in("sijia").get(f"/console/towns/{world.town_a.pk}/").status_code == 404


def test_the_console_photo_door_asks_the_api_rule(console_users, world) -> None:  # type: ignore[no-untyped-def]
    from checklists.models import Inspection, InspectionPhoto
    from media.services import photo_store
    from tests.checklists.conftest import png_bytes
    from tests.conftest import ApiClient

    _repairs_and_inspections(world, console_users["jiancha1"], 1)
    photo = photo_store(data=png_bytes(7), uploaded_by_id=console_users["jiancha1"].pk)
    InspectionPhoto.objects.create(
        inspection=Inspection.objects.get(), photo=photo, client_uuid=uuid.uuid4(), revision=1,
        item_key="ledger.meter", uploaded_by=console_users["jiancha1"],
    )  # fmt: skip
    path = f"/console/photos/{photo.sha256}/"
    own = signed_in("changle").get(path)
    assert own.status_code == 200 and own["Content-Type"] == "image/png"
    assert b"".join(own.streaming_content) == png_bytes(7)
    assert own["Cache-Control"] == "private, max-age=86400"
    # another town's officer: 404, as the API answers them
    assert signed_in("sijia").get(path).status_code == 404
    assert ApiClient(console_users["sijia"]).get(f"/api/v1/photos/{photo.sha256}").status_code == 404
    assert ApiClient(console_users["changle"]).get(f"/api/v1/photos/{photo.sha256}").status_code == 200
    # the API still asks for its token: a console session alone is not enough there
    assert signed_in("changle").get(f"/api/v1/photos/{photo.sha256}").status_code == 401
    assert signed_in("changle").get("/console/photos/" + "0" * 64 + "/").status_code == 404
    from django.test import Client

    assert Client().get(path).status_code == 302  # anonymous: to the login page


def test_the_dashboard_is_read_only(console_users, world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("anweiban")
    photo = "/console/photos/" + "0" * 64 + "/"
    for path in (f"/console/towns/{world.town_a.pk}/", "/console/towns/", photo):
        assert client.post(path).status_code == 405
