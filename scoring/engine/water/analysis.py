"""A section's exceedance analysis over recent months (稳Ⅲ提Ⅲ 工作方案, 海政办发〔2022〕65号 item 15, part
one: "对断面水质及超标原因分析"). Pure: it reads the month-by-month evaluations of :func:`evaluate`.

- A month *misses* its target when its class is worse than the section's target class; months without an
  evaluated indicator are listed as missing, never counted as meeting.
- An indicator is *over Ⅲ* in a month when the month's evaluation reports an exceedance multiple for it
  (GB 3838 "≤" indicators above the Ⅲ limit; never pH or DO — a low DO shows as a deciding indicator).
- The period's main pollutants are the indicators over Ⅲ in the most months, ties broken by the largest
  multiple, then ``EVALUATED`` order; at most three, as a single month's are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from .classification import Evaluation
from .standard import CLASS_LABELS, EVALUATED, name_of

MAIN_POLLUTANTS = 3


@dataclass(frozen=True)
class IndicatorExceedance:
    key: str
    name: str
    months_over: int  # months whose evaluation reports a multiple over the Ⅲ limit
    max_multiple: Decimal
    max_month: str  # the month of the largest multiple (the earliest on ties)
    deciding_months: int  # months in which it decided the class (定类因子)


@dataclass(frozen=True)
class Analysis:
    months: tuple[str, ...]  # the months given, in order (keys as given, e.g. "2026-05")
    months_evaluated: tuple[str, ...]
    months_missing: tuple[str, ...]
    months_meeting: tuple[str, ...]
    months_missing_target: tuple[str, ...]
    worst_class: int | None
    worst_class_label: str | None
    latest_class: int | None  # the last evaluated month's
    latest_class_label: str | None
    latest_month: str | None
    indicators: tuple[IndicatorExceedance, ...]  # every indicator over Ⅲ in some month, main ones first
    main_pollutants: tuple[str, ...]
    summary: str  # one zh-Hans paragraph saying the above


def _order(e: IndicatorExceedance) -> tuple[int, Decimal, int]:
    position = EVALUATED.index(e.key) if e.key in EVALUATED else len(EVALUATED)
    return (-e.months_over, -e.max_multiple, position)


def exceedance_analysis(months: Mapping[str, Evaluation | None], target_class: int) -> Analysis:
    """The months' evaluations (``None`` or a class-less evaluation for a month without data), keys sorted
    as month labels, against the section's target class."""
    keys = tuple(sorted(months))
    classes: dict[str, int] = {}
    for k in keys:
        ev = months[k]
        if ev is not None and ev.klass is not None:
            classes[k] = ev.klass
    evaluated = tuple(classes)
    meeting = tuple(k for k in evaluated if classes[k] <= target_class)
    missing_target = tuple(k for k in evaluated if k not in meeting)
    over: dict[str, list[tuple[str, Decimal]]] = {}
    deciding: dict[str, int] = {}
    for k in evaluated:
        ev = months[k]
        assert ev is not None
        for key, multiple in ev.exceedances.items():
            over.setdefault(key, []).append((k, multiple))
        for key in ev.deciding:
            deciding[key] = deciding.get(key, 0) + 1
    indicators = []
    for key, seen in over.items():
        top = max(m for _, m in seen)
        indicators.append(
            IndicatorExceedance(
                key=key,
                name=name_of(key),
                months_over=len(seen),
                max_multiple=top,
                max_month=min(month for month, m in seen if m == top),
                deciding_months=deciding.get(key, 0),
            )
        )
    indicators.sort(key=_order)
    worst = max(classes.values(), default=None)
    latest = evaluated[-1] if evaluated else None
    latest_class = classes[latest] if latest else None
    analysis = Analysis(
        months=keys,
        months_evaluated=evaluated,
        months_missing=tuple(k for k in keys if k not in evaluated),
        months_meeting=meeting,
        months_missing_target=missing_target,
        worst_class=worst,
        worst_class_label=CLASS_LABELS[worst] if worst else None,
        latest_class=latest_class,
        latest_class_label=CLASS_LABELS[latest_class] if latest_class else None,
        latest_month=latest,
        indicators=tuple(indicators),
        main_pollutants=tuple(e.key for e in indicators[:MAIN_POLLUTANTS]),
        summary="",
    )
    return _with_summary(analysis, target_class)


def _with_summary(a: Analysis, target_class: int) -> Analysis:
    if not a.months_evaluated:
        return replace(a, summary="所选时段内无监测数据，无法评价。")
    parts = [
        f"{a.months_evaluated[0]} 至 {a.months_evaluated[-1]} 共评价 {len(a.months_evaluated)} 个月，"
        f"{len(a.months_meeting)} 个月达到 {CLASS_LABELS[target_class]} 类目标，"
        f"{len(a.months_missing_target)} 个月未达标；最差 {a.worst_class_label} 类，"
        f"最近一月（{a.latest_month}）{a.latest_class_label} 类。"
    ]
    if a.indicators:
        main = [e for e in a.indicators if e.key in a.main_pollutants]
        parts.append(
            "主要超标指标："
            + "、".join(f"{e.name}（{e.months_over} 个月超Ⅲ类，最大超标 {e.max_multiple} 倍）" for e in main)
            + "。"
        )
    else:
        parts.append("各月均无指标超过Ⅲ类限值。")
    if a.months_missing:
        parts.append(f"{len(a.months_missing)} 个月无监测数据。")
    return replace(a, summary="".join(parts))
