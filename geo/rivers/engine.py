"""The pure engine (:mod:`geo.network`) fed from the database, built once per network version and kept in
the process: the network changes only on import, so a request never rebuilds it.

Projection: the engine works in planar metres. Rows are stored in WGS-84 (SRID 4326) and projected to
**EPSG:4549, CGCS2000 / 3-degree Gauss–Krüger CM 120E** (Haimen lies ~1.2° east of the central
meridian: a scale error of ~0.02 %, 2 m in 10 km), all of a network's lines in one GDAL transformation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import shapely
from django.contrib.gis.gdal import CoordTransform, OGRGeometry, SpatialReference
from shapely.geometry import MultiLineString, MultiPoint

from .. import network as engine
from .models import RiverLine, RiverNetwork

METRIC_SRID = 4549  # CGCS2000 / 3-degree Gauss-Kruger CM 120E
WGS84 = 4326
TOLERANCE_M = engine.DEFAULT_TOLERANCE_M  # end points this close are one node
MAX_SNAP_M = engine.DEFAULT_MAX_SNAP_M  # a site farther than this from every line stays off the network


def _transform(geom: object, source: int, target: int) -> object:
    ogr = OGRGeometry(memoryview(shapely.to_wkb(geom)), srs=SpatialReference(source))
    ogr.transform(CoordTransform(SpatialReference(source), SpatialReference(target)))
    return shapely.from_wkb(bytes(ogr.wkb))


def project_lines(lines: Sequence[Sequence[tuple[float, float]]]) -> list[tuple[tuple[float, float], ...]]:
    """WGS-84 vertex lists → EPSG:4549 vertex lists (one transformation for all)."""
    if not lines:
        return []
    multi = _transform(MultiLineString([list(c) for c in lines]), WGS84, METRIC_SRID)
    return [tuple((float(x), float(y)) for x, y in part.coords) for part in multi.geoms]  # type: ignore[attr-defined]


def project_points(
    points: Sequence[tuple[float, float]], *, inverse: bool = False
) -> list[tuple[float, float]]:
    """WGS-84 lon/lat → EPSG:4549 x/y (or back with ``inverse``), all at once."""
    if not points:
        return []
    source, target = (METRIC_SRID, WGS84) if inverse else (WGS84, METRIC_SRID)
    multi = _transform(MultiPoint(list(points)), source, target)
    return [(float(p.x), float(p.y)) for p in multi.geoms]  # type: ignore[attr-defined]


WALKS_KEPT = 256  # tens of sections asked at a few distances; a 10 km walk holds ~300 pieces


@dataclass(frozen=True)
class Walk:
    """A walk upstream from an origin (``engine.upstream`` without sites) and its pieces by line."""

    origin: engine.Snap
    reach: engine.Upstream
    pieces_by_line: dict[str, tuple[engine.Piece, ...]]


@dataclass(frozen=True)
class LoadedNetwork:
    """A network version as the engine sees it, with what every read needs computed once."""

    network_id: int
    key: str  # RiverNetwork.key: what the cache is keyed on
    network: engine.Network
    levels: dict[str, engine.RiverLevel]
    overrides: dict[str, int]
    # river name → river id, so a section's ``river`` text finds its river
    river_by_name: dict[str, str]
    # each river's 一级支流, asked once per river (the engine derives every level to answer)
    _first_level: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    # walks upstream already made on this version (see ``walk``)
    _walks: dict[tuple[str, str, float, float, float], Walk] = field(
        default_factory=dict, repr=False, compare=False
    )
    # each section's snap on this version as last read (line, offset, snapping distance): a guess a read
    # may walk from, provided it checks the guess against the database in the same statement
    _snaps: dict[int, tuple[str, float, float]] = field(default_factory=dict, repr=False, compare=False)

    def snap_seen(self, section_id: int, line_id: str, offset_m: float, snap_distance_m: float) -> None:
        if len(self._snaps) >= WALKS_KEPT * 16:
            self._snaps.clear()
        self._snaps[section_id] = (line_id, offset_m, snap_distance_m)

    def snap_guess(self, section_id: int) -> tuple[str, float, float] | None:
        return self._snaps.get(section_id)

    def river_of(self, text: str) -> str | None:
        text = (text or "").strip()
        if not text:
            return None
        if text in self.levels:
            return text
        return self.river_by_name.get(text)

    def walk(
        self, site_id: str, line_id: str, offset_m: float, snap_distance_m: float, max_distance_m: float
    ) -> Walk:
        """The engine's walk upstream from a point of a line (a section's snap), kept with this version: the
        network changes only on import (a new version, a new cache), so the same section and distance walk
        the same way until then. Sites are not in it — they move without a new version and are read from
        their snaps on every request. At most ``WALKS_KEPT`` walks are kept (then they start again)."""
        key = (site_id, line_id, offset_m, snap_distance_m, max_distance_m)
        found = self._walks.get(key)
        if found is None:
            origin = engine.snap_at(self.network, site_id, line_id, offset_m, snap_distance_m)
            reach = engine.upstream(self.network, origin, max_distance_m=max_distance_m)
            by_line: dict[str, list[engine.Piece]] = {}
            for piece in reach.pieces:
                by_line.setdefault(piece.line_id, []).append(piece)
            found = Walk(origin, reach, {k: tuple(v) for k, v in by_line.items()})
            if len(self._walks) >= WALKS_KEPT:
                self._walks.clear()  # one call, safe beside other threads' reads (no iteration)
            self._walks[key] = found
        return found

    def first_level(self, river_id: str) -> frozenset[str]:
        if river_id not in self._first_level:
            found = engine.first_level_tributaries(self.network, river_id, self.overrides, levels=self.levels)
            self._first_level[river_id] = frozenset(r.river_id for r in found)
        return self._first_level[river_id]


def load(
    network_id: int,
    key: str,
    lines: Iterable[engine.RiverLine],
    overrides: dict[str, int],
    *,
    built: engine.Network | None = None,
) -> LoadedNetwork:
    network = built if built is not None else engine.build_network(lines, tolerance_m=TOLERANCE_M)
    levels = engine.river_levels(network, overrides)
    by_name: dict[str, str] = {}
    for river_id, name in network.river_names.items():
        by_name.setdefault(name, river_id)
    return LoadedNetwork(network_id, key, network, levels, dict(overrides), by_name)


def overrides_of(rows: Iterable[tuple[str, int | None]]) -> dict[str, int]:
    """River id → level from the lines that set one (the lowest, should a river's lines disagree)."""
    out: dict[str, int] = {}
    for river_id, level in rows:
        if level is not None:
            out[river_id] = min(level, out.get(river_id, level))
    return out


def _from_database(network_id: int, key: str) -> LoadedNetwork:
    rows = list(
        RiverLine.objects.filter(network_id=network_id)
        .order_by("order")
        .values_list("line_id", "river_id", "river_name", "level_override", "geometry")
    )
    coords = project_lines([r[4].coords for r in rows])
    lines = [engine.RiverLine(r[0], r[1], c, r[2]) for r, c in zip(rows, coords, strict=True)]
    return load(network_id, key, lines, overrides_of((r[1], r[3]) for r in rows))


_lock = threading.Lock()
_cache: dict[str, LoadedNetwork] = {}


def remember(loaded: LoadedNetwork) -> None:
    """Keep a network just built (the importer's) so the first read after the import does not rebuild."""
    with _lock:
        _cache.clear()
        _cache[loaded.key] = loaded


def loaded_network(network_id: int, key: str) -> LoadedNetwork:
    """The version ``network_id``, built on first use in this process (one version kept at a time)."""
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = _from_database(network_id, key)
            _cache.clear()
            _cache[key] = found
        return found


def kept_network() -> LoadedNetwork | None:
    """The version this process keeps (the last one read or imported), without asking the database."""
    with _lock:
        return next(iter(_cache.values()), None)


def current_network() -> LoadedNetwork | None:
    """The current version (one indexed read to learn which it is), or None before any import."""
    row = RiverNetwork.objects.filter(is_current=True).values_list("pk", "key").first()
    return None if row is None else loaded_network(row[0], str(row[1]))


def forget() -> None:
    """Drop the cached network (tests that roll the database back)."""
    with _lock:
        _cache.clear()
