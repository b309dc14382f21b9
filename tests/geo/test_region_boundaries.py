"""``manage.py import_regions FILE.geojson|.gpkg|.shp|.zip``: real boundaries replace the demo's Voronoi
towns (any SRS, GCJ-02 on request), matched by code or name, all or nothing, audited."""

from __future__ import annotations

import json
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.management import CommandError, call_command

from accounts.selectors import principal_for
from geo import demo
from geo.coords import LonLat, from_wgs84
from geo.models import LocationQuality, Region, RegionLevel
from geo.services import facility_location_check, region_boundaries_import
from kernel.access import Principal
from kernel.audit.models import AuditEvent
from kernel.errors import InvalidInput, PermissionDenied
from tests.conftest import make_user
from tests.geo.ogr_files import write_layer

pytestmark = pytest.mark.django_db
SYSTEM = Principal(user_id=0, username="system", is_superuser=True)
CHANGLE = "320614103000"  # 常乐镇
# A 2 km square around 常乐镇's approximate centre (121.265, 31.925), in WGS-84.
SQUARE = [(121.255, 31.915), (121.275, 31.915), (121.275, 31.935), (121.255, 31.935), (121.255, 31.915)]


def wkt(ring: list[tuple[float, float]]) -> str:
    return "POLYGON((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"


def projected(ring: list[tuple[float, float]], srid: int) -> str:
    geom = GEOSGeometry(wkt(ring), srid=4326)
    geom.transform(CoordTransform(SpatialReference(4326), SpatialReference(srid)))
    return geom.wkt


def geojson(tmp_path: Path, features: list[tuple[dict[str, Any], Any]], name: str = "towns.geojson") -> Path:
    path = tmp_path / name
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": geometry} for props, geometry in features
        ],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def polygon(ring: list[tuple[float, float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_regions", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def changle() -> Region:
    return Region.objects.get(code=CHANGLE)


def assert_square(region: Region, tolerance: float = 1e-7) -> None:
    square = GEOSGeometry(wkt(SQUARE), srid=4326)
    assert region.boundary.geom_type == "MultiPolygon"
    assert region.boundary.sym_difference(square).area < tolerance, region.boundary.wkt


@pytest.fixture
def towns() -> dict[str, Region]:
    return demo.load_regions()


def test_a_geojson_replaces_the_synthetic_boundary_matched_by_code(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    before = changle()
    assert before.geometry_quality == LocationQuality.SYNTHETIC and before.boundary is not None
    path = geojson(
        tmp_path,
        [
            ({"XZQDM": CHANGLE, "XZQMC": "常乐镇"}, polygon(SQUARE)),
            ({"XZQDM": "320612100000", "XZQMC": "别区的镇"}, polygon([(x + 0.2, y) for x, y in SQUARE])),
        ],
    )
    out = run(path)
    region = changle()
    assert_square(region)
    assert region.geometry_quality == LocationQuality.SURVEYED  # the synthetic flag is cleared
    assert region.centroid.distance(Point(121.265, 31.925)) < 1e-9  # recomputed from the new boundary
    others = Region.objects.filter(level=RegionLevel.TOWN).exclude(pk=region.pk)
    assert {t.geometry_quality for t in others} == {LocationQuality.SYNTHETIC}  # the demo keeps its own
    assert "未匹配：第 2 个要素 别区的镇 [unknown_code]" in out
    assert "仍为演示用合成边界的区划 13 个" in out
    assert "已替换 1 个区划的边界" in out
    assert (
        Region.objects.get(level="district").geometry_quality == LocationQuality.SYNTHETIC
    )  # 13 towns to go
    event = AuditEvent.objects.get(action="geo.region.boundary_replace")
    assert event.object_id == str(region.pk) and event.before["geometry_quality"] == "synthetic"
    summary = AuditEvent.objects.get(action="geo.region.boundaries_import")
    assert summary.after["replaced"] == 1 and summary.after["unmatched"] == 1


def test_the_district_outline_becomes_the_union_once_every_town_is_surveyed(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    def cell(i: int) -> list[tuple[float, float]]:
        x, x1 = round(121.0 + 0.02 * i, 6), round(121.0 + 0.02 * (i + 1), 6)  # shared edges, exactly
        return [(x, 31.9), (x1, 31.9), (x1, 31.92), (x, 31.92), (x, 31.9)]

    features = [({"code": t.code}, polygon(cell(i))) for i, t in enumerate(towns.values())]
    out = run(geojson(tmp_path, features))
    assert "海门区的各区镇边界均已实测" in out
    district = Region.objects.get(level="district")
    assert district.geometry_quality == LocationQuality.SURVEYED
    assert district.boundary.area == pytest.approx(14 * 0.0004) and len(district.boundary) == 1
    assert district.centroid.distance(Point(121.14, 31.91)) < 1e-9
    assert AuditEvent.objects.filter(
        action="geo.region.boundary_replace", object_id=str(district.pk)
    ).exists()


def test_facility_checks_use_the_imported_boundary(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    village = Region.objects.get(parent__code=CHANGLE, name="演示一村")
    # The town's boundary alone decides here: the village's synthetic cell is left out of the check.
    Region.objects.filter(pk=village.pk).update(boundary=None)
    village.refresh_from_db()
    # Inside 常乐镇's Voronoi cell, but 3 km east of the surveyed square.
    far = Point(121.30, 31.925, srid=4326)
    facility_location_check(village=village, point=far)  # accepted against the synthetic boundary
    run(geojson(tmp_path, [({"code": CHANGLE}, polygon(SQUARE))]))
    facility_location_check(village=village, point=Point(121.265, 31.925, srid=4326))
    with pytest.raises(InvalidInput) as exc:
        facility_location_check(village=village, point=far)
    assert exc.value.code == "outside_town" and exc.value.details["distance_m"] > 2000


def test_a_projected_geopackage_is_transformed_and_matched_by_name(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    # CGCS2000 / 3-degree Gauss-Kruger CM 120E, as the district's surveyors deliver.
    path = write_layer(
        tmp_path / "towns.gpkg",
        "GPKG",
        [({"XZQMC": "常乐镇"}, projected(SQUARE, 4549))],
        srid=4549,
        fields=("XZQMC",),
    )
    report = region_boundaries_import(principal=SYSTEM, path=str(path))
    assert report["match_by"] == "name" and report["srs"]["srid"] == 4549
    assert [m["region_name"] for m in report["matched"]] == ["常乐镇"]
    assert_square(changle(), tolerance=1e-9)


def test_a_zipped_utm_shapefile_and_one_without_prj(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "shp"
    folder.mkdir()
    # DBF field names hold 10 bytes: 三调's XZQDM / XZQMC, not 区划代码 (12 bytes in UTF-8).
    features = [({"XZQMC": "常乐镇", "XZQDM": "320614103"}, projected(SQUARE, 32651))]
    write_layer(folder / "乡镇.shp", "ESRI Shapefile", features, srid=32651, fields=("XZQDM", "XZQMC"))
    archive = tmp_path / "towns.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"乡镇界线/{f.name}")
    report = region_boundaries_import(principal=SYSTEM, path=str(archive), dry_run=True)
    assert report["match_by"] == "code" and report["fields"]["code"] == "XZQDM"  # 9 digits + "000"
    assert [m["region_name"] for m in report["matched"]] == ["常乐镇"]

    (folder / "乡镇.prj").unlink()
    with pytest.raises(CommandError, match="unknown_srs"):
        run(folder / "乡镇.shp")
    assert changle().geometry_quality == LocationQuality.SYNTHETIC
    run(folder / "乡镇.shp", "--source-srid", "32651")
    assert_square(changle(), tolerance=1e-9)


def test_a_gbk_shapefile_without_cpg_is_read(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    features = [({"MC": "常乐镇"}, wkt(SQUARE))]
    path = write_layer(
        tmp_path / "xz.shp", "ESRI Shapefile", features, srid=4326, fields=("MC",), encoding="gbk"
    )
    assert not (tmp_path / "xz.cpg").exists()
    report = region_boundaries_import(principal=SYSTEM, path=str(path))
    assert report["encoding"] == "gb18030" and [m["name"] for m in report["matched"]] == ["常乐镇"]


def test_gis_options_are_refused_for_a_division_list(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "regions.csv"
    path.write_text("区划代码,名称\n320614000000,海门区\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--level 只用于 GIS 边界文件"):
        run(path, "--level", "village")


def test_gcj02_vertices_are_converted_to_wgs84(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    shifted = [(p.lon, p.lat) for p in (from_wgs84(LonLat(x, y), "gcj02") for x, y in SQUARE)]
    path = geojson(tmp_path, [({"code": CHANGLE}, polygon(shifted))])
    run(path)
    off = changle().boundary.centroid.transform(32651, clone=True)
    assert off.distance(Point(121.265, 31.925, srid=4326).transform(32651, clone=True)) > 300  # ~480 m
    run(path, "--datum", "gcj02")
    assert_square(changle(), tolerance=1e-9)  # 1e-9 deg² of area difference: well under a metre off


def test_villages_match_by_name_under_the_parent_field(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    # Every demo town has a 演示一村: the name alone is ambiguous, the town field decides.
    features = [({"村名": "演示一村", "乡镇": "常乐镇"}, polygon(SQUARE))]
    path = geojson(tmp_path, features)
    with pytest.raises(InvalidInput) as exc:
        region_boundaries_import(principal=SYSTEM, path=str(path), level="village", name_field="村名")
    assert exc.value.code == "nothing_matched"
    assert exc.value.details["unmatched"][0]["reason"] == "ambiguous_name"
    report = region_boundaries_import(
        principal=SYSTEM, path=str(path), level="village", name_field="村名", parent_field="乡镇"
    )
    village = Region.objects.get(parent__code=CHANGLE, name="演示一村")
    assert [m["region_id"] for m in report["matched"]] == [village.pk]
    village.refresh_from_db()
    assert village.geometry_quality == LocationQuality.SURVEYED
    assert village.centroid.distance(Point(121.265, 31.925)) < 1e-9
    # The demo's villages have synthetic cells: the rest are listed as still synthetic.
    villages = Region.objects.filter(level=RegionLevel.VILLAGE).count()
    assert report["without_boundary_count"] == 0
    assert report["still_synthetic_count"] == villages - 1


def test_a_dry_run_writes_nothing_and_reports_the_same(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    path = geojson(tmp_path, [({"code": CHANGLE}, polygon(SQUARE))])
    before = changle().boundary.wkt
    out = run(path, "--dry-run")
    assert "试运行：将替换 1 个区划的边界" in out and "第 1 个要素 → 常乐镇" in out
    assert changle().boundary.wkt == before and changle().geometry_quality == LocationQuality.SYNTHETIC
    assert not AuditEvent.objects.filter(action__startswith="geo.region.bound").exists()


def test_an_invalid_polygon_is_repaired_and_an_empty_one_refused(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    x0, y0, x1, y1 = 121.255, 31.915, 121.275, 31.935
    bowtie = [(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)]  # self-intersecting
    path = geojson(tmp_path, [({"code": CHANGLE}, polygon(bowtie))])
    report = region_boundaries_import(principal=SYSTEM, path=str(path))
    region = changle()
    assert report["repaired"] == 1 and report["matched"][0]["repaired"]
    assert region.boundary.valid and region.boundary.geom_type == "MultiPolygon"
    assert len(region.boundary) == 2 and region.boundary.area == pytest.approx(0.0002, rel=1e-6)

    flat = [(x0, y0), (x1, y0), (x0, y0), (x0, y0)]  # no area at all
    town = Region.objects.get(name="四甲镇")
    path = geojson(
        tmp_path, [({"code": town.code}, polygon(SQUARE)), ({"code": CHANGLE}, polygon(flat))], "bad.geojson"
    )
    before = town.boundary.wkt
    err = StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_regions", str(path), stdout=StringIO(), stderr=err)
    assert "[empty_geometry]" in err.getvalue()
    town.refresh_from_db()
    assert town.boundary.wkt == before  # all or nothing


def test_a_wrong_srs_puts_the_feature_outside_china_and_is_refused(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    path = geojson(tmp_path, [({"code": CHANGLE}, polygon(SQUARE))])
    report = region_boundaries_import(principal=SYSTEM, path=str(path), source_srid=4549, dry_run=True)
    assert [e["code"] for e in report["errors"]] == ["outside_china"] and report["would_replace"] == 0
    with pytest.raises(InvalidInput) as exc:
        region_boundaries_import(principal=SYSTEM, path=str(path), source_srid=999999)
    assert exc.value.code == "invalid_srid"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("not a gis file", "unreadable_file"),
        (json.dumps({"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}),  # noqa: E501
         "no_polygon_layer"),
    ],
)  # fmt: skip
def test_unusable_files_are_refused_with_a_code(tmp_path, towns, content, code) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "f.geojson"
    path.write_text(content)
    with pytest.raises(InvalidInput) as exc:
        region_boundaries_import(principal=SYSTEM, path=str(path))
    assert exc.value.code == code


def test_nothing_matched_names_the_fields(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    path = geojson(tmp_path, [({"code": "320612100000", "名字": "x"}, polygon(SQUARE))])
    with pytest.raises(CommandError, match=r"没有一个与系统中的区镇.*匹配.*code、名字.*（nothing_matched）"):
        run(path)


def test_only_the_district_registry_replaces_boundaries(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    officer = make_user("town_officer", changle())
    path = geojson(tmp_path, [({"code": CHANGLE}, polygon(SQUARE))])
    with pytest.raises(PermissionDenied):
        region_boundaries_import(principal=principal_for(officer), path=str(path))


def test_an_import_changes_the_map_tiles(tmp_path, towns) -> None:  # type: ignore[no-untyped-def]
    from geo.services import map_layer_versions

    before = map_layer_versions()
    path = geojson(tmp_path, [({"code": CHANGLE}, polygon(SQUARE))])
    region_boundaries_import(principal=SYSTEM, path=str(path), dry_run=True)
    assert map_layer_versions() == before  # a dry run changes nothing
    region_boundaries_import(principal=SYSTEM, path=str(path))
    after = map_layer_versions()
    assert after["towns"] > before["towns"] and after["rectifications"] > before["rectifications"]
