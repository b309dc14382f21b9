"""Vector tiles of the map layers, scoped to the reader.

PostGIS answers a tile with one query (``ST_AsMVT`` / ``ST_AsMVTGeom`` over ``ST_TileEnvelope``) wrapped
around the layer's scoped Django query (:mod:`.sources`); SpatiaLite, which has no MVT encoder, reads the
same query and encodes in Python (:mod:`geo.mvt`). The ETag is the layer's version (bumped by every
service writing what it shows), the reader's scope and, for sections, the month: a client revalidates
without the tile being built.

Below ``MAP_CLUSTER_BELOW_ZOOM`` a point layer with ``cluster`` tallies is aggregated into grid cells of
:data:`geo.mvt.CELL` tile units (one feature per occupied cell: ``count`` and the tallies, at the members'
centroid), after scoping: in the same one statement on PostGIS, by :func:`geo.mvt.grid_aggregate` on
SpatiaLite — both answer the same features.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.utils import timezone

from geo import coords, mvt
from geo.models import MapLayerVersion
from kernel.access import Principal
from kernel.errors import InvalidInput, NotFound

from .sources import LAYERS, SECTION_CLASS_PROPS, Layer, Prop, section_classes

# Clients may reuse a tile this long without asking; after that a revalidation costs one row's read.
MAX_AGE = 60
# Bumped when what a tile holds for the same data changes (properties, encoding).
FORMAT = "2"  # 2: point layers aggregated into grid cells below MAP_CLUSTER_BELOW_ZOOM


@dataclass(frozen=True)
class TileRequest:
    layer: Layer
    tile: mvt.Tile
    paths: tuple[str, ...] | None
    month: date | None  # sections only
    datum: str = coords.Datum.WGS84  # wgs84, or gcj02 to sit on a 高德 / 腾讯 base map


# The datums a tile may be drawn in; GCJ-02 geometries are shifted by the server (vector tile geometry
# cannot be shifted by the client) so the features sit on a GCJ-02 base map.
TILE_DATUMS = (coords.Datum.WGS84, coords.Datum.GCJ02)
# GCJ-02 moves a point by < 0.01° (~700 m) in China: a GCJ-02 tile reads its WGS-84 bbox grown by this.
GCJ02_MARGIN_DEG = 0.01


def tile_request(
    *,
    principal: Principal,
    layer: str,
    z: int,
    x: int,
    y: int,
    month: str | None,
    datum: str | None = None,
) -> TileRequest:
    """Check the request (404 for a layer that does not exist, 422 naming the field out of range)."""
    spec = LAYERS.get(layer)
    if spec is None:
        raise NotFound(
            "图层不存在",
            code="unknown_layer",
            details={"fields": {"layer": [f"可选图层：{'、'.join(LAYERS)}"]}},
        )
    try:
        tile = mvt.Tile(z, x, y)
    except mvt.TileOutOfRange as exc:
        raise InvalidInput(details={"fields": {exc.field: [exc.message]}}) from None
    if datum and datum not in TILE_DATUMS:
        raise InvalidInput(details={"fields": {"datum": [f"可选坐标系：{'、'.join(TILE_DATUMS)}"]}})
    return TileRequest(
        spec,
        tile,
        principal.region_paths(),
        _month(month) if layer == "sections" else None,
        coords.Datum(datum or coords.Datum.WGS84),
    )


def _month(value: str | None) -> date:
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        year, month = (int(v) for v in value.split("-"))
        return date(year, month, 1)
    except (ValueError, OverflowError):
        raise InvalidInput(details={"fields": {"month": ["月份格式应为 YYYY-MM"]}}) from None


def tile_etag(req: TileRequest) -> str:
    """Changes when the layer's data, the reader's scope or the month does (one indexed row read)."""
    version = MapLayerVersion.objects.filter(layer=req.layer.name).values_list("version", flat=True).first()
    key_parts = [FORMAT, req.layer.name, version or 0, req.paths, req.month and req.month.isoformat()]
    if req.datum != coords.Datum.WGS84:
        key_parts.append(str(req.datum))
    if clustered(req.layer, req.tile):
        key_parts.append(mvt.CELL)
    key = json.dumps(key_parts)
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def clustered(layer: Layer, tile: mvt.Tile) -> bool:
    """Whether the tile holds grid cells rather than single points."""
    return layer.cluster is not None and tile.z < settings.MAP_CLUSTER_BELOW_ZOOM


def tile_render(req: TileRequest) -> bytes:
    """The tile's bytes (empty when no feature of the layer lies in it)."""
    minx, miny, maxx, maxy = req.tile.bounds_4326()
    shifted = req.datum == coords.Datum.GCJ02
    if shifted:
        m = GCJ02_MARGIN_DEG
        minx, miny, maxx, maxy = minx - m, max(miny - m, -85.06), maxx + m, min(maxy + m, 85.06)
    area = Polygon.from_bbox((minx, miny, maxx, maxy))
    querysets = req.layer.querysets(req.paths, area)
    classes = None
    if req.layer.name == "sections":
        ids = [i for qs in querysets for i in qs.values_list("fid", flat=True)]
        classes = section_classes(ids, req.month or timezone.localdate())
    if connection.vendor == "postgresql" and not shifted:
        return _postgis(req, querysets, classes)
    return _python(req, querysets, classes, shift=shifted)


# --- PostGIS: one query ------------------------------------------------------------------------------


def _prop_sql(p: Prop) -> str:
    col = f's."p_{p.name}"'
    if p.kind == "codes":
        expr = f"NULLIF(array_to_string(ARRAY(SELECT jsonb_array_elements_text({col}::jsonb)), ','), '')"
    elif p.kind == "flag_codes":
        expr = (
            # Only our own column names are formatted in; values are bound parameters.
            f"NULLIF(array_to_string(ARRAY(SELECT e->>'code' FROM jsonb_array_elements({col}::jsonb) "  # noqa: S608
            f"WITH ORDINALITY AS a(e, n) ORDER BY n), ','), '')"
        )
    elif p.kind == "date":
        expr = f"to_char({col}, 'YYYY-MM-DD')"
    else:
        expr = col
    return f'{expr} AS "{p.name}"'


def tile_sql(
    layer: Layer, querysets: list[Any], tile: mvt.Tile, classes: dict[int, Any] | None
) -> tuple[str, list[Any]]:
    """The one statement that builds the tile (also what ``bench/tiles`` runs bare)."""
    parts, params = [], []
    for qs in querysets:
        sql, p = qs.query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(p)
    if clustered(layer, tile):
        return _cluster_sql(layer, parts, params, tile)
    props = [_prop_sql(p) for p in layer.props]
    join = ""
    join_params: list[Any] = []
    if classes is not None:
        props += [f'c."{name}"' for name in SECTION_CLASS_PROPS]
        join = (
            'LEFT JOIN jsonb_to_recordset(%s::jsonb) AS c(id bigint, "class" int, class_label text, '
            "meets_target boolean) ON c.id = s.fid"
        )
        join_params = [json.dumps([{"id": k, **v} for k, v in classes.items()])]
    sql = (
        f"SELECT ST_AsMVT(t, %s, {mvt.EXTENT}, 'geom', 'id') FROM ("  # noqa: S608 (Django's SQL, bound values)
        f"SELECT ST_AsMVTGeom(ST_Transform(s.geom, 3857), ST_TileEnvelope(%s, %s, %s), {mvt.EXTENT}, "
        f"{mvt.BUFFER}, true) AS geom, s.fid AS id, {', '.join(props)} "
        f"FROM ({' UNION ALL '.join(parts)}) AS s {join}"
        f") AS t WHERE t.geom IS NOT NULL"
    )
    return sql, [layer.name, tile.z, tile.x, tile.y, *params, *join_params]


def _cluster_sql(layer: Layer, parts: list[str], params: list[Any], tile: mvt.Tile) -> tuple[str, list[Any]]:
    """Grid cells in one statement: each point's position in tile units and its cell (the arithmetic of
    :func:`geo.mvt.cell_of`, with the tile's bounds bound as parameters so both databases use the same
    numbers), GROUP BY the cell, the members' centroid rounded half up; points outside the tile proper
    (in its buffer) are left to the neighbouring tile whose cell they fall in. With ``cluster_fence``,
    ``OFFSET 0`` keeps the planner from inlining the innermost subquery, which would run each row's
    correlated subquery (the facility's latest audit) once per reference (three tallies)."""
    assert layer.cluster is not None
    minx, _, maxx, maxy = tile.bounds_3857()
    scale = mvt.EXTENT / (maxx - minx)
    n = mvt.EXTENT // mvt.CELL
    needed = sorted({t.prop for t in layer.cluster})
    tallies = "".join(
        f', count(*) FILTER (WHERE {t.sql.replace("{}", f"p.{_q(t.prop)}")})::int AS "{t.name}"'
        for t in layer.cluster
    )
    cols = "".join(f", {_q(name)}" for name in needed)
    sql = (
        f"SELECT ST_AsMVT(t, %s, {mvt.EXTENT}, 'geom', 'id') FROM ("  # noqa: S608 (our names, bound values)
        f"SELECT ST_MakePoint(floor(avg(p.tx) + 0.5), floor(avg(p.ty) + 0.5)) AS geom, "
        # geo.mvt.cell_id: (global row) * (cells per world row) + global column.
        f"(({tile.y * n} + p.cy)::bigint * {(1 << tile.z) * n} + {tile.x * n} + p.cx) AS id, "
        f'count(*)::int AS "count"{tallies} '
        f"FROM (SELECT q.*, floor(q.tx / {mvt.CELL})::int AS cx, floor(q.ty / {mvt.CELL})::int AS cy "
        f"FROM (SELECT (ST_X(m.g) - %s) * %s AS tx, (%s - ST_Y(m.g)) * %s AS ty{cols} "
        f"FROM (SELECT ST_Transform(s.geom, 3857) AS g{cols} FROM ({' UNION ALL '.join(parts)}) AS s "
        f"{'OFFSET 0' if layer.cluster_fence else ''}) AS m"
        f") AS q) AS p WHERE p.cx BETWEEN 0 AND {n - 1} AND p.cy BETWEEN 0 AND {n - 1} "
        f"GROUP BY p.cx, p.cy) AS t"
    )
    return sql, [layer.name, minx, scale, maxy, scale, *params]


def _q(prop: str) -> str:
    return f'"p_{prop}"'


def _postgis(req: TileRequest, querysets: list[Any], classes: dict[int, Any] | None) -> bytes:
    sql, params = tile_sql(req.layer, querysets, req.tile, classes)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


# --- SpatiaLite: the same features, encoded in Python --------------------------------------------------


def _prop_value(p: Prop, value: Any) -> Any:
    if value is None:
        return None
    if p.kind in ("codes", "flag_codes") and isinstance(value, str):
        value = json.loads(value)
    if p.kind == "codes":
        return ",".join(value) or None
    if p.kind == "flag_codes":
        return ",".join(str(f.get("code")) for f in value) or None
    if p.kind == "date":
        return value.isoformat()
    return value


def _to_gcj02(xy: Any) -> Any:
    out = xy.copy()
    for i, (lon, lat) in enumerate(xy):
        p = coords.wgs84_to_gcj02(coords.LonLat(float(lon), float(lat)))
        out[i] = (p.lon, p.lat)
    return out


def _python(
    req: TileRequest, querysets: list[Any], classes: dict[int, Any] | None, *, shift: bool = False
) -> bytes:
    if clustered(req.layer, req.tile):
        return _python_cells(req, querysets, shift=shift)
    features = []
    for qs in querysets:
        for row in qs:
            if row["geom"] is None:
                continue
            props = {p.name: _prop_value(p, row[f"p_{p.name}"]) for p in req.layer.props}
            if classes is not None:
                props.update(classes.get(row["fid"], {}))
            geom = shapely.from_wkb(bytes(row["geom"].wkb))
            if shift:
                geom = shapely.transform(geom, _to_gcj02)
            features.append(mvt.Feature(row["fid"], geom, props))
    return mvt.encode({req.layer.name: features}, req.tile)


def _python_cells(req: TileRequest, querysets: list[Any], *, shift: bool) -> bytes:
    tallies = req.layer.cluster or ()
    props = {p.name: p for p in req.layer.props}

    def points() -> Any:
        for qs in querysets:
            for row in qs:
                if row["geom"] is None:
                    continue
                values = {t.prop: _prop_value(props[t.prop], row[f"p_{t.prop}"]) for t in tallies}
                x, y = row["geom"].x, row["geom"].y
                if shift:
                    moved = coords.wgs84_to_gcj02(coords.LonLat(x, y))
                    x, y = moved.lon, moved.lat
                yield x, y, {t.name: t.test(values[t.prop]) for t in tallies}

    cells = mvt.grid_aggregate(points(), req.tile, [t.name for t in tallies])
    return mvt.encode({req.layer.name: cells}, req.tile)
