"""The catalogue gives each assignment its subject's WGS-84 point, so a phone shows the distance and the
direction to it offline and warns of a photo taken far from it before the inspector leaves."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.gis.geos import Point

from checklists.models import Assignment
from tests.checklists.conftest import Phone
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _task(phone: Phone, kind: str, subject: Any, region: Any, key: str = "sewage-facility-audit") -> Any:
    return Assignment.objects.create(
        template_key=key, inspector_id=phone.user_id, subject_kind=kind, subject_id=subject.pk,
        subject_name=subject.name, subject_region=region, subject_town=None,
    )  # fmt: skip


def test_assignments_carry_the_subjects_point_or_null(world, templates) -> None:  # type: ignore[no-untyped-def]
    phone = Phone(make_user("inspector", world.town_a, username="jiancha_pt"))
    world.facility_a.location = Point(121.31, 31.95, srid=4326)
    world.facility_a.save(update_fields=["location"])
    world.town_a.centroid = Point(121.25, 31.88, srid=4326)
    world.town_a.save(update_fields=["centroid"])
    world.facility_b.location = None
    world.facility_b.save(update_fields=["location"])
    tasks = {
        "facility": _task(phone, "sewage_facility", world.facility_a, world.village_a),
        "section": _task(phone, "river_section", world.section_a, world.district, "river-section-inspection"),
        "town": _task(phone, "town", world.town_a, world.town_a, "safety-town"),
        "unsurveyed": _task(phone, "sewage_facility", world.facility_b, world.village_b),
    }
    body = phone.get("/api/v1/catalogue").json()
    points = {a["id"]: (a["subject_lon"], a["subject_lat"]) for a in body["assignments"]}
    assert points[tasks["facility"].pk] == pytest.approx((121.31, 31.95))
    assert points[tasks["section"].pk] == pytest.approx((121.2, 31.9))
    assert points[tasks["town"].pk] == pytest.approx((121.25, 31.88))  # a region: its centroid
    assert points[tasks["unsurveyed"].pk] == (None, None)
    # `since` answers the same fields
    since = phone.get("/api/v1/catalogue", {"since": "2000-01-01T00:00:00+08:00"}).json()
    assert {a["id"]: (a["subject_lon"], a["subject_lat"]) for a in since["assignments"]} == points
