"""GB 3838-2002 classes, the single-factor method, CWQI, periods, sections, status and ranking (pure)."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine.checklist import round_half_up
from scoring.engine.water import (
    ALL_KEYS,
    CLASS_LABELS,
    DO_ALERT,
    DO_FLOOR,
    ERROR_CODES,
    EVALUATED,
    EXTRAS,
    GE,
    GRADES,
    LAKE,
    LE,
    RANGE,
    RIVER,
    TABLE,
    CensoredRule,
    Evaluation,
    MeanOf,
    Period,
    PeriodKind,
    Problem,
    Reading,
    Sample,
    WaterInputError,
    average_sections,
    classify,
    dekad,
    evaluate,
    evaluate_river,
    group_cwqi,
    indicator_index,
    parse_reading,
    parse_values,
    period_mean,
    period_of,
    period_values,
    places_for,
    quantise,
    reverse_ranking,
    section_status,
    share_grade,
    to_decimal,
    trend,
)

# A literal copy of GB 3838-2002 Table 1 (classes Ⅰ..Ⅴ), typed from the standard independently of the engine,
# so that a typo in the engine's table fails here. pH is 6–9 for every class; DO is "≥".
LIMITS = {
    "do": ("7.5", "6", "5", "3", "2"),
    "codmn": ("2", "4", "6", "10", "15"),
    "cod": ("15", "15", "20", "30", "40"),
    "bod5": ("3", "3", "4", "6", "10"),
    "nh3n": ("0.15", "0.5", "1.0", "1.5", "2.0"),
    "tp": ("0.02", "0.1", "0.2", "0.3", "0.4"),
    "tn": ("0.2", "0.5", "1.0", "1.5", "2.0"),
    "cu": ("0.01", "1.0", "1.0", "1.0", "1.0"),
    "zn": ("0.05", "1.0", "1.0", "2.0", "2.0"),
    "f": ("1.0", "1.0", "1.0", "1.5", "1.5"),
    "se": ("0.01", "0.01", "0.01", "0.02", "0.02"),
    "as": ("0.05", "0.05", "0.05", "0.1", "0.1"),
    "hg": ("0.00005", "0.00005", "0.0001", "0.001", "0.001"),
    "cd": ("0.001", "0.005", "0.005", "0.005", "0.01"),
    "cr6": ("0.01", "0.05", "0.05", "0.05", "0.1"),
    "pb": ("0.01", "0.01", "0.05", "0.05", "0.1"),
    "cn": ("0.005", "0.05", "0.2", "0.2", "0.2"),
    "phenol": ("0.002", "0.002", "0.005", "0.01", "0.1"),
    "oil": ("0.05", "0.05", "0.05", "0.5", "1.0"),
    "las": ("0.2", "0.2", "0.2", "0.3", "0.3"),
    "s2": ("0.05", "0.1", "0.2", "0.5", "1.0"),
    "fcoli": ("200", "2000", "10000", "20000", "40000"),
}
LAKE_TP = ("0.01", "0.025", "0.05", "0.1", "0.2")
THE_21 = ("ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "cu", "zn", "f", "se", "as", "hg", "cd", "cr6",
          "pb", "cn", "phenol", "oil", "las", "s2")  # fmt: skip
NAMES = {"ph": "pH", "do": "溶解氧", "codmn": "高锰酸盐指数", "nh3n": "氨氮", "tp": "总磷", "hg": "汞",
         "cr6": "六价铬", "las": "阴离子表面活性剂", "fcoli": "粪大肠菌群"}  # fmt: skip
EPS = D("1e-12")


def limits(key: str, water_body: str = RIVER) -> tuple[D, ...]:
    return tuple(D(x) for x in (LAKE_TP if key == "tp" and water_body == LAKE else LIMITS[key]))


def expected_class(key: str, v: D, water_body: str = RIVER) -> int:
    """The test's own oracle: the first class whose limit the value meets, else 劣Ⅴ (6)."""
    for klass, limit in enumerate(limits(key, water_body), start=1):
        if (v >= limit) if key == "do" else (v <= limit):
            return klass
    return 6


def boundary_cases() -> list[tuple[str, str, int, str, D]]:
    cases = []
    for key in LIMITS:
        for wb in (RIVER, LAKE) if key == "tp" else (RIVER,):
            for klass, limit in enumerate(limits(key, wb), start=1):
                for where, v in (("on", limit), ("under", limit - EPS), ("over", limit + EPS)):
                    cases.append((key, wb, klass, where, v))
    return cases


def ev(**values: object) -> Evaluation:
    return evaluate(values)


def codes(exc: pytest.ExceptionInfo[WaterInputError]) -> list[tuple[str, str]]:
    return [(p.key, p.code) for p in exc.value.problems]


# ------------------------------------------------------------------------------------------- the table


def test_table_is_gb3838_table_1() -> None:
    assert set(TABLE) == {*LIMITS, "ph"}
    for key, row in LIMITS.items():
        assert TABLE[key].limits == tuple(D(x) for x in row), key
        assert TABLE[key].direction == (GE if key == "do" else LE), key
        assert TABLE[key].lake_limits == (tuple(D(x) for x in LAKE_TP) if key == "tp" else None), key
    ph = TABLE["ph"]
    assert (ph.direction, ph.low, ph.limits, ph.unit) == (RANGE, D(6), (D(9),) * 5, "无量纲")
    assert TABLE["tp"].limits_for(LAKE) == limits("tp", LAKE)
    assert TABLE["tp"].limit(3, LAKE) == D("0.05")
    assert TABLE["fcoli"].unit == "个/L"
    assert all(TABLE[k].unit == "mg/L" for k in LIMITS if k != "fcoli")
    assert {k: TABLE[k].name for k in NAMES} == NAMES


def test_the_21_evaluated_indicators_and_the_extras() -> None:
    assert EVALUATED == THE_21
    assert len(EVALUATED) == 21
    assert not {"tn", "fcoli", "temp"} & set(EVALUATED)
    assert set(EXTRAS) == {"tn", "fcoli", "temp", "cond", "turb"}
    assert (*THE_21, *EXTRAS) == ALL_KEYS
    assert dict(CLASS_LABELS) == {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"}
    assert dict(GRADES) == {1: "优", 2: "优", 3: "良好", 4: "轻度污染", 5: "中度污染", 6: "重度污染"}


@pytest.mark.parametrize(("key", "places"), [("hg", 9), ("cd", 7), ("tp", 7), ("do", 5), ("ph", 4),
                                             ("cod", 4), ("fcoli", 4), ("temp", 6), ("cond", 6)])  # fmt: skip
def test_places_are_four_more_than_the_finest_limit(key: str, places: int) -> None:
    assert places_for(key) == places


# ----------------------------------------------------------------------------------------- classify


@pytest.mark.parametrize(("key", "water_body", "klass", "where", "value"), boundary_cases())
def test_every_limit_on_under_and_over(key: str, water_body: str, klass: int, where: str, value: D) -> None:
    got = classify(key, value, water_body)
    assert got == expected_class(key, value, water_body)
    if where == "on":  # a value on a limit meets that class (or an earlier one sharing the limit)
        assert got <= klass
        assert got == min(k for k, lim in enumerate(limits(key, water_body), 1) if lim == value)
    elif (where == "over") == (key != "do"):  # worse side of the limit: fails this class
        assert got > klass
    else:
        assert got <= klass


@pytest.mark.parametrize(("key", "water_body", "klass", "where", "value"), boundary_cases())
def test_evaluate_classifies_the_limits_like_classify(key, water_body, klass, where, value) -> None:  # type: ignore[no-untyped-def]
    # evaluate rounds to places_for(key) first; a step of 10^-places survives the rounding
    step, limit = D(1).scaleb(-places_for(key)), limits(key, water_body)[klass - 1]
    v = limit + {"on": 0, "under": -step, "over": step}[where]
    r = evaluate({key: v}, water_body)
    assert r.values[key] == v  # not moved by the rounding
    if key in EVALUATED:
        assert r.classes[key] == expected_class(key, v, water_body) == r.klass
    else:
        assert r.klass is None and r.extras == {key: v}


@pytest.mark.parametrize(
    ("key", "value", "water_body", "klass"),
    [
        ("cu", "0.01", RIVER, 1), ("cu", "0.011", RIVER, 2), ("cu", "1.0", RIVER, 2),
        ("cu", "1.01", RIVER, 6),
        ("cod", "15", RIVER, 1), ("cod", "15.1", RIVER, 3), ("cod", "40.01", RIVER, 6),
        ("hg", "0.0001", RIVER, 3), ("hg", "0.00011", RIVER, 4), ("hg", "0.0011", RIVER, 6),
        ("cn", "0.2", RIVER, 3), ("cn", "0.21", RIVER, 6), ("se", "0.01", RIVER, 1),
        ("se", "0.015", RIVER, 4),
        ("tp", "0.2", RIVER, 3), ("tp", "0.2", LAKE, 5), ("tp", "0.05", LAKE, 3), ("tp", "0.05", RIVER, 2),
        ("tp", "0.4", LAKE, 6), ("tp", "0.01", LAKE, 1), ("tp", "0.011", LAKE, 2), ("tp", "0.41", RIVER, 6),
        ("do", "7.5", RIVER, 1), ("do", "7.49", RIVER, 2), ("do", "5", RIVER, 3), ("do", "4.99", RIVER, 4),
        ("do", "2", RIVER, 5), ("do", "1.99", RIVER, 6), ("do", "0", RIVER, 6), ("do", "12", LAKE, 1),
        ("ph", "6", RIVER, 1), ("ph", "9", RIVER, 1), ("ph", "7", LAKE, 1), ("ph", "5.99", RIVER, 6),
        ("ph", "9.01", RIVER, 6), ("ph", "0", RIVER, 6), ("ph", "14", RIVER, 6),
        ("fcoli", "200", RIVER, 1), ("fcoli", "40001", RIVER, 6), ("tn", "1.0", LAKE, 3),
    ],
)  # fmt: skip
def test_hand_picked_classes(key: str, value: str, water_body: str, klass: int) -> None:
    assert classify(key, D(value), water_body) == klass


def test_classify_takes_floats_via_str_and_numeric_text() -> None:
    assert classify("nh3n", 1.0) == 3  # Decimal(str(1.0)), not the binary expansion
    assert classify("tp", 0.1) == 2
    assert classify("nh3n", "1.5") == 4
    assert classify("cod", 20) == 3


# ------------------------------------------------------------------------------------------ evaluate


def test_evaluate_full_report() -> None:
    r = ev(ph=7.5, do=4, nh3n=1.5, tp=0.3, cod=25, tn=3, temp=-0.2, cond=500)
    assert (r.klass, r.class_label, r.grade) == (4, "Ⅳ", "轻度污染")
    assert dict(r.classes) == {"ph": 1, "do": 4, "cod": 4, "nh3n": 4, "tp": 4}
    assert list(r.classes) == ["ph", "do", "cod", "nh3n", "tp"]  # EVALUATED order
    assert r.deciding == ("do", "cod", "nh3n", "tp")  # every indicator at the worst class, in order
    assert dict(r.exceedances) == {"cod": D("0.25"), "nh3n": D("0.50"), "tp": D("0.50")}
    assert r.main_pollutants == ("nh3n", "tp", "cod")
    assert dict(r.extras) == {"tn": D(3), "temp": D("-0.2"), "cond": D(500)}  # TN 3 is never evaluated
    assert r.missing == tuple(k for k in THE_21 if k not in {"ph", "do", "cod", "nh3n", "tp"})
    assert (r.water_body, r.target_class, r.meets_target) == (RIVER, 3, False)


@pytest.mark.parametrize(
    ("values", "klass", "label", "grade"),
    [
        ({"nh3n": "0.15"}, 1, "Ⅰ", "优"),
        ({"nh3n": "0.5", "do": 8}, 2, "Ⅱ", "优"),
        ({"nh3n": "1.0"}, 3, "Ⅲ", "良好"),
        ({"nh3n": "1.5"}, 4, "Ⅳ", "轻度污染"),
        ({"nh3n": "2.0"}, 5, "Ⅴ", "中度污染"),
        ({"nh3n": "2.01"}, 6, "劣Ⅴ", "重度污染"),
        ({"ph": 10, "nh3n": "0.1"}, 6, "劣Ⅴ", "重度污染"),
        ({"do": "1.9"}, 6, "劣Ⅴ", "重度污染"),
    ],
)
def test_class_labels_and_grades(values: dict[str, object], klass: int, label: str, grade: str) -> None:
    r = evaluate(values)
    assert (r.klass, r.class_label, r.grade) == (klass, label, grade)


def test_deciding_indicators_with_ties_and_the_worst_class() -> None:
    r = ev(tp="0.35", codmn=12, ph="6.5", s2="0.4", nh3n="1.6")  # tp Ⅴ, codmn Ⅴ, s2 Ⅳ, nh3n Ⅴ
    assert r.klass == 5
    assert r.deciding == ("codmn", "nh3n", "tp")
    assert ev(ph=9.5, do=1).deciding == ("ph", "do")  # both 劣Ⅴ
    assert ev(do=8).deciding == ("do",)


def test_nothing_evaluated() -> None:
    r = ev(tn=1, temp=20, turb=3)
    assert (r.klass, r.class_label, r.grade, r.cwqi, r.meets_target) == (None, None, None, None, None)
    assert r.deciding == () and r.main_pollutants == () and not r.exceedances and not r.cwqi_by_indicator
    assert r.missing == THE_21
    r = evaluate({})
    assert r.klass is None and r.missing == THE_21 and not r.extras


def test_none_means_not_measured() -> None:
    r = ev(nh3n=None, tp=0.1)
    assert "nh3n" in r.missing and dict(r.classes) == {"tp": 2}


@pytest.mark.parametrize(("target", "meets"), [(1, False), (2, False), (3, True), (4, True), (5, True)])
def test_meets_target(target: int, meets: bool) -> None:
    assert evaluate({"nh3n": 1}, target_class=target).meets_target is meets


def test_float_noise_never_pushes_a_value_on_a_limit_over_it() -> None:
    noisy = 0.1 + 0.2  # 0.30000000000000004
    assert classify("tp", noisy) == 5  # classify is exact
    r = ev(tp=noisy, nh3n=0.7 + 0.1 + 0.2)  # 0.9999999999999999 → stays under, rounds to 1.0000000
    assert r.classes["tp"] == 4 and r.values["tp"] == D("0.3")
    assert r.classes["nh3n"] == 3
    assert r.exceedances["tp"] == D("0.50")  # exactly (0.3 − 0.2) / 0.2
    assert quantise("hg", D("0.0001000000001")) == D("0.0001")
    assert str(quantise("nh3n", D("1.5"))) == "1.5"  # short values keep their form
    assert quantise("nh3n", D("1.23456789"), 2) == D("1.23")


# ------------------------------------------------------------------------------------ exceedances


@pytest.mark.parametrize(
    ("key", "value", "water_body", "multiple"),
    [
        ("nh3n", "1.5", RIVER, "0.50"),  # (1.5 − 1.0) / 1.0
        ("tp", "0.3", RIVER, "0.50"),  # (0.3 − 0.2) / 0.2
        ("tp", "0.3", LAKE, "5.00"),  # (0.3 − 0.05) / 0.05: the lake Ⅲ limit
        ("tp", "0.075", LAKE, "0.50"),
        ("cod", "25", RIVER, "0.25"),  # (25 − 20) / 20
        ("codmn", "15", RIVER, "1.50"),
        ("hg", "0.00015", RIVER, "0.50"),
        ("cu", "3", RIVER, "2.00"),
        ("nh3n", "1.005", RIVER, "0.01"),  # 0.005 rounds half-up (half-even would give 0.00)
        ("cod", "20.1", RIVER, "0.01"),  # 0.005 again
        ("bod5", "4.6", RIVER, "0.15"),
        ("phenol", "0.0051", RIVER, "0.02"),  # 0.02 exactly
        ("s2", "0.200001", RIVER, "0.00"),  # above the limit: a pollutant, even if it rounds to 0.00
    ],
)
def test_exceedance_multiples(key: str, value: str, water_body: str, multiple: str) -> None:
    r = evaluate({key: D(value)}, water_body)
    assert dict(r.exceedances) == {key: D(multiple)}


@pytest.mark.parametrize(
    "values",
    [{"nh3n": "1.0"}, {"tp": "0.2"}, {"cod": "20"}, {"hg": "0.0001"}, {"ph": "10"}, {"ph": "3"},
     {"do": "1"}, {"do": "0"}, {"temp": "35"}, {"tn": "5"}, {"fcoli": "90000"}],
)  # fmt: skip
def test_no_exceedance_on_the_limit_nor_for_ph_do_and_extras(values: dict[str, str]) -> None:
    assert evaluate(values).exceedances == {}
    assert evaluate(values).main_pollutants == ()


def test_lake_tp_exceedance_uses_the_lake_limit_and_rivers_do_not() -> None:
    assert evaluate({"tp": "0.1"}, LAKE).exceedances == {"tp": D("1.00")}
    assert evaluate({"tp": "0.1"}, RIVER).exceedances == {}


def test_main_pollutants_are_the_three_largest_multiples() -> None:
    r = ev(tp="0.6", nh3n="1.2", cod=30, bod5=5)  # tp 2.00, nh3n 0.20, cod 0.50, bod5 0.25
    assert r.main_pollutants == ("tp", "cod", "bod5")
    assert set(r.exceedances) == {"tp", "nh3n", "cod", "bod5"}  # all four are pollutants


def test_main_pollutant_ties_keep_evaluated_order() -> None:
    # nh3n, tp, codmn all 0.50 and cod 0.25: the tie is broken by EVALUATED order (codmn, cod, bod5, nh3n, tp)
    r = ev(tp="0.3", nh3n="1.5", codmn=9, cod=25)
    assert r.main_pollutants == ("codmn", "nh3n", "tp")
    # the reported (rounded) multiple decides: 1.5049 and 1.5 are both 0.50 → order, not hidden digits
    assert ev(tp="0.3", nh3n="1.5049").main_pollutants == ("nh3n", "tp")
    assert ev(nh3n="1.1").main_pollutants == ("nh3n",)


# ----------------------------------------------------------------------------------------------- CWQI


def test_cwqi_hand_computed_river_with_ph_below_7_and_do() -> None:
    # pH 6.5  → (7 − 6.5) / (7 − 6) = 0.5
    # DO 4    → 5 / 4                = 1.25
    # CODMn 3 → 3 / 6                = 0.5
    # NH3-N 0.5 → 0.5 / 1.0          = 0.5
    # TP 0.1 (river) → 0.1 / 0.2     = 0.5
    # sum = 3.25 → 3.2500
    r = ev(ph="6.5", do=4, codmn=3, nh3n="0.5", tp="0.1")
    assert dict(r.cwqi_by_indicator) == {"ph": D("0.5"), "do": D("1.25"), "codmn": D("0.5"),
                                         "nh3n": D("0.5"), "tp": D("0.5")}  # fmt: skip
    assert r.cwqi == D("3.2500")


def test_cwqi_hand_computed_lake_with_ph_above_7() -> None:
    # pH 8  → (8 − 7) / (9 − 7) = 0.5
    # DO 10 → 5 / 10            = 0.5
    # COD 10 → 10 / 20          = 0.5
    # TP 0.1 (lake) → 0.1 / 0.05 = 2   (a river would give 0.1 / 0.2 = 0.5)
    # Hg 0.00005 → 0.00005 / 0.0001 = 0.5
    # sum = 4.0 → 4.0000 (river: 2.5000)
    values = {"ph": 8, "do": 10, "cod": 10, "tp": "0.1", "hg": "0.00005", "tn": 9}
    assert evaluate(values, LAKE).cwqi == D("4.0000")
    assert evaluate(values, LAKE).cwqi_by_indicator["tp"] == D(2)
    assert evaluate(values, RIVER).cwqi == D("2.5000")


def test_cwqi_hand_computed_with_rounding() -> None:
    # pH 7     → 0 (either formula)
    # DO 3     → 5 / 3   = 1.6666…
    # NH3-N 0.333 → 0.333 / 1.0 = 0.333
    # sum = 1.99966… → rounded half-up to 4 decimals: 1.9997
    r = ev(ph=7, do=3, nh3n="0.333")
    assert r.cwqi_by_indicator["ph"] == 0
    assert r.cwqi == D("1.9997")
    assert r.cwqi == round_half_up(sum(r.cwqi_by_indicator.values(), D(0)), 4)


@pytest.mark.parametrize(
    ("key", "value", "index"),
    [
        ("ph", "6", "1"), ("ph", "9", "1"), ("ph", "7", "0"), ("ph", "6.8", "0.2"), ("ph", "7.4", "0.2"),
        ("ph", "0", "7"), ("ph", "14", "3.5"),
        ("do", "5", "1"), ("do", "10", "0.5"), ("do", "2.5", "2"),
        ("do", "0.25", "20"), ("do", "0.2", "25"), ("do", "0.1", "25"), ("do", "0", "25"),  # floor 0.2
        ("cod", "20", "1"), ("s2", "0.1", "0.5"), ("cu", "0.5", "0.5"), ("f", "2", "2"),
    ],
)  # fmt: skip
def test_indicator_index(key: str, value: str, index: str) -> None:
    assert indicator_index(key, D(value)) == D(index)


def test_do_floor_is_a_parameter() -> None:
    assert D("0.2") == DO_FLOOR
    assert indicator_index("do", 0, do_floor=D("0.05")) == D(100)
    assert evaluate({"do": 0}, do_floor=D("0.5")).cwqi == D("10.0000")


def test_tp_index_uses_the_lake_limit_in_lakes() -> None:
    assert indicator_index("tp", D("0.05"), LAKE) == 1
    assert indicator_index("tp", D("0.05"), RIVER) == D("0.25")


def test_group_cwqi_averages_concentrations_first() -> None:
    # nh3n: (1.0 + 2.0) / 2 = 1.5 → 1.5; tp: (0.1 + 0.3) / 2 = 0.2 → 1; codmn: only section 2 → 6 → 1
    # sum 3.5. (The mean of the sections' own CWQIs would be (1.5 + 3 + 1.5) / 3 = 2.)
    sections = [{"nh3n": "1.0", "tp": "0.1"}, {"nh3n": "2.0", "codmn": 6}, {"tp": "0.3"}]
    assert average_sections(sections) == {"codmn": D(6), "nh3n": D("1.5"), "tp": D("0.2")}
    assert group_cwqi(sections) == D("3.5000")
    assert [evaluate(s).cwqi for s in sections] == [D("1.5000"), D("3.0000"), D("1.5000")]
    assert group_cwqi([{"tp": "0.05"}, {"tp": "0.15"}], LAKE) == D("2.0000")
    assert group_cwqi([]) is None
    assert group_cwqi([{"temp": 20}]) is None


def test_group_problems_name_the_section() -> None:
    with pytest.raises(WaterInputError) as exc:
        average_sections([{"nh3n": 1}, {"nh3n": -1, "x": 2}, {"tp": "abc"}])
    assert [(p.index, p.key, p.code) for p in exc.value.problems] == [
        (1, "nh3n", "negative_value"),
        (1, "x", "unknown_indicator"),
        (2, "tp", "not_a_number"),
    ]


# ------------------------------------------------------------------------------------------ censored


def test_censored_rules() -> None:
    r = Reading(D("0.02"), below_detection=True)
    assert r.resolve() == D("0.01")  # default: half the detection limit
    assert r.resolve(CensoredRule.HALF_DL) == D("0.01")
    assert r.resolve("dl") == D("0.02")
    assert r.resolve("zero") == 0
    assert Reading(D("0.5")).resolve("zero") == D("0.5")  # a detected value is itself whatever the rule
    assert Reading(0.5).value == D("0.5")


@pytest.mark.parametrize(("rule", "mean"), [("half_dl", "0.03"), ("dl", "0.035"), ("zero", "0.025")])
def test_censored_readings_in_a_mean(rule: str, mean: str) -> None:
    assert period_mean(["<0.02", D("0.05")], rule, key="tp") == D(mean)


def test_censored_rule_changes_a_class() -> None:
    # Hg reported "0.0001L": half the limit 0.00005 is Ⅰ, the limit itself 0.0001 is Ⅲ, zero is Ⅰ
    assert evaluate({"hg": "0.0001L"}).classes["hg"] == 1
    assert evaluate({"hg": "0.0001L"}, censored="dl").classes["hg"] == 3
    assert evaluate({"hg": Reading(D("0.0001"), True)}, censored=CensoredRule.ZERO).cwqi == D("0.0000")


@pytest.mark.parametrize(
    ("raw", "dl", "value", "censored"),
    [
        ("0.5", None, "0.5", False), (" 1.25 ", None, "1.25", False), (".5", None, "0.5", False),
        ("1e-3", None, "0.001", False), ("-2.5", None, "-2.5", False), (0.1, None, "0.1", False),
        (3, None, "3", False), (D("0.004"), None, "0.004", False),
        ("<0.01", None, "0.01", True), ("＜0.01", None, "0.01", True), ("< 0.05", None, "0.05", True),
        ("0.01L", None, "0.01", True), ("0.00004L", None, "0.00004", True),
        ("ND", D("0.02"), "0.02", True), ("nd", "0.02", "0.02", True), ("N.D.", 0.02, "0.02", True),
        ("未检出", D("0.01"), "0.01", True), ("<0.01", D("0.5"), "0.01", True),  # the text's limit wins
    ],
)  # fmt: skip
def test_parse_reading(raw: object, dl: object, value: str, censored: bool) -> None:
    assert parse_reading(raw, dl) == Reading(D(value), censored)


def test_parse_reading_passes_readings_through() -> None:
    r = Reading(D(1), True)
    assert parse_reading(r) is r


@pytest.mark.parametrize(
    ("raw", "dl", "code"),
    [
        ("ND", None, "detection_limit_required"), ("未检出", None, "detection_limit_required"),
        ("ND", 0, "invalid_detection_limit"), ("ND", -1, "invalid_detection_limit"), ("0L", None,
        "invalid_detection_limit"), ("<-0.1", None, "invalid_detection_limit"),
        ("ND", "x", "not_a_number"), ("abc", None, "not_a_number"), ("", None, "not_a_number"),
        ("<", None, "not_a_number"), ("L", None, "not_a_number"), ("1,5", None, "not_a_number"),
        ("nan", None, "not_a_number"), ("0.01LL", None, "not_a_number"), (True, None, "not_a_number"),
        (None, None, "not_a_number"), ([1], None, "not_a_number"),
        (float("nan"), None, "not_finite"), (float("inf"), None, "not_finite"),
        (D("-Infinity"), None, "not_finite"),
    ],
)  # fmt: skip
def test_parse_reading_errors(raw: object, dl: object, code: str) -> None:
    with pytest.raises(WaterInputError) as exc:
        parse_reading(raw, dl, key="hg")
    assert (exc.value.key, exc.value.code) == ("hg", code)
    assert exc.value.message.startswith("汞：")
    assert isinstance(exc.value, ValueError)


# ------------------------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("day", "n", "start", "end", "key", "label"),
    [
        (date(2024, 3, 1), 1, date(2024, 3, 1), date(2024, 3, 10), "2024-03-D1", "2024年3月上旬"),
        (date(2024, 3, 10), 1, date(2024, 3, 1), date(2024, 3, 10), "2024-03-D1", "2024年3月上旬"),
        (date(2024, 3, 11), 2, date(2024, 3, 11), date(2024, 3, 20), "2024-03-D2", "2024年3月中旬"),
        (date(2024, 3, 20), 2, date(2024, 3, 11), date(2024, 3, 20), "2024-03-D2", "2024年3月中旬"),
        (date(2024, 3, 21), 3, date(2024, 3, 21), date(2024, 3, 31), "2024-03-D3", "2024年3月下旬"),
        (date(2024, 3, 31), 3, date(2024, 3, 21), date(2024, 3, 31), "2024-03-D3", "2024年3月下旬"),
        (date(2023, 2, 28), 3, date(2023, 2, 21), date(2023, 2, 28), "2023-02-D3", "2023年2月下旬"),
        (date(2024, 2, 28), 3, date(2024, 2, 21), date(2024, 2, 29), "2024-02-D3", "2024年2月下旬"),
        (date(2024, 2, 29), 3, date(2024, 2, 21), date(2024, 2, 29), "2024-02-D3", "2024年2月下旬"),
        (date(2024, 4, 30), 3, date(2024, 4, 21), date(2024, 4, 30), "2024-04-D3", "2024年4月下旬"),
        (date(2024, 12, 31), 3, date(2024, 12, 21), date(2024, 12, 31), "2024-12-D3", "2024年12月下旬"),
    ],
)
def test_dekads(day: date, n: int, start: date, end: date, key: str, label: str) -> None:
    assert dekad(day) == n
    p = period_of(day, PeriodKind.DEKAD)
    assert (p.start, p.end, p.key, p.label) == (start, end, key, label)
    assert day in p


@pytest.mark.parametrize(
    ("day", "kind", "key", "label", "start", "end"),
    [
        (date(2024, 2, 10), "month", "2024-02", "2024年2月", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2023, 2, 10), "month", "2023-02", "2023年2月", date(2023, 2, 1), date(2023, 2, 28)),
        (date(2024, 3, 31), "quarter", "2024-Q1", "2024年第1季度", date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 4, 1), "quarter", "2024-Q2", "2024年第2季度", date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 9, 30), "quarter", "2024-Q3", "2024年第3季度", date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 12, 31), "quarter", "2024-Q4", "2024年第4季度", date(2024, 10, 1), date(2024, 12, 31)),
        (date(2024, 6, 15), "year", "2024", "2024年", date(2024, 1, 1), date(2024, 12, 31)),
        (date(2024, 3, 15), "ytd", "2024-YTD-03-15", "2024年1月1日至3月15日", date(2024, 1, 1),
         date(2024, 3, 15)),
        (date(2024, 1, 1), "ytd", "2024-YTD-01-01", "2024年1月1日至1月1日", date(2024, 1, 1),
         date(2024, 1, 1)),
    ],
)  # fmt: skip
def test_periods(day: date, kind: str, key: str, label: str, start: date, end: date) -> None:
    p = period_of(day, kind)
    assert (p.kind, p.key, p.label, p.start, p.end) == (PeriodKind(kind), key, label, start, end)
    assert start in p and end in p and day in p
    assert date(start.year - 1, 12, 31) not in p
    assert "2024-01-01" not in p


def test_period_mean() -> None:
    assert period_mean([D("1.0"), D("2.0"), D("1.5")], key="nh3n") == D("1.5")
    assert period_mean([1, 2], key="nh3n") == D("1.5")
    assert period_mean([0.1, 0.2, 0.3], key="tp") == D("0.2")
    assert period_mean([D("0.2")] * 3, key="tp") == D("0.2")
    assert period_mean([], key="tp") is None
    assert period_mean([D(1), D(2)], key="nh3n", places=0) == D(2)  # 1.5 half-up
    assert period_mean([D(1), D(1), D(2)], key="nh3n") == D("1.333333")  # places_for("nh3n") = 6
    assert period_mean([D(1), D(1), D(2)]) == D("1.333333")  # no key: 6 places


def test_period_mean_never_tips_a_limit_by_float_noise() -> None:
    # floats computed upstream, each a hair off 0.3 / 0.2: the quantised mean is the limit itself
    noisy = [0.1 + 0.2, 0.3, 0.6 - 0.3]  # 0.30000000000000004, 0.3, 0.29999999999999993 → 0.3
    m = period_mean(noisy, key="tp")
    assert m == D("0.3")
    assert classify("tp", m) == 4


def test_period_mean_problems_carry_the_reading_index() -> None:
    with pytest.raises(WaterInputError) as exc:
        period_mean([1, "x", -1, True], key="nh3n")
    assert [(p.index, p.code) for p in exc.value.problems] == [
        (1, "not_a_number"),
        (2, "negative_value"),
        (3, "not_a_number"),
    ]


SAMPLES = [
    Sample(date(2024, 1, 5), {"nh3n": "1.0", "tp": "0.1"}),
    Sample(date(2024, 1, 15), {"nh3n": "1.0"}),
    Sample(date(2024, 1, 25), {"nh3n": "1.0", "tp": "0.3"}),
    Sample(date(2024, 2, 10), {"nh3n": "2.0", "tp": "<0.02"}),
    Sample(date(2024, 4, 1), {"nh3n": "9.0"}),  # another quarter
    Sample(date(2023, 12, 31), {"nh3n": "9.0"}),  # another year
]


def test_period_values_mean_of_samples_or_of_monthly_means() -> None:
    q1 = period_of(date(2024, 2, 1), "quarter")
    # samples: nh3n (1 + 1 + 1 + 2) / 4 = 1.25; tp (0.1 + 0.3 + 0.01) / 3 = 0.136666…
    assert period_values(SAMPLES, q1) == {"nh3n": D("1.25"), "tp": D("0.1366667")}
    # monthly means: nh3n (1.0 + 2.0) / 2 = 1.5; tp (0.2 + 0.01) / 2 = 0.105
    assert period_values(SAMPLES, q1, mean_of=MeanOf.MONTHLY_MEANS) == {"nh3n": D("1.5"), "tp": D("0.105")}
    assert period_values(SAMPLES, q1, mean_of="monthly_means", censored="zero")["tp"] == D("0.1")
    year = period_of(date(2024, 1, 1), "year")
    assert period_values(SAMPLES, year)["nh3n"] == D("2.8")  # (1 + 1 + 1 + 2 + 9) / 5
    assert period_values(SAMPLES, year, mean_of="monthly_means")["nh3n"] == D(4)  # (1 + 2 + 9) / 3


def test_period_values_month_and_dekad_always_average_the_samples() -> None:
    jan = period_of(date(2024, 1, 31), "month")
    assert period_values(SAMPLES, jan, mean_of="monthly_means") == {"nh3n": D("1.0"), "tp": D("0.2")}
    d2 = period_of(date(2024, 1, 11), "dekad")
    assert period_values(SAMPLES, d2) == {"nh3n": D("1.0")}
    assert period_values(SAMPLES, period_of(date(2024, 8, 1), "month")) == {}
    ytd = period_of(date(2024, 1, 20), "ytd")
    assert period_values(SAMPLES, ytd) == {"nh3n": D("1.0"), "tp": D("0.1")}


def test_period_values_problems_carry_the_sample_index() -> None:
    bad = [
        *SAMPLES[:2],
        Sample(date(2024, 1, 9), {"nh3n": "ND", "zz": 1}),
        Sample(date(2025, 1, 1), {"q": 1}),
    ]
    with pytest.raises(WaterInputError) as exc:
        period_values(bad, period_of(date(2024, 1, 1), "year"))
    # the sample outside the period is not read
    assert [(p.index, p.key, p.code) for p in exc.value.problems] == [
        (2, "nh3n", "detection_limit_required"),
        (2, "zz", "unknown_indicator"),
    ]


# ------------------------------------------------------------------------------ several sections


def test_fewer_than_five_sections_are_averaged_and_classified() -> None:
    r = evaluate_river([{"nh3n": "1.2"}, {"nh3n": "0.8"}, {"temp": 20}])
    assert (r.method, r.sections, r.section_classes) == ("mean", 2, (4, 3, None))
    assert (r.klass, r.grade) == (3, "良好")  # (1.2 + 0.8) / 2 = 1.0, on the Ⅲ limit
    assert r.evaluation is not None and r.evaluation.values["nh3n"] == D("1.0")
    assert r.share_good is None and r.share_worst is None
    r = evaluate_river([{"tp": "0.1"}, {"tp": "0.2"}] * 2, LAKE)  # 0.15 in a lake is Ⅴ
    assert (r.method, r.klass, r.grade) == ("mean", 5, "中度污染")
    r = evaluate_river([])
    assert (r.method, r.sections, r.grade, r.klass) == ("mean", 0, None, None)


def test_five_or_more_sections_are_graded_by_share() -> None:
    sections = [
        {"nh3n": "1.2"},
        {"nh3n": "0.8"},
        {"nh3n": "3"},
        {"nh3n": "0.1"},
        {"nh3n": "0.1"},
        {"temp": 3},
    ]
    r = evaluate_river(sections)
    assert (r.method, r.sections, r.section_classes) == ("share", 5, (4, 3, 6, 1, 1, None))
    assert (r.share_good, r.share_worst, r.grade) == (D("60.00"), D("20.00"), "中度污染")
    assert r.evaluation is None and r.klass is None
    assert evaluate_river([{"nh3n": "0.1"}] * 5).grade == "优"
    third = evaluate_river([{"nh3n": "0.1"}] * 4 + [{"nh3n": "2"}] * 2)
    assert (third.share_good, third.share_worst, third.grade) == (D("66.67"), D("0.00"), "轻度污染")


@pytest.mark.parametrize(
    ("good", "worst", "total", "grade"),
    [
        (20, 0, 20, "优"), (18, 2, 20, "优"),  # exactly 90 % is 优
        (17, 0, 20, "良好"), (15, 5, 20, "良好"),  # exactly 75 % is 良好, whatever the 劣Ⅴ share
        (14, 0, 20, "轻度污染"), (14, 3, 20, "轻度污染"),  # 劣Ⅴ 15 %
        (14, 4, 20, "中度污染"),  # 劣Ⅴ exactly 20 % is 中度
        (10, 7, 20, "中度污染"),  # 35 %
        (12, 8, 20, "重度污染"),  # 劣Ⅴ exactly 40 % is 重度
        (0, 20, 20, "重度污染"), (0, 0, 20, "轻度污染"),
        (9, 1, 10, "优"), (8, 0, 10, "良好"), (89, 0, 100, "良好"), (74, 19, 100, "轻度污染"),
        (74, 20, 100, "中度污染"), (60, 39, 100, "中度污染"), (60, 40, 100, "重度污染"),
        (5, 0, 5, "优"), (4, 0, 5, "良好"), (3, 1, 5, "中度污染"), (3, 2, 5, "重度污染"),
        (3, 0, 5, "轻度污染"),
        (27, 0, 30, "优"), (26, 0, 30, "良好"), (22, 5, 30, "轻度污染"),
        (22, 6, 30, "中度污染"),  # 6/30 = 20 %
    ],
)  # fmt: skip
def test_share_grade_boundaries(good: int, worst: int, total: int, grade: str) -> None:
    assert share_grade(good, worst, total) == grade


@pytest.mark.parametrize(
    ("good", "worst", "total"), [(0, 0, 0), (-1, 0, 5), (3, 3, 5), (6, 0, 5), (0, -1, 5)]
)
def test_share_grade_refuses_impossible_counts(good: int, worst: int, total: int) -> None:
    with pytest.raises(WaterInputError) as exc:
        share_grade(good, worst, total)
    assert exc.value.code == "invalid_count"


def test_river_problems_name_the_section() -> None:
    with pytest.raises(WaterInputError) as exc:
        evaluate_river([{"nh3n": 1}, {"ph": 20}])
    assert [(p.index, p.key, p.code) for p in exc.value.problems] == [(1, "ph", "ph_out_of_range")]


# --------------------------------------------------------------------------------- section status


def month(klass_value: str, **more: object) -> Evaluation:
    return evaluate({"nh3n": D(klass_value), **more})


def test_status_months_and_steady_iii() -> None:
    months = {1: month("0.4"), 2: month("1.4"), 3: None, 4: month("0.9"), 5: evaluate({"temp": 20})}
    s = section_status(months, through=6)
    assert s.months_evaluated == (1, 2, 4)
    assert s.months_meeting == (1, 4)
    assert s.months_missing == (3, 5, 6)
    assert s.steady_iii is True  # missed Ⅲ in February
    assert s.target_class == 3
    assert section_status({1: month("0.4"), 2: month("1.0")}, through=2).steady_iii is False
    assert section_status({2: month("1.4")}, target_class=4, through=2).steady_iii is False
    s = section_status({})
    assert (s.months_missing, s.steady_iii, s.raise_iii, s.cwqi) == (tuple(range(1, 13)), False, False, None)


def test_status_cwqi_against_the_group_average() -> None:
    months = {1: month("0.4"), 2: month("1.4")}
    s = section_status(months, average_cwqi=D("0.8"), through=2)
    assert s.cwqi == D("0.9000")  # (0.4 + 1.4) / 2 = 0.9 averaged over the months, then indexed
    assert (s.raise_iii, s.raise_reasons) == (True, ("cwqi_above_average",))
    assert section_status(months, average_cwqi=D("0.9"), through=2).raise_iii is False  # equal: not worse
    assert section_status(months, average_cwqi=D("0.9"), cwqi=D("0.95"), through=2).raise_reasons == (
        "cwqi_above_average",
    )
    assert section_status(months, through=2).raise_iii is False  # no group average: no comparison


def test_status_flag_and_do_alert() -> None:
    months = {1: month("0.4", do="5"), 2: month("0.4", do="6"), 3: month("0.4", do="4.9")}
    s = section_status(months, through=3)
    assert s.do_alert_months == (3,)  # 5.0 on the threshold is no alert
    assert s.raise_reasons == ("do_alert",)
    assert D(5) == DO_ALERT
    s = section_status(months, through=3, do_alert=D("5.5"))
    assert s.do_alert_months == (1, 3)
    s = section_status(months, through=3, do_means={3: D("5.2"), 4: 1}, flagged=True)
    assert s.do_alert_months == ()  # the given monthly mean replaces the evaluation's; April is out of scope
    assert (s.raise_iii, s.raise_reasons) == (True, ("flagged",))
    s = section_status({}, through=2, do_means={2: 3.5}, flagged=True, average_cwqi=D(0))
    assert s.do_alert_months == (2,) and s.raise_reasons == ("flagged", "do_alert")


def test_status_trend_against_last_year() -> None:
    this = {1: month("0.4"), 2: month("1.4"), 3: month("0.9"), 4: month("0.9"), 5: month("0.3"), 6: None}
    last = {1: month("0.6"), 2: month("0.9"), 3: month("0.9"), 4: month("0.8"), 6: month("1")}
    s = section_status(this, last_year=last, through=6)
    # 1: Ⅱ vs Ⅲ better; 2: Ⅳ vs Ⅲ worse; 3: same class and CWQI; 4: same class, 0.9 > 0.8 worse; 5, 6: no pair
    assert dict(s.trend) == {1: "better", 2: "worse", 3: "same", 4: "worse"}
    assert trend(month("0.7"), month("0.9")) == "better"  # same class Ⅲ, lower CWQI
    assert trend(None, month("1")) is None
    assert trend(month("1"), evaluate({"temp": 1})) is None


@pytest.mark.parametrize(
    "kwargs",
    [{"months": {13: None}}, {"months": {0: None}}, {"months": {"1": None}}, {"months": {True: None}},
     {"months": {}, "through": 13}, {"months": {}, "do_means": {14: 5}},
     {"months": {}, "last_year": {-1: None}}],
)  # fmt: skip
def test_status_refuses_bad_months(kwargs: dict[str, object]) -> None:
    with pytest.raises(WaterInputError) as exc:
        section_status(**kwargs)  # type: ignore[arg-type]
    assert exc.value.code == "invalid_month"


# -------------------------------------------------------------------------------- reverse ranking


def test_reverse_ranking_worst_first_with_shared_ranks() -> None:
    r = reverse_ranking({"悦来镇": D("3.1"), "四甲镇": D("4.2"), "常乐镇": D("3.1"), "海门街道": None,
                         "海门港新区": D("2.0"), "临江新区": 3.1})  # fmt: skip
    assert [(t.town, t.cwqi, t.rank) for t in r] == [
        ("四甲镇", D("4.2"), 1),
        ("悦来镇", D("3.1"), 2),
        ("常乐镇", D("3.1"), 2),
        ("临江新区", D("3.1"), 2),
        ("海门港新区", D("2.0"), 5),
        ("海门街道", None, None),
    ]


def test_reverse_ranking_1_2_2_4_and_edges() -> None:
    r = reverse_ranking({"a": D(4), "b": D("3.00"), "c": D(3), "d": D(1)})
    assert [t.rank for t in r] == [1, 2, 2, 4]
    assert reverse_ranking({}) == ()
    assert [(t.town, t.rank) for t in reverse_ranking({"x": None, "y": None})] == [("x", None), ("y", None)]
    assert [t.rank for t in reverse_ranking({1: D(2), 2: D(2)})] == [1, 1]
    with pytest.raises(WaterInputError) as exc:
        reverse_ranking({"a": D(1), "b": "much", "c": float("inf")})
    assert [(p.index, p.code) for p in exc.value.problems] == [(1, "not_a_number"), (2, "not_finite")]


# ------------------------------------------------------------------------------------- validation


def test_every_problem_is_reported_at_once() -> None:
    bad = {
        "foo": 1,
        "ph": 15,
        "do": -1,
        "cod": True,
        "nh3n": float("nan"),
        "tp": "ND",
        "temp": -3,
        "tn": None,
    }
    with pytest.raises(WaterInputError) as exc:
        evaluate(bad, "sea", 0, censored="median")
    assert codes(exc) == [
        ("water_body", "unknown_water_body"),
        ("target_class", "invalid_target_class"),
        ("censored", "invalid_setting"),
        ("foo", "unknown_indicator"),
        ("ph", "ph_out_of_range"),
        ("do", "negative_value"),
        ("cod", "not_a_number"),
        ("nh3n", "not_finite"),
        ("tp", "detection_limit_required"),
    ]  # temp −3 ℃ is fine; None is "not measured"
    e = exc.value
    assert (e.key, e.code) == ("water_body", "unknown_water_body")  # the first problem
    assert all(isinstance(p, Problem) and p.message for p in e.problems)
    assert "溶解氧：不能为负数" in str(e)


def test_parse_values_with_detection_limits_and_order() -> None:
    got = parse_values({"temp": 20, "tp": "ND", "hg": "0.00004L", "ph": 7}, {"tp": D("0.01")})
    assert list(got) == ["ph", "tp", "hg", "temp"]
    assert got["tp"] == Reading(D("0.01"), True) and got["hg"] == Reading(D("0.00004"), True)


@pytest.mark.parametrize("key", ["ph", "do", "nh3n", "tn", "fcoli", "cond", "turb"])
def test_negative_values_are_refused_except_temperature(key: str) -> None:
    with pytest.raises(WaterInputError) as exc:
        parse_values({key: -0.1})
    assert exc.value.code == ("ph_out_of_range" if key == "ph" else "negative_value")
    assert parse_values({"temp": -0.1}) == {"temp": Reading(D("-0.1"))}
    assert parse_values({"ph": 0, "do": 0, "nh3n": 0})["ph"] == Reading(D(0))
    assert parse_values({"ph": 14})["ph"] == Reading(D(14))


ERROR_CASES = [
    ("unknown_indicator", lambda: evaluate({"nitrate": 1})),
    ("unknown_indicator", lambda: classify("temp", 1)),
    ("not_a_number", lambda: evaluate({"nh3n": True})),
    ("not_a_number", lambda: evaluate({"nh3n": [1]})),
    ("not_a_number", lambda: classify("nh3n", "high")),
    ("not_finite", lambda: evaluate({"nh3n": float("inf")})),
    ("not_finite", lambda: to_decimal("tp", D("NaN"))),
    ("negative_value", lambda: evaluate({"tp": -0.01})),
    ("ph_out_of_range", lambda: evaluate({"ph": 14.01})),
    ("ph_out_of_range", lambda: evaluate({"ph": -1})),
    ("detection_limit_required", lambda: evaluate({"cd": "未检出"})),
    ("invalid_detection_limit", lambda: Reading(D(0), True)),
    ("not_evaluated", lambda: indicator_index("tn", 1)),
    ("not_evaluated", lambda: indicator_index("temp", 1)),
    ("unknown_water_body", lambda: evaluate({"tp": 1}, "sea")),
    ("unknown_water_body", lambda: classify("tp", 1, "Lake")),
    ("unknown_water_body", lambda: indicator_index("tp", 1, "pond")),
    ("invalid_target_class", lambda: evaluate({"tp": 1}, target_class=6)),
    ("invalid_target_class", lambda: evaluate({"tp": 1}, target_class=True)),
    ("invalid_target_class", lambda: section_status({}, target_class=0)),
    ("invalid_setting", lambda: Reading(D(1), True).resolve("third")),
    ("invalid_setting", lambda: period_mean([1], "mean")),
    ("invalid_setting", lambda: period_values([], period_of(date(2024, 1, 1), "year"), mean_of="median")),
    ("invalid_setting", lambda: period_of(date(2024, 1, 1), "week")),
    ("invalid_setting", lambda: average_sections([], censored="x")),
    ("invalid_month", lambda: section_status({13: None})),
    ("invalid_count", lambda: share_grade(1, 0, 0)),
]


@pytest.mark.parametrize(("code", "call"), ERROR_CASES)
def test_error_codes(code: str, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WaterInputError) as exc:
        call()
    assert exc.value.code == code
    assert exc.value.code in ERROR_CODES
    assert exc.value.message  # zh-Hans for people


def test_every_error_code_is_exercised() -> None:
    assert {c for c, _ in ERROR_CASES} == ERROR_CODES


# ------------------------------------------------------------------------------------- properties

LE_KEYS = [k for k in LIMITS if k != "do"]


def value_of(key: str) -> st.SearchStrategy[D]:
    """Values around the key's limits with 2 decimals more than its finest limit (untouched by rounding)."""
    if key == "ph":
        return st.decimals(min_value=0, max_value=14, places=2)
    row = (*limits(key), *(limits(key, LAKE) if key == "tp" else ()))
    places = max(-D(x).as_tuple().exponent for x in row) + 2  # type: ignore[operator]
    return st.decimals(min_value=0, max_value=max(row) * 2 + 1, places=places)


@st.composite
def sections(draw: st.DrawFn) -> dict[str, D]:
    keys = draw(st.lists(st.sampled_from(ALL_KEYS), unique=True, max_size=10))
    out = {}
    for k in keys:
        out[k] = draw(value_of(k) if k in LIMITS or k == "ph" else st.decimals(0, 100, places=1))
    return out


@settings(max_examples=300)
@given(st.sampled_from([*LE_KEYS, "do"]), st.sampled_from([RIVER, LAKE]), st.data())
def test_class_is_monotone_in_concentration(key: str, water_body: str, data: st.DataObject) -> None:
    a, b = sorted((data.draw(value_of(key)), data.draw(value_of(key))))
    lo, hi = classify(key, a, water_body), classify(key, b, water_body)
    if key == "do":
        assert lo >= hi  # more oxygen is never worse
    else:
        assert lo <= hi
    assert lo == expected_class(key, a, water_body) and hi == expected_class(key, b, water_body)


@settings(max_examples=300)
@given(sections(), st.sampled_from([RIVER, LAKE]))
def test_section_class_is_the_worst_indicator_class_and_cwqi_the_sum(values: dict[str, D], wb: str) -> None:
    r = evaluate(values, wb)
    evaluated = {k: v for k, v in values.items() if k in EVALUATED}
    classes = {k: classify(k, v, wb) for k, v in evaluated.items()}
    assert dict(r.classes) == classes
    assert r.klass == max(classes.values(), default=None)
    assert set(r.deciding) == {k for k, c in classes.items() if c == r.klass}
    assert dict(r.cwqi_by_indicator) == {k: indicator_index(k, v, wb) for k, v in evaluated.items()}
    if evaluated:
        assert r.cwqi == round_half_up(sum(r.cwqi_by_indicator.values(), D(0)), 4)
    else:
        assert r.cwqi is None
    assert set(r.missing) | set(evaluated) == set(EVALUATED) and not set(r.missing) & set(evaluated)
    assert set(r.exceedances) == {
        k for k, v in evaluated.items() if k not in ("ph", "do") and v > limits(k, wb)[2]
    }
    assert set(r.main_pollutants) <= set(r.exceedances) and len(r.main_pollutants) == min(
        3, len(r.exceedances)
    )
    assert r.meets_target == (None if r.klass is None else r.klass <= 3)


@given(st.lists(st.decimals(0, 5, places=3), min_size=1, max_size=12))
def test_period_mean_is_the_rounded_arithmetic_mean(xs: list[D]) -> None:
    assert period_mean(xs, key="nh3n") == round_half_up(sum(xs, D(0)) / len(xs), 6)


def test_period_type_is_exported() -> None:
    assert isinstance(period_of(date(2024, 1, 1), "month"), Period)
