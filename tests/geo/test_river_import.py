"""``manage.py import_rivers`` and ``POST /api/v1/geo/rivers/import``: a river file is read through GDAL
in any SRS, checked feature by feature (the reading's codes and the engine's), and only a file without
errors becomes the current network — lines stored, every site snapped, nothing half-written."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from geo.demo import SYSTEM
from geo.models import RiverLine, RiverNetwork, SiteKind, SiteSnap
from geo.rivers import engine as river_engine
from geo.rivers.services import river_network_import
from geo.services import LocationInput, facility_update, section_upsert
from kernel.audit.models import AuditEvent
from kernel.errors import InvalidInput, PermissionDenied
from tests.conftest import assert_error, make_user
from tests.geo.ogr_files import write_layer
from tests.geo.river_files import FACILITY_A_AT, SECTION_AT, feature, river_features, write_geojson

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_network():  # type: ignore[no-untyped-def]
    river_engine.forget()
    yield
    river_engine.forget()


def _place(world) -> None:  # type: ignore[no-untyped-def]
    section_upsert(code="S-A", name="甲桥", level="municipal", region=world.district,
                   responsible_towns=[world.town_a], location=LocationInput(*SECTION_AT))  # fmt: skip
    facility_update(principal=SYSTEM, facility_id=world.facility_a.pk, changes={},
                    location=LocationInput(*FACILITY_A_AT))  # fmt: skip


def test_a_clean_file_becomes_the_current_network_and_sites_are_snapped(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _place(world)
    path = write_geojson(tmp_path / "rivers.geojson", river_features())
    dry = river_network_import(principal=SYSTEM, path=path, dry_run=True)
    assert dry["ok"] and dry["lines"] == 3 and dry["rivers"] == 2 and not dry["applied"]
    assert not RiverNetwork.objects.exists() and not SiteSnap.objects.exists()
    report = river_network_import(principal=SYSTEM, path=path, dry_run=False)
    network = RiverNetwork.objects.get(is_current=True)
    assert report["applied"] and report["network_id"] == network.pk
    assert (network.line_count, network.river_count, network.source_name) == (3, 2, "rivers.geojson")
    assert list(network.lines.values_list("line_id", "river_name")) == [
        ("m1", "主河"),
        ("m2", "主河"),
        ("t1", "支河"),
    ]
    section = SiteSnap.objects.get(site_kind=SiteKind.RIVER_SECTION, site_id=world.section_a.pk)
    assert section.line_id == "m1" and 25 < section.distance_m < 40 and section.offset_m > 9000
    facility = SiteSnap.objects.get(site_kind=SiteKind.SEWAGE_FACILITY, site_id=world.facility_a.pk)
    assert facility.line_id == "t1" and 30 < facility.distance_m < 45
    # facility B has no point: kept unsnapped with a reason
    assert (
        SiteSnap.objects.get(site_id=world.facility_b.pk, site_kind="sewage_facility").unsnapped_code
        == "no_location"
    )
    assert AuditEvent.objects.filter(action="geo.river_network.import").count() == 1
    # a second import replaces it as the current one; the first stays as a version
    river_network_import(principal=SYSTEM, path=path, dry_run=False)
    assert RiverNetwork.objects.count() == 2 and RiverNetwork.objects.filter(is_current=True).count() == 1


def test_broken_features_are_reported_one_by_one_and_nothing_is_written(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    features = [
        *river_features(),
        feature({"line_id": "x1", "river_id": "", "river_name": ""}, [(121.3, 31.8), (121.31, 31.8)]),
        feature(
            {"line_id": "x2", "river_id": "X"},
            [(121.3, 31.7), (121.31, 31.71), (121.31, 31.7), (121.3, 31.71)],
        ),
        feature({"line_id": "x3", "river_id": "X"}, [(121.3, 31.6)], kind="Point"),
        feature({"line_id": "x4", "river_id": "X", "level": "一级"}, [(121.4, 31.6), (121.41, 31.6)]),
        feature({"line_id": "m1", "river_id": "M"}, [(121.5, 31.6), (121.51, 31.6)]),
    ]
    path = write_geojson(tmp_path / "broken.geojson", features)
    dry = river_network_import(principal=SYSTEM, path=path, dry_run=True)
    by_line = {(i["line_id"], i["code"]) for i in dry["issues"] if i["severity"] == "error"}
    assert by_line == {("x1", "missing_river"), ("x2", "self_intersection"), ("x3", "not_line"),
                       ("x4", "invalid_level"), ("m1", "duplicate_line_id")}  # fmt: skip
    assert [i["feature"] for i in dry["issues"]] == sorted(i["feature"] for i in dry["issues"])
    assert all(i["message"] and not i["message"].isascii() for i in dry["issues"])
    assert not dry["ok"] and dry["error_count"] == 5
    with pytest.raises(InvalidInput) as exc:
        river_network_import(principal=SYSTEM, path=path, dry_run=False)
    assert exc.value.code == "river_file_has_errors" and len(exc.value.details["issues"]) >= 5
    assert (
        not RiverNetwork.objects.exists() and not RiverLine.objects.exists() and not SiteSnap.objects.exists()
    )
    assert not AuditEvent.objects.filter(action="geo.river_network.import").exists()


def test_any_srs_is_read_and_a_file_without_one_needs_source_srid(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ct = CoordTransform(SpatialReference(4326), SpatialReference(4549))
    rows = []
    for f in river_features():
        geom = GEOSGeometry(str(f["geometry"]).replace("'", '"'), srid=4326)
        geom.transform(ct)
        rows.append(
            ({"line_id": f["properties"]["line_id"], "river_id": f["properties"]["river_id"]}, geom.wkt)
        )
    gpkg = write_layer(
        tmp_path / "rivers.gpkg", "GPKG", rows, srid=4549, fields=("line_id", "river_id"), layer="rivers"
    )
    report = river_network_import(principal=SYSTEM, path=gpkg, dry_run=True)
    assert report["ok"] and report["lines"] == 3 and report["srs"]["srid"] == 4549
    shp = write_layer(
        tmp_path / "rivers.shp", "ESRI Shapefile", rows, srid=None, fields=("line_id", "river_id")
    )
    with pytest.raises(InvalidInput) as exc:
        river_network_import(principal=SYSTEM, path=shp, dry_run=True)
    assert exc.value.code == "unknown_srs"
    assert river_network_import(principal=SYSTEM, path=shp, source_srid=4549, dry_run=True)["lines"] == 3


def test_only_the_district_imports_a_network(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from accounts.selectors import principal_for

    path = write_geojson(tmp_path / "rivers.geojson", river_features())
    town = principal_for(make_user("town_officer", world.town_a))
    with pytest.raises(PermissionDenied):
        river_network_import(principal=town, path=path, dry_run=True)
    district = principal_for(make_user("district_office", world.district))
    assert river_network_import(principal=district, path=path, dry_run=True)["ok"]


def test_the_command_prints_each_feature_and_refuses_a_broken_file(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    features = [
        *river_features(),
        feature({"line_id": "x1", "river_id": ""}, [(121.3, 31.8), (121.31, 31.8)]),
    ]
    path = write_geojson(tmp_path / "broken.geojson", features)
    out = StringIO()
    with pytest.raises(CommandError, match="river_file_has_errors"):
        call_command("import_rivers", str(path), stdout=out)
    assert "要素 4 [x1] error missing_river" in out.getvalue()
    assert not RiverNetwork.objects.exists()
    out = StringIO()
    call_command("import_rivers", str(write_geojson(tmp_path / "ok.geojson", river_features())), stdout=out)
    assert "已导入为当前河网" in out.getvalue() and RiverNetwork.objects.filter(is_current=True).exists()


def test_the_api_dry_runs_then_applies(world, api_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", world.district)
    broken = [*river_features(), feature({"line_id": "x1", "river_id": ""}, [(121.3, 31.8), (121.31, 31.8)])]
    body = write_geojson(tmp_path / "b.geojson", broken).read_bytes()
    upload = SimpleUploadedFile("b.geojson", body, content_type="application/geo+json")
    r = api.client.post("/api/v1/geo/rivers/import", {"file": upload}, headers=api._headers(None))
    assert r.status_code == 200, r.content
    assert [(i["line_id"], i["code"], i["severity"]) for i in r.json()["issues"]] == [
        ("x1", "missing_river", "error")
    ]
    upload = SimpleUploadedFile("b.geojson", body, content_type="application/geo+json")
    r = api.client.post(
        "/api/v1/geo/rivers/import", {"file": upload, "dry_run": "false"}, headers=api._headers(None)
    )
    error = assert_error(r, 422, "river_file_has_errors")
    assert error["details"]["issues"][0]["code"] == "missing_river" and "file" in error["details"]["fields"]
    good = SimpleUploadedFile(
        "r.geojson", write_geojson(tmp_path / "r.geojson", river_features()).read_bytes()
    )
    r = api.client.post(
        "/api/v1/geo/rivers/import", {"file": good, "dry_run": "false"}, headers=api._headers(None)
    )
    assert r.status_code == 201, r.content
    assert r.json()["applied"] and RiverNetwork.objects.get(is_current=True).pk == r.json()["network_id"]
    r = api.client.post(
        "/api/v1/geo/rivers/import", {"file": SimpleUploadedFile("x.csv", b"a,b")}, headers=api._headers(None)
    )
    assert_error(r, 422, "unsupported_file")
    town = api_as("town_officer", world.town_a)
    good = SimpleUploadedFile(
        "r.geojson", write_geojson(tmp_path / "r.geojson", river_features()).read_bytes()
    )
    assert_error(
        town.client.post("/api/v1/geo/rivers/import", {"file": good}, headers=town._headers(None)), 403
    )


def test_a_moved_facility_is_snapped_again(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _place(world)
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )
    before = SiteSnap.objects.get(site_kind="sewage_facility", site_id=world.facility_a.pk)
    assert before.line_id == "t1"
    facility_update(principal=SYSTEM, facility_id=world.facility_a.pk, changes={},
                    location=LocationInput(121.23, 31.9002))  # fmt: skip
    after = SiteSnap.objects.get(site_kind="sewage_facility", site_id=world.facility_a.pk)
    assert after.line_id == "m2" and after.distance_m < 30
    facility_update(principal=SYSTEM, facility_id=world.facility_a.pk, changes={}, clear_location=True)
    assert (
        SiteSnap.objects.get(site_kind="sewage_facility", site_id=world.facility_a.pk).unsnapped_code
        == "no_location"
    )
    # a new section is snapped as it is created
    s = section_upsert(code="S-NEW", name="新桥", level="district", region=world.district,
                       responsible_towns=[world.town_a], location=LocationInput(121.15, 31.94))  # fmt: skip
    assert SiteSnap.objects.get(site_kind="river_section", site_id=s.pk).line_id == "t1"


def _drawn_against_the_flow(direction: dict[str, dict[str, str]]) -> list[dict]:  # type: ignore[type-arg]
    """The test network with m2 and t1 digitised from their downstream end, plus extra attributes per line."""
    out = []
    for f in river_features():
        props = dict(f["properties"])
        coords = [tuple(c) for c in f["geometry"]["coordinates"]]
        if props["line_id"] in ("m2", "t1"):
            coords = coords[::-1]
        out.append(feature(props | direction.get(props["line_id"], {}), coords))
    return out


def _stored_start(line_id: str) -> tuple[float, float]:
    line = RiverLine.objects.get(network__is_current=True, line_id=line_id).geometry
    return (round(line.coords[0][0], 6), round(line.coords[0][1], 6))


def test_lines_drawn_against_the_flow_are_turned_round_by_their_direction_field(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A direction attribute (流向 -1 / 逆向, or a 是否逆向 yes-no flag) turns a line round before the network
    is built and stored: the same network, the same upstream answer as the file drawn in flow order, each
    flip reported with its reason; an unreadable direction is an error of that feature."""
    _place(world)
    clean = river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "clean.geojson", river_features()), dry_run=False
    )
    facility = SiteSnap.objects.get(site_kind="sewage_facility", site_id=world.facility_a.pk)
    features = _drawn_against_the_flow({"m1": {"流向": "顺向"}, "m2": {"流向": "逆向"}, "t1": {"流向": "-1"}})
    path = write_geojson(tmp_path / "against.geojson", features)
    dry = river_network_import(principal=SYSTEM, path=path, dry_run=True)
    assert dry["ok"] and dry["fields"]["direction"] == "流向" and dry["flipped"] == ["m2", "t1"]
    flips = [
        (i["feature"], i["line_id"], i["severity"]) for i in dry["issues"] if i["code"] == "line_flipped"
    ]
    assert flips == [(2, "m2", "warning"), (3, "t1", "warning")]
    assert all("流向" in i["message"] for i in dry["issues"] if i["code"] == "line_flipped")
    assert not [i for i in dry["issues"] if i["code"] in ("reversed_flow", "disconnected")]
    river_network_import(principal=SYSTEM, path=path, dry_run=False)
    assert _stored_start("m2") == (121.2, 31.9) and _stored_start("t1") == (121.15, 31.95)  # in flow order
    again = SiteSnap.objects.get(
        network__is_current=True, site_kind="sewage_facility", site_id=world.facility_a.pk
    )
    assert (again.line_id, again.offset_m) == (facility.line_id, pytest.approx(facility.offset_m, abs=1e-6))
    loaded = river_engine.current_network()
    assert loaded is not None and loaded.network_id != clean["network_id"]
    assert loaded.first_level("M") == frozenset({"T"})  # t1 flows into m1 again, as in the clean file
    # a yes/no flag reads the same way
    flagged = _drawn_against_the_flow(
        {"m2": {"是否逆向": "是"}, "t1": {"是否逆向": "1"}, "m1": {"是否逆向": "否"}}
    )
    flagged_report = river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "flag.geojson", flagged), dry_run=True
    )
    assert flagged_report["flipped"] == ["m2", "t1"]
    broken = _drawn_against_the_flow({"m2": {"流向": "往东"}})
    report = river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "broken.geojson", broken), dry_run=True
    )
    assert [(i["line_id"], i["code"]) for i in report["issues"] if i["severity"] == "error"] == [
        ("m2", "invalid_direction")
    ]


def test_lines_found_reversed_by_the_network_are_turned_round_on_request(world, api_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without a direction field, m2 drawn from its mouth disagrees with m1 at their node: reported
    ``reversed_flow`` and stored as drawn, unless ``flip_reversed`` asks to turn it (the shorter side of
    the river); t1, alone on its river, cannot be caught that way and stays as drawn."""
    features = _drawn_against_the_flow({})
    path = write_geojson(tmp_path / "against.geojson", features)
    kept = river_network_import(principal=SYSTEM, path=path, dry_run=False)
    assert [i["line_id"] for i in kept["issues"] if i["code"] == "reversed_flow"] == ["m2"]
    assert kept["flipped"] == [] and _stored_start("m2") == (121.25, 31.9)
    api = api_as("district_office", world.district)
    upload = SimpleUploadedFile("against.geojson", path.read_bytes(), content_type="application/geo+json")
    r = api.client.post(
        "/api/v1/geo/rivers/import",
        {"file": upload, "dry_run": "false", "flip_reversed": "true"},
        headers=api._headers(None),
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["flipped"] == ["m2"] and not [i for i in body["issues"] if i["code"] == "reversed_flow"]
    flip = next(i for i in body["issues"] if i["code"] == "line_flipped")
    assert flip["line_id"] == "m2" and "m1" in flip["message"] and flip["feature"] == 2
    assert _stored_start("m2") == (121.2, 31.9) and _stored_start("t1") == (121.15, 31.9)
    out = StringIO()
    call_command("import_rivers", str(path), "--dry-run", "--flip-reversed", stdout=out)
    assert "[m2] warning line_flipped" in out.getvalue()
