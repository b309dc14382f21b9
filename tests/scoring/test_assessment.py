"""The 81号 assessment model: 80/20 totals, bands on the boundaries, veto, ties, awards (pure)."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from scoring.engine.assessment import (
    SCHEME_2022_TOWNS,
    Award,
    Eligibility,
    Exclusion,
    RoutineRule,
    Scheme,
    SchemeError,
    SingleAward,
    UnitInput,
    band,
    basis_score,
    evaluate,
    total_of,
)
from scoring.engine.checklist import round_half_up


def unit(uid: int, safety: str, fire: str, **kw) -> UnitInput:  # type: ignore[no-untyped-def]
    return UnitInput(uid, {"safety": D(safety), "fire": D(fire)}, **kw)


@pytest.mark.parametrize(
    ("total", "grade"),
    [("100", "优秀"), ("90.00", "优秀"), ("89.99", "良好"), ("80.00", "良好"), ("79.99", "合格"),
     ("70.00", "合格"), ("69.99", "不合格"), ("0", "不合格")],
)  # fmt: skip
def test_bands_are_half_open(total: str, grade: str) -> None:
    assert band(D(total)) == grade


def test_total_is_80_20_rounded_half_up_before_banding() -> None:
    # 0.8 × 79.99375 + 0.2 × 80 = 79.995 → 80.00 → 良好 (not 合格)
    assert total_of(SCHEME_2022_TOWNS, {"safety": D("79.99375"), "fire": D(80)}) == D("80.00")
    r = evaluate(SCHEME_2022_TOWNS, [unit(1, "79.99375", "80")]).units[0]
    assert (r.total, r.grade) == (D("80.00"), "良好")
    assert total_of(SCHEME_2022_TOWNS, {"safety": D(95), "fire": D(70)}) == D("90.00")
    assert total_of(SCHEME_2022_TOWNS, {"safety": D("87.4875"), "fire": D(100)}) == D("89.99")


def test_veto_is_fail_whatever_the_points_and_wins_nothing() -> None:
    board = evaluate(
        SCHEME_2022_TOWNS, [unit(1, "99", "99", vetoed=True, veto_reasons=("较大事故",)), unit(2, "80", "80")]
    )
    first, last = board.units
    assert (first.unit_id, first.rank, first.award) == (2, 1, "先进区镇")
    assert (last.unit_id, last.total, last.grade, last.award, last.rank, last.reverse_rank) == (
        1, D("99.00"), "不合格", "", 2, 1
    )  # fmt: skip


def test_a_top_scorer_with_tasks_not_done_is_ranked_and_wins_only_a_lower_tier() -> None:
    board = evaluate(SCHEME_2022_TOWNS, [unit(1, "98", "98", tasks_completed=False), unit(2, "90", "90")])
    first, second = board.units
    assert (first.unit_id, first.rank, first.grade, first.award) == (1, 1, "优秀", "优胜区镇")
    assert first.notes == ("未完成年度规定任务，不参评先进区镇",) and first.excluded == ("advanced",)
    assert not first.eligible
    assert second.award == "先进区镇"


# 先进 1 place, 优胜 2, one single award with 1 place. Unit 1 is in the situation under test (a top score
# and the best basis, or 60 points when it failed on points); units 2 and 3 are ordinary and take the
# places unit 1 may not have: an excluded unit never uses up a place.
ONE_PLACE = Scheme(
    weights={"safety": D("0.8"), "fire": D("0.2")}, tie_break=("safety", "fire"),
    awards=(Award("advanced", "先进区镇", 1), Award("excellent", "优胜区镇", 2)),
    single_awards=(SingleAward("t", "宣传教育培训先进单位", 1, (("safety", "training."),)),),
)  # fmt: skip
NOTHING, ALL_TIERS = Exclusion(), frozenset({"advanced", "excellent"})


def options(**kw: Exclusion) -> Eligibility:
    return replace(Eligibility.default(ONE_PLACE.awards), **kw)


@pytest.mark.parametrize(
    ("situation", "eligibility", "expected", "note"),
    [
        # the defaults: tasks not done → no 先进 of any kind (comprehensive or single), 优胜 allowed
        ({"tasks_completed": False}, None,
         {1: ("优胜区镇", ()), 2: ("先进区镇", ("宣传教育培训先进单位",)), 3: ("优胜区镇", ())},
         "未完成年度规定任务，不参评先进区镇、单项奖"),
        # … a 不合格 unit wins no award of any kind
        ({"points": "60"}, None,
         {1: ("", ()), 2: ("先进区镇", ("宣传教育培训先进单位",)), 3: ("优胜区镇", ())},
         "考核等次为不合格，不参评任何奖项"),
        # … nor does a vetoed one
        ({"vetoed": True}, None,
         {1: ("", ()), 2: ("先进区镇", ("宣传教育培训先进单位",)), 3: ("优胜区镇", ())},
         "一票否决，不参评任何奖项"),
        # each reading is the office's choice
        ({"tasks_completed": False}, options(tasks_incomplete=NOTHING),
         {1: ("先进区镇", ("宣传教育培训先进单位",)), 2: ("优胜区镇", ()), 3: ("优胜区镇", ())}, None),
        ({"tasks_completed": False}, options(tasks_incomplete=Exclusion(ALL_TIERS)),
         {1: ("", ("宣传教育培训先进单位",)), 2: ("先进区镇", ()), 3: ("优胜区镇", ())},
         "未完成年度规定任务，不参评先进区镇、优胜区镇"),
        ({"tasks_completed": False}, options(tasks_incomplete=Exclusion(single_awards=True)),
         {1: ("先进区镇", ()), 2: ("优胜区镇", ("宣传教育培训先进单位",)), 3: ("优胜区镇", ())},
         "未完成年度规定任务，不参评单项奖"),
        ({"points": "60"}, options(failed=NOTHING),
         {1: ("优胜区镇", ("宣传教育培训先进单位",)), 2: ("先进区镇", ()), 3: ("优胜区镇", ())}, None),
        ({"points": "60"}, options(failed=Exclusion(ALL_TIERS)),
         {1: ("", ("宣传教育培训先进单位",)), 2: ("先进区镇", ()), 3: ("优胜区镇", ())},
         "考核等次为不合格，不参评先进区镇、优胜区镇"),
        ({"vetoed": True}, options(vetoed=NOTHING),  # still 不合格 and last, but not barred
         {1: ("优胜区镇", ("宣传教育培训先进单位",)), 2: ("先进区镇", ()), 3: ("优胜区镇", ())}, None),
        ({"vetoed": True}, options(vetoed=Exclusion(frozenset({"advanced"}), single_awards=True)),
         {1: ("优胜区镇", ()), 2: ("先进区镇", ("宣传教育培训先进单位",)), 3: ("优胜区镇", ())},
         "一票否决，不参评先进区镇、单项奖"),
    ],
)  # fmt: skip
def test_award_eligibility_options_and_their_defaults(situation, eligibility, expected, note) -> None:  # type: ignore[no-untyped-def]
    situation = dict(situation)
    points = situation.pop("points", "95")
    scheme = replace(ONE_PLACE, eligibility=eligibility)
    units = [
        unit(1, points, points, single_scores={"t": D(100)}, **situation),
        unit(2, "90", "90", single_scores={"t": D(90)}),
        unit(3, "85", "85", single_scores={"t": D(80)}),
    ]
    board = evaluate(scheme, units)
    assert {u.unit_id: (u.award, u.single_awards) for u in board.units} == expected
    assert board.undecided == {}
    subject = next(u for u in board.units if u.unit_id == 1)
    assert subject.notes == (() if note is None else (note,))
    assert subject.eligible is (note is None)


def test_the_defaults_read_81_hao() -> None:
    """先进 tiers are those the sentence names (label 先进…); 优胜 is not one of them."""
    e = Eligibility.default(ONE_PLACE.awards)
    assert e.tasks_incomplete == Exclusion(frozenset({"advanced"}), single_awards=True)
    assert e.failed == e.vetoed == Exclusion(ALL_TIERS, single_awards=True)
    assert ONE_PLACE.award_eligibility() == e  # a scheme without options uses them


def test_a_unit_barred_from_a_tier_is_not_part_of_a_tie_at_its_cut_off() -> None:
    scheme = replace(ONE_PLACE, single_awards=())
    units = [unit(1, "90", "90", tasks_completed=False), unit(2, "90", "90"), unit(3, "90", "90")]
    board = evaluate(scheme, units)
    # 2 and 3 tie for the one 先进 place; unit 1 equals them but may not have it; 优胜 waits
    assert board.undecided == {"advanced": (2, 3), "excellent": ()}
    assert all(u.award == "" for u in board.units)
    decided = evaluate(scheme, units, decisions={"advanced": [3]})
    assert {u.unit_id: u.award for u in decided.units} == {1: "优胜区镇", 2: "优胜区镇", 3: "先进区镇"}
    assert decided.undecided == {}


@pytest.mark.parametrize(
    ("eligibility", "option"),
    [
        (Eligibility(Exclusion(frozenset({"gold"})), NOTHING, NOTHING), "tasks_incomplete.exclude_tiers"),
        (Eligibility(NOTHING, Exclusion(frozenset({"t"})), NOTHING), "failed.exclude_tiers"),  # single award
        (Eligibility(NOTHING, NOTHING, Exclusion(frozenset({"x"}))), "vetoed.exclude_tiers"),
    ],
)  # fmt: skip
def test_eligibility_naming_an_unknown_tier_is_refused(eligibility, option) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SchemeError, match=f"eligibility.{option}"):
        replace(ONE_PLACE, eligibility=eligibility)


def test_shared_ranks_and_reverse_ranks() -> None:
    board = evaluate(
        SCHEME_2022_TOWNS,
        [unit(1, "90", "90"), unit(2, "85", "85"), unit(3, "85", "85"), unit(4, "70", "70")],
    )
    assert [(u.unit_id, u.rank, u.reverse_rank) for u in board.units] == [
        (1, 1, 4),
        (2, 2, 2),
        (3, 2, 2),
        (4, 4, 1),
    ]


def test_tie_at_cutoff_is_broken_by_safety_first() -> None:
    scheme = Scheme(
        weights={"safety": D("0.8"), "fire": D("0.2")}, tie_break=("safety",), awards=(Award("a", "先进", 1),)
    )
    # equal totals (86.00) — town 2 has the higher 安全生产 score and takes the single place
    board = evaluate(scheme, [unit(1, "85", "90"), unit(2, "87.5", "80")])
    assert [(u.unit_id, u.rank, u.award) for u in board.units] == [(1, 1, ""), (2, 1, "先进")]
    assert board.undecided == {}


def test_unbreakable_tie_at_cutoff_is_left_to_the_office() -> None:
    scheme = Scheme(
        weights={"safety": D("0.8"), "fire": D("0.2")}, tie_break=("safety", "fire"),
        awards=(Award("a", "先进", 2), Award("b", "优胜", 2)),
    )  # fmt: skip
    units = [
        unit(1, "95", "95"),
        unit(2, "90", "90"),
        unit(3, "90", "90"),
        unit(4, "80", "80"),
        unit(5, "70", "70"),
    ]
    board = evaluate(scheme, units)
    awards = {u.unit_id: u.award for u in board.units}
    assert awards[1] == "先进" and awards[2] == awards[3] == ""  # tied across the 先进 cut-off
    # 优胜 depends on who wins 先进: it waits for the office instead of pre-empting the decision
    assert board.undecided == {"a": (2, 3), "b": ()}
    assert "优胜" not in awards.values()


def test_office_decision_completes_a_tied_tier_and_releases_the_next() -> None:
    scheme = Scheme(
        weights={"safety": D("0.8"), "fire": D("0.2")}, tie_break=("safety", "fire"),
        awards=(Award("a", "先进", 2), Award("b", "优胜", 2)),
    )  # fmt: skip
    units = [
        unit(1, "95", "95"),
        unit(2, "90", "90"),
        unit(3, "90", "90"),
        unit(4, "80", "80"),
        unit(5, "70", "70"),
    ]
    board = evaluate(scheme, units, decisions={"a": [3]})
    awards = {u.unit_id: u.award for u in board.units}
    # the office gave the one remaining 先进 place to town 3; 优胜 then goes to 2 and 4 in score order
    assert awards == {1: "先进", 3: "先进", 2: "优胜", 4: "优胜", 5: ""}
    assert board.undecided == {}
    # a decision that does not fit the tie (too many, or a unit outside it) is ignored: still undecided
    for stale in ([2, 3], [4], [9]):
        assert evaluate(scheme, units, decisions={"a": stale}).undecided == {"a": (2, 3), "b": ()}


def test_single_award_basis_score() -> None:
    items = {
        "safety": [
            ("training.plan", D(4), D(4)),
            ("training.enterprise-heads", D(3), D(6)),
            ("x.y", D(0), D(5)),
        ],
        "fire": [("grid.training", D(6), D(8)), ("grid.trainings-extra", D(1), D(1))],
    }
    # training section (4 + 3 of 4 + 6) and fire's grid.training only (exact key): 13 / 18 = 72.2222…
    assert basis_score(items, [("safety", "training."), ("fire", "grid.training")]) == D("72.2222")
    assert basis_score(items, [("safety", "training.plan")]) == D(100)
    assert basis_score(items, [("safety", "absent.")]) is None  # nothing of the basis was assessed
    assert basis_score({}, [("safety", "training.")]) is None


def test_single_awards_rank_by_basis_then_total_and_are_independent_of_tiers() -> None:
    scheme = Scheme(
        weights={"safety": D("0.8"), "fire": D("0.2")}, tie_break=("safety", "fire"),
        awards=(Award("a", "先进", 1),),
        single_awards=(SingleAward("t", "宣传教育培训先进", 2, (("safety", "training."),)),),
    )  # fmt: skip
    units = [
        unit(1, "95", "95", single_scores={"t": D(100)}),  # 先进 and also the best trainer
        unit(2, "70", "70", single_scores={"t": D(90)}),
        unit(3, "99", "99", single_scores={"t": D(90)}, vetoed=True),  # vetoed: no award of any kind
        unit(4, "80", "80", single_scores={"t": D(90)}),  # same basis as 2, higher total → wins
        unit(5, "85", "85"),  # training not assessed: not in the single award's pool
    ]
    board = evaluate(scheme, units)
    got = {u.unit_id: (u.award, u.single_awards) for u in board.units}
    assert got[1] == ("先进", ("宣传教育培训先进",))
    assert got[4] == ("", ("宣传教育培训先进",))
    assert got[2] == got[3] == got[5] == ("", ())
    assert board.undecided == {}


def test_single_award_tie_at_cutoff_waits_for_the_office() -> None:
    scheme = Scheme(
        weights={"safety": D(1)},
        single_awards=(SingleAward("h", "隐患排查先进", 1, (("safety", "inspection."),)),),
    )
    units = [unit(1, "80", "0", single_scores={"h": D(95)}), unit(2, "80", "0", single_scores={"h": D(95)})]
    scheme_units = [
        UnitInput(u.unit_id, {"safety": u.components["safety"]}, single_scores=u.single_scores) for u in units
    ]
    board = evaluate(scheme, scheme_units)
    assert board.undecided == {"h": (1, 2)} and all(not u.single_awards for u in board.units)
    decided = evaluate(scheme, scheme_units, decisions={"h": [2]})
    assert {u.unit_id: u.single_awards for u in decided.units} == {1: (), 2: ("隐患排查先进",)}


@pytest.mark.parametrize(
    "single",
    [
        SingleAward("a", "重复标识", 3, (("safety", "training."),)),
        SingleAward("t", "无依据", 3, ()),
        SingleAward("t", "未知组成部分", 3, (("health", "x."),)),
        SingleAward("t", "负名额", -1, (("safety", "training."),)),
    ],
)
def test_invalid_single_awards_are_refused(single) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SchemeError):
        Scheme(weights={"safety": D(1)}, awards=(Award("a", "先进", 1),), single_awards=(single,))


def test_routine_and_annual_combination() -> None:
    rule = RoutineRule(routine_weight=D("0.3"))
    assert rule.combine([D(80), D(90)], D(100)) == D("0.3") * D(85) + D("0.7") * D(100)  # 95.5
    assert rule.combine([], D(100)) == D(100)
    assert RoutineRule(D("0.3"), "zero").combine([], D(100)) == D(70)
    assert RoutineRule().combine([D(10)], D(88)) == D(88)  # annual only
    assert rule.combine([D(80)], None) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights": {"safety": D("0.8"), "fire": D("0.3")}},
        {"weights": {"safety": D("1.2"), "fire": D("-0.2")}},
        {"weights": {}},
        {"weights": {"safety": D(1)}, "tie_break": ("fire",)},
    ],
)
def test_invalid_schemes_are_refused(kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SchemeError):
        Scheme(**kwargs)


scores = st.decimals(min_value=0, max_value=100, places=2)


@given(scores, scores)
def test_total_within_0_and_100(s, f) -> None:  # type: ignore[no-untyped-def]
    assert D(0) <= total_of(SCHEME_2022_TOWNS, {"safety": s, "fire": f}) <= D(100)


@given(scores, scores, st.decimals(min_value=0, max_value=10, places=2))
def test_total_is_monotonic_in_each_component(s, f, bump) -> None:  # type: ignore[no-untyped-def]
    base = total_of(SCHEME_2022_TOWNS, {"safety": s, "fire": f})
    assert total_of(SCHEME_2022_TOWNS, {"safety": min(D(100), s + bump), "fire": f}) >= base
    assert total_of(SCHEME_2022_TOWNS, {"safety": s, "fire": min(D(100), f + bump)}) >= base


@given(st.decimals(min_value=0, max_value=100, places=2))
def test_band_matches_the_boundaries(t) -> None:  # type: ignore[no-untyped-def]
    expected = "优秀" if t >= 90 else "良好" if t >= 80 else "合格" if t >= 70 else "不合格"
    assert band(t) == expected


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["60", "70", "80", "85", "90", "95"]),
            st.sampled_from(["70", "90"]),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_awards_respect_quotas_and_eligibility(rows) -> None:  # type: ignore[no-untyped-def]
    scheme = replace(
        SCHEME_2022_TOWNS, single_awards=(SingleAward("t", "单项", 3, (("safety", "training."),)),)
    )
    units = [
        unit(i, s, f, vetoed=v, tasks_completed=t, single_scores={"t": D(f)})
        for i, (s, f, v, t) in enumerate(rows)
    ]
    board = evaluate(scheme, units)
    for award in scheme.awards:
        assert sum(1 for u in board.units if u.award == award.label) <= award.quota
    assert sum(1 for u in board.units if "单项" in u.single_awards) <= 3
    for u in board.units:
        # the defaults: tasks not done → no 先进 of any kind; 不合格 or vetoed → no award at all
        if u.vetoed or u.total < 70:
            assert not u.award and not u.single_awards
        if any(not i.tasks_completed for i in units if i.unit_id == u.unit_id):
            assert u.award != "先进区镇" and not u.single_awards
        if u.vetoed:
            assert u.grade == "不合格"
    ranks = [u.rank for u in board.units]
    assert ranks == sorted(ranks)
    vetoed = [u.rank for u in board.units if u.vetoed]
    standing = [u.rank for u in board.units if not u.vetoed]
    assert not vetoed or not standing or max(standing) < min(vetoed)


def _reference(scheme: Scheme, units: list[UnitInput]) -> tuple[dict, dict, dict]:  # type: ignore[type-arg]
    """The 81号 rules written the slow, obvious way, to check the engine's linear ranking and sorting."""
    total = {u.unit_id: total_of(scheme, u.components) for u in units}
    # Tie-breaks compare the component scores as published: clamped, rounded half-up to the scheme's places.
    comp = {
        u.unit_id: {
            k: round_half_up(min(D(100), max(D(0), u.components.get(k) or D(0))), scheme.places)
            for k in scheme.weights
        }
        for u in units
    }
    standing = {u.unit_id: (not u.vetoed, total[u.unit_id]) for u in units}
    better = {i: sum(standing[j] > standing[i] for j in standing) for i in standing}
    worse = {i: sum(standing[j] < standing[i] for j in standing) for i in standing}
    ranks = {i: (1 + better[i], 1 + worse[i]) for i in standing}
    # Who may win what. Unless the scheme says otherwise: tasks not done → no 先进 tier and no single
    # award (every single award is a 先进单位); below the 合格 line (不合格) or vetoed → nothing.
    every = {a.key for a in scheme.awards} | {a.key for a in scheme.single_awards}
    plain = {"tasks_incomplete": ({"advanced"}, True), "failed": (every, True), "vetoed": (every, True)}
    if scheme.eligibility is not None:
        plain = {
            name: (
                set(getattr(scheme.eligibility, name).tiers),
                getattr(scheme.eligibility, name).single_awards,
            )
            for name in plain
        }
    passing_line = scheme.bands[-2].lower  # the lowest band is 不合格, the one above it 合格
    barred: dict[int, set[str]] = {}
    for u in units:
        barred[u.unit_id] = set()
        for name, applies in (
            ("tasks_incomplete", not u.tasks_completed),
            ("failed", total[u.unit_id] < passing_line),
            ("vetoed", u.vetoed),
        ):
            if applies:
                tiers, singles = plain[name]
                barred[u.unit_id] |= set(tiers) | (
                    {a.key for a in scheme.single_awards} if singles else set()
                )

    def base(uid: int) -> tuple[object, ...]:
        # awards follow the published order: a vetoed unit (if it may win at all) after every other
        return (standing[uid][0], total[uid], *(comp[uid][k] for k in scheme.tie_break))

    def allot(pool: list[int], quota: int, key) -> tuple[set[int], tuple[int, ...]]:  # type: ignore[no-untyped-def]
        keys = sorted((key(i) for i in pool), reverse=True)
        if quota == 0 or not pool:
            return set(), ()
        if len(keys) > quota and keys[quota] == keys[quota - 1]:
            cut = keys[quota - 1]
            return {i for i in pool if key(i) > cut}, tuple(sorted(i for i in pool if key(i) == cut))
        return {i for i in pool if key(i) >= keys[min(quota, len(keys)) - 1]}, ()

    awards: dict[int, str] = {}
    undecided: dict[str, tuple[int, ...]] = {}
    for award in scheme.awards:
        if undecided:
            undecided[award.key] = ()
            continue
        pool = [u.unit_id for u in units if award.key not in barred[u.unit_id] and u.unit_id not in awards]
        won, tied = allot(pool, award.quota, base)
        awards.update(dict.fromkeys(won, award.label))
        if tied:
            undecided[award.key] = tied
    singles: dict[int, set[str]] = {u.unit_id: set() for u in units}
    for single in scheme.single_awards:
        score = {
            u.unit_id: u.single_scores.get(single.key) for u in units if single.key not in barred[u.unit_id]
        }
        pool = [i for i, v in score.items() if v is not None]
        won, tied = allot(pool, single.quota, lambda i, s=score: (s[i], *base(i)))
        for i in won:
            singles[i].add(single.label)
        if tied:
            undecided[single.key] = tied
    return ranks, {"awards": awards, "singles": singles}, undecided


# One reading of 81号 as the office may set it: which tiers, and whether single awards, a unit loses.
exclusions = st.builds(Exclusion, st.frozensets(st.sampled_from(["advanced", "excellent"])), st.booleans())


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["60", "69.99", "79.995", "80", "85", "90", "95", "100"]),
            st.sampled_from(["0", "70", "90", "100"]),
            st.sampled_from([None, "50", "100"]),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=0, max_value=4),
    st.none() | st.builds(Eligibility, exclusions, exclusions, exclusions),
)
# 79.995 and 80 publish as 80.00: tied on 安全生产 at the cut-off, so the office decides (hypothesis).
@example(
    rows=[("79.995", "90", "50", False, True), ("80", "90", "50", False, True)], quota=1, eligibility=None
)
def test_engine_matches_the_rules_written_plainly(rows, quota, eligibility) -> None:  # type: ignore[no-untyped-def]
    scheme = replace(
        SCHEME_2022_TOWNS,
        awards=(Award("advanced", "先进", quota), Award("excellent", "优胜", 2)),
        single_awards=(SingleAward("t", "单项", quota, (("safety", "training."),)),),
        eligibility=eligibility,
    )
    units = [
        unit(i, s, f, vetoed=v, tasks_completed=t, single_scores={"t": None if b is None else D(b)})
        for i, (s, f, b, v, t) in enumerate(rows)
    ]
    board = evaluate(scheme, units)
    ranks, won, undecided = _reference(scheme, units)
    assert {u.unit_id: (u.rank, u.reverse_rank) for u in board.units} == ranks
    assert {u.unit_id: u.award for u in board.units if u.award} == won["awards"]
    assert {u.unit_id: set(u.single_awards) for u in board.units} == won["singles"]
    assert dict(board.undecided) == undecided
