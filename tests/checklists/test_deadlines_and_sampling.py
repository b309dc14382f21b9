"""2022 rectification deadline rules and reproducible spot-check draws (pure)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checklists.deadlines import DeadlineRules
from checklists.sampling import DrawError, draw

RULES = DeadlineRules.load()


@pytest.mark.parametrize(
    ("category", "found", "due"),
    [
        ("no_meter", date(2022, 9, 20), date(2022, 10, 31)),
        ("equipment_fault", date(2022, 9, 20), date(2022, 11, 30)),
        ("maintenance_missing", date(2022, 10, 1), date(2022, 11, 30)),
        ("unstable_operation", date(2022, 11, 30), date(2022, 11, 30)),  # found on the day: still that day
        ("pipe_network_missing", date(2022, 9, 20), date(2022, 12, 31)),
        ("equipment_badly_damaged", date(2022, 12, 1), date(2022, 12, 31)),
        ("no_meter", date(2022, 11, 15), date(2022, 12, 15)),  # 10-31 already passed: 30 days
        ("hazard", date(2022, 3, 1), date(2022, 3, 31)),
        ("veto", date(2022, 3, 1), date(2022, 3, 16)),
        ("something_new", date(2022, 3, 1), date(2022, 3, 31)),  # default
    ],
)
def test_deadline_by_category(category, found, due) -> None:  # type: ignore[no-untyped-def]
    d = RULES.deadline(category, found)
    assert (d.due, d.requires_approval) == (due, False)
    assert d.rule


def test_beyond_repair_needs_district_approval_and_has_no_deadline_yet() -> None:
    d = RULES.deadline("beyond_repair", date(2022, 9, 20))
    assert (d.due, d.requires_approval) == (None, True)
    assert "审批" in d.rule


CANDIDATES = {1: [11, 12, 13, 14], 2: [21, 22], 3: []}
INSPECTORS = {100: frozenset({1}), 200: frozenset({2}), 300: frozenset()}


def test_same_seed_same_draw_and_inspectors_never_check_their_own_town() -> None:
    a = draw(seed=42, candidates=CANDIDATES, inspectors=INSPECTORS, per_town=2)
    assert a == draw(seed=42, candidates=CANDIDATES, inspectors=INSPECTORS, per_town=2)
    assert [s.town_id for s in a] == [1, 1, 2, 2]
    for s in a:
        assert s.town_id not in INSPECTORS[s.inspector_id]
    assert {s.subject_id for s in a if s.town_id == 2} == {21, 22}  # a town smaller than per_town gives all


def test_different_seeds_eventually_differ() -> None:
    draws = {tuple(draw(seed=s, candidates=CANDIDATES, inspectors=INSPECTORS, per_town=2)) for s in range(30)}
    assert len(draws) > 1


def test_no_eligible_inspector_is_an_error_naming_the_town() -> None:
    with pytest.raises(DrawError) as exc:
        draw(seed=1, candidates={5: [1]}, inspectors={9: frozenset({5})}, per_town=1)
    assert exc.value.town_id == 5


@given(st.integers(min_value=0, max_value=2**63 - 1), st.integers(min_value=1, max_value=5))
def test_draw_properties(seed, k) -> None:  # type: ignore[no-untyped-def]
    samples = draw(seed=seed, candidates=CANDIDATES, inspectors=INSPECTORS, per_town=k)
    for town, subjects in CANDIDATES.items():
        chosen = [s.subject_id for s in samples if s.town_id == town]
        assert len(chosen) == min(k, len(subjects)) and len(set(chosen)) == len(chosen)
        assert set(chosen) <= set(subjects)
    assert all(s.town_id not in INSPECTORS[s.inspector_id] for s in samples)
