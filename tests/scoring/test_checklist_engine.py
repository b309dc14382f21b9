"""Every item kind of the 计分细则 model, caps, 百分制, bonus / penalty, veto, completeness (pure)."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine.checklist import (
    Answer,
    AnswerError,
    Capture,
    ItemKind,
    ItemSpec,
    PhotoRule,
    SectionSpec,
    TemplateSpec,
    missing_answers,
    round_half_up,
    score,
    validate_answer,
)


def tpl(*sections: SectionSpec, bonus_cap: D | None = None, penalty_cap: D | None = None) -> TemplateSpec:
    return TemplateSpec("t", 1, "测试", "safety", "town", tuple(sections), bonus_cap, penalty_cap)


def sec(*items: ItemSpec, cap: D | None = None, key: str = "s") -> SectionSpec:
    return SectionSpec(key, "分节", tuple(items), cap)


CHECK = ItemSpec("c", ItemKind.CHECK, "制度健全", points=D(10))
SCORE = ItemSpec("s", ItemKind.SCORE, "培训", points=D(8))
DEDUCT = ItemSpec("d", ItemKind.DEDUCT, "隐患", points=D(5), per=D("0.5"), category="hazard")
DEDUCT_DIRECT = ItemSpec("dd", ItemKind.DEDUCT, "直接扣分", points=D(4))
MEASURE = ItemSpec("m", ItemKind.MEASURE, "COD", points=D(6), unit="mg/L", max_ok=D(60))
MEASURE_MIN = ItemSpec("mm", ItemKind.MEASURE, "溶解氧", points=D(2), unit="mg/L", min_ok=D(5))
BONUS = ItemSpec("b", ItemKind.BONUS, "创新", points=D(3), per=D(1), required=False)
PENALTY = ItemSpec("p", ItemKind.PENALTY, "迟报", points=D(2), per=D("0.5"), required=False)
VETO = ItemSpec("v", ItemKind.VETO, "较大事故")
INFO = ItemSpec("i", ItemKind.INFO, "备注", capture=Capture.TEXT, required=False)


def one(item: ItemSpec, answer: Answer):  # type: ignore[no-untyped-def]
    return score(tpl(sec(item)), {item.key: answer}).items[0]


@pytest.mark.parametrize(
    ("item", "value", "earned", "lost", "failed"),
    [
        (CHECK, True, "10", "0", False),
        (CHECK, False, "0", "10", True),
        (SCORE, 8, "8", "0", False),
        (SCORE, "6.5", "6.5", "1.5", True),
        (SCORE, 0, "0", "8", True),
        (DEDUCT, 0, "5", "0", False),
        (DEDUCT, 3, "3.5", "1.5", True),
        (DEDUCT, 10, "0", "5", True),  # exactly 扣完
        (DEDUCT, 25, "0", "5", True),  # 扣完为止: never below zero
        (DEDUCT_DIRECT, "1.5", "2.5", "1.5", True),
        (MEASURE, 60, "6", "0", False),  # on the limit passes
        (MEASURE, "60.01", "0", "6", True),
        (MEASURE_MIN, 5, "2", "0", False),
        (MEASURE_MIN, "4.99", "0", "2", True),
    ],
)
def test_base_item_kinds(item, value, earned, lost, failed) -> None:  # type: ignore[no-untyped-def]
    r = one(item, Answer(value))
    assert (r.earned, r.lost, r.failed) == (D(earned), D(lost), failed)
    assert r.maximum == item.points


def test_deduct_reason_says_what_was_found_and_the_cap() -> None:
    assert one(DEDUCT, Answer(3)).reason == "发现 3 处，每处扣 0.5 分"
    assert one(DEDUCT, Answer(25)).reason == "发现 25 处，每处扣 0.5 分，扣完 5 分为止"
    assert "超过限值 60mg/L" in one(MEASURE, Answer(75)).reason
    assert "低于下限 5mg/L" in one(MEASURE_MIN, Answer(3)).reason


def test_percent_is_earned_over_applicable_maximum() -> None:
    t = tpl(sec(CHECK, SCORE, DEDUCT))  # max 23
    r = score(t, {"c": Answer(True), "s": Answer(4), "d": Answer(2)})
    assert (r.base_earned, r.base_maximum) == (D(18), D(23))
    assert r.percent == D(18) / D(23) * 100
    assert round_half_up(r.percent) == D("78.26")


def test_not_applicable_items_leave_the_base() -> None:
    na_item = ItemSpec("n", ItemKind.CHECK, "应急物资", points=D(10), allow_na=True)
    t = tpl(sec(CHECK, na_item))
    r = score(t, {"c": Answer(True), "n": Answer(na=True)})
    assert (r.base_earned, r.base_maximum, r.percent) == (D(10), D(10), D(100))
    with pytest.raises(AnswerError) as exc:
        score(t, {"c": Answer(na=True)})  # CHECK does not allow 不适用
    assert exc.value.key == "c"


def test_section_cap_limits_earned_and_maximum() -> None:
    t = tpl(sec(CHECK, SCORE, cap=D(12)), sec(DEDUCT, key="s2"))
    r = score(t, {"c": Answer(True), "s": Answer(8), "d": Answer(0)})
    s1 = r.sections[0]
    assert (s1.earned, s1.maximum, s1.capped) == (D(12), D(12), True)
    assert (r.base_earned, r.base_maximum, r.percent) == (D(17), D(17), D(100))
    r = score(t, {"c": Answer(False), "s": Answer(8), "d": Answer(0)})
    assert r.sections[0].earned == D(8) and r.base_maximum == D(17)


def test_bonus_and_penalty_sit_outside_the_base_with_their_caps() -> None:
    t = tpl(sec(CHECK, SCORE, BONUS, PENALTY))  # base max 18
    r = score(t, {"c": Answer(True), "s": Answer(4), "b": Answer(5), "p": Answer(1)})
    assert r.bonus == D(3)  # 5 occurrences × 1, capped at 3
    assert r.penalty == D("0.5")
    assert r.base_maximum == D(18)
    assert r.percent == D(14) / D(18) * 100 + D(3) - D("0.5")
    # penalty capped per item: 10 late reports × 0.5 stops at 2
    assert score(t, {"c": Answer(True), "s": Answer(8), "p": Answer(10)}).penalty == D(2)


def test_template_wide_bonus_cap_and_clamp_to_hundred() -> None:
    b2 = ItemSpec("b2", ItemKind.BONUS, "表扬", points=D(2), required=False)
    t = tpl(sec(CHECK, BONUS, b2), bonus_cap=D(4))
    r = score(t, {"c": Answer(True), "b": Answer(3), "b2": Answer(2)})
    assert r.bonus == D(4) and r.percent == D(100)  # 100 + 4, clamped
    heavy = ItemSpec("p", ItemKind.PENALTY, "重罚", points=D(500))
    assert score(tpl(sec(CHECK, heavy)), {"c": Answer(False), "p": Answer(300)}).percent == D(0)


def test_veto_marks_vetoed_but_keeps_the_points() -> None:
    t = tpl(sec(CHECK, VETO))
    r = score(t, {"c": Answer(True), "v": Answer(True)})
    assert r.vetoed and r.veto_items == ("v",) and r.percent == D(100)
    assert [f.key for f in r.findings] == ["v"]
    assert not score(t, {"c": Answer(True), "v": Answer(False)}).vetoed


def test_findings_are_the_items_that_lost_points_or_failed() -> None:
    t = tpl(sec(CHECK, SCORE, DEDUCT, MEASURE, BONUS, PENALTY, VETO, INFO))
    answers = {
        "c": Answer(False),
        "s": Answer(8),
        "d": Answer(1),
        "m": Answer(10),
        "b": Answer(1),
        "p": Answer(2),
        "v": Answer(False),
        "i": Answer("ok"),
    }
    assert [f.key for f in score(t, answers).findings] == ["c", "d", "p"]


@pytest.mark.parametrize(
    ("item", "value"),
    [
        (CHECK, "yes"),
        (CHECK, 1),
        (SCORE, 9),
        (SCORE, -1),
        (SCORE, "abc"),
        (SCORE, True),
        (SCORE, "NaN"),
        (DEDUCT, -1),
        (DEDUCT, 1.5),
        (DEDUCT, "2"),
        (MEASURE, -0.1),
        (VETO, "no"),
        (ItemSpec("ch", ItemKind.INFO, "选择", capture=Capture.CHOICE, choices=("清澈", "浑浊")), "黑"),
        (ItemSpec("dt", ItemKind.INFO, "日期", capture=Capture.DATE), "2022-13-01"),
        (ItemSpec("gp", ItemKind.INFO, "位置", capture=Capture.GEOPOINT), {"lon": 200, "lat": 31}),
        (
            ItemSpec("gp", ItemKind.INFO, "位置", capture=Capture.GEOPOINT),
            {"lon": 121, "lat": 31, "datum": "mars"},
        ),
        (ItemSpec("nm", ItemKind.INFO, "数字", capture=Capture.NUMBER), "many"),
        (INFO, 5),
    ],
)
def test_wrong_values_raise_with_the_item_key(item, value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnswerError) as exc:
        score(tpl(sec(item)), {item.key: Answer(value)})
    assert exc.value.key == item.key and exc.value.message


def test_unknown_item_key_is_refused() -> None:
    with pytest.raises(AnswerError) as exc:
        score(tpl(sec(CHECK)), {"nope": Answer(True)})
    assert exc.value.key == "nope"


def test_missing_answers_and_photos() -> None:
    photo_req = ItemSpec(
        "ph", ItemKind.INFO, "现场照片", capture=Capture.PHOTO, photos=PhotoRule.REQUIRED, min_photos=2
    )
    on_fail = ItemSpec("of", ItemKind.CHECK, "设备完好", points=D(5), photos=PhotoRule.ON_FAIL)
    t = tpl(sec(CHECK, on_fail, photo_req, INFO, BONUS))
    assert missing_answers(t, {}) == {"c": "必填项未填写", "of": "必填项未填写", "ph": "需要至少 2 张照片"}
    complete = {"c": Answer(True), "of": Answer(True), "ph": Answer(photo_count=2)}
    assert missing_answers(t, complete) == {}
    failed_no_photo = {**complete, "of": Answer(False)}
    assert missing_answers(t, failed_no_photo) == {"of": "需要至少 1 张照片"}
    assert missing_answers(t, {**complete, "of": Answer(False, photo_count=1)}) == {}


@given(
    st.booleans(),
    st.decimals(min_value=0, max_value=8, places=1),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=10),
)
def test_percent_always_within_0_and_100(c, s, d, b, p) -> None:  # type: ignore[no-untyped-def]
    t = tpl(sec(CHECK, SCORE, DEDUCT, BONUS, PENALTY))
    r = score(t, {"c": Answer(c), "s": Answer(s), "d": Answer(d), "b": Answer(b), "p": Answer(p)})
    assert D(0) <= r.percent <= D(100)
    assert D(0) <= r.base_earned <= r.base_maximum


@given(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
def test_more_occurrences_never_score_higher(a, b) -> None:  # type: ignore[no-untyped-def]
    t = tpl(sec(CHECK, DEDUCT))
    lo, hi = sorted((a, b))
    assert (
        score(t, {"c": Answer(True), "d": Answer(hi)}).percent
        <= score(t, {"c": Answer(True), "d": Answer(lo)}).percent
    )


@pytest.mark.parametrize(
    ("value", "expected"), [("79.995", "80.00"), ("89.994", "89.99"), ("69.995", "70.00"), ("0.005", "0.01")]
)
def test_round_half_up(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert round_half_up(D(value)) == D(expected)


@pytest.mark.parametrize(
    "value", ["1e-999999999", "0E-25", "1" * 29, "1e16", "10000000000000000", 1e300, "1E-21"]
)
def test_numbers_beyond_what_a_person_types_are_refused(value) -> None:  # type: ignore[no-untyped-def]
    """A score of "1e-999999999" was valid, and that score_json would have written out as a billion digits."""
    item = ItemSpec(key="s", kind="score", title="分", points=D(10))
    with pytest.raises(AnswerError, match="超出允许范围"):
        validate_answer(item, Answer(value))


@pytest.mark.parametrize("value", ["0.1", 0.30000000000000004, "9999999999999999", "1E-20", "7.50", 0])
def test_ordinary_numbers_stay_valid(value) -> None:  # type: ignore[no-untyped-def]
    validate_answer(ItemSpec(key="m", kind="measure", title="测", unit="mg/L"), Answer(value))
