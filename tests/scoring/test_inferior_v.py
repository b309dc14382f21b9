"""The 劣Ⅴ list's entries and exits (清零, 动态清零) from monthly classes: table-driven cases and, on random
series, the defining property — on the list in a month iff the latest measured month up to it was 劣Ⅴ."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine.water.inferior import INFERIOR_V, Spell, inferior_v_list, months_between, spells

M = [date(2022, m, 1) for m in range(1, 13)]


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        ({}, ()),
        ({M[0]: 3, M[1]: 5}, ()),  # never 劣Ⅴ
        ({M[0]: 6}, (Spell(M[0], None),)),  # still on the list
        ({M[0]: 6, M[1]: 6, M[2]: 4}, (Spell(M[0], M[2]),)),  # cleared in March
        ({M[0]: 6, M[2]: 6}, (Spell(M[0], None),)),  # an unmeasured month clears nothing
        ({M[0]: 6, M[1]: None, M[2]: 3}, (Spell(M[0], M[2]),)),  # a month without a class neither
        (
            {M[0]: 6, M[1]: 5, M[2]: 6, M[3]: 2},
            (Spell(M[0], M[1]), Spell(M[2], M[3])),
        ),  # 动态清零, back, again
        ({M[3]: 4, M[0]: 6}, (Spell(M[0], M[3]),)),  # order of the mapping does not matter
        ({M[0]: 5, M[1]: 6}, (Spell(M[1], None),)),  # entered from Ⅴ
    ],
)
def test_spells(classes, expected) -> None:  # type: ignore[no-untyped-def]
    assert spells(classes) == expected


def test_bad_months_and_classes_are_refused() -> None:
    with pytest.raises(ValueError, match="1 日"):
        spells({date(2022, 1, 5): 6})
    with pytest.raises(ValueError, match="1–6"):
        spells({M[0]: 7})


def test_counts_per_month() -> None:
    series = {"a": {M[0]: 6, M[2]: 3}, "b": {M[1]: 6}, "c": {M[0]: 2}}
    got = inferior_v_list(series, M[:4])
    assert [p.point for p in got.points] == ["a", "b"]
    assert got.count_by_month == ((M[0], 1), (M[1], 2), (M[2], 1), (M[3], 1))
    assert not got.points[0].on_list and got.points[1].on_list


def test_months_between() -> None:
    assert months_between(date(2021, 11, 20), date(2022, 2, 3)) == (
        date(2021, 11, 1), date(2021, 12, 1), date(2022, 1, 1), date(2022, 2, 1),
    )  # fmt: skip
    assert months_between(date(2022, 3, 1), date(2022, 2, 1)) == ()


ALL = months_between(date(2020, 1, 1), date(2022, 12, 1))
series_of = st.dictionaries(st.sampled_from(ALL), st.one_of(st.none(), st.integers(1, 6)), max_size=36)


def _latest_class(classes: dict[date, int | None], month: date) -> int | None:
    measured = [m for m, k in classes.items() if k is not None and m <= month]
    return classes[max(measured)] if measured else None


@given(series_of)
def test_on_the_list_iff_the_latest_measured_month_was_inferior_v(classes) -> None:  # type: ignore[no-untyped-def]
    found = spells(classes)
    for month in ALL:
        on = any(s.covers(month) for s in found)
        assert on == (_latest_class(classes, month) == INFERIOR_V), month
    # spells are ordered, disjoint, each opens on a 劣Ⅴ month and closes on a better measured one
    for s in found:
        assert classes[s.entered] == INFERIOR_V
        assert s.left is None or (s.left > s.entered and (classes[s.left] or INFERIOR_V) < INFERIOR_V)
    for a, b in itertools.pairwise(found):
        assert a.left is not None and a.left <= b.entered
    assert all(s.left is not None for s in found[:-1])


@given(st.dictionaries(st.sampled_from("abcdef"), series_of, max_size=6))
def test_the_count_is_the_number_of_points_on_the_list(series) -> None:  # type: ignore[no-untyped-def]
    got = inferior_v_list(series, ALL)
    for month, count in got.count_by_month:
        assert count == sum(_latest_class(c, month) == INFERIOR_V for c in series.values())
    assert {p.point for p in got.points} == {k for k, c in series.items() if INFERIOR_V in c.values()}
