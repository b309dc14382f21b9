"""The planners' map below ``MAP_CLUSTER_BELOW_ZOOM``: point layers aggregated into grid cells, decoded."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.selectors import principal_for
from checklists.maps import tiles
from checklists.models import InspectionPhoto, Rectification
from geo import mvt
from geo.models import FacilityCondition, SewageFacility
from geo.services import facility_condition_record
from tests.checklists.test_map_tiles import _area, _canonical, features, tile_of
from tests.checklists.test_review_and_rectifications import approved_with_findings
from tests.conftest import make_user
from tests.factories import FacilityFactory

LOW = 8
CELLS = 32 * 32  # cells of 128 tile units


def _tile_url(layer: str, z: int, lon: float = 121.2, lat: float = 31.9) -> str:
    z, x, y = tile_of(lon, lat, z)
    return f"/api/v1/geo/tiles/{layer}/{z}/{x}/{y}.pbf"


def _in_tile(lon: float, lat: float, z: int) -> bool:
    return tile_of(lon, lat, z) == tile_of(121.2, 31.9, z)


@pytest.fixture
def many(world):  # type: ignore[no-untyped-def]
    """40 facilities in town A, 25 in town B, at pseudo-random points around Haimen (some outside the z8
    tile of 121.2/31.9); a third of A's audited normal, a sixth stopped and damaged."""
    rng = random.Random(16)
    SewageFacility.objects.filter(pk=world.facility_a.pk).update(location=Point(121.20, 31.90, srid=4326))
    SewageFacility.objects.filter(pk=world.facility_b.pk).update(location=Point(121.2005, 31.9003, srid=4326))
    for village, n in ((world.village_a, 40), (world.village_b, 25)):
        for _ in range(n):
            at = Point(rng.uniform(119.5, 122.5), rng.uniform(30.5, 32.9), srid=4326)
            FacilityFactory(village=village, location=at)
    for i, f in enumerate(SewageFacility.objects.filter(village=world.village_a).order_by("pk")):
        if i % 3 == 0 or i % 6 == 1:
            facility_condition_record(
                facility_id=f.pk, conditions=["normal"] if i % 3 == 0 else ["stopped", "damaged"],
                status="in_service" if i % 3 == 0 else "stopped", inspection_uuid=uuid.uuid4(),
                approved_at=timezone.now(),
            )  # fmt: skip
    return world


def _in_scope(town: Any | None, z: int) -> list[SewageFacility]:
    qs = SewageFacility.objects.all()
    if town is not None:
        qs = qs.filter(village__parent=town)
    return [f for f in qs if f.location and _in_tile(f.location.x, f.location.y, z)]


def _clusters(client: Any, layer: str, z: int = LOW) -> list[dict[str, Any]]:
    found = features(client.get(_tile_url(layer, z)), layer)
    for f in found:
        assert f["geometry"]["type"] == "Point", f
        x, y = f["geometry"]["coordinates"]
        assert 0 <= x <= mvt.EXTENT and 0 <= y <= mvt.EXTENT, f  # a cell lies in its own tile
    return found


def test_low_zoom_facility_tiles_hold_one_feature_per_grid_cell_counting_the_points(many, api_as) -> None:  # type: ignore[no-untyped-def]
    planner = api_as("planner", many.district)
    expected = _in_scope(None, LOW)
    assert 10 < len(expected) < SewageFacility.objects.count()  # the tile holds some, not all
    found = _clusters(planner, "facilities")
    assert 0 < len(found) <= min(CELLS, len(expected))
    assert sum(f["properties"]["count"] for f in found) == len(expected)
    assert len({f["id"] for f in found}) == len(found)
    props = {k for f in found for k in f["properties"]}
    assert props == {"count", "normal", "abnormal", "unaudited"}
    for f in found:
        p = f["properties"]
        assert p["count"] == p["normal"] + p["abnormal"] + p["unaudited"] >= 1
    audited = {c.facility_id: c.conditions for c in FacilityCondition.objects.all()}
    in_tile = [audited.get(f.pk) for f in expected]
    assert sum(f["properties"]["normal"] for f in found) == in_tile.count(["normal"])
    assert sum(f["properties"]["abnormal"] for f in found) == in_tile.count(["stopped", "damaged"])
    # WS-A and WS-B, 60 m apart, share a cell (0.044° wide at z8).
    near = [f for f in found if f["properties"]["count"] >= 2]
    assert near


def test_low_zoom_counts_are_scoped(many, api_as) -> None:  # type: ignore[no-untyped-def]
    for town in (many.town_a, many.town_b):
        officer = api_as("town_officer", town)
        found = _clusters(officer, "facilities")
        assert sum(f["properties"]["count"] for f in found) == len(_in_scope(town, LOW)) > 0


def test_the_threshold_zoom_and_above_keep_single_points(many, api_as) -> None:  # type: ignore[no-untyped-def]
    assert django_settings.MAP_CLUSTER_BELOW_ZOOM == 12
    planner = api_as("planner", many.district)
    at_12 = features(planner.get(_tile_url("facilities", 12)), "facilities")
    assert "WS-A" in {f["properties"].get("code") for f in at_12}
    assert all("count" not in f["properties"] for f in at_12)
    at_11 = _clusters(planner, "facilities", 11)
    assert at_11 and all("code" not in f["properties"] for f in at_11)
    schema = Client().get("/api/v1/openapi.json").json()
    described = schema["paths"]["/api/v1/geo/tiles/{layer}/{z}/{x}/{y}.pbf"]["get"]["description"]
    assert (
        described.count("缩放级别低于 12") == 3 and "`flagged`" in described and "`overdue` 其中" in described
    )


def test_low_zoom_photos_and_rectifications_count_flagged_and_overdue(
    many, api_as, phone_a, officer_a
) -> None:  # type: ignore[no-untyped-def]
    approved_with_findings(many, phone_a, officer_a, {"ledger.meter": {"value": False}})
    photos = list(InspectionPhoto.objects.order_by("pk"))
    assert len(photos) >= 2
    for i, photo in enumerate(photos):
        photo.device_location = Point(121.2 + i * 0.0001, 31.9, srid=4326)
        photo.flags, photo.flag_count = ([{"code": "location_far"}], 1) if i == 0 else ([], 0)
        photo.save(update_fields=["device_location", "flags", "flag_count"])
    Rectification.objects.update(overdue=True)
    planner = api_as("planner", many.district)
    found = _clusters(planner, "photos")
    assert [f["properties"] for f in found] == [{"count": len(photos), "flagged": 1}]
    rects = _clusters(planner, "rectifications")
    n = Rectification.objects.count()
    assert n and [f["properties"] for f in rects] == [{"count": n, "overdue": n}]
    for layer in ("photos", "rectifications"):
        other = api_as("town_officer", many.town_b)
        assert layer not in mvt.decode(other.get(_tile_url(layer, LOW)).content), layer


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares ST_AsMVT with the Python encoder")
def test_postgis_and_python_aggregate_the_same_cells(many, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    approved_with_findings(many, phone_a, officer_a, {"ledger.meter": {"value": False}})
    rng = random.Random(8)
    for photo in InspectionPhoto.objects.all():
        photo.device_location = Point(rng.uniform(120.5, 122), rng.uniform(31.5, 32.5), srid=4326)
        photo.save(update_fields=["device_location"])
    for town in (None, many.town_a):
        principal = principal_for(make_user("planner", many.district) if town is None else
                                  make_user("town_officer", town))  # fmt: skip
        for layer in ("facilities", "photos", "rectifications"):
            for z in (6, LOW, 11):
                z, x, y = tile_of(121.2, 31.9, z)
                req = tiles.tile_request(principal=principal, layer=layer, z=z, x=x, y=y, month=None)
                querysets = req.layer.querysets(req.paths, _area(req))
                pg = mvt.decode(tiles._postgis(req, querysets, None)).get(layer, [])
                py = mvt.decode(tiles._python(req, querysets, None)).get(layer, [])
                assert pg or layer != "facilities", (layer, z)
                assert _canonical(pg) == _canonical(py), (layer, z, town)


@given(
    st.integers(0, 14),
    st.lists(st.tuples(st.floats(-0.2, 1.2), st.floats(-0.2, 1.2), st.booleans()), max_size=60),
)
def test_grid_cells_count_every_point_of_the_tile_once(
    z: int, spots: list[tuple[float, float, bool]]
) -> None:
    _, x, y = tile_of(121.2, 31.9, z)
    tile = mvt.Tile(z, x, y)
    minx, miny, maxx, maxy = tile.bounds_3857()
    points = []
    for fx, fy, flag in spots:  # fractions of the tile, some in the buffer or beyond
        lon, lat = mvt.mercator_to_lonlat(minx + fx * (maxx - minx), maxy - fy * (maxy - miny))
        points.append((lon, lat, {"flagged": flag}))
    inside = [p for p in points if mvt.cell_of(*mvt.lonlat_to_mercator(p[0], p[1]), tile) is not None]
    cells = mvt.grid_aggregate(points, tile, ["flagged"])
    assert sum(c.properties["count"] for c in cells) == len(inside)
    assert sum(c.properties["flagged"] for c in cells) == sum(p[2]["flagged"] for p in inside)
    n = mvt.EXTENT // mvt.CELL
    assert len({c.id for c in cells}) == len(cells) <= n * n
    width = (1 << z) * n
    for c in cells:
        cx, cy = c.id % width - x * n, c.id // width - y * n
        assert cx * mvt.CELL <= c.geometry.x <= (cx + 1) * mvt.CELL
        assert cy * mvt.CELL <= c.geometry.y <= (cy + 1) * mvt.CELL


def test_gcj02_cells_count_the_same_points_shifted_onto_the_gcj02_map(many, api_as) -> None:  # type: ignore[no-untyped-def]
    """Over a 高德 base map (``datum=gcj02``) the cells hold the points moved by the GCJ-02 offset: the
    cell of WS-A and WS-B sits some hundred metres (several tile units at z8) from its WGS-84 place."""
    planner = api_as("planner", many.district)
    url = _tile_url("facilities", LOW)
    wgs = features(planner.get(url), "facilities")
    gcj = features(planner.get(url + "?datum=gcj02"), "facilities")
    assert gcj and all(set(f["properties"]) == {"count", "normal", "abnormal", "unaudited"} for f in gcj)
    # Points near the tile's edge may cross into a neighbour when shifted; the pair in the middle does not.
    pair = [f for f in wgs if f["properties"]["count"] >= 2]
    shifted = [f for f in gcj if f["properties"]["count"] >= 2]
    assert pair and shifted
    (wx, wy), (gx, gy) = pair[0]["geometry"]["coordinates"], shifted[0]["geometry"]["coordinates"]
    assert 5 < ((gx - wx) ** 2 + (gy - wy) ** 2) ** 0.5 < 40  # ~500 m at ~38 m per unit
    assert planner.get(url).headers["ETag"] != planner.get(url + "?datum=gcj02").headers["ETag"]
