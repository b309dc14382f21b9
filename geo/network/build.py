"""``build_network``: river lines → the directed network, with every feature's problems."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import LineString, Point
from shapely.ops import substring

from .model import Coord, Edge, IssueCode, LineIssue, Network, Node, RiverLine, make_issue

DEFAULT_TOLERANCE_M = 1.0


@dataclass(frozen=True, slots=True)
class _Line:
    """An accepted line: its input, cleaned vertices and planar geometry."""

    order: int
    line: RiverLine
    geom: LineString

    @property
    def length(self) -> float:
        return float(self.geom.length)

    @property
    def start(self) -> Coord:
        return self.line.coords[0]

    @property
    def end(self) -> Coord:
        return self.line.coords[-1]


def build_network(
    lines: Iterable[RiverLine],
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    outlets: Iterable[Coord] = (),
) -> Network:
    """Join ``lines`` into a directed network and check them feature by feature.

    End points closer than ``tolerance_m`` (metres) are one node; an end point within the tolerance of
    another line's interior splits that line there. Errors leave a line out (duplicate id, no river, fewer
    than two vertices, a non-finite coordinate, no longer than the tolerance, self-intersecting or closed);
    warnings keep it in (crossing another line away from any node, not connected to the largest part of
    the network, drawn against the flow of its own river's neighbouring lines, and — when ``outlets`` are
    given — no way down to any of them).

    ``outlets`` are where the water leaves the network (sluices to the Yangtze, the sea, the district's
    edge), each matched to the nodes within the tolerance. They catch what the per-river check cannot: a
    river drawn as one line from its mouth to its source ends at its source, from which no outlet is
    reachable. Outlets matching no node are kept in ``Network.unmatched_outlets``.
    """
    if not (math.isfinite(tolerance_m) and tolerance_m >= 0):
        raise ValueError("捕捉容差必须是非负有限数值")
    lines = list(lines)
    position: dict[str, int] = {}
    for k, line in enumerate(lines):
        position.setdefault(line.id, k)
    issues: list[LineIssue] = []
    accepted = _accept(lines, tolerance_m, issues)
    while True:
        nodes, ends = _cluster_ends(accepted, tolerance_m)
        closed = [a for a, (s, e) in zip(accepted, ends, strict=True) if s == e]
        if not closed:
            break
        for a in closed:
            issues.append(make_issue(a.line.id, IssueCode.SELF_INTERSECTION, at=a.start))
        accepted = [a for a in accepted if a not in closed]
    splits = _junctions_on_lines(accepted, nodes, ends, tolerance_m)
    edges, edge_geoms = _edges(accepted, ends, splits)
    line_nodes = [{ends[i][0], ends[i][1], *(n for _, n in splits[i])} for i in range(len(accepted))]
    issues += _crossings(accepted, nodes, line_nodes, tolerance_m)
    issues += _disconnected(accepted, edges, len(nodes))
    issues += _reversed(accepted, ends, nodes)
    incoming: list[list[int]] = [[] for _ in nodes]
    outgoing: list[list[int]] = [[] for _ in nodes]
    for edge in edges:
        incoming[edge.target].append(edge.index)
        outgoing[edge.source].append(edge.index)
    outlet_nodes, unmatched = _match_outlets(outlets, nodes, tolerance_m)
    if outlet_nodes or unmatched:
        issues += _without_outlet(accepted, ends, edges, incoming, outlet_nodes)
    issues.sort(key=lambda i: (position[i.line_id], i.code))  # stable: a duplicate id's rows stay in order
    names: dict[str, str] = {}
    for a in accepted:
        if a.line.river_name and a.line.river_id not in names:
            names[a.line.river_id] = a.line.river_name
    return Network(
        tolerance_m=tolerance_m,
        lines={a.line.id: a.line for a in accepted},
        nodes=tuple(Node(i, x, y) for i, (x, y) in enumerate(nodes)),
        edges=tuple(edges),
        issues=tuple(issues),
        river_names=names,
        incoming=tuple(tuple(e) for e in incoming),
        outgoing=tuple(tuple(e) for e in outgoing),
        edge_geoms=tuple(edge_geoms),
        edge_tree=STRtree(edge_geoms),
        outlets=tuple(sorted(outlet_nodes)),
        unmatched_outlets=unmatched,
    )


def _match_outlets(
    outlets: Iterable[Coord], nodes: Sequence[Coord], tolerance_m: float
) -> tuple[set[int], tuple[Coord, ...]]:
    matched: set[int] = set()
    unmatched: list[Coord] = []
    for outlet in outlets:
        near = {n for n, p in enumerate(nodes) if math.dist(p, outlet) <= tolerance_m}
        if near:
            matched |= near
        else:
            unmatched.append((float(outlet[0]), float(outlet[1])))
    return matched, tuple(unmatched)


def _without_outlet(
    accepted: Sequence[_Line],
    ends: Sequence[tuple[int, int]],
    edges: Sequence[Edge],
    incoming: Sequence[Sequence[int]],
    outlet_nodes: set[int],
) -> list[LineIssue]:
    """Lines whose end has no way down to an outlet (searched against the flow from the outlets)."""
    drains = set(outlet_nodes)
    stack = list(outlet_nodes)
    while stack:
        node = stack.pop()
        for e in incoming[node]:
            source = edges[e].source
            if source not in drains:
                drains.add(source)
                stack.append(source)
    return [
        make_issue(a.line.id, IssueCode.NO_OUTLET, at=a.end)
        for a, (_, end) in zip(accepted, ends, strict=True)
        if end not in drains
    ]


def _accept(lines: Iterable[RiverLine], tolerance_m: float, issues: list[LineIssue]) -> list[_Line]:
    """The lines without errors, consecutive repeated vertices dropped; errors appended to ``issues``."""
    seen: set[str] = set()
    accepted: list[_Line] = []
    for order, line in enumerate(lines):
        code: IssueCode | None = None
        coords = _dedupe(line.coords)
        if line.id in seen:
            code = IssueCode.DUPLICATE_ID
        elif not line.river_id.strip():
            code = IssueCode.MISSING_RIVER
        elif len(line.coords) < 2:
            code = IssueCode.TOO_FEW_VERTICES
        elif not all(math.isfinite(v) for c in line.coords for v in c):
            code = IssueCode.INVALID_COORDINATE
        seen.add(line.id)
        if code is None:
            geom = LineString(coords) if len(coords) >= 2 else None
            if geom is None or geom.length <= tolerance_m:
                code = IssueCode.ZERO_LENGTH
            elif not geom.is_simple:
                code = IssueCode.SELF_INTERSECTION
            else:
                clean = RiverLine(line.id, line.river_id, coords, line.river_name)
                accepted.append(_Line(order, clean, geom))
                continue
        other = line.id if code is IssueCode.DUPLICATE_ID else None
        issues.append(make_issue(line.id, code, other=other, tolerance_m=tolerance_m))
    return accepted


def _dedupe(coords: Sequence[Coord]) -> tuple[Coord, ...]:
    out: list[Coord] = []
    for x, y in coords:
        if not out or out[-1] != (x, y):
            out.append((float(x), float(y)))
    return tuple(out)


def _cluster_ends(accepted: Sequence[_Line], tolerance_m: float) -> tuple[list[Coord], list[tuple[int, int]]]:
    """Nodes (the first end point seen within the tolerance wins, so nodes lie farther apart than it) and
    each line's (start node, end node)."""
    cell = tolerance_m if tolerance_m > 0 else 1.0
    grid: dict[tuple[int, int], list[int]] = {}
    nodes: list[Coord] = []

    def node_for(p: Coord) -> int:
        cx, cy = math.floor(p[0] / cell), math.floor(p[1] / cell)
        best: tuple[float, int] | None = None
        for gx in (cx - 1, cx, cx + 1):
            for gy in (cy - 1, cy, cy + 1):
                for n in grid.get((gx, gy), ()):
                    d = math.dist(p, nodes[n])
                    if d <= tolerance_m and (best is None or (d, n) < best):
                        best = (d, n)
        if best is not None:
            return best[1]
        nodes.append(p)
        grid.setdefault((cx, cy), []).append(len(nodes) - 1)
        return len(nodes) - 1

    ends = [(node_for(a.start), node_for(a.end)) for a in accepted]
    return nodes, ends


def _junctions_on_lines(
    accepted: Sequence[_Line], nodes: Sequence[Coord], ends: Sequence[tuple[int, int]], tolerance_m: float
) -> list[list[tuple[float, int]]]:
    """Per line, the (offset, node) where another line's end point lies on its interior, by offset."""
    splits: list[list[tuple[float, int]]] = [[] for _ in accepted]
    if not accepted or not nodes:
        return splits
    tree = STRtree([a.geom for a in accepted])
    points = [Point(p) for p in nodes]
    node_idx, line_idx = tree.query(points, predicate="dwithin", distance=tolerance_m)
    for n, i in zip(node_idx.tolist(), line_idx.tolist(), strict=True):
        if n in ends[i]:
            continue
        a = accepted[i]
        offset = float(a.geom.project(points[n]))
        # An end point near this line's own end belongs to another node by the clustering order: leave it.
        if offset <= tolerance_m or offset >= a.length - tolerance_m:
            continue
        splits[i].append((offset, n))
    for s in splits:
        s.sort()
    return splits


def _edges(
    accepted: Sequence[_Line], ends: Sequence[tuple[int, int]], splits: Sequence[Sequence[tuple[float, int]]]
) -> tuple[list[Edge], list[LineString]]:
    edges: list[Edge] = []
    geoms: list[LineString] = []
    for a, (start, end), cuts in zip(accepted, ends, splits, strict=True):
        stops = [(0.0, start), *cuts, (a.length, end)]
        for (m0, n0), (m1, n1) in itertools.pairwise(stops):
            if m1 - m0 <= 0.0:
                continue
            edges.append(Edge(len(edges), a.line.id, a.line.river_id, n0, n1, m0, m1))
            whole = m0 == 0.0 and m1 == a.length
            geoms.append(a.geom if whole else substring(a.geom, m0, m1))
    return edges, geoms


def _crossings(
    accepted: Sequence[_Line], nodes: Sequence[Coord], line_nodes: Sequence[set[int]], tolerance_m: float
) -> list[LineIssue]:
    """Two lines that meet away from a node they share: water does not pass there (an aqueduct, a culvert,
    or a node the drawing forgot), so both are reported and left unconnected."""
    if len(accepted) < 2:
        return []
    geoms = np.array([a.geom for a in accepted], dtype=object)
    left, right = STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    # One vectorised intersection per candidate pair; its coordinates grouped back by pair.
    points, pair_of = shapely.get_coordinates(
        shapely.intersection(geoms[left], geoms[right]), return_index=True
    )
    near = 2 * tolerance_m + 1e-9  # an end point lies within the tolerance of its node, on both lines
    out: list[LineIssue] = []
    reported: set[int] = set()
    for (x, y), k in zip(points.tolist(), pair_of.tolist(), strict=True):
        if k in reported:
            continue
        i, j = int(left[k]), int(right[k])
        if not any(math.dist((x, y), nodes[n]) <= near for n in line_nodes[i] & line_nodes[j]):
            reported.add(k)
            a, b = accepted[i].line.id, accepted[j].line.id
            out.append(make_issue(a, IssueCode.CROSSING_WITHOUT_NODE, other=b, at=(x, y)))
            out.append(make_issue(b, IssueCode.CROSSING_WITHOUT_NODE, other=a, at=(x, y)))
    return out


def _disconnected(accepted: Sequence[_Line], edges: Sequence[Edge], node_count: int) -> list[LineIssue]:
    """Lines outside the largest connected part (by length; the earlier line's part on a tie)."""
    parent = list(range(node_count))

    def find(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for edge in edges:
        ra, rb = find(edge.source), find(edge.target)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    first_edge: dict[str, Edge] = {}
    for edge in edges:
        first_edge.setdefault(edge.line_id, edge)
    part_of = {a.line.id: find(first_edge[a.line.id].source) for a in accepted}
    length: dict[int, float] = {}
    first: dict[int, int] = {}
    for a in accepted:
        part = part_of[a.line.id]
        length[part] = length.get(part, 0.0) + a.length
        first.setdefault(part, a.order)
    if len(length) < 2:
        return []
    main = max(length, key=lambda p: (length[p], -first[p]))
    return [
        make_issue(a.line.id, IssueCode.DISCONNECTED, at=a.start)
        for a in accepted
        if part_of[a.line.id] != main
    ]


def _reversed(
    accepted: Sequence[_Line], ends: Sequence[tuple[int, int]], nodes: Sequence[Coord]
) -> list[LineIssue]:
    """Lines drawn against their own river. Where exactly two lines of one river meet, one must end and the
    other start there; two ends or two starts mean one of them is reversed. Each river's lines chained this
    way take a common orientation; the side with less length is reported (the earlier line's side wins a
    tie). Where three or more lines of one river meet (a river splitting round an island) nothing is
    inferred. A tributary drawn from its mouth to its source alone looks like a distributary and is not
    caught here."""
    by_node: dict[tuple[str, int], list[tuple[int, bool]]] = {}  # (river, node) → (line, starts here)
    for i, a in enumerate(accepted):
        start, end = ends[i]
        by_node.setdefault((a.line.river_id, start), []).append((i, True))
        by_node.setdefault((a.line.river_id, end), []).append((i, False))
    links: dict[int, list[tuple[int, bool, int]]] = {}  # line → (other line, same orientation, node)
    for (_, node), touching in by_node.items():
        if len(touching) != 2 or touching[0][0] == touching[1][0]:
            continue
        (i, i_starts), (j, j_starts) = touching
        same = i_starts != j_starts
        links.setdefault(i, []).append((j, same, node))
        links.setdefault(j, []).append((i, same, node))
    parity: dict[int, bool] = {}
    out: list[LineIssue] = []
    for root in range(len(accepted)):
        if root in parity or root not in links:
            continue
        parity[root] = True
        part, queue = [root], [root]
        while queue:
            i = queue.pop()
            for j, same, _ in links[i]:
                if j not in parity:
                    parity[j] = parity[i] if same else not parity[i]
                    part.append(j)
                    queue.append(j)
        sides = {side: sum(accepted[i].length for i in part if parity[i] is side) for side in (True, False)}
        if not sides[False]:
            continue
        minority = sides[True] < sides[False]  # True side holds the root, the earliest line of the part
        for i in sorted(i for i in part if parity[i] is minority):
            j, _, node = next(((j, s, n) for j, s, n in links[i] if parity[j] is not minority), links[i][0])
            other = accepted[j].line.id
            out.append(make_issue(accepted[i].line.id, IssueCode.REVERSED_FLOW, other=other, at=nodes[node]))
    return out
