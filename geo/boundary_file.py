"""Reading a GIS file of region boundaries (GeoJSON, Shapefile — a ``.shp`` or a zip — or GeoPackage)
through GDAL, for ``manage.py import_regions`` (``geo.services.region_boundaries_import``); the same
reading serves river lines (``read_lines``, ``manage.py import_rivers``).

Every vertex ends in WGS-84 lon/lat (SRID 4326, what ``Region.boundary`` stores): the file's own SRS is
read (a ``.prj``, the GeoPackage's SRS table, GeoJSON's CRS84 default) and transformed by PROJ, so
CGCS2000 Gauss–Krüger (EPSG:4549…), UTM 51N (EPSG:32651) or Xi'an 80 files all land where they belong.
GCJ-02 and BD-09 are no EPSG datums: files traced on 高德 / 腾讯 / 百度 maps carry their lon/lat under a
WGS-84 label, so ``datum`` says so and each vertex goes through ``geo.coords.to_wgs84``. A file without
an SRS (a shapefile without ``.prj``) needs ``source_srid``: guessing would put a district hundreds of
kilometres off without anyone noticing.

Geometry is cleaned the same way for every format: curves and Z dropped, an invalid polygon repaired
(``make_valid``, keeping only its polygonal parts), always a MultiPolygon; empty, non-polygonal or
out-of-China results are refused with a stable code. No database here.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.contrib.gis.gdal.layer import Layer
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon
from django.utils.encoding import DjangoUnicodeDecodeError
from shapely.geometry import LineString as ShapelyLineString
from shapely.geometry import MultiLineString as ShapelyMultiLineString
from shapely.geometry import MultiPolygon as ShapelyMultiPolygon
from shapely.geometry import Polygon as ShapelyPolygon

from kernel.errors import InvalidInput
from kernel.tables import norm, norm_key

from .coords import Datum, LonLat, in_china, to_wgs84

SUFFIXES = (".geojson", ".json", ".shp", ".zip", ".gpkg")
_POLYGON_TYPES = {"Polygon", "MultiPolygon", "Polygon25D", "MultiPolygon25D", "Unknown", "CurvePolygon"}
_POLYGON_TYPES |= {"MultiSurface"}
_LINE_TYPES = {"LineString", "MultiLineString", "LineString25D", "MultiLineString25D", "Unknown"}
_LINE_TYPES |= {"CompoundCurve", "MultiCurve", "CircularString"}
WGS84 = 4326

# Field names tried, in order, when the caller names none (norm_key: case, spaces and underscores
# ignored). XZQDM / XZQMC: 第三次国土调查 乡镇 layers; ZLDWDM / ZLDWMC: its village (坐落单位) layers.
CODE_FIELDS = (
    "code",
    "区划代码",
    "行政区划代码",
    "代码",
    "XZQDM",
    "DM",
    "ZLDWDM",
    "CJQYDM",
    "XZDM",
    "adcode",
)
NAME_FIELDS = ("name", "名称", "区划名称", "行政区划名称", "XZQMC", "MC", "ZLDWMC", "CJQYMC", "XZMC")
PARENT_FIELDS = ("parent_code", "上级代码", "上级区划代码", "SJDM", "SJXZQDM", "parent", "上级", "所属乡镇")

# Errors about the whole file (InvalidInput codes) and about one feature (the report's errors).
FILE_ERROR_CODES = frozenset(
    {"unreadable_file", "no_polygon_layer", "unknown_layer", "unknown_srs", "invalid_srid", "unknown_field"}
)
FEATURE_ERROR_CODES = frozenset({"missing_geometry", "not_polygon", "empty_geometry", "outside_china"})
LINE_FILE_ERROR_CODES = (FILE_ERROR_CODES - {"no_polygon_layer"}) | {"no_line_layer"}
LINE_FEATURE_ERROR_CODES = frozenset({"missing_geometry", "not_line", "multi_part", "outside_china"})


class _WrongEncoding(Exception):
    pass


def file_error(code: str, message: str, **details: Any) -> InvalidInput:
    return InvalidInput(message, code=code, details={"fields": {"file": [message]}, **details})


@dataclass(frozen=True)
class Feature:
    """One feature of the layer: its 1-based position, GDAL's fid, attributes as text, and either the
    cleaned boundary (a WGS-84 MultiPolygon, ``repaired`` when make_valid changed it) or an error."""

    number: int
    fid: int
    attrs: dict[str, str]
    boundary: MultiPolygon | None
    repaired: bool = False
    error: tuple[str, str] | None = None  # (code, zh-Hans message)


@dataclass(frozen=True)
class LineFeature:
    """One feature of a line layer: its 1-based position, GDAL's fid, attributes as text, and either the
    line in WGS-84 (a single LineString: a MultiLineString whose parts join end to end is merged) or an
    error (a ``LINE_FEATURE_ERROR_CODES`` code and a zh-Hans message)."""

    number: int
    fid: int
    attrs: dict[str, str]
    line: LineString | None
    error: tuple[str, str] | None = None


@dataclass(frozen=True)
class _Kind:
    """What a reading looks for: the layer's geometry types, how to name them and read a feature."""

    types: frozenset[str]
    no_layer_code: str
    label: str  # 面 / 线
    type_names: str
    feature: Callable[..., Any]


@dataclass
class BoundaryFile:
    path: str
    driver: str
    layer_name: str
    layer_names: list[str]
    fields: list[str]
    srs_name: str
    srs_srid: int | None
    datum: str
    encoding: str
    features: list[Any]  # Feature (boundaries) or LineFeature (read_lines)


def read_boundaries(
    path: str | Path, *, layer: str | int | None = None, source_srid: int | None = None, datum: str = "wgs84"
) -> BoundaryFile:
    """Open ``path``, pick the polygon layer and return its features in WGS-84. Raises ``InvalidInput``
    with a ``FILE_ERROR_CODES`` code when the file, its layer or its SRS cannot be used."""
    return _read_file(path, layer, source_srid, datum, _POLYGONS)


def read_lines(
    path: str | Path, *, layer: str | int | None = None, source_srid: int | None = None, datum: str = "wgs84"
) -> BoundaryFile:
    """Open ``path``, pick the line layer and return its features (``LineFeature``) in WGS-84, as
    ``read_boundaries`` does for polygons (``LINE_FILE_ERROR_CODES``)."""
    return _read_file(path, layer, source_srid, datum, _LINES)


def _read_file(
    path: str | Path, layer: str | int | None, source_srid: int | None, datum: str, kind: _Kind
) -> BoundaryFile:
    try:
        datum = Datum(datum)
    except ValueError as exc:
        raise file_error(
            "invalid_datum", f"不支持的坐标基准：{datum}（可选 wgs84、gcj02、bd09、cgcs2000）"
        ) from exc
    target = _gdal_path(Path(path))
    # A shapefile without .cpg is usually GBK here: GDAL then hands over the bytes as they are.
    for encoding in ("utf-8", "gb18030"):
        try:
            return _read(str(path), target, layer, source_srid, datum, encoding, kind)
        except (_WrongEncoding, DjangoUnicodeDecodeError):  # also field names
            continue
    raise file_error("unreadable_file", "文件的属性文字既不是 UTF-8 也不是 GBK 编码，无法读取")


def _gdal_path(path: Path) -> str:
    if not path.exists():
        raise file_error("unreadable_file", f"文件不存在：{path}")
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.startswith("__MACOSX") and not n.endswith("/")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise file_error("unreadable_file", f"无法读取压缩包：{path.name}") from exc
    found = [n for n in names if n.lower().endswith((".shp", ".gpkg", ".geojson", ".json"))]
    if not found:
        raise file_error("unreadable_file", "压缩包中没有 Shapefile（.shp）、GeoPackage 或 GeoJSON 文件")
    if len(found) == 1:
        return f"/vsizip/{path.resolve()}/{found[0]}"
    folder = found[0].rpartition("/")[0]  # several shapefiles side by side: the folder is the dataset
    return f"/vsizip/{path.resolve()}/{folder}" if folder else f"/vsizip/{path.resolve()}"


def _read(
    display: str,
    target: str,
    layer: str | int | None,
    source_srid: int | None,
    datum: Datum,
    encoding: str,
    kind: _Kind,
) -> BoundaryFile:
    try:
        ds = DataSource(target, encoding=encoding)
    except GDALException as exc:
        raise file_error(
            "unreadable_file", f"无法读取文件（GDAL 不能识别为矢量数据）：{Path(display).name}"
        ) from exc
    names = [ds[i].name for i in range(ds.layer_count)]
    lyr = _layer(ds, names, layer, kind)
    src = _source_srs(lyr, source_srid)
    to_wgs84_ct = None if src.srid == WGS84 else CoordTransform(src, SpatialReference(WGS84))
    fields = list(lyr.fields)
    features = []
    for number, feat in enumerate(lyr, start=1):
        try:
            attrs = {f: _text(feat.get(f)) for f in fields}
        except DjangoUnicodeDecodeError as exc:
            raise _WrongEncoding from exc
        features.append(kind.feature(number, feat.fid, attrs, _geom(feat), to_wgs84_ct, datum))
    return BoundaryFile(
        path=display,
        driver=str(ds.driver),
        layer_name=lyr.name,
        layer_names=names,
        fields=fields,
        srs_name=src.name or "",
        srs_srid=src.srid,
        datum=str(datum),
        encoding=encoding,
        features=features,
    )


def _layer(ds: DataSource, names: list[str], wanted: str | int | None, kind: _Kind) -> Layer:
    if wanted is not None:
        index = (
            int(wanted) if str(wanted).isdigit() else (names.index(str(wanted)) if wanted in names else -1)
        )
        if not 0 <= index < len(names):
            listed = "、".join(f"{i}：{n}" for i, n in enumerate(names))
            raise file_error("unknown_layer", f"文件中没有图层 {wanted}；可用的图层：{listed}", layers=names)
        lyr = ds[index]
        if lyr.geom_type.name not in kind.types:
            raise file_error(
                kind.no_layer_code,
                f"图层「{lyr.name}」是{lyr.geom_type.name}，不是{kind.label}图层",
                layers=names,
            )
        return lyr
    for i in range(len(names)):
        if ds[i].geom_type.name in kind.types:
            return ds[i]
    raise file_error(kind.no_layer_code, f"文件中没有{kind.label}（{kind.type_names}）图层", layers=names)


def _source_srs(lyr: Layer, source_srid: int | None) -> SpatialReference:
    if source_srid is not None:
        try:
            srs = SpatialReference(source_srid)
            srs.validate()
        except (GDALException, TypeError) as exc:
            raise file_error("invalid_srid", f"--source-srid {source_srid} 不是可识别的 EPSG 坐标系") from exc
        return srs
    if lyr.srs is None:
        raise file_error(
            "unknown_srs",
            "文件没有说明坐标系（如 Shapefile 缺少 .prj）；请用 --source-srid 指定，"
            "如 4326（WGS-84）、4490（CGCS2000 经纬度）、4549（CGCS2000 3 度带 120°E）",
        )
    srs = lyr.srs
    if srs.srid is None:  # an ESRI .prj without an authority: let GDAL find the EPSG code if it can
        clone = srs.clone()
        try:
            clone.identify_epsg()
            if clone.srid is not None:
                return SpatialReference(clone.srid)
        except GDALException:
            pass
    return srs


def _geom(feat: Any) -> Any:
    try:
        return feat.geom
    except GDALException:  # a feature without geometry
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # codes stored as DBF numbers: 320614103000.0
    return norm(str(value))


def _feature(
    number: int, fid: int, attrs: dict[str, str], geom: Any, ct: CoordTransform | None, datum: Datum
) -> Feature:
    def refused(code: str, message: str) -> Feature:
        return Feature(number, fid, attrs, None, error=(code, message))

    if geom is None:
        return refused("missing_geometry", "要素没有几何")
    if ct is not None:
        geom = geom.clone()
        geom.transform(ct)
    shape = shapely.force_2d(shapely.from_wkb(bytes(geom.wkb)))
    if shapely.get_type_id(shape) == 7:  # a collection: keep its polygons
        shape = shapely.unary_union(
            [p for p in shapely.get_parts(shape) if isinstance(p, ShapelyPolygon | ShapelyMultiPolygon)]
        )
    if not isinstance(shape, ShapelyPolygon | ShapelyMultiPolygon):
        return refused("not_polygon", f"要素的几何是 {shape.geom_type}，不是面")
    if datum not in (Datum.WGS84, Datum.CGCS2000) and not shape.is_empty:
        shape = shapely.transform(shape, lambda xy: _shift(xy, datum))
    cleaned, repaired = clean_polygon(shape)
    if cleaned is None:
        return refused("empty_geometry", "几何为空（或修复后不剩任何面）")
    minx, miny, maxx, maxy = cleaned.bounds
    if not (in_china(minx, miny) and in_china(maxx, maxy)):
        return refused(
            "outside_china",
            f"转换为 WGS-84 后坐标（{minx:.4f}, {miny:.4f} – {maxx:.4f}, {maxy:.4f}）不在中国范围内："
            "文件的坐标系是否正确？可用 --source-srid 指定",
        )
    boundary = GEOSGeometry(memoryview(cleaned.wkb), srid=WGS84)
    assert isinstance(boundary, MultiPolygon)  # clean_polygon gives MultiPolygons only
    return Feature(number, fid, attrs, boundary, repaired=repaired)


def _line_feature(
    number: int, fid: int, attrs: dict[str, str], geom: Any, ct: CoordTransform | None, datum: Datum
) -> LineFeature:
    def refused(code: str, message: str) -> LineFeature:
        return LineFeature(number, fid, attrs, None, error=(code, message))

    if geom is None:
        return refused("missing_geometry", "要素没有几何")
    if ct is not None:
        geom = geom.clone()
        geom.transform(ct)
    shape = shapely.force_2d(shapely.from_wkb(bytes(geom.wkb)))
    if isinstance(shape, ShapelyMultiLineString):
        parts = list(shape.geoms)
        shape = shapely.line_merge(shape) if len(parts) > 1 else parts[0] if parts else ShapelyLineString()
        if isinstance(shape, ShapelyMultiLineString):
            return refused(
                "multi_part", f"要素是由 {len(shape.geoms)} 段互不相接的线组成的多段线，请拆分为单条河段"
            )
    if not isinstance(shape, ShapelyLineString):
        return refused("not_line", f"要素的几何是 {shape.geom_type}，不是线")
    if datum not in (Datum.WGS84, Datum.CGCS2000) and not shape.is_empty:
        shape = shapely.transform(shape, lambda xy: _shift(xy, datum))
    if not shape.is_empty:
        minx, miny, maxx, maxy = shape.bounds
        if not (in_china(minx, miny) and in_china(maxx, maxy)):
            return refused(
                "outside_china",
                f"转换为 WGS-84 后坐标（{minx:.4f}, {miny:.4f} – {maxx:.4f}, {maxy:.4f}）不在中国范围内："
                "文件的坐标系是否正确？可用 --source-srid 指定",
            )
    # Degenerate lines (one vertex, zero length, self-crossing) are the network engine's to report.
    coords = list(shape.coords)
    line = LineString(coords if len(coords) != 1 else coords * 2, srid=WGS84) if coords else None
    if line is None:
        return refused("missing_geometry", "要素的几何为空")
    return LineFeature(number, fid, attrs, line)


_POLYGONS = _Kind(
    frozenset(_POLYGON_TYPES), "no_polygon_layer", "面", "Polygon / MultiPolygon", lambda *a: _feature(*a)
)
_LINES = _Kind(frozenset(_LINE_TYPES), "no_line_layer", "线", "LineString / MultiLineString", _line_feature)


def _shift(xy: np.ndarray, datum: Datum) -> np.ndarray:
    out = np.empty_like(xy)
    for i, (lon, lat) in enumerate(xy):
        p = to_wgs84(LonLat(float(lon), float(lat)), datum)
        out[i] = (p.lon, p.lat)
    return out


def clean_polygon(shape: Any) -> tuple[ShapelyMultiPolygon | None, bool]:
    """A valid MultiPolygon from a (Multi)Polygon, and whether it had to be repaired; None when empty."""
    repaired = False
    if not shape.is_valid:
        fixed = shapely.make_valid(shape)
        parts = [p for p in shapely.get_parts(fixed) if isinstance(p, ShapelyPolygon | ShapelyMultiPolygon)]
        shape = shapely.unary_union(parts) if parts else ShapelyPolygon()
        repaired = True
    if isinstance(shape, ShapelyPolygon):
        shape = ShapelyMultiPolygon([shape]) if not shape.is_empty else shape
    if shape.is_empty or not isinstance(shape, ShapelyMultiPolygon) or shape.area == 0:
        return None, repaired
    return shape, repaired


def guess_field(fields: list[str], wanted: str | None, candidates: tuple[str, ...], what: str) -> str | None:
    """The layer's field named ``wanted`` (an error when missing), or the first of ``candidates`` present."""
    keys = {norm_key(f): f for f in fields}
    if wanted:
        found = keys.get(norm_key(wanted))
        if found is None:
            raise file_error(
                "unknown_field",
                f"图层中没有{what}字段「{wanted}」；图层的字段：{'、'.join(fields) or '无'}",
                available=fields,
            )
        return found
    return next((keys[norm_key(c)] for c in candidates if norm_key(c) in keys), None)
