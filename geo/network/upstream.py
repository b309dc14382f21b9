"""What lies upstream of a point along the water: Dijkstra against the flow from the snapped point."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .model import LIMIT_EPS_M, Network
from .snap import Snap


@dataclass(frozen=True, slots=True)
class Reached:
    """A snapped site upstream: ``distance_m`` along the water from it down to the origin."""

    site_id: str
    distance_m: float
    snap: Snap

    def as_dict(self) -> dict[str, Any]:
        return {"site_id": self.site_id, "distance_m": self.distance_m, **self.snap.as_dict()}


@dataclass(frozen=True, slots=True)
class Piece:
    """The part of an edge within reach, as offsets along its line (``from_m`` < ``to_m``, in flow order);
    ``distance_m`` is the distance along the water from its downstream end (``to_m``) to the origin."""

    edge: int
    line_id: str
    river_id: str
    from_m: float
    to_m: float
    distance_m: float

    @property
    def length_m(self) -> float:
        return self.to_m - self.from_m


@dataclass(frozen=True)
class Upstream:
    origin: Snap
    max_distance_m: float
    sites: tuple[Reached, ...]  # by distance, then site id
    # By distance, then line and offset; one per edge, except the origin's edge when a loop brings the water
    # back to it (its part below the origin then comes as a second piece).
    pieces: tuple[Piece, ...]

    def distances(self) -> dict[str, float]:
        return {r.site_id: r.distance_m for r in self.sites}

    def rivers(self) -> dict[str, float]:
        """Each river reached, with the distance of its nearest reached point (for a tributary: its mouth,
        or where it was first reached)."""
        out: dict[str, float] = {}
        for piece in self.pieces:
            if piece.river_id not in out or piece.distance_m < out[piece.river_id]:
                out[piece.river_id] = piece.distance_m
        return out


def upstream(
    network: Network, origin: Snap, *, max_distance_m: float, sites: Iterable[Snap] = ()
) -> Upstream:
    """Everything upstream of ``origin`` within ``max_distance_m`` along the water (against the edges'
    direction): the ``sites`` reached, each with its shortest distance, and the pieces of line reached.

    The limit is inclusive: a site at exactly ``max_distance_m`` is in, one farther than
    ``max_distance_m + LIMIT_EPS_M`` is out. Loops (tidal channels) terminate: every node is settled once,
    at its shortest distance. A site downstream of the origin is upstream only if a loop brings the water
    back. An origin at an edge's downstream end stands on the node, so every edge flowing into that node
    (a confluence) is upstream of it.
    """
    if not (math.isfinite(max_distance_m) and max_distance_m >= 0):
        raise ValueError("上游距离必须是非负有限数值")
    limit = max_distance_m + LIMIT_EPS_M
    edge = network.edges[origin.edge]
    t = origin.edge_offset_m
    at_node = t >= edge.length_m - LIMIT_EPS_M
    dist = _settle(network, edge.target if at_node else edge.source, 0.0 if at_node else t, limit)

    pieces: list[Piece] = []
    if not at_node:
        lo = max(0.0, t - max_distance_m)
        if lo < t:
            pieces.append(_piece(network, origin.edge, lo, t, 0.0))
    for node, d in dist.items():
        for e in network.incoming[node]:
            length = network.edges[e].length_m
            lo = min(length, max(0.0, length - (max_distance_m - d)))
            if lo < length:
                pieces.append(_piece(network, e, lo, length, d))
    pieces.sort(key=lambda p: (p.distance_m, p.line_id, p.from_m))

    reached: list[Reached] = []
    for snap in sites:
        best = math.inf
        if snap.edge == origin.edge and not at_node and snap.edge_offset_m <= t:
            best = t - snap.edge_offset_m
        target = network.edges[snap.edge].target
        if target in dist:
            best = min(best, dist[target] + (network.edges[snap.edge].length_m - snap.edge_offset_m))
        if best <= limit:
            reached.append(Reached(snap.site_id, best, snap))
    reached.sort(key=lambda r: (r.distance_m, r.site_id))
    return Upstream(origin, max_distance_m, tuple(reached), tuple(pieces))


def _settle(network: Network, seed: int, seed_distance: float, limit: float) -> dict[int, float]:
    """Shortest distance along the water from each node within ``limit`` down to the origin."""
    dist: dict[int, float] = {}
    if seed_distance > limit:
        return dist
    best = {seed: seed_distance}
    heap = [(seed_distance, seed)]
    while heap:
        d, node = heapq.heappop(heap)
        if node in dist:
            continue
        dist[node] = d
        for e in network.incoming[node]:
            edge = network.edges[e]
            nd = d + edge.length_m
            if nd <= limit and nd < best.get(edge.source, math.inf):
                best[edge.source] = nd
                heapq.heappush(heap, (nd, edge.source))
    return dist


def _piece(network: Network, e: int, lo: float, hi: float, distance_m: float) -> Piece:
    edge = network.edges[e]
    return Piece(e, edge.line_id, edge.river_id, edge.start_m + lo, edge.start_m + hi, distance_m)
