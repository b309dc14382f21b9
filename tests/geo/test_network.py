"""The river-network engine on small hand-made networks (pure, no database). Planar metres throughout."""

from __future__ import annotations

import math

import pytest

from geo.network import (
    LIMIT_EPS_M,
    IssueCode,
    Network,
    RiverLine,
    Severity,
    Site,
    Snap,
    build_network,
    first_level_tributaries,
    river_levels,
    snap_at,
    snap_sites,
    upstream,
)


def line(line_id: str, river: str, *coords: tuple[float, float], name: str = "") -> RiverLine:
    return RiverLine(line_id, river, tuple(coords), name)


def snap(network: Network, site_id: str, x: float, y: float, river: str | None = None) -> Snap:
    result = snap_sites(network, [Site(site_id, x, y, river)], max_distance_m=50)
    assert not result.unsnapped, result.unsnapped
    return result.snapped[0]


def codes(network: Network) -> dict[str, set[str]]:
    return {k: {str(i.code) for i in v} for k, v in network.issues_by_line().items()}


# --------------------------------------------------------------------------------------------- confluence

# 青龙河 flows east along y = 0 for 12 km, drawn as one line; 支河 flows south into it at x = 5 km, its
# mouth drawn 0.5 m off the main line (within the 1 m tolerance) and the main line not cut there.
CONFLUENCE = [
    line("qlh", "QLH", (0, 0), (12_000, 0), name="青龙河"),
    line("zh", "ZH", (5_000, 4_000), (5_000, 0.5), name="支河"),
]


@pytest.fixture
def confluence() -> Network:
    return build_network(CONFLUENCE, tolerance_m=1.0)


def test_a_tributary_ending_on_the_main_line_joins_it_there(confluence: Network) -> None:
    assert confluence.issues == ()
    assert [(e.line_id, e.start_m, e.end_m) for e in confluence.edges] == [
        ("qlh", 0.0, 5_000.0),
        ("qlh", 5_000.0, 12_000.0),
        ("zh", 0.0, pytest.approx(3_999.5)),
    ]
    main_down, tributary = confluence.edges[1], confluence.edges[2]
    assert tributary.target == main_down.source
    assert confluence.river_names == {"QLH": "青龙河", "ZH": "支河"}


def test_upstream_of_a_section_goes_along_the_water(confluence: Network) -> None:
    section = snap(confluence, "青龙河桥", 11_000, 20, river="QLH")
    sites = snap_sites(
        confluence,
        [
            Site("on-tributary", 5_000, 1_000.5),  # 6 000 to the mouth + 1 000 up the tributary
            Site("downstream", 11_500, 0),
            Site("main-9km", 2_000, -3),
            Site("crow-flies-close-but-far-by-water", 5_010, 3_990),
        ],
        max_distance_m=50,
    ).snapped
    result = upstream(confluence, section, max_distance_m=10_000, sites=sites)
    assert result.distances() == {
        "on-tributary": pytest.approx(7_000),
        "main-9km": pytest.approx(9_000),
        # 7.2 km away as the crow flies; along the water 6 000 + 3 989.5 (the mouth is at y = 0.5).
        "crow-flies-close-but-far-by-water": pytest.approx(9_989.5),
    }
    assert result.rivers() == {"QLH": 0.0, "ZH": pytest.approx(6_000)}
    # The pieces reached: the main line 1 km–11 km (two edges) and the whole tributary (4 km < 10 − 6).
    pieces = {(p.line_id, round(p.from_m), round(p.to_m), round(p.distance_m)) for p in result.pieces}
    assert pieces == {("qlh", 5_000, 11_000, 0), ("qlh", 1_000, 5_000, 6_000), ("zh", 0, 4_000, 6_000)}


def test_snapping_keeps_the_distance_and_the_river_hint_wins_at_a_confluence(confluence: Network) -> None:
    # 2 m from the tributary, 3 m from the main river.
    near_mouth = snap_sites(confluence, [Site("s", 4_998, 3), Site("s-main", 4_998, 3, "QLH")]).by_site()
    assert (near_mouth["s"].line_id, near_mouth["s"].distance_m) == ("zh", pytest.approx(2))
    assert near_mouth["s"].offset_m == pytest.approx(3_997)
    assert (near_mouth["s-main"].line_id, near_mouth["s-main"].distance_m) == ("qlh", pytest.approx(3))
    assert near_mouth["s-main"].offset_m == pytest.approx(4_998)
    assert (near_mouth["s-main"].x, near_mouth["s-main"].y) == (pytest.approx(4_998), pytest.approx(0))


def test_a_snap_is_rebuilt_from_the_line_and_offset_the_database_keeps(confluence: Network) -> None:
    for site in [Site("a", 100, 3), Site("b", 6_000, -7), Site("c", 5_000, 0), Site("d", 5_000, 2_000)]:
        fresh = snap_sites(confluence, [site]).snapped[0]
        again = snap_at(confluence, site.id, fresh.line_id, fresh.offset_m, fresh.distance_m)
        assert (again.edge, again.edge_offset_m, again.x, again.y) == (
            fresh.edge,
            pytest.approx(fresh.edge_offset_m),
            pytest.approx(fresh.x),
            pytest.approx(fresh.y),
        )
    with pytest.raises(KeyError):
        snap_at(confluence, "x", "nope", 0)
    with pytest.raises(ValueError):
        snap_at(confluence, "x", "qlh", 12_001)


def test_the_limit_is_inclusive_and_exact() -> None:
    # Integer geometry: distances are exact. 10 km limit; sites at the line's source and 1 mm below it.
    network = build_network([line("r", "R", (0, 0), (20_000, 0))])
    sites = snap_sites(network, [Site("at-source", 0, 0), Site("1mm-below", 0.001, 0)]).snapped
    section = snap(network, "sec", 10_000, 0)
    result = upstream(network, section, max_distance_m=10_000, sites=sites)
    assert result.distances() == {"1mm-below": 9_999.999, "at-source": 10_000.0}
    assert [(p.from_m, p.to_m) for p in result.pieces] == [(0.0, 10_000.0)]
    # The section 1 mm farther down: the source is just beyond 10 km.
    beyond = upstream(network, snap(network, "sec", 10_000.001, 0), max_distance_m=10_000, sites=sites)
    assert beyond.distances() == {"1mm-below": 10_000.0}
    assert [(p.from_m, p.to_m) for p in beyond.pieces] == [(pytest.approx(0.001), 10_000.001)]
    # Floating-point noise below LIMIT_EPS_M counts as at the limit; a millimetre does not.
    assert (
        "at-source"
        in upstream(network, section, max_distance_m=10_000 - LIMIT_EPS_M / 2, sites=sites).distances()
    )
    assert "at-source" not in upstream(network, section, max_distance_m=9_999.999, sites=sites).distances()


def test_the_limit_across_a_node_and_a_section_standing_on_a_confluence() -> None:
    network = build_network(
        [
            line("a", "R", (0, 0), (3_000, 0)),
            line("b", "R", (3_000, 0), (7_000, 0)),
            line("c", "T", (7_000, 5_000), (7_000, 0)),
            line("d", "R", (7_000, 0), (9_000, 0)),
        ]
    )
    section = snap(network, "sec", 7_000, 0, river="R")  # on the confluence node itself
    sites = snap_sites(
        network,
        [Site("a-start", 0, 0), Site("t-1mm-below-source", 7_000, 4_999.999), Site("t-source", 7_000, 5_000)],
    ).snapped
    result = upstream(network, section, max_distance_m=7_000, sites=sites)
    assert result.distances() == {
        "t-1mm-below-source": pytest.approx(4_999.999),
        "t-source": 5_000.0,
        "a-start": 7_000.0,
    }
    result = upstream(network, section, max_distance_m=6_999.999, sites=sites)
    assert "a-start" not in result.distances()
    assert upstream(network, section, max_distance_m=4_999.9995, sites=sites).distances() == {
        "t-1mm-below-source": pytest.approx(4_999.999)
    }


# --------------------------------------------------------------------------------------------- loops


def test_a_loop_of_tidal_channels_terminates_with_shortest_distances() -> None:
    # A square of channels circulating anticlockwise, drained by an outlet to the east.
    network = build_network(
        [
            line("south", "S", (0, 0), (1_000, 0)),
            line("east", "E", (1_000, 0), (1_000, 1_000)),
            line("north", "N", (1_000, 1_000), (0, 1_000)),
            line("west", "W", (0, 1_000), (0, 0)),
            line("outlet", "O", (1_000, 0), (2_000, 0)),
        ]
    )
    assert not network.issues
    section = snap(network, "sec", 1_500, 0)
    sites = snap_sites(network, [Site("on-east", 1_000, 500), Site("on-south", 500, 0)]).snapped
    result = upstream(network, section, max_distance_m=100_000, sites=sites)
    # on-south: 500 to the junction + 500 down the outlet. on-east flows north, round the square and back.
    assert result.distances() == {"on-south": 1_000.0, "on-east": 500 + 1_000 + 1_000 + 1_000 + 500}
    assert sum(p.length_m for p in result.pieces) == pytest.approx(4_500)


def test_two_channels_between_the_same_nodes_give_the_shorter_distance() -> None:
    network = build_network(
        [
            line("in", "A", (0, 0), (1_000, 0)),
            line("short", "A", (1_000, 0), (2_000, 0)),
            line("long", "B", (1_000, 0), (1_000, 1_000), (2_000, 1_000), (2_000, 0)),
            line("out", "A", (2_000, 0), (3_000, 0)),
        ]
    )
    section = snap(network, "sec", 2_500, 0)
    sites = snap_sites(network, [Site("up", 500, 0), Site("on-long", 1_500, 1_000)]).snapped
    assert upstream(network, section, max_distance_m=10_000, sites=sites).distances() == {
        "up": 500 + 1_000 + 500,
        "on-long": 500 + 1_000 + 500,
    }


@pytest.mark.parametrize("detour_via", ["X2", "X1"])
def test_the_shortest_way_wins_whichever_first_reach_is_shorter(detour_via: str) -> None:
    # From A two ways down to Y, whose last reaches are 1 000 m (from X1) and 100 m (from X2). The other
    # way from A is 100 m to X1 (or to X2), the detour 6 800 m: a search that settles A by the order it
    # meets reaches, not by distance, gets one of the two cases wrong.
    a = (-100, 1_000)
    if detour_via == "X2":
        to_x1 = (a, (0, 1_000))
        to_x2 = (a, (-3_000, 1_000), (-3_000, 0), (-100, 0))
    else:
        to_x1 = (a, (-50, 1_000), (-50, 3_000), (0, 3_000), (0, 1_000))
        to_x2 = (a, (-100, 0))
    network = build_network(
        [
            line("out", "O", (0, 0), (1_000, 0)),
            line("x1y", "P", (0, 1_000), (0, 0)),
            line("x2y", "Q", (-100, 0), (0, 0)),
            line("ax1", "P", *to_x1),
            line("ax2", "Q", *to_x2),
            line("src", "S", (-100, 2_000), (-100, 1_000)),
        ]
    )
    assert network.issues == ()
    section = snap(network, "sec", 500, 0)
    sites = snap_sites(network, [Site("above-a", -200, 1_500)], max_distance_m=200).snapped
    via_x1 = 500 + 1_000 + (100 if detour_via == "X2" else 4_100) + 500
    via_x2 = 500 + 100 + (6_800 if detour_via == "X2" else 1_000) + 500
    assert upstream(network, section, max_distance_m=20_000, sites=sites).distances() == {
        "above-a": min(via_x1, via_x2)
    }


# --------------------------------------------------------------------------------------------- source


def test_a_section_near_the_source_gets_just_what_is_there() -> None:
    network = build_network([line("r", "R", (0, 0), (50_000, 0))])
    section = snap(network, "sec", 2_000, 0)
    sites = snap_sites(
        network, [Site("source", 0, 0), Site("mid", 1_000, 0), Site("below", 3_000, 0)]
    ).snapped
    result = upstream(network, section, max_distance_m=10_000, sites=sites)
    assert result.distances() == {"mid": 1_000.0, "source": 2_000.0}
    assert [(p.from_m, p.to_m) for p in result.pieces] == [(0.0, 2_000.0)]
    at_source = upstream(network, snap(network, "src", 0, 0), max_distance_m=10_000, sites=sites)
    assert at_source.distances() == {"source": 0.0}
    assert at_source.pieces == ()


# --------------------------------------------------------------------------------------------- issues


def test_a_reversed_line_is_reported_and_reversing_it_clears_the_report() -> None:
    good = [line("m1", "M", (0, 0), (1_000, 0)), line("m3", "M", (2_000, 0), (3_000, 0))]
    drawn_backwards = line("m2", "M", (2_000, 0), (1_000, 0))
    network = build_network([good[0], drawn_backwards, good[1]])
    issues = network.issues_by_line()
    assert list(issues) == ["m2"]
    (issue,) = issues["m2"]
    assert issue.code is IssueCode.REVERSED_FLOW and issue.severity is Severity.WARNING
    assert issue.other_line_id in {"m1", "m3"} and "相反" in issue.message
    assert "m2" in network.lines  # a warning keeps the line; the importer decides
    assert build_network([good[0], drawn_backwards.reversed(), good[1]]).issues == ()


def test_of_two_lines_meeting_head_to_head_the_later_one_is_reported() -> None:
    network = build_network([line("a", "M", (0, 0), (1_000, 0)), line("b", "M", (2_000, 0), (1_000, 0))])
    assert codes(network) == {"b": {"reversed_flow"}}


def test_a_river_splitting_round_an_island_is_not_reversed() -> None:
    network = build_network(
        [
            line("in", "M", (0, 0), (1_000, 0)),
            line("north", "M", (1_000, 0), (1_500, 500), (2_000, 0)),
            line("south", "M", (1_000, 0), (1_500, -500), (2_000, 0)),
            line("out", "M", (2_000, 0), (3_000, 0)),
        ]
    )
    assert network.issues == ()


def test_a_river_drawn_as_one_line_against_the_flow_has_no_way_to_its_outlet() -> None:
    # 青龙河 drawn from its mouth at the Yangtze (x = 10 km) back to its source: no neighbour of its own
    # river to disagree with, but with the outlet declared nothing drains.
    backwards = line("qlh", "QLH", (10_000, 0), (0, 0))
    tributary = line("zh", "ZH", (5_000, 3_000), (5_000, 0))
    outlets = [(10_000, 0.5), (-7_000, 0)]
    network = build_network([backwards, tributary], outlets=outlets)
    assert codes(network) == {"qlh": {"no_outlet"}, "zh": {"no_outlet"}}
    assert "流向相反" in network.issues[0].message
    assert network.unmatched_outlets == ((-7_000.0, 0.0),)
    fixed = build_network([backwards.reversed(), tributary], outlets=outlets)
    assert fixed.issues == () and len(fixed.outlets) == 1
    assert build_network([backwards, tributary]).issues == ()  # without outlets the check is off


def test_a_line_not_connected_to_the_rest_is_reported_and_not_reached() -> None:
    network = build_network(
        [line("main", "M", (0, 0), (5_000, 0)), line("island", "X", (100, 500), (600, 500), (600, 600))]
    )
    assert codes(network) == {"island": {"disconnected"}}
    section = snap(network, "sec", 5_000, 0)
    sites = snap_sites(network, [Site("on-island", 300, 500)]).snapped
    assert upstream(network, section, max_distance_m=100_000, sites=sites).sites == ()


def test_lines_crossing_without_a_node_are_reported_and_water_does_not_pass() -> None:
    network = build_network(
        [line("ew", "A", (0, 0), (2_000, 0)), line("ns", "B", (1_000, 1_000), (1_000, -1_000))]
    )
    assert codes(network) == {
        "ew": {"crossing_without_node"},
        "ns": {"crossing_without_node", "disconnected"},
    }
    crossing = network.issues_by_line()["ew"][0]
    assert crossing.other_line_id == "ns" and crossing.at == (1_000.0, 0.0)
    section = snap(network, "sec", 1_900, 0)
    sites = snap_sites(network, [Site("north", 1_000, 900)]).snapped
    assert upstream(network, section, max_distance_m=100_000, sites=sites).sites == ()


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (line("r1", "R", (0, 0), (10, 0)), "duplicate_line_id"),
        (line("x", " ", (0, 0), (10, 0)), "missing_river"),
        (line("x", "R", (0, 0)), "too_few_vertices"),
        (line("x", "R", (0, 0), (math.nan, 10)), "invalid_coordinate"),
        (line("x", "R", (5, 5), (5, 5)), "zero_length"),
        (line("x", "R", (5, 5), (5.5, 5)), "zero_length"),  # no longer than the 1 m tolerance
        (line("x", "R", (0, 10), (10, 20), (10, 10), (0, 20)), "self_intersection"),
        (line("x", "R", (0, 10), (10, 10), (10, 20), (0, 10.5)), "self_intersection"),  # closed
    ],
)
def test_broken_features_are_errors_and_left_out(bad: RiverLine, code: str) -> None:
    network = build_network([line("r1", "R", (0, 0), (1_000, 0)), bad])
    (issue,) = network.issues
    assert (issue.line_id, str(issue.code), issue.severity) == (bad.id, code, Severity.ERROR)
    assert issue.message and not network.ok
    assert list(network.lines) == ["r1"]
    assert issue.as_dict()["code"] == code and issue.as_dict()["severity"] == "error"


def test_issues_come_in_the_file_order_for_the_importer_to_show_row_by_row() -> None:
    network = build_network(
        [
            line("1", "R", (0, 0)),
            line("2", "R", (0, 0), (1_000, 0)),
            line("3", "R", (3_000, 0), (2_000, 0)),
            line("4", "R", (2_000, 0), (2_000, 0)),
            line("5", "R", (1_000, 0), (2_000, 0)),
        ]
    )
    assert [(i.line_id, str(i.code)) for i in network.issues] == [
        ("1", "too_few_vertices"),
        ("3", "reversed_flow"),
        ("4", "zero_length"),
    ]
    assert network.issues[2].message == "河段长度为零或不超过捕捉容差 1 米"


def test_end_points_within_the_tolerance_are_one_node() -> None:
    lines = [line("a", "R", (0, 0), (1_000, 0)), line("b", "R", (1_000.4, 0.3), (2_000, 0))]
    assert build_network(lines, tolerance_m=1.0).issues == ()
    assert codes(build_network(lines, tolerance_m=0.1)) == {"b": {"disconnected"}}


def test_tolerance_and_limits_must_be_sensible(confluence: Network) -> None:
    with pytest.raises(ValueError):
        build_network(CONFLUENCE, tolerance_m=-1)
    section = snap(confluence, "s", 100, 0)
    with pytest.raises(ValueError):
        upstream(confluence, section, max_distance_m=math.inf)
    with pytest.raises(ValueError):
        snap_sites(confluence, [], max_distance_m=math.nan)


# --------------------------------------------------------------------------------------------- snapping


def test_sites_beyond_the_maximum_distance_are_unsnapped_with_the_reason(confluence: Network) -> None:
    result = snap_sites(
        confluence,
        [
            Site("at-max", 100, 200),
            Site("beyond", 100, 200.01),
            Site("nan", math.nan, 0),
            Site("unknown-river", 100, 0, "NOPE"),
            Site("hinted-too-far", 100, 300, "QLH"),
        ],
        max_distance_m=200,
    )
    assert [s.site_id for s in result.snapped] == ["at-max"]
    assert result.snapped[0].distance_m == 200.0
    unsnapped = {u.site_id: u for u in result.unsnapped}
    assert {k: u.code for k, u in unsnapped.items()} == {
        "beyond": "too_far",
        "nan": "invalid_coordinate",
        "unknown-river": "no_river_line",
        "hinted-too-far": "too_far",
    }
    assert unsnapped["beyond"].nearest_m == pytest.approx(200.01)
    assert unsnapped["beyond"].message == "点位距最近河段 200.01 米，超过最大捕捉距离 200 米"
    assert "NOPE" in unsnapped["unknown-river"].message
    empty = snap_sites(build_network([]), [Site("x", 0, 0)])
    assert empty.unsnapped[0].code == "empty_network"


# --------------------------------------------------------------------------------------------- tributaries


@pytest.fixture
def basin() -> Network:
    # M (main) ← T1 ← T2; M ← T3; M ← C ← X (X reaches M through the short connector C).
    return build_network(
        [
            line("m", "M", (0, 0), (10_000, 0), name="青龙河"),
            line("t1", "T1", (2_000, 3_000), (2_000, 0), name="一号河"),
            line("t2", "T2", (0, 2_000), (2_000, 2_000), name="二号河"),
            line("t3", "T3", (4_000, -3_000), (4_000, 0), name="三号沟"),
            line("c", "C", (6_000, 200), (6_000, 0), name="连通河"),
            line("x", "X", (6_000, 5_000), (6_000, 200), name="大河"),
        ]
    )


def test_levels_and_first_level_tributaries_are_derived_from_the_network(basin: Network) -> None:
    assert basin.issues == ()
    levels = river_levels(basin)
    assert {r: lv.level for r, lv in levels.items()} == {"M": 0, "T1": 1, "T2": 2, "T3": 1, "C": 1, "X": 2}
    assert levels["T2"].joins == ("T1",) and levels["M"].joins == ()
    assert [t.river_id for t in first_level_tributaries(basin, "M")] == ["T1", "T3", "C"]
    assert [t.name for t in first_level_tributaries(basin, "T1")] == ["二号河"]


def test_a_river_level_can_be_set(basin: Network) -> None:
    overrides = {"T3": 2, "X": 1}  # the ditch is not first-level; 大河 counts as first-level through C
    levels = river_levels(basin, overrides)
    assert (levels["T3"].level, levels["T3"].derived_level, levels["T3"].overridden) == (2, 1, True)
    assert [t.river_id for t in first_level_tributaries(basin, "M", overrides)] == ["T1", "C", "X"]
    # the levels already derived (what a loaded network keeps) give the same list without deriving again
    again = first_level_tributaries(basin, "M", overrides, levels=levels)
    assert again == first_level_tributaries(basin, "M", overrides)
    # Levels below an override follow it.
    assert river_levels(basin, {"T1": 3})["T2"].level == 4
    with pytest.raises(ValueError):
        river_levels(basin, {"T1": -1})


def test_rivers_joining_only_each_other_in_a_loop_have_no_level() -> None:
    network = build_network(
        [
            line("a", "A", (0, 0), (1_000, 0)),
            line("b", "B", (1_000, 0), (1_000, 1_000)),
            line("c", "C", (1_000, 1_000), (0, 0)),
        ]
    )
    levels = river_levels(network)
    assert {r: lv.level for r, lv in levels.items()} == {"A": None, "B": None, "C": None}
    assert [t.river_id for t in first_level_tributaries(network, "A")] == ["C"]
    assert first_level_tributaries(network, "nope") == ()
