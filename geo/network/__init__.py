"""The river network engine for tracing pollution upstream (溯源, 海政办发〔2022〕65号 items 15 and 19).

Pure: the standard library and shapely; no Django (import-linter's pure-engines contract). Everything is in
a projected metric CRS (planar metres): the caller projects WGS-84 / CGCS2000 first (GeoDjango's
``transform``, e.g. to CGCS2000 / 3-degree Gauss-Kruger CM 120E, EPSG:4549) and keeps the features' ids.

1. ``build_network(lines, tolerance_m=1.0)``: ``RiverLine`` (id, river id and name, vertices in flow
   order) → ``Network``. End points closer than the tolerance are one node; an end point lying on
   another line's interior splits it there (a tributary drawn to the main river). ``Network.issues``
   holds per feature a ``LineIssue`` with a stable ``IssueCode`` and a zh-Hans message: errors leave the
   line out (duplicate id, no river, < 2 vertices, non-finite coordinate, zero length, self-intersecting
   or closed), warnings keep it (crossing another line without a node, disconnected from the main part,
   reversed flow against its own river's neighbouring lines).
2. ``snap_sites(network, sites, max_distance_m=200)``: ``Site`` → ``Snap`` (edge, offset along its line,
   snapping distance) or ``Unsnapped`` (code, zh-Hans message, distance to the nearest edge).
3. ``upstream(network, origin, max_distance_m=10_000, sites=snaps)``: along the water, not as the crow
   flies — every site upstream with its shortest distance in metres (inclusive limit, ``LIMIT_EPS_M``)
   and the pieces of line reached; loops terminate.
4. ``river_levels`` / ``first_level_tributaries``: 干流 0, 一级支流 1, … derived from where each river's
   outflow joins another, with explicit per-river overrides.
"""

from .build import DEFAULT_TOLERANCE_M, build_network
from .model import (
    ISSUE_MESSAGES,
    ISSUE_SEVERITY,
    LIMIT_EPS_M,
    SNAP_MESSAGES,
    Coord,
    Edge,
    IssueCode,
    LineIssue,
    Network,
    Node,
    RiverLine,
    Severity,
)
from .rivers import RiverLevel, first_level_tributaries, river_levels, river_outflows
from .snap import DEFAULT_MAX_SNAP_M, Site, Snap, SnapResult, Unsnapped, snap_at, snap_sites
from .upstream import Piece, Reached, Upstream, upstream

__all__ = [
    "DEFAULT_MAX_SNAP_M",
    "DEFAULT_TOLERANCE_M",
    "ISSUE_MESSAGES",
    "ISSUE_SEVERITY",
    "LIMIT_EPS_M",
    "SNAP_MESSAGES",
    "Coord",
    "Edge",
    "IssueCode",
    "LineIssue",
    "Network",
    "Node",
    "Piece",
    "Reached",
    "RiverLevel",
    "RiverLine",
    "Severity",
    "Site",
    "Snap",
    "SnapResult",
    "Unsnapped",
    "Upstream",
    "build_network",
    "first_level_tributaries",
    "river_levels",
    "river_outflows",
    "snap_at",
    "snap_sites",
    "upstream",
]
