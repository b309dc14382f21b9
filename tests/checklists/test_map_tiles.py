"""The planners' map: vector tiles, decoded — contents, properties, scope, caching, both encoders."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import shapely.geometry
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.selectors import principal_for
from checklists.maps import tiles
from checklists.maps.sources import LAYERS
from checklists.models import InspectionPhoto
from geo import mvt
from geo.models import Region, SewageFacility
from geo.services import facility_condition_record
from scoring.models import Measurement
from tests.checklists.test_review_and_rectifications import approved_with_findings
from tests.conftest import ApiClient, assert_error, make_user

Z = 10


@pytest.fixture(autouse=True)
def _points_unclustered_at_z(settings) -> None:  # type: ignore[no-untyped-def]
    """These tests read single points at z10; grid aggregation below the threshold is tested in
    ``test_map_clusters`` (which also checks the default threshold)."""
    settings.MAP_CLUSTER_BELOW_ZOOM = Z


def tile_of(lon: float, lat: float, z: int = Z) -> tuple[int, int, int]:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    r = math.radians(lat)
    y = int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
    return z, x, y


def get_tile(client: ApiClient, layer: str, lon: float = 121.2, lat: float = 31.9, **kw: Any) -> Any:
    z, x, y = tile_of(lon, lat)
    return client.get(f"/api/v1/geo/tiles/{layer}/{z}/{x}/{y}.pbf", **kw)


def features(response: Any, layer: str) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    found = list(mvt.decode(response.content).get(layer, []))
    for f in found:  # every feature lies in the tile (plus its buffer)
        xs, ys = _coords(f["geometry"]["coordinates"])
        assert all(-mvt.BUFFER <= v <= mvt.EXTENT + mvt.BUFFER for v in xs + ys), f
    return found


def _coords(c: Any) -> tuple[list[float], list[float]]:
    if isinstance(c[0], int | float):
        return [c[0]], [c[1]]
    xs: list[float] = []
    ys: list[float] = []
    for part in c:
        a, b = _coords(part)
        xs += a
        ys += b
    return xs, ys


def by_code(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["properties"]["code"]: f["properties"] for f in found}


@pytest.fixture
def placed(world):  # type: ignore[no-untyped-def]
    SewageFacility.objects.filter(pk=world.facility_a.pk).update(location=Point(121.20, 31.90, srid=4326))
    SewageFacility.objects.filter(pk=world.facility_b.pk).update(location=Point(121.21, 31.905, srid=4326))
    return world


@given(st.floats(-179.9, 179.9), st.floats(-85, 85), st.integers(0, 22))
def test_a_point_falls_in_its_own_tile(lon: float, lat: float, z: int) -> None:
    _, x, y = tile_of(lon, lat, z)
    x, y = min(x, (1 << z) - 1), min(max(y, 0), (1 << z) - 1)
    x0, y0, x1, y1 = mvt.Tile(z, x, y).bounds_4326(buffer=1)
    assert x0 <= lon <= x1 and y0 <= lat <= y1


def test_facility_tiles_are_scoped_and_carry_the_documented_properties(placed, api_as) -> None:  # type: ignore[no-untyped-def]
    planner = api_as("planner", placed.district)
    both = by_code(features(get_tile(planner, "facilities"), "facilities"))
    assert set(both) == {"WS-A", "WS-B"}
    assert both["WS-A"] == {"code": "WS-A", "name": placed.facility_a.name, "status": "in_service"}
    changle = api_as("town_officer", placed.town_a)
    assert set(by_code(features(get_tile(changle, "facilities"), "facilities"))) == {"WS-A"}
    sijia = api_as("town_officer", placed.town_b)
    assert set(by_code(features(get_tile(sijia, "facilities"), "facilities"))) == {"WS-B"}


def test_etag_304_and_a_new_value_after_a_write(placed, api_as) -> None:  # type: ignore[no-untyped-def]
    planner = api_as("planner", placed.district)
    first = get_tile(planner, "facilities")
    assert first["Cache-Control"].startswith("private, max-age=")
    etag = first["ETag"]
    again = get_tile(planner, "facilities", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    other_scope = get_tile(api_as("town_officer", placed.town_a), "facilities")
    assert other_scope["ETag"] != etag
    facility_condition_record(
        facility_id=placed.facility_a.pk, conditions=["stopped", "damaged"], status="stopped",
        inspection_uuid=uuid.uuid4(), approved_at=timezone.now(),
    )  # fmt: skip
    changed = get_tile(planner, "facilities", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    props = by_code(features(changed, "facilities"))["WS-A"]
    assert (props["condition"], props["status"]) == ("stopped,damaged", "stopped")


def test_bad_layer_and_coordinates(placed, api_as) -> None:  # type: ignore[no-untyped-def]
    planner = api_as("planner", placed.district)
    assert_error(planner.get("/api/v1/geo/tiles/wells/1/0/0.pbf"), 404, "unknown_layer")
    body = assert_error(planner.get("/api/v1/geo/tiles/towns/23/0/0.pbf"), 422)
    assert "z" in body["details"]["fields"]
    body = assert_error(planner.get("/api/v1/geo/tiles/towns/2/4/0.pbf"), 422)
    assert "x" in body["details"]["fields"]
    body = assert_error(planner.get("/api/v1/geo/tiles/towns/2/0/4.pbf"), 422)
    assert "y" in body["details"]["fields"]
    body = assert_error(planner.get("/api/v1/geo/tiles/towns/3/-1/0.pbf"), 422)
    assert "x" in body["details"]["fields"]
    for month in ("2026-13", "2026-1-1", "99999999999999999999-1", "x"):
        body = assert_error(planner.get("/api/v1/geo/tiles/sections/2/0/0.pbf", month=month), 422)
        assert "month" in body["details"]["fields"]
    assert_error(ApiClient().get("/api/v1/geo/tiles/towns/2/0/0.pbf"), 401)


def test_an_empty_tile_is_an_empty_200(placed, api_as) -> None:  # type: ignore[no-untyped-def]
    planner = api_as("planner", placed.district)
    empty = get_tile(planner, "facilities", lon=10.0, lat=50.0)
    assert empty.status_code == 200 and empty.content == b"" and empty["ETag"]
    assert mvt.decode(empty.content) == {}


def test_towns_sections_rectifications_and_photos(placed, api_as, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    square = MultiPolygon(Polygon.from_bbox((121.19, 31.89, 121.205, 31.91)), srid=4326)
    Region.objects.filter(pk=placed.town_a.pk).update(boundary=square)
    month = timezone.localdate()
    for indicator, value in (("nh3n", "0.4"), ("tp", "0.05"), ("codmn", "3"), ("do", "7")):
        Measurement.objects.create(
            section=placed.section_a, indicator=indicator, value=Decimal(value), source="manual",
            sampled_at=datetime(month.year, month.month, 1, 9, tzinfo=timezone.get_default_timezone()),
        )  # fmt: skip
    approved_with_findings(placed, phone_a, officer_a, {"ledger.meter": {"value": False}})
    InspectionPhoto.objects.update(device_location=Point(121.2001, 31.9001, srid=4326))
    planner = api_as("planner", placed.district)

    towns = features(get_tile(planner, "towns"), "towns")
    assert [t["properties"]["name"] for t in towns] == ["常乐镇"]
    assert towns[0]["geometry"]["type"] == "Polygon"

    sections = by_code(features(get_tile(planner, "sections"), "sections"))
    assert set(sections) == {"S-A"}
    assert sections["S-A"]["target_class"] == 3 and sections["S-A"]["watch"] is False
    assert sections["S-A"]["class"] == 2 and sections["S-A"]["class_label"] == "Ⅱ"
    assert sections["S-A"]["meets_target"] is True
    last_year = get_tile(planner, "sections", month=f"{month.year - 1}-{month.month:02d}")
    assert "class" not in by_code(features(last_year, "sections"))["S-A"]

    rects = features(get_tile(planner, "rectifications"), "rectifications")
    assert rects and {r["properties"]["subject_kind"] for r in rects} == {"sewage_facility"}
    assert {r["properties"]["status"] for r in rects} == {"open"}
    assert all(r["properties"]["overdue"] is False and "deadline" in r["properties"] for r in rects)

    photos = features(get_tile(planner, "photos"), "photos")
    assert photos and {p["properties"]["kind"] for p in photos} == {"inspection"}
    assert all(isinstance(p["properties"]["flag_count"], int) for p in photos)
    for layer in ("towns", "sections", "rectifications", "photos"):
        b = get_tile(api_as("town_officer", placed.town_b), layer)
        assert layer not in mvt.decode(b.content), layer


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares ST_AsMVT with the Python encoder")
def test_postgis_and_python_encoders_answer_the_same_features(placed, phone_a, officer_a, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _rivers_imported(tmp_path)
    square = MultiPolygon(Polygon.from_bbox((121.19, 31.89, 121.205, 31.91)), srid=4326)
    Region.objects.filter(pk=placed.town_a.pk).update(boundary=square)
    approved_with_findings(placed, phone_a, officer_a, {"ledger.meter": {"value": False}})
    InspectionPhoto.objects.update(device_location=Point(121.2001, 31.9001, srid=4326))
    _outfall_inspected(placed)
    _pump_stations(placed)
    principal = principal_for(make_user("planner", placed.district))
    for layer in LAYERS:
        z, x, y = tile_of(121.2, 31.9)
        req = tiles.tile_request(principal=principal, layer=layer, z=z, x=x, y=y, month=None)
        querysets = req.layer.querysets(req.paths, _area(req))
        classes = {} if layer == "sections" else None
        pg = mvt.decode(tiles._postgis(req, querysets, classes)).get(layer, [])
        py = mvt.decode(tiles._python(req, querysets, classes)).get(layer, [])
        assert pg, layer
        assert _canonical(pg) == _canonical(py), layer


def _outfall_inspected(world: Any) -> None:
    """An outfall (排污口) in the tile, last inspected late in the evening UTC: the next day in Haimen."""
    from geo.demo import SYSTEM
    from geo.models import Outfall
    from geo.outfalls.services import outfall_create
    from geo.services import LocationInput

    o = outfall_create(principal=SYSTEM, code="PWK-T", name="甲排口", kind="industrial",
                       town_id=world.town_a.pk, location=LocationInput(121.2002, 31.9002))  # fmt: skip
    Outfall.objects.filter(pk=o.pk).update(last_inspected_at=datetime(2022, 9, 20, 17, 0, tzinfo=UTC))


def _pump_stations(world: Any) -> None:
    """One station holding sewage, one cleared (清零: a date property) and one that never held any."""
    from geo.demo import SYSTEM
    from geo.pumps.services import pump_station_create, pump_station_update
    from geo.services import LocationInput

    for k, holds in enumerate((True, True, False)):
        station = pump_station_create(
            principal=SYSTEM, code=f"PS-{k}", name=f"{k}号泵站", town_id=world.town_a.pk,
            holds_sewage=holds, location=LocationInput(121.2 + k / 1000, 31.9),
        )  # fmt: skip
        if k == 1:
            pump_station_update(principal=SYSTEM, station_id=station.pk, changes={}, holds_sewage=False)


def _rivers_imported(tmp_path: Any) -> None:
    from geo.demo import SYSTEM
    from geo.rivers import engine
    from geo.rivers.services import river_network_import
    from tests.geo.river_files import river_features, write_geojson

    engine.forget()
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )


def test_the_rivers_layer_is_the_same_base_for_every_reader(placed, api_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    planner = api_as("planner", placed.district)
    assert "rivers" not in mvt.decode(get_tile(planner, "rivers").content)
    before = get_tile(planner, "rivers")["ETag"]
    _rivers_imported(tmp_path)
    assert get_tile(planner, "rivers")["ETag"] != before  # the import bumps the layer
    found = features(get_tile(planner, "rivers"), "rivers")
    props = sorted(
        (f["properties"]["river_id"], f["properties"]["name"], f["properties"]["level"]) for f in found
    )
    assert props == [("M", "主河", 0), ("M", "主河", 0), ("T", "支河", 1)]
    assert all(f["geometry"]["type"] == "LineString" and f["properties"]["synthetic"] is False for f in found)
    # district-wide geography: a town's officer sees the same rivers as the district's planner
    town_b = features(get_tile(api_as("town_officer", placed.town_b), "rivers"), "rivers")
    assert sorted(f["id"] for f in town_b) == sorted(f["id"] for f in found)


def _area(req: Any) -> Polygon:
    return Polygon.from_bbox(req.tile.bounds_4326())


def _canonical(found: Any) -> list[Any]:
    return sorted(
        # ST_AsMVTGeom drops a line's collinear vertices (a river's vertex where a tributary joins), the
        # Python encoder keeps them: the same line either way
        (
            f["id"],
            shapely.geometry.shape(f["geometry"]).simplify(0).normalize().wkt,
            sorted(f["properties"].items()),
        )
        for f in found
    )


def test_each_layer_changes_its_etag_when_its_writers_write(placed, api_as, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    from checklists.models import Rectification
    from checklists.services.rectifications import rectifications_mark_overdue
    from tests.scoring.test_water_api import GOOD, upload

    planner = api_as("planner", placed.district)
    bureau = api_as("environment_bureau", placed.district)

    def etag(layer: str, **kw: Any) -> str:
        return get_tile(planner, layer, **kw)["ETag"]

    before = {layer: etag(layer) for layer in ("rectifications", "photos")}
    sections = etag("sections", month="2022-09")
    assert upload(bureau, GOOD.encode("utf-8")).json()["report"]["imported"] > 0
    assert etag("sections", month="2022-09") != sections
    assert by_code(features(get_tile(planner, "sections", month="2022-09"), "sections"))["S-A"]["class"] == 3

    approved_with_findings(placed, phone_a, officer_a, {"ledger.meter": {"value": False}})
    after = {layer: etag(layer) for layer in before}
    assert all(after[layer] != before[layer] for layer in before), (before, after)
    rect = Rectification.objects.get()
    moved = etag("rectifications")
    officer_a.post(f"/api/v1/rectifications/{rect.pk}/transition", {"action": "start"})
    assert etag("rectifications") != moved
    moved = etag("rectifications")
    assert rectifications_mark_overdue(today=rect.deadline.replace(year=rect.deadline.year + 1)) == 1
    assert etag("rectifications") != moved


def test_the_pump_station_layer_is_scoped_carries_its_sewage_state_and_follows_its_writers(
    placed, api_as
) -> None:  # type: ignore[no-untyped-def]
    from geo.demo import SYSTEM
    from geo.pumps.services import pump_station_create, pump_station_update
    from geo.services import LocationInput

    planner = api_as("planner", placed.district)
    before = get_tile(planner, "pump_stations")["ETag"]
    held = pump_station_create(principal=SYSTEM, code="PS-A", name="甲泵站", town_id=placed.town_a.pk,
                               holds_sewage=True, location=LocationInput(121.201, 31.901))  # fmt: skip
    pump_station_create(principal=SYSTEM, code="PS-B", name="乙泵站", town_id=placed.town_b.pk,
                        location=LocationInput(121.202, 31.902), is_synthetic=True)  # fmt: skip
    assert get_tile(planner, "pump_stations")["ETag"] != before
    both = by_code(features(get_tile(planner, "pump_stations"), "pump_stations"))
    assert both["PS-A"] == {"code": "PS-A", "name": "甲泵站", "holds_sewage": True, "synthetic": False}
    assert both["PS-B"]["synthetic"] and not both["PS-B"]["holds_sewage"]
    changle = api_as("town_officer", placed.town_a)
    assert set(by_code(features(get_tile(changle, "pump_stations"), "pump_stations"))) == {"PS-A"}
    moved = get_tile(planner, "pump_stations")["ETag"]
    pump_station_update(principal=SYSTEM, station_id=held.pk, changes={}, holds_sewage=False)
    assert get_tile(planner, "pump_stations")["ETag"] != moved
    cleared = by_code(features(get_tile(planner, "pump_stations"), "pump_stations"))["PS-A"]
    assert not cleared["holds_sewage"] and cleared["cleared_on"] == timezone.localdate().isoformat()
