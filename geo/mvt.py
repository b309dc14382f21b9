"""Mapbox Vector Tiles, pure: tile arithmetic (XYZ / Web Mercator) and the encoder the embedded SpatiaLite
default uses where PostGIS has ``ST_AsMVT``.

The encoder does what ``ST_AsMVTGeom(geom, ST_TileEnvelope(z, x, y), EXTENT, BUFFER, true)`` does: project
WGS-84 to Web Mercator (EPSG:3857), scale to tile units with the y axis pointing down, snap to the integer
grid, clip to the tile widened by the buffer, drop what is left empty — so both databases answer the same
features. No Django here (import-linter's pure-engines contract).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mapbox_vector_tile
import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
# Half the Web Mercator world's width, metres (EPSG:3857 bounds are ±this on both axes).
ORIGIN = 20037508.342789244
EARTH_RADIUS = 6378137.0
MAX_LAT = 85.0511287798066
MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


class TileOutOfRange(ValueError):
    """``z``, ``x`` or ``y`` lie outside the tile pyramid; ``field`` names which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Tile:
    z: int
    x: int
    y: int

    def __post_init__(self) -> None:
        if not 0 <= self.z <= MAX_ZOOM:
            raise TileOutOfRange("z", f"缩放级别应在 0–{MAX_ZOOM} 之间")
        n = 1 << self.z
        for field, value in (("x", self.x), ("y", self.y)):
            if not 0 <= value < n:
                raise TileOutOfRange(field, f"第 {self.z} 级的 {field} 应在 0–{n - 1} 之间")

    def bounds_3857(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in Web Mercator metres: what ``ST_TileEnvelope(z, x, y)`` returns."""
        size = 2 * ORIGIN / (1 << self.z)
        minx = -ORIGIN + self.x * size
        maxy = ORIGIN - self.y * size
        return minx, maxy - size, minx + size, maxy

    def bounds_4326(self, buffer: int = BUFFER) -> tuple[float, float, float, float]:
        """The tile widened by ``buffer`` tile units, in WGS-84 degrees (the bbox filter on stored data)."""
        minx, miny, maxx, maxy = self.bounds_3857()
        pad = (maxx - minx) * buffer / EXTENT
        x0, y0 = mercator_to_lonlat(max(minx - pad, -ORIGIN), max(miny - pad, -ORIGIN))
        x1, y1 = mercator_to_lonlat(min(maxx + pad, ORIGIN), min(maxy + pad, ORIGIN))
        return x0, y0, x1, y1


def lonlat_to_mercator(lon: Any, lat: Any) -> tuple[Any, Any]:
    """WGS-84 degrees → EPSG:3857 metres (scalars or numpy arrays), latitude clamped to the projection."""
    lat = np.clip(lat, -MAX_LAT, MAX_LAT)
    x = np.radians(lon) * EARTH_RADIUS
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * EARTH_RADIUS
    return x, y


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = math.degrees(x / EARTH_RADIUS)
    lat = math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS)) - math.pi / 2)
    return lon, lat


def to_tile_units(geom: BaseGeometry, tile: Tile, extent: int = EXTENT) -> BaseGeometry:
    """A WGS-84 geometry in the tile's integer grid, y down (as ``ST_AsMVTGeom`` before clipping)."""
    minx, miny, maxx, maxy = tile.bounds_3857()
    sx, sy = extent / (maxx - minx), extent / (maxy - miny)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = lonlat_to_mercator(coords[:, 0], coords[:, 1])
        return np.column_stack((np.rint((x - minx) * sx), np.rint((maxy - y) * sy)))

    return shapely.transform(geom, project)


def clip(geom: BaseGeometry, extent: int = EXTENT, buffer: int = BUFFER) -> BaseGeometry | None:
    """The geometry cut to the tile plus its buffer; ``None`` when nothing of it is left."""
    area = box(-buffer, -buffer, extent + buffer, extent + buffer)
    if geom.geom_type == "Point":
        return geom if area.covers(geom) else None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    cut = geom.intersection(area)
    if cut.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        polygons = [g for g in getattr(cut, "geoms", [cut]) if g.geom_type in ("Polygon", "MultiPolygon")]
        cut = shapely.union_all(polygons) if polygons else None
        if cut is None or cut.is_empty or cut.area == 0:
            return None
    return cut


@dataclass(frozen=True)
class Feature:
    """A feature to encode: its WGS-84 geometry (shapely) — or, with ``tile_units``, a geometry already
    in the tile's integer grid (y down) — integer id and scalar properties."""

    id: int
    geometry: BaseGeometry
    properties: Mapping[str, str | int | float | bool | None]
    tile_units: bool = False


# Grid aggregation ("clusters") of a point layer at low zoom: cells of CELL × CELL tile units aligned on
# the tile's edges, so every cell lies in exactly one tile (no cluster is counted twice across a tile
# edge, and the buffer plays no part). 128 units are 16 px on a map drawing tiles 512 px wide (MapLibre's
# vector tiles): about a cluster bubble's size, so neighbouring cells don't overlap into a blob, and a
# tile holds at most 32 × 32 = 1,024 features per layer however dense the points.
CELL = 128


def cell_of(x: float, y: float, tile: Tile, cell: int = CELL) -> tuple[float, float, int, int] | None:
    """A Web Mercator point's position in ``tile`` (tile units, y down, unrounded) and its grid cell
    (column, row); ``None`` when the point lies outside the tile proper. The same arithmetic as the
    PostGIS statement: ``(x - minx) * scale``, ``(maxy - y) * scale``, ``floor(t / cell)``."""
    minx, _, maxx, maxy = tile.bounds_3857()
    scale = EXTENT / (maxx - minx)
    tx, ty = (x - minx) * scale, (maxy - y) * scale
    n = EXTENT // cell
    cx, cy = math.floor(tx / cell), math.floor(ty / cell)
    if not (0 <= cx < n and 0 <= cy < n):
        return None
    return tx, ty, cx, cy


def cell_id(tile: Tile, cx: int, cy: int, cell: int = CELL) -> int:
    """A grid cell's feature id, unique across all tiles of the zoom level (a client that deduplicates
    features by id across tiles must not merge two tiles' cells): global row × cells per world row + global
    column, where the global column is ``tile.x * cells + cx``."""
    n = EXTENT // cell
    return (tile.y * n + cy) * ((1 << tile.z) * n) + tile.x * n + cx


def grid_aggregate(
    points: Iterable[tuple[float, float, Mapping[str, bool]]],
    tile: Tile,
    tallies: Sequence[str],
    cell: int = CELL,
) -> list[Feature]:
    """WGS-84 points ``(lon, lat, {tally: member counts?})`` of ``tile`` grouped into grid cells: one
    feature per occupied cell at its members' centroid (rounded half up to the integer grid), id
    :func:`cell_id` (unique across the zoom level's tiles), properties ``count`` and the number of members
    for which each tally is true.
    Points outside the tile proper are left out (their cell belongs to a neighbouring tile)."""
    sums: dict[tuple[int, int], list[Any]] = {}
    for lon, lat, flags in points:
        mx, my = lonlat_to_mercator(lon, lat)
        found = cell_of(float(mx), float(my), tile, cell)
        if found is None:
            continue
        tx, ty, cx, cy = found
        acc = sums.setdefault((cx, cy), [0, 0.0, 0.0, dict.fromkeys(tallies, 0)])
        acc[0] += 1
        acc[1] += tx
        acc[2] += ty
        for name in tallies:
            acc[3][name] += bool(flags.get(name))
    return [
        Feature(
            cell_id(tile, cx, cy, cell),
            shapely.Point(math.floor(sx / count + 0.5), math.floor(sy / count + 0.5)),
            {"count": count, **counts},
            tile_units=True,
        )
        for (cx, cy), (count, sx, sy, counts) in sorted(sums.items())
    ]


def encode(
    layers: Mapping[str, Iterable[Feature]], tile: Tile, *, extent: int = EXTENT, buffer: int = BUFFER
) -> bytes:
    """The tile's protobuf bytes; a layer with no feature left after clipping is left out (as ``ST_AsMVT``
    leaves out an empty aggregate), so an empty tile is zero bytes. ``None`` properties are omitted."""
    out = []
    for name, features in layers.items():
        encoded = []
        for f in features:
            geom = clip(
                f.geometry if f.tile_units else to_tile_units(f.geometry, tile, extent), extent, buffer
            )
            if geom is None:
                continue
            props = {k: v for k, v in f.properties.items() if v is not None}
            encoded.append({"id": f.id, "geometry": geom, "properties": props})
        if encoded:
            out.append({"name": name, "features": encoded})
    if not out:
        return b""
    return bytes(
        mapbox_vector_tile.encode(
            out, default_options={"extents": extent, "y_coord_down": True, "check_winding_order": True}
        )
    )


def decode(data: bytes) -> dict[str, Sequence[dict[str, Any]]]:
    """Layer name → features (tile units, y down): for tests and the benchmark."""
    if not data:
        return {}
    layers = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    return {name: layer["features"] for name, layer in layers.items()}
