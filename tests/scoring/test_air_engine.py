"""HJ 633-2012 IAQI / AQI, the day from hourly means (GB 3095 validity), period means and dust fall (pure)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine.air import (
    BREAKPOINTS,
    CATEGORIES,
    IAQI_STEPS,
    AirDayValues,
    Averaging,
    DayProblem,
    DustReading,
    Pollutant,
    air_period_means,
    aqi_of,
    category_of,
    day_from_hours,
    day_of,
    dust_period_mean,
    dust_rate,
    iaqi,
    primary_pollutants,
)
from scoring.engine.water.periods import PeriodKind, period_of

ROWS = sorted(BREAKPOINTS.items(), key=lambda kv: (kv[0][0].value, kv[0][1].value))
ROW_IDS = [f"{p.value}-{a.value}" for (p, a), _ in ROWS]

# Table 1 as printed in HJ 633-2012, written out again independently of the module (IAQI 0 … 500).
PRINTED = {
    ("so2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("so2", "1h"): (0, 150, 500, 650, 800),
    ("no2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("no2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("pm10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("co", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("co", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("o3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("o3", "8h"): (0, 100, 160, 215, 265, 800),
    ("pm25", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
}


def test_table_1_as_printed() -> None:
    assert {(p.value, a.value): tuple(int(v) for v in bps) for (p, a), bps in BREAKPOINTS.items()} == PRINTED


@pytest.mark.parametrize(("key", "bps"), ROWS, ids=ROW_IDS)
def test_every_breakpoint_gives_its_step(key: tuple[Pollutant, Averaging], bps: tuple[D, ...]) -> None:
    for bp, step in zip(bps, IAQI_STEPS, strict=False):
        assert iaqi(*key, bp) == step


@pytest.mark.parametrize(("key", "bps"), ROWS, ids=ROW_IDS)
def test_just_above_a_breakpoint_rounds_up_into_the_next_segment(
    key: tuple[Pollutant, Averaging], bps: tuple[D, ...]
) -> None:
    tiny = D("0.001")
    for bp, step in zip(bps[:-1], IAQI_STEPS, strict=False):
        assert iaqi(*key, bp + tiny) == step + 1  # 进位取整: any excess lifts the integer
    for bp, step in zip(bps[1:], IAQI_STEPS[1:], strict=False):
        below = iaqi(*key, bp - tiny)
        assert below == step  # a hair under a breakpoint still rounds up to it


def test_worked_values() -> None:
    # PM2.5 24 h 80 μg/m³: (150 − 100) / (115 − 75) × (80 − 75) + 100 = 106.25 → 107
    assert iaqi("pm25", "24h", 80) == 107
    assert iaqi("pm10", "24h", D("49.5")) == 50  # 49.5 → 49.5 → 50
    assert iaqi("co", "24h", D("1.0")) == 25
    assert iaqi("o3", "8h", 101) == 51  # 50/60 × 1 + 50 = 50.83 → 51


def test_notes_of_table_1() -> None:
    assert iaqi("so2", "1h", 800) == 200
    assert iaqi("so2", "1h", D("800.1")) is None  # the 24 h IAQI stands in
    assert iaqi("o3", "8h", 800) == 300
    assert iaqi("o3", "8h", D("800.1")) is None  # the 1 h IAQI stands in
    assert iaqi("pm25", "24h", 501) == 500
    assert iaqi("no2", "1h", 99999) == 500


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        iaqi("pm25", "24h", -1)
    with pytest.raises(ValueError):
        iaqi("pm25", "1h", 10)  # PM has no 1 h row
    with pytest.raises(ValueError):
        iaqi("pm25", "24h", "NaN")
    with pytest.raises(ValueError):
        category_of(-1)


@pytest.mark.parametrize(
    ("aqi", "level", "name"),
    [(0, 1, "优"), (50, 1, "优"), (51, 2, "良"), (100, 2, "良"), (101, 3, "轻度污染"), (150, 3, "轻度污染"),
     (151, 4, "中度污染"), (200, 4, "中度污染"), (201, 5, "重度污染"), (300, 5, "重度污染"),
     (301, 6, "严重污染"), (500, 6, "严重污染")],
)  # fmt: skip
def test_category_boundaries(aqi: int, level: int, name: str) -> None:
    c = category_of(aqi)
    assert (c.level, c.name) == (level, name)


def test_primary_pollutants_only_above_50_and_every_tie() -> None:
    assert primary_pollutants({"pm25": 50, "pm10": 50}) == ()
    assert primary_pollutants({"pm25": 107, "pm10": 80, "o3_8h": 107}) == ("pm25", "o3_8h")
    assert aqi_of({"so2": None, "pm10": 51}) == 51
    assert aqi_of({"so2": None}) is None


@given(
    key=st.sampled_from(sorted(BREAKPOINTS, key=str)),
    a=st.decimals(min_value=0, max_value=5000, places=3),
    b=st.decimals(min_value=0, max_value=5000, places=3),
)
def test_iaqi_is_monotonic_and_bounded(key: tuple[Pollutant, Averaging], a: D, b: D) -> None:
    lo, hi = sorted((a, b))
    x, y = iaqi(*key, lo), iaqi(*key, hi)
    if y is not None:
        assert x is not None and 0 <= x <= y <= 500
    else:  # only the two substituted rows end in None, and only above their last breakpoint
        assert key in {(Pollutant.SO2, Averaging.H1), (Pollutant.O3, Averaging.H8)}
        assert hi > BREAKPOINTS[key][-1]


@given(st.integers(min_value=0, max_value=1000))
def test_categories_cover_every_aqi_once(aqi: int) -> None:
    matching = [c for c in CATEGORIES if c.low <= aqi and (c.high is None or aqi <= c.high)]
    assert matching == [category_of(aqi)]


# ------------------------------------------------------------------------------------------------ days

DAY = date(2024, 2, 29)


def _hours(n: int, **values: int) -> dict[int, dict[str, int]]:
    return {h: dict(values) for h in range(n)}


def test_day_from_24_full_hours() -> None:
    hours = {
        h: {"so2": 10, "no2": 30, "pm10": 60, "pm25": 40 + (h % 2), "co": 1, "o3": 50 + h} for h in range(24)
    }
    d = day_from_hours(DAY, hours)
    assert d.values.pm25 == 40  # 40.5 → 40 (GB/T 8170 half to even)
    assert d.values.o3_1h == 73
    assert d.values.o3_8h == D(70)  # hours 16–23: mean 69.5 → 70 (half to even)
    assert d.iaqi["pm25"] == 57 and d.iaqi["pm10"] == 55  # 56.25 → 57; 55
    assert d.iaqi["o3_1h"] == 23 and d.iaqi["o3_8h"] == 35
    assert d.aqi == 57 and d.primary == ("pm25",) and d.category is not None and d.category.name == "良"
    assert d.good


def test_minimum_hours() -> None:
    assert day_from_hours(DAY, _hours(20, pm25=80)).values.pm25 == 80
    nineteen = day_from_hours(DAY, _hours(19, pm25=80))
    assert nineteen.values.pm25 is None and nineteen.aqi is None and nineteen.category is None


def test_o3_8h_needs_fourteen_valid_windows_of_six_hours() -> None:
    # hours 0–19 valid: windows ending 7 … 23 with ≥ 6 hours are those ending ≤ 23 whose start ≤ 19 − 5
    full = day_from_hours(DAY, _hours(20, o3=90))
    assert full.values.o3_8h == 90
    # hours 0–12: windows ending 7 … 17 have ≥ 6 valid hours → 11 windows: no 8 h max; 13 h < 20: no 1 h max
    short = day_from_hours(DAY, _hours(13, o3=90))
    assert short.values.o3_8h is None and short.values.o3_1h is None


def test_o3_over_800_uses_the_1h_iaqi_and_is_primary_once() -> None:
    d = day_of(DAY, AirDayValues(o3_1h=D(1100), o3_8h=D(850), pm25=D(30)))
    assert d.iaqi["o3_8h"] is None and d.iaqi["o3_1h"] == 450
    assert d.aqi == 450 and d.primary == ("o3",)


def test_bad_hours() -> None:
    with pytest.raises(DayProblem):
        day_from_hours(DAY, {24: {"pm25": 1}})
    with pytest.raises(DayProblem):
        day_from_hours(DAY, {0: {"pm25": -1}})
    with pytest.raises(DayProblem):
        day_from_hours(DAY, {0: {"lead": 1}})


# --------------------------------------------------------------------------------------------- periods


def test_period_means_over_a_dekad_of_a_leap_february() -> None:
    p = period_of(date(2024, 2, 25), PeriodKind.DEKAD)
    assert (p.start, p.end) == (date(2024, 2, 21), date(2024, 2, 29))
    days = [day_of(p.start + timedelta(days=i), AirDayValues(pm25=D(35 + 10 * i))) for i in range(12)]
    air = air_period_means(days, p.start, p.end)
    # days 21 … 29 (9 days): PM2.5 35 … 115; IAQI 50, 63, 75, 88, 100, 113, 125, 138, 150 (sum 902)
    assert air.days == 9 and air.good_days == 5 and air.means["pm25"] == D("75.0")
    assert air.aqi == D("100.2") and air.good_rate == D("55.6")
    assert air_period_means([], p.start, p.end).aqi is None


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=31))
def test_period_aqi_mean_lies_within_the_days(aqis: list[int]) -> None:
    days = [day_of(date(2023, 1, 1) + timedelta(days=i), AirDayValues(pm10=D(v))) for i, v in enumerate(aqis)]
    air = air_period_means(days, date(2023, 1, 1), date(2023, 1, 31))
    got = [d.aqi for d in days if d.aqi is not None]
    assert air.aqi is not None and min(got) <= air.aqi <= max(got)
    assert air.good_days == sum(a <= 100 for a in got)


# ------------------------------------------------------------------------------------------- dust fall


def test_dust_rate_normalises_to_30_days() -> None:
    assert dust_rate(D("3.1"), 31) == D(3)
    assert dust_rate(6, 60) == D(3)
    with pytest.raises(ValueError):
        dust_rate(1, 0)
    with pytest.raises(ValueError):
        dust_rate(-1, 30)


def test_dust_period_mean_weights_by_overlap() -> None:
    jan = DustReading(date(2024, 1, 1), date(2024, 1, 31), D("3.1"))  # 3.0 t/(km²·30 d)
    feb = DustReading(date(2024, 2, 1), date(2024, 2, 29), D("5.8"))  # 6.0
    d3 = period_of(date(2024, 1, 31), PeriodKind.DEKAD)
    assert dust_period_mean([jan, feb], d3.start, d3.end) == D("3.00")
    # 25 Jan – 3 Feb: 7 days at 3.0 and 3 at 6.0 → 3.9
    assert dust_period_mean([jan, feb], date(2024, 1, 25), date(2024, 2, 3)) == D("3.90")
    assert dust_period_mean([jan], date(2024, 3, 1), date(2024, 3, 10)) is None


@given(
    st.lists(
        st.tuples(st.integers(0, 80), st.integers(1, 45), st.decimals(min_value=0, max_value=50, places=2)),
        min_size=1,
        max_size=6,
    )
)
def test_dust_period_mean_lies_within_the_rates(jars: list[tuple[int, int, D]]) -> None:
    base = date(2024, 1, 1)
    readings = [DustReading(base + timedelta(o), base + timedelta(o + n - 1), v) for o, n, v in jars]
    mean = dust_period_mean(readings, date(2024, 2, 1), date(2024, 2, 29))
    rates = [
        dust_rate(r.deposit, r.days)
        for r in readings
        if r.end >= date(2024, 2, 1) and r.start <= date(2024, 2, 29)
    ]
    if not rates:
        assert mean is None
    else:
        assert mean is not None and min(rates) - D("0.01") <= mean <= max(rates) + D("0.01")


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 600)),
            st.one_of(st.none(), st.decimals(min_value=0, max_value=20, places=3)),
        ),
        max_size=12,
    )
)
def test_totals_give_the_same_means_as_the_days(values: list[tuple[int | None, D | None]]) -> None:
    from scoring.engine.air import Totals, period_from_totals

    days = [
        day_of(date(2024, 1, 1) + timedelta(days=i), AirDayValues(pm10=None if p is None else D(p), co=c))
        for i, (p, c) in enumerate(values)
    ]
    aqis = [d.aqi for d in days if d.aqi is not None]
    pm10 = [d.values.pm10 for d in days if d.values.pm10 is not None]
    co = [d.values.co for d in days if d.values.co is not None]
    totals = Totals(sum(aqis), len(aqis), sum(a <= 100 for a in aqis), {"pm10": (sum(pm10, D(0)), len(pm10)),
                    "co": (sum(co, D(0)), len(co))})  # fmt: skip
    assert period_from_totals(totals) == air_period_means(days, date(2024, 1, 1), date(2024, 1, 31))


def test_hour_aqi_and_the_so2_note() -> None:
    from scoring.engine.air import hour_aqi

    h = hour_aqi(so2=D(900), so2_24h=D(500), no2=D(100), pm25_24h=D(75))
    # 1 h > 800: the 24 h IAQI stands in, 50 / 325 × (500 − 475) + 150 = 153.8 → 154
    assert h.iaqi["so2"] == 154
    assert (h.iaqi["no2"], h.iaqi["pm25"]) == (50, 100)
    assert h.aqi == 154 and h.primary == ("so2",)
    assert hour_aqi(so2=D(900)).iaqi["so2"] is None  # no 24 h mean given: no SO2 IAQI at all
    o3 = hour_aqi(o3=D(1100), o3_8h=D(900))
    assert o3.iaqi["o3_8h"] is None and o3.aqi == 450 and o3.primary == ("o3",)


@given(st.lists(st.one_of(st.none(), st.integers(0, 900)), min_size=24, max_size=24))
def test_a_day_from_hours_lies_within_its_hours(hours: list[int | None]) -> None:
    d = day_from_hours(DAY, {h: {"pm25": v, "o3": v} for h, v in enumerate(hours)})
    present = [v for v in hours if v is not None]
    if len(present) < 20:
        assert d.values.pm25 is None and d.values.o3_1h is None
    else:
        assert d.values.pm25 is not None and min(present) - 1 <= d.values.pm25 <= max(present) + 1
        assert d.values.o3_1h == max(present)
    if d.values.o3_8h is not None:
        assert min(present) - 1 <= d.values.o3_8h <= max(present) + 1
