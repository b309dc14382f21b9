"""The 每旬 reverse ranking engine (pure): the scheme's reading, points, scores, ties, missing data, 旬
boundaries, and the towns staying at the bottom."""

import calendar
import itertools
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine.rankings import (
    Method,
    Missing,
    PersistentRule,
    RankingInputError,
    RankingScheme,
    SchemeError,
    TownScore,
    dekad_of_key,
    dekads_between,
    persistent_bottom,
    rank_towns,
    scheme_from_mapping,
)

AIR_DUST_WATER = {
    "key": "t",
    "indicators": [
        {"key": "air.aqi", "weight": 0.4},
        {"key": "dust.fall", "weight": 0.3},
        {"key": "water.cwqi", "weight": 0.3},
    ],
    "tie_break": ["air.aqi", "dust.fall"],
    "persistent": {"bottom": 2, "in_a_row": 3},
}


def scheme(**changes: object) -> RankingScheme:
    return scheme_from_mapping({**AIR_DUST_WATER, **changes}, "t.yaml")


def order(ranking) -> list[tuple[object, int | None, D | None]]:  # type: ignore[no-untyped-def]
    return [(t.town, t.rank, t.score) for t in ranking.towns]


# --- the scheme -------------------------------------------------------------------------------------


def test_shipped_defaults() -> None:
    s = scheme()
    assert (s.method, s.missing, s.places, s.full) == (Method.RANK_POINTS, Missing.REWEIGHT, 2, D(100))
    assert [r.weight for r in s.indicators] == [D("0.4"), D("0.3"), D("0.3")]
    assert s.persistent == PersistentRule(2, 3)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"indicators": []}, "indicators：至少"),
        ({"indicators": [{"key": "a", "weight": 0}]}, "indicators[0].weight"),
        ({"indicators": [{"key": "a", "weight": "x"}]}, "indicators[0].weight"),
        ({"indicators": [{"key": "a", "weight": -1}]}, "indicators[0].weight"),
        ({"indicators": [{"weight": 1}]}, "indicators[0].key"),
        ({"indicators": [{"key": "a", "weight": 1, "better": "up"}]}, "indicators[0].better"),
        ({"indicators": [{"key": "a", "weight": 1, "wieght": 1}]}, "未知的选项 wieght"),
        ({"indicators": [{"key": "a", "weight": 1}, {"key": "a", "weight": 1}]}, "指标键重复（a）"),
        ({"method": "borda"}, "method"),
        ({"missing": "skip"}, "missing"),
        ({"tie_break": ["pm25"]}, "tie_break"),
        ({"tie_break": ["air.aqi", "air.aqi"]}, "tie_break：指标键重复"),
        ({"persistent": None}, "persistent"),
        ({"persistent": {"bottom": 0, "in_a_row": 3}}, "persistent.bottom"),
        ({"persistent": {"bottom": 3, "in_a_row": 1}}, "persistent.in_a_row"),
        ({"persistent": {"bottom": True, "in_a_row": 3}}, "persistent.bottom"),
        ({"places": 9}, "places"),
        ({"period": "month"}, "period"),
        ({"key": ""}, "key"),
        ({"weights": {}}, "未知的选项 weights"),
    ],
)
def test_scheme_errors_name_the_option(changes: dict[str, object], fragment: str) -> None:
    with pytest.raises(SchemeError) as exc:
        scheme(**changes)
    assert str(exc.value).startswith("t.yaml: ") and fragment in str(exc.value)


def test_scheme_must_be_a_mapping() -> None:
    with pytest.raises(SchemeError, match="映射"):
        scheme_from_mapping(["key"], "x.yaml")


# --- one 旬 ------------------------------------------------------------------------------------------

AIR = {"甲": 60, "乙": 80, "丙": 100, "丁": None}
DUST = {"甲": D("3.1"), "乙": D("2.0"), "丙": D("5.5"), "丁": D("4.0")}
WATER = {"甲": D("5"), "丙": D("9"), "丁": D("7")}


def test_rank_points_weights_and_reweight() -> None:
    r = rank_towns(scheme(), {"air.aqi": AIR, "dust.fall": DUST, "water.cwqi": WATER})
    by = {t.town: t for t in r.towns}
    # air: 甲 100, 乙 50, 丙 0 (3 towns with data); dust (4): 乙 100, 甲 66.67, 丁 33.33, 丙 0;
    # water (3): 甲 100, 丁 50, 丙 0
    assert by["甲"].points == {"air.aqi": 100, "dust.fall": D(200) / 3, "water.cwqi": 100}
    # 甲: (0.4·100 + 0.3·66.67 + 0.3·100) / 1 = 90
    assert by["甲"].score == D("90.00")
    # 乙 has no water: (0.4·50 + 0.3·100) / 0.7 = 71.43 (reweight)
    assert by["乙"].score == D("71.43") and by["乙"].points["water.cwqi"] is None
    # 丁 has no air: (0.3·33.33 + 0.3·50) / 0.6 = 41.67
    assert by["丁"].score == D("41.67")
    assert order(r) == [
        ("丙", 1, D("0.00")),
        ("丁", 2, D("41.67")),
        ("乙", 3, D("71.43")),
        ("甲", 4, D("90.00")),
    ]
    assert (r.counted, r.left_out) == (("air.aqi", "dust.fall", "water.cwqi"), ())


def test_missing_scores_zero() -> None:
    r = rank_towns(scheme(missing="zero"), {"air.aqi": AIR, "dust.fall": DUST, "water.cwqi": WATER})
    by = {t.town: t.score for t in r.towns}
    assert by["乙"] == D("50.00")  # (0.4·50 + 0.3·100 + 0.3·0) / 1
    assert by["丁"] == D("25.00")  # (0 + 0.3·33.33 + 0.3·50) / 1


def test_normalised() -> None:
    r = rank_towns(scheme(method="normalised"), {"air.aqi": AIR})
    assert {t.town: t.points["air.aqi"] for t in r.towns} == {"甲": 100, "乙": 50, "丙": 0, "丁": None}
    higher = scheme(
        method="normalised", indicators=[{"key": "good_days", "weight": 1, "better": "higher"}], tie_break=[]
    )
    r = rank_towns(higher, {"good_days": {"a": 10, "b": 4, "c": 7}})
    assert order(r) == [("b", 1, D("0.00")), ("c", 2, D("50.00")), ("a", 3, D("100.00"))]


def test_source_left_out_and_town_without_any_data() -> None:
    r = rank_towns(scheme(), {"water.cwqi": {"甲": D("5"), "乙": None, "丙": D("4.2")}})
    assert r.left_out == ("air.aqi", "dust.fall") and r.counted == ("water.cwqi",)
    assert order(r) == [("甲", 1, D("0.00")), ("丙", 2, D("100.00")), ("乙", None, None)]
    # under ``zero`` too: a town that measured nothing is not ranked
    assert order(rank_towns(scheme(missing="zero"), {"water.cwqi": {"乙": None, "甲": 1}}))[-1] == (
        "乙",
        None,
        None,
    )


def test_one_town_and_no_town() -> None:
    assert order(rank_towns(scheme(), {"air.aqi": {"甲": 200}})) == [("甲", 1, D("100.00"))]
    assert rank_towns(scheme(), {}).towns == ()
    assert rank_towns(scheme(), {}, towns=("甲",)).towns[0].rank is None  # listed, unranked


def test_ties_broken_by_the_scheme_then_shared() -> None:
    # equal scores (both 50): 甲 worse on air → first; 乙 and 丙 equal everywhere → share a rank
    values = {
        "air.aqi": {"甲": 90, "乙": 50, "丙": 50, "丁": 10},
        "dust.fall": {"甲": 1, "乙": 5, "丙": 5, "丁": 9},
    }
    s = scheme(
        indicators=[{"key": "air.aqi", "weight": 1}, {"key": "dust.fall", "weight": 1}], method="normalised"
    )
    r = rank_towns(s, values)
    assert [(t.town, t.rank) for t in r.towns] == [("甲", 1), ("乙", 2), ("丙", 2), ("丁", 4)]
    no_break = rank_towns(
        scheme(
            indicators=[{"key": "air.aqi", "weight": 1}, {"key": "dust.fall", "weight": 1}],
            method="normalised",
            tie_break=[],
        ),
        values,
    )
    assert [(t.town, t.rank) for t in no_break.towns] == [("甲", 1), ("乙", 1), ("丙", 1), ("丁", 1)]


def test_equal_values_share_the_better_place() -> None:
    r = rank_towns(scheme(), {"dust.fall": {"a": 1, "b": 1, "c": 2}})
    assert {t.town: t.points["dust.fall"] for t in r.towns} == {"a": 100, "b": 100, "c": 0}


def test_bad_values_listed() -> None:
    with pytest.raises(RankingInputError) as exc:
        rank_towns(scheme(), {"air.aqi": {"a": "x", "b": float("nan"), "c": True, "d": 5}})
    assert [(k, t) for k, t, _ in exc.value.problems] == [
        ("air.aqi", "a"),
        ("air.aqi", "b"),
        ("air.aqi", "c"),
    ]


values_st = st.one_of(st.none(), st.integers(0, 500), st.decimals(0, 500, places=2))
towns_st = st.dictionaries(st.sampled_from("甲乙丙丁戊己庚辛"), values_st, max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    air=towns_st,
    dust=towns_st,
    water=towns_st,
    method=st.sampled_from(["rank_points", "normalised"]),
    missing=st.sampled_from(["reweight", "zero"]),
    tie_break=st.sampled_from([[], ["air.aqi"], ["water.cwqi", "dust.fall"]]),
)
def test_ranking_properties(air, dust, water, method, missing, tie_break) -> None:  # type: ignore[no-untyped-def]
    s = scheme(method=method, missing=missing, tie_break=tie_break)
    r = rank_towns(s, {"air.aqi": air, "dust.fall": dust, "water.cwqi": water})
    everyone = set(air) | set(dust) | set(water)
    assert {t.town for t in r.towns} == everyone and len(r.towns) == len(everyone)
    ranked = [t for t in r.towns if t.rank is not None]
    # unranked towns are exactly those without any value, and come last
    assert all(t.rank is None for t in r.towns[len(ranked) :])
    assert {t.town for t in r.towns if t.rank is None} == {
        t for t in everyone if all(d.get(t) is None for d in (air, dust, water))
    }
    for t in ranked:
        assert t.score is not None and D(0) <= t.score <= D(100)
        assert all(p is None or D(0) <= p <= D(100) for p in t.points.values())
    # worst first; a rank is 1 + the number of towns strictly before it; equal keys share it
    assert [t.score for t in ranked] == sorted(t.score for t in ranked)  # type: ignore[type-var]
    for i, t in enumerate(ranked):
        if i and ranked[i - 1].rank == t.rank:
            assert ranked[i - 1].score == t.score
        else:
            assert t.rank == i + 1
    if ranked:
        assert ranked[0].rank == 1
    # one indicator with at least two distinct values: its best town has 100 points, its worst 0
    for key, d in (("air.aqi", air), ("dust.fall", dust), ("water.cwqi", water)):
        present = {t: v for t, v in d.items() if v is not None}
        pts = {t.town: t.points[key] for t in r.towns}
        if len(set(present.values())) > 1:
            assert pts[min(present, key=present.__getitem__)] == 100
            worst = max(present.values())
            if method == "normalised" or list(present.values()).count(worst) == 1:  # else: the better place
                assert pts[max(present, key=present.__getitem__)] == 0
        elif present:
            assert all(pts[t] == 100 for t in present)


@settings(max_examples=200, deadline=None)
@given(values=st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 300), min_size=1))
def test_a_worse_value_never_ranks_better(values: dict[str, int]) -> None:
    """One indicator (lower is better): the 逆序 order is the values' descending order."""
    s = scheme(indicators=[{"key": "air.aqi", "weight": 1}], tie_break=[])
    r = rank_towns(s, {"air.aqi": values})
    by = {t.town: t.rank for t in r.towns}
    for a in values:
        for b in values:
            if values[a] > values[b]:
                assert by[a] < by[b]  # type: ignore[operator]
            elif values[a] == values[b]:
                assert by[a] == by[b]


@settings(max_examples=200, deadline=None)
@given(
    values=st.dictionaries(st.integers(0, 40), st.none() | st.decimals(0, 50, places=1), max_size=40),
    better=st.sampled_from(["lower", "higher"]),
)
def test_rank_points_follow_the_place_definition(values, better) -> None:  # type: ignore[no-untyped-def]
    """Rank points are full × (m − r) / (m − 1), r = 1 + the number of towns strictly better (the place
    is found by bisection over the sorted values: the same count)."""
    from scoring.engine.rankings.ranking import indicator_points

    s = scheme(indicators=[{"key": "air.aqi", "weight": 1, "better": better}], tie_break=[])
    rule, sign = s.indicator("air.aqi"), 1 if better == "lower" else -1
    got = indicator_points(rule, values, s.method, s.full)
    present = {t: v for t, v in values.items() if v is not None}
    m = len(present)
    for t, v in values.items():
        if v is None:
            assert got[t] is None
            continue
        place = 1 + sum(1 for x in present.values() if sign * x < sign * v)
        assert got[t] == (s.full if m == 1 else s.full * (m - place) / (m - 1))


# --- 旬 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "last_len"),
    [(2022, 2, 8), (2024, 2, 9), (2000, 2, 9), (1900, 2, 8), (2022, 4, 10), (2022, 1, 11), (2022, 12, 11)],
)
def test_dekads_of_a_month(year: int, month: int, last_len: int) -> None:
    days = calendar.monthrange(year, month)[1]
    ds = dekads_between(date(year, month, 1), date(year, month, days))
    assert [p.label for p in ds] == [f"{year}年{month}月{x}" for x in ("上旬", "中旬", "下旬")]
    assert [(p.end - p.start).days + 1 for p in ds] == [10, 10, last_len]
    assert ds[2].key == f"{year}-{month:02d}-D3" and ds[2].end == date(year, month, days)


def test_dekads_across_years_and_inside_one() -> None:
    ds = dekads_between(date(2023, 12, 25), date(2024, 1, 11))
    assert [p.key for p in ds] == ["2023-12-D3", "2024-01-D1", "2024-01-D2"]
    assert [p.key for p in dekads_between(date(2024, 2, 29), date(2024, 2, 21))] == ["2024-02-D3"]
    assert dekads_between(date(2024, 3, 1), date(2024, 2, 29)) == ()
    assert len(dekads_between(date(2022, 1, 1), date(2024, 12, 31))) == 108


@settings(max_examples=300, deadline=None)
@given(first=st.dates(date(1900, 1, 1), date(2100, 12, 31)), span=st.integers(0, 400))
def test_dekads_tile_the_calendar(first: date, span: int) -> None:
    last = first + timedelta(days=span)
    ds = dekads_between(first, last)
    assert first in ds[0] and last in ds[-1]
    for a, b in itertools.pairwise(ds):
        assert b.start == a.end + timedelta(days=1)
    for p in ds:
        assert p.start.day in (1, 11, 21) and 8 <= (p.end - p.start).days + 1 <= 11
        assert p.end.month == p.start.month


# --- 持续靠后 ---------------------------------------------------------------------------------------


def ranks(*pairs: tuple[str, int | None]) -> list[TownScore]:
    return [TownScore(t, r, None if r is None else D(r), {}, {}) for t, r in pairs]


def test_persistent_bottom_runs() -> None:
    rule = PersistentRule(bottom=1, in_a_row=2)
    history = [
        ("D1", ranks(("甲", 1), ("乙", 2))),
        ("D2", ranks(("甲", 1), ("乙", 1))),  # a shared rank 1: both at the bottom
        ("D3", ranks(("乙", 1), ("甲", 2))),
        ("D4", ranks(("乙", 1), ("甲", None))),
        ("D5", ranks(("乙", 1))),
    ]
    out = persistent_bottom(history, rule)
    assert [(s.town, s.length, s.first, s.last, s.ongoing) for s in out] == [
        ("乙", 4, "D2", "D5", True),
        ("甲", 2, "D1", "D2", False),
    ]
    # a 旬 without data ends a run
    gap = [("D1", ranks(("甲", 1))), ("D2", ranks(("甲", None))), ("D3", ranks(("甲", 1)))]
    assert persistent_bottom(gap, rule) == ()
    assert persistent_bottom([], rule) == ()


@settings(max_examples=300, deadline=None)
@given(
    seq=st.lists(
        st.dictionaries(st.sampled_from("abc"), st.one_of(st.none(), st.integers(1, 3))), max_size=12
    ),
    bottom=st.integers(1, 3),
    in_a_row=st.integers(2, 4),
)
def test_persistent_bottom_matches_brute_force(seq, bottom: int, in_a_row: int) -> None:  # type: ignore[no-untyped-def]
    history = [(f"D{i}", ranks(*d.items())) for i, d in enumerate(seq)]
    got = {
        (s.town, s.first, s.last, s.length, s.ongoing)
        for s in persistent_bottom(history, PersistentRule(bottom, in_a_row))
    }
    flags = {t: [d.get(t) is not None and d[t] <= bottom for d in seq] for t in "abc"}  # type: ignore[operator]
    want = set()
    for t, f in flags.items():
        i = 0
        while i < len(f):
            if f[i]:
                j = i
                while j + 1 < len(f) and f[j + 1]:
                    j += 1
                if j - i + 1 >= in_a_row:
                    want.add((t, f"D{i}", f"D{j}", j - i + 1, j == len(f) - 1))
                i = j + 1
            else:
                i += 1
    assert got == want


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("2022-09-D2", date(2022, 9, 11), date(2022, 9, 20)),
        ("2024-02-D3", date(2024, 2, 21), date(2024, 2, 29)),
    ],
)
def test_dekad_of_key(key: str, start: date, end: date) -> None:
    p = dekad_of_key(key)
    assert (p.start, p.end, p.key) == (start, end, key)


@pytest.mark.parametrize("key", ["2022-13-D1", "2022-09-D4", "2022-9-D1", "2022-09", "0999-01-D1", "", "x"])
def test_dekad_of_key_refuses(key: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-D1"):
        dekad_of_key(key)


@settings(max_examples=200, deadline=None)
@given(d=st.dates(date(1900, 1, 1), date(2999, 12, 31)))
def test_dekad_key_round_trip(d: date) -> None:
    p = dekads_between(d, d)[0]
    assert dekad_of_key(p.key) == p
