"""Map layers: GeoJSON of sections and facilities, scoped, filtered by bbox."""

from tests.conftest import ApiClient, assert_error, make_user


def test_section_and_facility_layers(world) -> None:  # type: ignore[no-untyped-def]
    planner = ApiClient(make_user("planner", world.district))
    layer = planner.get("/api/v1/geo/sections.geojson")
    assert layer.status_code == 200 and layer["Content-Type"].startswith("application/geo+json")
    body = layer.json()
    assert body["type"] == "FeatureCollection"
    features = {f["properties"]["code"]: f for f in body["features"]}
    assert set(features) == {"S-A", "S-B", "S-AB"}
    assert features["S-A"]["geometry"] == {"type": "Point", "coordinates": [121.2, 31.9]}
    assert features["S-B"]["geometry"] is None  # no location yet: listed, not drawn
    assert body["bbox"] == [121.2, 31.9, 121.2, 31.9]
    inside = planner.get("/api/v1/geo/sections.geojson", bbox="121.1,31.8,121.3,32.0").json()
    assert [f["properties"]["code"] for f in inside["features"]] == ["S-A"]
    outside = planner.get("/api/v1/geo/sections.geojson", bbox="120,30,120.5,30.5").json()
    assert outside["features"] == [] and "bbox" not in outside
    for bad in ("1,2,3", "121.3,31.8,121.1,32.0", "a,b,c,d"):
        body = assert_error(planner.get("/api/v1/geo/sections.geojson", bbox=bad), 422)
        assert "bbox" in body["details"]["fields"]
    facilities = planner.get("/api/v1/geo/facilities.geojson", town_id=world.town_a.pk).json()
    assert [f["properties"]["code"] for f in facilities["features"]] == ["WS-A"]
    assert facilities["features"][0]["properties"]["town"] == "常乐镇"
    # a town officer of town B sees town B's facility only
    officer_b = ApiClient(make_user("town_officer", world.town_b))
    mine = officer_b.get("/api/v1/geo/facilities.geojson").json()
    assert [f["properties"]["code"] for f in mine["features"]] == ["WS-B"]
