"""The 工作方案's part one: a section's months analysed by the pure engine (``exceedance_analysis``)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import water


def _month(**values: object) -> water.Evaluation:
    return water.evaluate({"ph": 7.2, "do": 6.5, "codmn": 4, **values}, "river", 3)


def test_months_missing_the_target_and_the_main_pollutants() -> None:
    months = {
        "2026-01": _month(nh3n=1.5, tp=0.3),  # Ⅳ: nh3n 0.5×, tp 0.5×
        "2026-02": _month(nh3n=1.2),  # Ⅳ: nh3n 0.2×
        "2026-03": None,  # no samples
        "2026-04": _month(nh3n=0.5),  # Ⅱ
        "2026-05": _month(cod=30, nh3n=2.5),  # 劣Ⅴ: nh3n 1.5×, cod 0.5×
    }
    a = water.exceedance_analysis(months, target_class=3)
    assert a.months_evaluated == ("2026-01", "2026-02", "2026-04", "2026-05")
    assert a.months_missing == ("2026-03",)
    assert a.months_meeting == ("2026-04",)
    assert a.months_missing_target == ("2026-01", "2026-02", "2026-05")
    assert (a.worst_class_label, a.latest_class_label, a.latest_month) == ("劣Ⅴ", "劣Ⅴ", "2026-05")
    # nh3n over Ⅲ in three months; cod and tp once each at 0.5×: GB 3838's order (cod, then tp) decides
    assert a.main_pollutants == ("nh3n", "cod", "tp")
    nh3n = a.indicators[0]
    assert (nh3n.months_over, nh3n.max_multiple, nh3n.max_month, nh3n.deciding_months) == (
        3, Decimal("1.50"), "2026-05", 4,
    )  # fmt: skip  # it also decides April's Ⅱ, with DO and CODMn
    assert "氨氮（3 个月超Ⅲ类，最大超标 1.50 倍）" in a.summary and "1 个月无监测数据" in a.summary


def test_no_data_and_clean_months() -> None:
    empty = water.exceedance_analysis({"2026-01": None}, target_class=3)
    assert empty.months_evaluated == () and empty.worst_class is None and "无监测数据" in empty.summary
    clean = water.exceedance_analysis({"2026-01": _month(nh3n=0.4)}, target_class=3)
    assert clean.indicators == () and clean.main_pollutants == () and "均无指标超过" in clean.summary


NH3N = st.sampled_from([None, 0.1, 0.5, 1.0, 1.2, 1.5, 2.0, 3.0])
TP = st.sampled_from([None, 0.05, 0.2, 0.3, 0.4, 0.6])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NH3N, TP), min_size=1, max_size=12), st.integers(1, 5))
def test_properties(series: list[tuple[float | None, float | None]], target: int) -> None:
    months: dict[str, water.Evaluation | None] = {}
    for i, (nh3n, tp) in enumerate(series, 1):
        values = {k: v for k, v in (("nh3n", nh3n), ("tp", tp)) if v is not None}
        months[f"2026-{i:02d}"] = water.evaluate(values, "river", target) if values else None
    a = water.exceedance_analysis(months, target_class=target)
    assert set(a.months_meeting) | set(a.months_missing_target) == set(a.months_evaluated)
    assert not set(a.months_meeting) & set(a.months_missing_target)
    assert set(a.months_evaluated) | set(a.months_missing) == set(months)
    assert set(a.main_pollutants) <= {e.key for e in a.indicators} and len(a.main_pollutants) <= 3
    for e in a.indicators:  # each count and maximum is the months' own
        over = [ev.exceedances[e.key] for ev in months.values() if ev and e.key in ev.exceedances]
        assert (e.months_over, e.max_multiple) == (len(over), max(over))
    ranks = [(-e.months_over, -e.max_multiple) for e in a.indicators]
    assert ranks == sorted(ranks)
    worst = max((ev.klass for ev in months.values() if ev and ev.klass), default=None)
    assert a.worst_class == worst
