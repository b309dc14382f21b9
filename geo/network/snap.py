"""Snapping sites (sections, outfalls, pump stations, facilities) to the nearest edge of the network."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from .model import LIMIT_EPS_M, SNAP_MESSAGES, Network, _fmt_m

DEFAULT_MAX_SNAP_M = 200.0


@dataclass(frozen=True, slots=True)
class Site:
    """A point to place on the network, in the network's planar metres. With ``river_id`` it is snapped
    only to that river's lines (a section on 青龙河 at a confluence belongs to 青龙河, not the tributary)."""

    id: str
    x: float
    y: float
    river_id: str | None = None


@dataclass(frozen=True, slots=True)
class Snap:
    """A site placed on an edge: ``edge_offset_m`` from the edge's upstream end, ``offset_m`` from its
    line's first vertex; ``distance_m`` from the site to the snapped point (``x``, ``y``)."""

    site_id: str
    edge: int
    line_id: str
    river_id: str
    offset_m: float
    edge_offset_m: float
    distance_m: float
    x: float
    y: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "line_id": self.line_id,
            "river_id": self.river_id,
            "offset_m": self.offset_m,
            "snap_distance_m": self.distance_m,
            "x": self.x,
            "y": self.y,
        }


@dataclass(frozen=True, slots=True)
class Unsnapped:
    """A site left off the network: ``code`` (a ``SNAP_MESSAGES`` key), zh-Hans ``message`` and the
    distance to the nearest edge it could have had (None when there is none)."""

    site_id: str
    code: str
    message: str
    nearest_m: float | None = None


@dataclass(frozen=True)
class SnapResult:
    snapped: tuple[Snap, ...]
    unsnapped: tuple[Unsnapped, ...]

    def by_site(self) -> dict[str, Snap]:
        return {s.site_id: s for s in self.snapped}


def snap_sites(
    network: Network, sites: Iterable[Site], *, max_distance_m: float = DEFAULT_MAX_SNAP_M
) -> SnapResult:
    """Each site on its nearest edge (ties: the earlier edge), if no farther than ``max_distance_m``
    (inclusive); the others are listed as unsnapped with the reason."""
    if not (math.isfinite(max_distance_m) and max_distance_m >= 0):
        raise ValueError("最大捕捉距离必须是非负有限数值")
    sites = list(sites)
    edges_of: dict[str, list[int]] = {}
    for edge in network.edges:
        edges_of.setdefault(edge.river_id, []).append(edge.index)
    results: dict[int, Snap | Unsnapped] = _snap_plain(network, sites, max_distance_m)
    for k, site in enumerate(sites):
        if k not in results:
            results[k] = _snap_one(network, site, max_distance_m, edges_of)
    snapped: list[Snap] = []
    unsnapped: list[Unsnapped] = []
    for k in range(len(sites)):
        result = results[k]
        if isinstance(result, Snap):
            snapped.append(result)
        else:
            unsnapped.append(result)
    return SnapResult(tuple(snapped), tuple(unsnapped))


def _snap_plain(network: Network, sites: list[Site], max_distance_m: float) -> dict[int, Snap | Unsnapped]:
    """The sites without a river hint that have an edge within reach, all at once (an outfall ledger holds
    tens of thousands); the rest are left to ``_snap_one``. Same choice: nearest, then the earlier edge."""
    plain = [
        k
        for k, s in enumerate(sites)
        if s.river_id is None and math.isfinite(s.x) and math.isfinite(s.y) and network.edges
    ]
    if not plain:
        return {}
    points = shapely.points(np.array([(sites[k].x, sites[k].y) for k in plain], dtype=float))
    geoms = np.array(network.edge_geoms, dtype=object)
    site_idx, edge_idx = network.edge_tree.query(points, predicate="dwithin", distance=max_distance_m)
    if not len(site_idx):
        return {}
    distance = shapely.distance(geoms[edge_idx], points[site_idx])
    order = np.lexsort((edge_idx, distance, site_idx))
    site_idx, edge_idx, distance = site_idx[order], edge_idx[order], distance[order]
    first = np.unique(site_idx, return_index=True)[1]
    site_idx, edge_idx, distance = site_idx[first], edge_idx[first], distance[first]
    along = shapely.line_locate_point(geoms[edge_idx], points[site_idx])
    out: dict[int, Snap | Unsnapped] = {}
    for s, e, d, t in zip(
        site_idx.tolist(), edge_idx.tolist(), distance.tolist(), along.tolist(), strict=True
    ):
        out[plain[s]] = _place(network, sites[plain[s]], e, d, t)
    return out


def _place(network: Network, site: Site, e: int, distance_m: float, along: float) -> Snap:
    edge = network.edges[e]
    t = min(max(along, 0.0), edge.length_m)
    on = network.edge_geoms[e].interpolate(t)
    return Snap(site.id, e, edge.line_id, edge.river_id, edge.start_m + t, t, distance_m, on.x, on.y)


def _snap_one(
    network: Network, site: Site, max_distance_m: float, edges_of: dict[str, list[int]]
) -> Snap | Unsnapped:
    if not (math.isfinite(site.x) and math.isfinite(site.y)):
        return _unsnapped(site, "invalid_coordinate")
    if not network.edges:
        return _unsnapped(site, "empty_network")
    point = Point(site.x, site.y)
    if site.river_id is not None:
        candidates = edges_of.get(site.river_id, [])
        if not candidates:
            return _unsnapped(site, "no_river_line", river=site.river_id)
    else:
        candidates = network.edge_tree.query(point, predicate="dwithin", distance=max_distance_m).tolist()
        if not candidates:
            nearest = network.edge_tree.query_nearest(point, return_distance=True)[1]
            return _too_far(site, float(nearest[0]), max_distance_m)
    geoms = [network.edge_geoms[e] for e in candidates]
    distances = shapely.distance(geoms, point).tolist()
    best_distance, best = min(zip(distances, candidates, strict=True))
    if best_distance > max_distance_m:
        return _too_far(site, best_distance, max_distance_m)
    return _place(network, site, best, float(best_distance), float(network.edge_geoms[best].project(point)))


def _too_far(site: Site, nearest: float, max_distance_m: float) -> Unsnapped:
    message = SNAP_MESSAGES["too_far"].format(distance=_fmt_m(nearest), max_distance=_fmt_m(max_distance_m))
    return Unsnapped(site.id, "too_far", message, nearest)


def _unsnapped(site: Site, code: str, *, river: str = "") -> Unsnapped:
    return Unsnapped(site.id, code, SNAP_MESSAGES[code].format(river=river))


def snap_at(network: Network, site_id: str, line_id: str, offset_m: float, distance_m: float = 0.0) -> Snap:
    """A snap rebuilt from what the database keeps (line id, offset along the line, snapping distance),
    without snapping again; edges are numbered per build, lines and offsets are not. An offset on a node
    inside the line belongs to the piece ending there, as nearest-edge snapping would pick it."""
    pieces = [e for e in network.edges if e.line_id == line_id]
    if not pieces:
        raise KeyError(line_id)
    if not (math.isfinite(offset_m) and -LIMIT_EPS_M <= offset_m <= pieces[-1].end_m + LIMIT_EPS_M):
        raise ValueError(f"河段 {line_id} 上的位置 {offset_m} 米超出河段长度")
    edge = next((e for e in pieces if offset_m <= e.end_m), pieces[-1])
    t = min(max(offset_m - edge.start_m, 0.0), edge.length_m)
    on = network.edge_geoms[edge.index].interpolate(t)
    return Snap(site_id, edge.index, line_id, edge.river_id, edge.start_m + t, t, distance_m, on.x, on.y)
