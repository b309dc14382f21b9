"""Properties of the river-network engine (hypothesis): random trees of rivers and random lattices of
channels with loops, checked against plain reference walks (pure, no database)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from geo.network import LIMIT_EPS_M, Network, RiverLine, Site, Snap, build_network, snap_sites, upstream

# --------------------------------------------------------------------------------------------- trees


@dataclass(frozen=True)
class Tree:
    """Node 0 is the outlet; every other node i drains along line ``e{i}`` to ``parent[i]``."""

    parent: tuple[int, ...]  # parent[0] is unused
    coords: tuple[tuple[float, float], ...]

    def lines(self) -> list[RiverLine]:
        return [
            RiverLine(f"e{i}", f"r{i}", (self.coords[i], self.coords[self.parent[i]]))
            for i in range(1, len(self.parent))
        ]


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    n = draw(st.integers(min_value=2, max_value=25))
    parent = [0] + [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, n)]
    children: list[list[int]] = [[] for _ in range(n)]
    for i in range(1, n):
        children[parent[i]].append(i)
    # A layered drawing: y by depth, x by preorder. Subtrees take contiguous x ranges, so straight lines
    # between consecutive layers never cross and no node comes within 100 m of a line it is not on.
    coords: list[tuple[float, float]] = [(0.0, 0.0)] * n
    stack, order = [(0, 0)], 0
    while stack:
        node, depth = stack.pop()
        coords[node] = (order * 100.0, -depth * 100.0)
        order += 1
        stack.extend((c, depth + 1) for c in reversed(children[node]))
    return Tree(tuple(parent), tuple(coords))


def on_tree(tree: Tree, node: int, fraction: float) -> tuple[float, float]:
    (x0, y0), (x1, y1) = tree.coords[node], tree.coords[tree.parent[node]]
    return x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction


def tree_distance(tree: Tree, network: Network, site: Snap, section: Snap) -> float | None:
    """Walk down from the site; the distance if the section is on the way, else None. A section at the
    very end of its line stands on the node below it, where the other lines draining there join."""
    length = {e.line_id: e.length_m for e in network.edges}
    a, b = int(site.line_id[1:]), int(section.line_id[1:])
    if section.edge_offset_m >= length[section.line_id] - LIMIT_EPS_M:
        d, node = length[site.line_id] - site.edge_offset_m, tree.parent[a]
        while node != tree.parent[b]:
            if node == 0:
                return None
            d += length[f"e{node}"]
            node = tree.parent[node]
        return d
    if a == b:
        return (
            section.edge_offset_m - site.edge_offset_m
            if site.edge_offset_m <= section.edge_offset_m
            else None
        )
    d, node = length[site.line_id] - site.edge_offset_m, tree.parent[a]
    while node != 0:
        if node == b:
            return d + section.edge_offset_m
        d += length[f"e{node}"]
        node = tree.parent[node]
    return None


@st.composite
def tree_cases(draw: st.DrawFn) -> tuple[Tree, Network, Snap, list[Snap]]:
    tree = draw(trees())
    network = build_network(tree.lines())
    assert network.issues == ()
    n = len(tree.parent)
    fractions = st.floats(min_value=0.0, max_value=1.0)
    placed = [
        Site(f"s{k}", *on_tree(tree, node, f), f"r{node}")
        for k, (node, f) in enumerate(
            draw(st.lists(st.tuples(st.integers(1, n - 1), fractions), min_size=1, max_size=15))
        )
    ]
    section_node = draw(st.integers(1, n - 1))
    section_site = Site("section", *on_tree(tree, section_node, draw(fractions)), f"r{section_node}")
    snapped = snap_sites(network, [section_site, *placed], max_distance_m=1.0)
    assert not snapped.unsnapped
    return tree, network, snapped.snapped[0], list(snapped.snapped[1:])


@given(tree_cases())
@settings(max_examples=150, deadline=None)
def test_on_a_tree_a_site_is_upstream_iff_the_section_is_on_its_way_down(
    case: tuple[Tree, Network, Snap, list[Snap]],
) -> None:
    tree, network, section, sites = case
    total = sum(e.length_m for e in network.edges)
    result = upstream(network, section, max_distance_m=total + 1, sites=sites)
    expected = {s.site_id: tree_distance(tree, network, s, section) for s in sites}
    assert set(result.distances()) == {k for k, d in expected.items() if d is not None}
    for site_id, d in result.distances().items():
        assert math.isclose(d, expected[site_id] or 0.0, rel_tol=1e-9, abs_tol=1e-6)


@given(tree_cases(), st.floats(min_value=0.0, max_value=1.0))
@settings(max_examples=150, deadline=None)
def test_on_a_tree_the_limit_cuts_where_it_says_and_distances_add_up(
    case: tuple[Tree, Network, Snap, list[Snap]], share: float
) -> None:
    tree, network, section, sites = case
    limit = share * sum(e.length_m for e in network.edges)
    result = upstream(network, section, max_distance_m=limit, sites=sites)
    for s in sites:
        d = tree_distance(tree, network, s, section)
        if d is not None and d < limit - 1e-6:
            assert s.site_id in result.distances()
        if d is None or d > limit + 1e-5:
            assert s.site_id not in result.distances()
    assert all(r.distance_m <= limit + LIMIT_EPS_M for r in result.sites)
    # Pieces: within the limit, and where a whole edge is reached each edge draining into its upstream
    # end is reached from exactly its distance plus its length.
    pieces = {p.edge: p for p in result.pieces}
    for p in result.pieces:
        assert p.distance_m + p.length_m <= limit + 1e-6
        edge = network.edges[p.edge]
        if p.from_m == edge.start_m and p.distance_m + p.length_m < limit - 1e-6:
            for f in network.incoming[edge.source]:
                assert math.isclose(pieces[f].distance_m, p.distance_m + p.length_m, abs_tol=1e-6)


@given(tree_cases(), st.data())
@settings(max_examples=100, deadline=None)
def test_on_a_tree_a_site_at_the_limit_is_in_and_a_millimetre_beyond_is_out(
    case: tuple[Tree, Network, Snap, list[Snap]], data: st.DataObject
) -> None:
    _, network, section, sites = case
    everything = upstream(network, section, max_distance_m=1e9, sites=sites).sites
    if not everything:
        return
    target = data.draw(st.sampled_from(everything))
    at = upstream(network, section, max_distance_m=target.distance_m, sites=sites).distances()
    assert at[target.site_id] == target.distance_m
    if target.distance_m >= 0.001:
        beyond = upstream(network, section, max_distance_m=target.distance_m - 0.001, sites=sites)
        assert target.site_id not in beyond.distances()


# --------------------------------------------------------------------------------------------- lattices

STEP = 100  # metres between lattice nodes: every channel is 100 m, so every distance is an exact integer


@st.composite
def lattices(draw: st.DrawFn) -> list[RiverLine]:
    """Channels between neighbouring nodes of a small grid, each absent or flowing one way or the other:
    loops of tidal channels, dead ends and several parts all come up."""
    w, h = draw(st.integers(2, 5)), draw(st.integers(2, 4))
    lines: list[RiverLine] = []
    for x in range(w):
        for y in range(h):
            for dx, dy in ((1, 0), (0, 1)):
                if x + dx >= w or y + dy >= h:
                    continue
                way = draw(st.sampled_from(["none", "forward", "back", "forward", "back"]))
                if way == "none":
                    continue
                a, b = (x * STEP, y * STEP), ((x + dx) * STEP, (y + dy) * STEP)
                ends = (a, b) if way == "forward" else (b, a)
                lines.append(RiverLine(f"c{len(lines)}", f"r{len(lines)}", ends))
    return lines


def lattice_distances(lines: Sequence[RiverLine], origin: Snap, sites: Sequence[Snap]) -> dict[str, int]:
    """Bellman-Ford from the origin against the flow, on integer metres."""
    by_id = {line.id: line for line in lines}
    start, end = by_id[origin.line_id].coords
    t = round(origin.edge_offset_m)
    dist: dict[tuple[float, float], int] = {end: 0} if t == STEP else {start: t}
    for _ in range(len(lines) + 1):
        for line in lines:
            a, b = line.coords
            if b in dist and dist[b] + STEP < dist.get(a, math.inf):
                dist[a] = dist[b] + STEP
    out: dict[str, int] = {}
    for s in sites:
        offset = round(s.edge_offset_m)
        best = math.inf
        if s.line_id == origin.line_id and offset <= t:
            best = t - offset
        target = by_id[s.line_id].coords[1]
        if target in dist:
            best = min(best, dist[target] + STEP - offset)
        if best < math.inf:
            out[s.site_id] = int(best)
    return out


@st.composite
def lattice_cases(draw: st.DrawFn) -> tuple[list[RiverLine], Network, Snap, list[Snap]]:
    lines = draw(lattices().filter(bool))
    network = build_network(lines)
    assert {str(i.code) for i in network.issues} <= {"disconnected"}

    def site(site_id: str, offsets: st.SearchStrategy[int]) -> Site:
        chosen = draw(st.sampled_from(lines))
        (x0, y0), (x1, y1) = chosen.coords
        k = draw(offsets)  # whole metres along the channel, exactly
        return Site(site_id, x0 + (x1 - x0) * k // STEP, y0 + (y1 - y0) * k // STEP, chosen.river_id)

    # Sites strictly inside a channel (one on a node would belong to whichever channel it snapped to).
    placed = [site(f"s{k}", st.integers(1, STEP - 1)) for k in range(draw(st.integers(1, 12)))]
    snapped = snap_sites(network, [site("origin", st.integers(0, STEP)), *placed], max_distance_m=1.0)
    assert not snapped.unsnapped
    # GEOS projects through a fraction of the length (54 comes back as 54.00000000000001): offsets are
    # set back to the whole metres they are, so the search itself is checked exactly.
    exact = [
        replace(s, offset_m=round(s.offset_m), edge_offset_m=round(s.edge_offset_m)) for s in snapped.snapped
    ]
    return lines, network, exact[0], exact[1:]


@given(lattice_cases(), st.integers(min_value=0, max_value=1_500))
@settings(max_examples=200, deadline=None)
def test_loops_terminate_with_the_shortest_distance_and_the_limit_is_exact(
    case: tuple[list[RiverLine], Network, Snap, list[Snap]], limit: int
) -> None:
    lines, network, origin, sites = case
    expected = lattice_distances(lines, origin, sites)
    assert upstream(network, origin, max_distance_m=10_000, sites=sites).distances() == expected
    # Distances are whole metres here: a site exactly at the limit is in, one a millimetre beyond is out.
    within = {k: d for k, d in expected.items() if d <= limit}
    assert upstream(network, origin, max_distance_m=limit, sites=sites).distances() == within
    if limit:
        inside = {k: d for k, d in expected.items() if d <= limit - 0.001}
        assert upstream(network, origin, max_distance_m=limit - 0.001, sites=sites).distances() == inside


@given(
    lattices().filter(bool),
    st.lists(st.tuples(st.integers(-200, 600), st.integers(-200, 500)), min_size=1, max_size=20),
    st.sampled_from([0.0, 30.0, 50.0, 150.0]),
)
@settings(max_examples=100, deadline=None)
def test_snapping_picks_the_nearest_edge_then_the_earlier_one(
    lines: list[RiverLine], points: list[tuple[int, int]], max_distance: float
) -> None:
    network = build_network(lines)
    sites = [Site(f"p{k}", x, y) for k, (x, y) in enumerate(points)]
    result = snap_sites(network, sites, max_distance_m=max_distance)
    snapped = result.by_site()
    for site in sites:
        here = Point(site.x, site.y)
        distance, edge = min((g.distance(here), e) for e, g in enumerate(network.edge_geoms))
        if distance <= max_distance:
            assert (snapped[site.id].edge, snapped[site.id].distance_m) == (edge, distance)
            assert Point(snapped[site.id].x, snapped[site.id].y).distance(here) == pytest.approx(distance)
        else:
            assert site.id not in snapped
    assert {u.site_id for u in result.unsnapped} == {s.id for s in sites} - set(snapped)
