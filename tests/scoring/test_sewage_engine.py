"""Rural sewage rates (海政办发〔2022〕65号 section 三): 双60 treatment rate, normal operation, targets."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine.sewage import (
    CONDITION_LABELS,
    CONDITIONS,
    DEFAULT_RULES,
    ERROR_CODES,
    NEVER_AUDITED,
    OPERATION_REASON_LABELS,
    REASON_LABELS,
    STATUSES,
    WARNING_CODES,
    AdminVillage,
    Facility,
    NaturalVillage,
    NaturalVillageResult,
    Rate,
    RateRules,
    RulesError,
    SewageInputError,
    Town,
    evaluate,
    meets,
    operation_reasons,
    rate,
)

NORMAL = frozenset({"normal"})


def fac(id_, av, serves=None, status="in_service", capacity=D(10), conditions=NORMAL):
    return Facility(id_, av, status, capacity, conditions, serves or {})


def one_village(households, served, status="in_service", rules=DEFAULT_RULES):
    """One town, one administrative village with one natural village, one facility."""
    report = evaluate(
        [AdminVillage("av", "t")],
        [NaturalVillage("nv", "av", households)],
        [fac("f", "av", {"nv": served}, status=status)] if served is not None else [],
        rules,
    )
    return report, report.villages["av"]


def village_of(treated_flags, av="av", town="t"):
    """An administrative village whose natural villages have 5 households each: 5 served (treated) or
    0 served (untreated), all by one facility."""
    nvs = [NaturalVillage(f"{av}-{i}", av, 5) for i in range(len(treated_flags))]
    serves = {nv.id: 5 if ok else 0 for nv, ok in zip(nvs, treated_flags, strict=True)}
    return AdminVillage(av, town), nvs, [fac(f"f-{av}", av, serves)]


def town_report(report, town="t"):
    return report.towns[town]


# ----------------------------------------------------------------------------------- natural villages


def test_natural_village_at_exactly_60_percent_is_treated():
    # 3 of 5 households: 3 × 5 = 15 ≥ 5 × 3 = 15 (threshold 0.6 = 3/5) → treated.
    _, v = one_village(5, 3)
    assert v.natural_villages[0] == NaturalVillageResult("nv", 5, 3, 3, True, True)
    assert v.treated and (v.treated_natural, v.counted_natural) == (1, 1)


def test_natural_village_just_under_60_percent_is_untreated():
    # 299 of 500 = 59.8 %: 299 × 5 = 1495 < 500 × 3 = 1500 → untreated; 300 of 500 = 60 % → treated.
    _, v = one_village(500, 299)
    assert not v.natural_villages[0].treated and v.reasons == ("below_threshold",)
    _, v = one_village(500, 300)
    assert v.natural_villages[0].treated


def test_treated_households_sum_over_facilities():
    # 2 + 2 = 4 of 6 households: 4 × 5 = 20 ≥ 6 × 3 = 18 → treated (each alone, 2 × 5 = 10 < 18, is not).
    report = evaluate(
        [AdminVillage("av", "t")],
        [NaturalVillage("nv", "av", 6)],
        [fac("f1", "av", {"nv": 2}), fac("f2", "av", {"nv": 2})],
    )
    assert report.villages["av"].natural_villages[0] == ("nv", 6, 4, 4, True, True)
    assert report.villages["av"].facility_ids == ("f1", "f2")


def test_served_more_than_households_is_capped_and_warned():
    # One facility claims 8 households of a 5-household village: counted as 5 (5 × 5 ≥ 5 × 3).
    report, v = one_village(5, 8)
    assert v.natural_villages[0] == ("nv", 5, 8, 5, True, True)
    (w,) = report.warnings
    assert (w.code, w.facility_id, w.natural_village_id) == ("served_exceeds_households", "f", "nv")
    assert "超过该村户数" in w.message


def test_overlapping_facilities_are_capped_and_warned():
    # 4 + 4 = 8 claimed of 6 households: each claim fits, together they exceed → capped to 6.
    report = evaluate(
        [AdminVillage("av", "t")],
        [NaturalVillage("nv", "av", 6)],
        [fac("f1", "av", {"nv": 4}), fac("f2", "av", {"nv": 4})],
    )
    assert report.villages["av"].natural_villages[0].treated_households == 6
    assert [(w.code, w.natural_village_id) for w in report.warnings] == [("overlapping_service", "nv")]


def test_natural_village_without_households_is_left_out_of_the_count():
    # Natural villages: 0 households (not counted) and 5 households with 3 treated (3 × 5 = 15 ≥ 15):
    # 1 treated of 1 counted → 1 × 5 ≥ 1 × 3 → the administrative village is treated.
    report = evaluate(
        [AdminVillage("av", "t")],
        [NaturalVillage("empty", "av", 0), NaturalVillage("nv", "av", 5)],
        [fac("f", "av", {"nv": 3})],
    )
    v = report.villages["av"]
    assert v.natural_villages[0] == ("empty", 0, 0, 0, False, False)
    assert v.treated and (v.treated_natural, v.counted_natural) == (1, 1)


def test_administrative_village_with_only_empty_or_no_natural_villages_is_untreated_and_flagged():
    report = evaluate(
        [AdminVillage("empty", "t"), AdminVillage("none", "t")],
        [NaturalVillage("nv", "empty", 0)],
        [fac("f", "empty", {"nv": 0})],
    )
    assert report.villages["empty"].reasons == ("no_households",)
    assert report.villages["none"].reasons == ("no_natural_village_data", "no_facility")
    assert report.villages["none"].natural_villages == ()
    assert report.towns["t"].treatment == Rate(0, 2, D("0.00"))


# ------------------------------------------------------------------------------ administrative villages


def test_administrative_village_at_exactly_60_percent_of_natural_villages_is_treated():
    # 3 of 5 natural villages: 3 × 5 = 15 ≥ 5 × 3 = 15 → treated.
    av, nvs, fs = village_of([True, True, True, False, False])
    v = evaluate([av], nvs, fs).villages["av"]
    assert v.treated and (v.treated_natural, v.counted_natural) == (3, 5) and v.reasons == ()


def test_administrative_village_at_50_percent_is_untreated():
    # 2 of 4 natural villages: 2 × 5 = 10 < 4 × 3 = 12 → untreated.
    av, nvs, fs = village_of([True, True, False, False])
    v = evaluate([av], nvs, fs).villages["av"]
    assert not v.treated and (v.treated_natural, v.counted_natural) == (2, 4)
    assert v.reasons == ("below_threshold",)


def test_beyond_repair_facility_leaves_the_village_untreated_until_a_rebuilt_one_runs():
    # The only facility serves all 5 households but is beyond repair: 0 of 5 treated → untreated.
    avs, nvs = [AdminVillage("av", "t")], [NaturalVillage("nv", "av", 5)]
    broken = fac("old", "av", {"nv": 5}, status="beyond_repair")
    v = evaluate(avs, nvs, [broken]).villages["av"]
    assert not v.treated and v.natural_villages[0].treated_households == 0
    assert v.reasons == ("below_threshold", "facility_beyond_repair")
    assert "重建投运前按未治理计" in REASON_LABELS["facility_beyond_repair"]
    # The rebuild is still under construction: still untreated, both facilities named.
    building = fac("new", "av", {"nv": 5}, status="under_construction")
    v = evaluate(avs, nvs, [broken, building]).villages["av"]
    assert not v.treated
    assert v.reasons == ("below_threshold", "facility_beyond_repair", "facility_under_construction")
    # The rebuilt facility runs: 5 of 5 → treated; the old one stays listed for drill-down.
    v = evaluate(avs, nvs, [broken, fac("new", "av", {"nv": 5})]).villages["av"]
    assert v.treated and v.reasons == () and v.facility_ids == ("old", "new")


def test_retired_facility_does_not_treat():
    _, v = one_village(5, 5, status="retired")
    assert v.reasons == ("below_threshold", "facility_retired")


def test_stopped_facility_treats_by_default_but_not_when_excluded_by_the_rules():
    _, v = one_village(5, 5, status="stopped")
    assert v.treated
    _, v = one_village(5, 5, status="stopped", rules=RateRules(treating_statuses=frozenset({"in_service"})))
    assert not v.treated and v.reasons == ("below_threshold", "facility_stopped")


def test_cross_village_service_counts_for_the_served_village():
    # f sits in A (town 1) and serves B's only natural village (town 2): B treated, A not;
    # f is listed under both villages and counts for town 1's normal-operation rate.
    report = evaluate(
        [AdminVillage("A", 1), AdminVillage("B", 2)],
        [NaturalVillage("a", "A", 5), NaturalVillage("b", "B", 5)],
        [fac("f", "A", {"b": 5})],
    )
    assert report.villages["B"].treated and not report.villages["A"].treated
    assert report.villages["A"].facility_ids == report.villages["B"].facility_ids == ("f",)
    assert report.towns[1].operation == Rate(1, 1, D("100.00"))
    assert report.towns[2].operation == Rate(0, 0, None)


def test_treating_facility_without_service_data_is_a_warning():
    report = evaluate([AdminVillage("av", "t")], [NaturalVillage("nv", "av", 5)], [fac("f", "av")])
    assert [(w.code, w.facility_id) for w in report.warnings] == [("no_service_data", "f")]
    assert report.villages["av"].reasons == ("below_threshold",)
    assert {w.code for w in report.warnings} <= WARNING_CODES


# ------------------------------------------------------------------------------------ towns, district


def test_town_without_facilities_is_zero_percent_and_town_without_villages_is_none():
    report = evaluate(
        [AdminVillage("a1", "bare"), AdminVillage("a2", "bare")],
        [NaturalVillage("n1", "a1", 10), NaturalVillage("n2", "a2", 10)],
        [],
        towns=[Town("bare", "包场镇"), Town("nothing", "海门港新区")],
    )
    bare, nothing = report.towns["bare"], report.towns["nothing"]
    assert bare.treatment == Rate(0, 2, D("0.00")) and bare.untreated_ids == ("a1", "a2")
    assert report.villages["a1"].reasons == ("below_threshold", "no_facility")
    assert bare.operation == Rate(0, 0, None) and bare.name == "包场镇"
    assert nothing.treatment == Rate(0, 0, None) and nothing.operation == Rate(0, 0, None)
    assert list(report.towns) == ["bare", "nothing"]


def test_district_aggregates_towns():
    # Town x: 1 of 2 villages treated; y: 1 of 1; z: 0 of 3 → district 2 of 6 = 33.33 % ≥ 30 % → met.
    parts = [
        village_of([True], "x1", "x"),
        village_of([False], "x2", "x"),
        village_of([True], "y1", "y"),
        *(village_of([False], f"z{i}", "z") for i in range(3)),
    ]
    avs = [p[0] for p in parts]
    nvs = [nv for p in parts for nv in p[1]]
    fs = [f for p in parts for f in p[2]]
    report = evaluate(avs, nvs, fs)
    assert report.towns["x"].treatment == Rate(1, 2, D("50.00"))
    assert report.towns["x"].treated_ids == ("x1",) and report.towns["x"].untreated_ids == ("x2",)
    assert report.towns["y"].treatment == Rate(1, 1, D("100.00"))
    assert report.towns["z"].treatment == Rate(0, 3, D("0.00"))
    assert report.treatment == Rate(2, 6, D("33.33"))
    # 6 in-service facilities, all audited normal → 100 % ≥ 80 %.
    assert report.operation == Rate(6, 6, D("100.00"))
    treatment, operation = report.targets
    assert (treatment.key, treatment.target, treatment.met) == ("treatment", D(30), True)
    assert (operation.key, operation.target, operation.met) == ("operation", D(80), True)


def test_each_town_is_checked_against_the_same_targets_as_the_district():
    # The console shows per town whether it meets 30 % / 80 %: the engine's own check, not the page's.
    parts = [village_of([True], "x1", "x"), village_of([False], "x2", "x"), village_of([False], "z1", "z")]
    avs, nvs = [p[0] for p in parts], [nv for p in parts for nv in p[1]]
    fs = [f for p in parts for f in p[2]]
    fs[2] = fac("f-z1", "z1", {nv.id: 0 for nv in parts[2][1]}, conditions=frozenset({"stopped"}))
    report = evaluate(avs, nvs, fs, towns=[Town("x", "常乐镇"), Town("z", "四甲镇"), Town("e", "空镇")])
    met = {t: {c.key: c.met for c in r.targets} for t, r in report.towns.items()}
    assert met == {
        "x": {"treatment": True, "operation": True},  # 1 / 2 = 50 % ≥ 30 %; 2 / 2 normal
        "z": {"treatment": False, "operation": False},  # 0 / 1; 0 / 1
        "e": {"treatment": None, "operation": None},  # no villages, no facilities
    }
    x = report.towns["x"].targets
    assert [(c.key, c.label, c.target, c.rate) for c in x] == [
        (t.key, t.label, t.target, r) for t, r in zip(report.targets, (x[0].rate, x[1].rate), strict=True)
    ]
    assert x[0].rate == report.towns["x"].treatment and x[1].rate == report.towns["x"].operation


@pytest.mark.parametrize(
    ("num", "den", "percent"),
    [(1, 3, "33.33"), (2, 3, "66.67"), (1, 8, "12.50"), (1, 800, "0.13"), (0, 5, "0.00"), (5, 5, "100.00")],
)
def test_percentages_round_half_up(num, den, percent):
    # 1/800 = 0.125 % → 0.13 (half-up); 2/3 = 66.666… → 66.67.
    assert rate(num, den).percent == D(percent)


def test_targets_compare_the_exact_fraction():
    # 3/10 = exactly 30 % → met; 7499/25000 = 29.996 % shows as 30.00 % but misses 30 %.
    assert meets(rate(3, 10), D(30)) is True
    assert rate(7499, 25000).percent == D("30.00") and meets(rate(7499, 25000), D(30)) is False
    assert meets(rate(0, 0), D(30)) is None
    # 4 of 5 facilities normal = 80 % → met; 3 of 4 = 75 % → not.
    assert meets(rate(4, 5), D(80)) and not meets(rate(3, 4), D(80))


def test_targets_are_none_without_data():
    report = evaluate([], [], [])
    assert [t.met for t in report.targets] == [None, None]
    assert report.towns == {} and report.villages == {}


# ----------------------------------------------------------------------------------- normal operation


def operation(*facilities, rules=DEFAULT_RULES):
    report = evaluate([AdminVillage("av", "t")], [], list(facilities), rules)
    return report.towns["t"]


@pytest.mark.parametrize("condition", CONDITIONS)
def test_each_condition_alone(condition):
    # One in-service facility of 20 t/d (so no_meter counts): "normal" → 1/1, anything else → 0/1.
    town = operation(fac("f", "av", capacity=D(20), conditions=frozenset({condition})))
    if condition == "normal":
        assert town.operation == Rate(1, 1, D("100.00")) and town.normal_ids == ("f",)
    else:
        assert town.operation == Rate(0, 1, D("0.00"))
        assert [(i.facility_id, i.reasons) for i in town.not_normal] == [("f", (condition,))]


def test_several_conditions_are_all_reasons_and_normal_does_not_cancel_a_problem():
    both = frozenset({"normal", "effluent_over_limit", "pipe_network_missing"})
    (issue,) = operation(fac("f", "av", conditions=both)).not_normal
    assert issue.reasons == ("pipe_network_missing", "effluent_over_limit")  # CONDITIONS order


def test_an_audit_with_no_condition_is_normal():
    assert operation(fac("f", "av", conditions=frozenset())).normal_ids == ("f",)


def test_mixed_town_rate():
    # 5 in scope: 4 normal, 1 capacity mismatch → 4/5 = 80.00 %; the retired one is out of scope.
    town = operation(
        *(fac(i, "av") for i in range(4)),
        fac(4, "av", conditions=frozenset({"capacity_mismatch"})),
        fac(5, "av", status="retired", conditions=frozenset({"damaged"})),
    )
    assert town.operation == Rate(4, 5, D("80.00")) and town.out_of_scope_ids == (5,)


@pytest.mark.parametrize(("status", "reason"), [("stopped", "stopped"), ("beyond_repair", "damaged")])
def test_registry_status_implies_a_condition(status, reason):
    # The latest audit said normal, but the registry now says stopped / beyond repair.
    (issue,) = operation(fac("f", "av", status=status)).not_normal
    assert issue.reasons == (reason,)


@pytest.mark.parametrize("status", ["under_construction", "retired"])
def test_under_construction_and_retired_are_out_of_scope(status):
    town = operation(fac("f", "av", status=status, conditions=None), fac("g", "av"))
    assert town.out_of_scope_ids == ("f",) and town.operation == Rate(1, 1, D("100.00"))


def test_operation_scope_is_a_parameter():
    rules = RateRules(operation_statuses=frozenset({"in_service"}))
    town = operation(fac("f", "av", status="beyond_repair"), fac("g", "av"), rules=rules)
    assert town.out_of_scope_ids == ("f",) and town.operation == Rate(1, 1, D("100.00"))


@pytest.mark.parametrize(
    ("capacity", "normal"),
    [(D("19.99"), True), (D("20"), False), (D("20.00"), False), (20, False), (D("20.01"), False), (5, True)],
)
def test_no_meter_counts_from_20_tonnes_a_day(capacity, normal):
    facility = fac("f", "av", capacity=capacity, conditions=frozenset({"no_meter"}))
    assert operation_reasons(facility) == (() if normal else ("no_meter",))
    assert operation(facility).operation.numerator == int(normal)


def test_meter_capacity_threshold_is_a_parameter():
    facility = fac("f", "av", capacity=D("19.99"), conditions=frozenset({"no_meter"}))
    assert operation_reasons(facility, RateRules(meter_capacity_tpd=D(5))) == ("no_meter",)
    assert operation_reasons(facility, RateRules(meter_capacity_tpd=D(0))) == ("no_meter",)


def test_not_normal_conditions_are_data():
    rules = RateRules(not_normal_conditions=frozenset(CONDITIONS) - {"normal", "no_meter"})
    facility = fac("f", "av", capacity=D(50), conditions=frozenset({"no_meter", "normal"}))
    assert operation_reasons(facility, rules) == ()
    assert operation_reasons(facility) == ("no_meter",)


def test_never_audited_counts_as_not_normal_by_default():
    town = operation(fac("f", "av", conditions=None), fac("g", "av"))
    # 1 normal of 2 in scope = 50 %.
    assert town.operation == Rate(1, 2, D("50.00"))
    assert [(i.facility_id, i.reasons) for i in town.not_normal] == [("f", (NEVER_AUDITED,))]


def test_never_audited_can_be_excluded():
    rules = RateRules(never_audited="excluded")
    town = operation(fac("f", "av", conditions=None), fac("g", "av"), rules=rules)
    # f leaves the denominator: 1 normal of 1 = 100 %.
    assert town.operation == Rate(1, 1, D("100.00")) and town.excluded_ids == ("f",)


def test_never_audited_but_stopped_is_not_normal_either_way():
    stopped = fac("f", "av", status="stopped", conditions=None)
    assert operation_reasons(stopped) == ("stopped", NEVER_AUDITED)
    assert operation_reasons(stopped, RateRules(never_audited="excluded")) == ("stopped",)


def test_labels_cover_every_key():
    assert set(OPERATION_REASON_LABELS) == {*CONDITIONS, NEVER_AUDITED}
    assert all(f"facility_{s}" in REASON_LABELS for s in STATUSES if s != "in_service")
    assert CONDITION_LABELS["no_meter"] == "未设立独立电表"


# ------------------------------------------------------------------------------------------- rules


def test_defaults():
    r = DEFAULT_RULES
    assert (r.household_threshold, r.village_threshold) == (D("0.6"), D("0.6"))
    assert r.treating_statuses == {"in_service", "stopped"}
    assert r.operation_statuses == {"in_service", "stopped", "beyond_repair"}
    assert r.not_normal_conditions == set(CONDITIONS) - {"normal"}
    assert (r.meter_capacity_tpd, r.never_audited, r.treatment_target, r.operation_target) == (
        D(20),
        "not_normal",
        D(30),
        D(80),
    )


def test_from_mapping_accepts_yaml_values():
    rules = RateRules.from_mapping(
        {
            "household_threshold": 0.6,  # a YAML float becomes Decimal("0.6"), not 0.59999…
            "village_threshold": "1",
            "treating_statuses": ["in_service"],
            "not_normal_conditions": ["stopped", "damaged"],
            "meter_capacity_tpd": 20,
            "never_audited": "excluded",
            "treatment_target": "30",
        }
    )
    assert rules.household_threshold == D("0.6") and rules.village_threshold == D(1)
    assert rules.treating_statuses == frozenset({"in_service"})
    assert rules.not_normal_conditions == frozenset({"stopped", "damaged"})
    assert RateRules.from_mapping({}) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"household_threshold": 0}, "household_threshold"),
        ({"household_threshold": "1.01"}, "household_threshold"),
        ({"household_threshold": -0.1}, "household_threshold"),
        ({"household_threshold": "六成"}, "household_threshold"),
        ({"household_threshold": True}, "household_threshold"),
        ({"household_threshold": None}, "household_threshold"),
        ({"household_threshold": "NaN"}, "household_threshold"),
        ({"village_threshold": 0}, "village_threshold"),
        ({"village_threshold": 2}, "village_threshold"),
        ({"treating_statuses": ["running"]}, "treating_statuses"),
        ({"treating_statuses": "in_service"}, "treating_statuses"),
        ({"operation_statuses": ["closed"]}, "operation_statuses"),
        ({"not_normal_conditions": ["smelly"]}, "not_normal_conditions"),
        ({"not_normal_conditions": 3}, "not_normal_conditions"),
        ({"never_audited": "maybe"}, "never_audited"),
        ({"meter_capacity_tpd": -1}, "meter_capacity_tpd"),
        ({"treatment_target": 101}, "treatment_target"),
        ({"operation_target": -5}, "operation_target"),
        ({"places": 7}, "places"),
        ({"places": True}, "places"),
        ({"threshold": 0.6}, "threshold"),
    ],
)
def test_rules_validation(data, key):
    with pytest.raises(RulesError) as exc:
        RateRules.from_mapping(data)
    assert exc.value.key == key and isinstance(exc.value, ValueError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)  # zh-Hans


def test_rules_must_be_a_mapping():
    with pytest.raises(RulesError, match="键值映射"):
        RateRules.from_mapping(["household_threshold"])  # type: ignore[arg-type]


def test_unknown_status_message_lists_the_choices():
    with pytest.raises(RulesError, match=r"未知取值：running.*in_service"):
        RateRules.from_mapping({"treating_statuses": ["running"]})


def test_thresholds_are_parameters():
    # 299 of 500 households at a 50 % threshold: 299 × 2 = 598 ≥ 500 × 1 → treated.
    _, v = one_village(500, 299, rules=RateRules(household_threshold=D("0.5")))
    assert v.treated
    # 2 of 4 natural villages at a 50 % threshold: 2 × 2 = 4 ≥ 4 × 1 → treated.
    av, nvs, fs = village_of([True, True, False, False])
    assert evaluate([av], nvs, fs, RateRules(village_threshold=D("0.5"))).villages["av"].treated
    # A 100 % household threshold: 4 of 5 → untreated.
    _, v = one_village(5, 4, rules=RateRules(household_threshold=D(1)))
    assert not v.treated


# -------------------------------------------------------------------------------------- input errors


def expect_error(code, offending_id, *, avs=None, nvs=(), fs=(), towns=None):
    avs = [AdminVillage("av", "t")] if avs is None else avs
    with pytest.raises(SewageInputError) as exc:
        evaluate(avs, list(nvs), list(fs), towns=towns)
    assert (exc.value.code, exc.value.id) == (code, offending_id)
    assert exc.value.code in ERROR_CODES and isinstance(exc.value, ValueError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    return exc.value


def test_unknown_ids_are_errors():
    expect_error("unknown_admin_village", "nv", nvs=[NaturalVillage("nv", "nowhere", 5)])
    expect_error("unknown_admin_village", "f", fs=[fac("f", "nowhere")])
    expect_error("unknown_natural_village", "f", fs=[fac("f", "av", {"ghost": 3})])
    expect_error("unknown_town", "av", towns=[Town("other")])


def test_duplicate_ids_are_errors():
    expect_error("duplicate_id", "av", avs=[AdminVillage("av", "t"), AdminVillage("av", "t")])
    expect_error("duplicate_id", "nv", nvs=[NaturalVillage("nv", "av", 1)] * 2)
    expect_error("duplicate_id", "f", fs=[fac("f", "av")] * 2)
    expect_error("duplicate_id", "t", towns=[Town("t"), Town("t")])


@pytest.mark.parametrize(
    ("households", "code"),
    [
        (-1, "negative_households"),
        (2.5, "invalid_households"),
        (True, "invalid_households"),
        ("5", "invalid_households"),
    ],
)
def test_bad_households(households, code):
    expect_error(code, "nv", nvs=[NaturalVillage("nv", "av", households)])
    expect_error(code, "f", nvs=[NaturalVillage("nv", "av", 5)], fs=[fac("f", "av", {"nv": households})])


@pytest.mark.parametrize(
    ("capacity", "code"),
    [
        (D(-1), "negative_capacity"),
        (-0.5, "negative_capacity"),
        (D("NaN"), "invalid_capacity"),
        (float("inf"), "invalid_capacity"),
        ("20", "invalid_capacity"),
        (None, "invalid_capacity"),
        (True, "invalid_capacity"),
    ],
)
def test_bad_capacity(capacity, code):
    expect_error(code, "f", fs=[fac("f", "av", capacity=capacity)])


def test_unknown_status_and_condition():
    expect_error("unknown_status", "f", fs=[fac("f", "av", status="running")])
    expect_error("unknown_condition", "f", fs=[fac("f", "av", conditions=frozenset({"smelly"}))])


def test_every_problem_is_reported_at_once():
    error = expect_error(
        "negative_households",
        "n1",
        nvs=[NaturalVillage("n1", "av", -1), NaturalVillage("n2", "gone", 1)],
        fs=[fac("f", "av", status="closed")],
    )
    assert [(p.kind, p.id, p.code) for p in error.problems] == [
        ("natural_village", "n1", "negative_households"),
        ("natural_village", "n2", "unknown_admin_village"),
        ("facility", "f", "unknown_status"),
    ]


def test_zero_capacity_and_zero_households_served_are_fine():
    report, v = one_village(5, 0)
    assert not v.treated and report.warnings == ()
    assert operation_reasons(fac("f", "av", capacity=0)) == ()


# -------------------------------------------------------------------------------------------- properties


@st.composite
def scenarios(draw):
    towns = [Town(t) for t in range(draw(st.integers(1, 3)))]
    avs, nvs = [], []
    for t in towns:
        for a in range(draw(st.integers(0, 4))):
            avs.append(AdminVillage(f"{t.id}-{a}", t.id))
            nvs += [
                NaturalVillage(f"{t.id}-{a}-{n}", f"{t.id}-{a}", draw(st.integers(0, 12)))
                for n in range(draw(st.integers(0, 4)))
            ]
    facilities = []
    for i in range(draw(st.integers(0, 6)) if avs else 0):
        serves = (
            draw(st.dictionaries(st.sampled_from([nv.id for nv in nvs]), st.integers(0, 15), max_size=4))
            if nvs
            else {}
        )
        facilities.append(
            Facility(
                i,
                draw(st.sampled_from(avs)).id,
                draw(st.sampled_from(STATUSES)),
                draw(st.sampled_from([D(5), D("19.99"), D(20), D(50)])),
                draw(st.none() | st.frozensets(st.sampled_from(CONDITIONS), max_size=3)),
                serves,
            )
        )
    return towns, avs, nvs, facilities


def run(scenario, rules=DEFAULT_RULES):
    towns, avs, nvs, facilities = scenario
    return evaluate(avs, nvs, facilities, rules, towns=towns)


thresholds = st.sampled_from([D("0.1"), D("0.3"), D("0.5"), D("0.6"), D("0.61"), D("0.75"), D(1)])


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.sampled_from(["not_normal", "excluded"]))
def test_rates_are_percentages_and_the_district_is_the_sum_of_towns(scenario, never_audited):
    report = run(scenario, RateRules(never_audited=never_audited))
    for r in (
        report.treatment,
        report.operation,
        *(t.treatment for t in report.towns.values()),
        *(t.operation for t in report.towns.values()),
    ):
        assert 0 <= r.numerator <= r.denominator
        assert r.percent is None if r.denominator == 0 else D(0) <= r.percent <= D(100)
    for key in ("treatment", "operation"):
        towns = [getattr(t, key) for t in report.towns.values()]
        district = getattr(report, key)
        assert district.numerator == sum(r.numerator for r in towns)
        assert district.denominator == sum(r.denominator for r in towns)
    assert report.treatment.denominator == len(scenario[1])
    assert sum(v.treated for v in report.villages.values()) == report.treatment.numerator


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.data())
def test_serving_more_households_never_lowers_a_rate(scenario, data):
    towns, avs, nvs, facilities = scenario
    if not facilities or not nvs:
        return
    i = data.draw(st.integers(0, len(facilities) - 1))
    nv = data.draw(st.sampled_from(nvs)).id
    f = facilities[i]
    more = Facility(
        f.id,
        f.admin_village_id,
        f.status,
        f.capacity_tpd,
        f.conditions,
        {**f.serves, nv: f.serves.get(nv, 0) + data.draw(st.integers(1, 10))},
    )
    before, after = run(scenario), run((towns, avs, nvs, [*facilities[:i], more, *facilities[i + 1 :]]))
    assert after.treatment.numerator >= before.treatment.numerator
    for t in before.towns:
        assert after.towns[t].treatment.numerator >= before.towns[t].treatment.numerator
        assert after.towns[t].operation == before.towns[t].operation
    assert all(after.villages[v].treated for v, r in before.villages.items() if r.treated)


@settings(max_examples=150, deadline=None)
@given(scenarios(), thresholds, thresholds, thresholds, thresholds)
def test_raising_a_threshold_never_raises_a_rate(scenario, h1, h2, v1, v2):
    low = RateRules(household_threshold=min(h1, h2), village_threshold=min(v1, v2))
    high = RateRules(household_threshold=max(h1, h2), village_threshold=max(v1, v2))
    before, after = run(scenario, low), run(scenario, high)
    assert after.treatment.numerator <= before.treatment.numerator
    for t in before.towns:
        assert after.towns[t].treatment.numerator <= before.towns[t].treatment.numerator


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_excluding_never_audited_facilities_never_lowers_the_operation_rate(scenario):
    counted, excluded = run(scenario), run(scenario, RateRules(never_audited="excluded"))
    for t, town in counted.towns.items():
        other = excluded.towns[t].operation
        assert other.numerator == town.operation.numerator
        if town.operation.denominator and other.denominator:
            assert (
                other.numerator * town.operation.denominator >= town.operation.numerator * other.denominator
            )


# -------------------------------------------------------------------------------------------- scale


def test_200000_natural_villages_and_50000_facilities():
    # 12 towns, 40,000 administrative villages of 5 natural villages (20 households each), 50,000
    # facilities serving 4 natural villages each (12 households: 12 × 5 = 60 ≥ 20 × 3 → treated).
    towns = [Town(t) for t in range(12)]
    avs = [AdminVillage(a, a % 12) for a in range(40_000)]
    nvs = [NaturalVillage(n, n // 5, 20) for n in range(200_000)]
    facilities = [
        Facility(
            i,
            i * 4 // 5,
            STATUSES[i % 5],
            D(i % 40),
            NORMAL if i % 3 else None,
            {4 * i + k: 12 for k in range(4)},
        )
        for i in range(50_000)
    ]
    report = evaluate(avs, nvs, facilities, towns=towns)
    # Facilities with i % 5 in (0, 1) (in_service, stopped) treat: their 4 natural villages each.
    treated_nv = sum(v.treated_natural for v in report.villages.values())
    assert treated_nv == 4 * 20_000
    assert report.treatment.denominator == 40_000
    assert sum(t.operation.denominator for t in report.towns.values()) == report.operation.denominator
    assert report.operation.denominator == 30_000  # in_service, stopped, beyond_repair
