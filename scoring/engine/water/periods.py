"""Periods (旬, month, quarter, year, year to date) and a period's means from dated samples."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import partial
from types import MappingProxyType

from .means import _mean, _ordered
from .readings import CensoredRule, MeanOf, Problem, _attempt, _raise_if, _setting, parse_values, quantise

DEKAD_LABELS = MappingProxyType({1: "上旬", 2: "中旬", 3: "下旬"})


class PeriodKind(StrEnum):
    DEKAD = "dekad"  # 旬
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    YTD = "ytd"  # 1 January up to and including the given day


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    key: str  # "2024-03-D2", "2024-03", "2024-Q1", "2024", "2024-YTD-03-15"
    label: str  # zh-Hans
    start: date
    end: date  # inclusive

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end


def dekad(d: date) -> int:
    """1 上旬 (days 1–10), 2 中旬 (11–20), 3 下旬 (21 to the month's end)."""
    return 1 if d.day <= 10 else 2 if d.day <= 20 else 3


def period_of(d: date, kind: PeriodKind | str) -> Period:
    kind = _setting(PeriodKind, kind, "period")
    y, m = d.year, d.month
    month_end = date(y, m, calendar.monthrange(y, m)[1])
    match kind:
        case PeriodKind.DEKAD:
            n = dekad(d)
            start, end = date(y, m, 10 * n - 9), (date(y, m, 10 * n) if n < 3 else month_end)
            return Period(kind, f"{y}-{m:02d}-D{n}", f"{y}年{m}月{DEKAD_LABELS[n]}", start, end)
        case PeriodKind.MONTH:
            return Period(kind, f"{y}-{m:02d}", f"{y}年{m}月", date(y, m, 1), month_end)
        case PeriodKind.QUARTER:
            q = (m - 1) // 3 + 1
            last = date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])
            return Period(kind, f"{y}-Q{q}", f"{y}年第{q}季度", date(y, 3 * q - 2, 1), last)
        case PeriodKind.YEAR:
            return Period(kind, f"{y}", f"{y}年", date(y, 1, 1), date(y, 12, 31))
    return Period(kind, f"{y}-YTD-{m:02d}-{d.day:02d}", f"{y}年1月1日至{m}月{d.day}日", date(y, 1, 1), d)


@dataclass(frozen=True)
class Sample:
    taken: date
    values: Mapping[str, object]  # key → number, Reading or lab text


def period_values(
    samples: Sequence[Sample],
    period: Period,
    *,
    mean_of: MeanOf | str = MeanOf.SAMPLES,
    censored: CensoredRule | str = CensoredRule.HALF_DL,
) -> dict[str, Decimal]:
    """Each indicator's mean over the samples taken in ``period`` (problems carry the sample's index).
    With MONTHLY_MEANS each month is averaged first, then the months (each month that measured it)."""
    monthly = _setting(MeanOf, mean_of, "mean_of") is MeanOf.MONTHLY_MEANS
    by_month = monthly and period.kind not in (PeriodKind.DEKAD, PeriodKind.MONTH)
    rule = _setting(CensoredRule, censored, "censored")
    problems: list[Problem] = []
    groups: dict[str, dict[tuple[int, int], list[Decimal]]] = {}
    for i, s in enumerate(samples):
        if s.taken not in period:
            continue
        bucket = (s.taken.year, s.taken.month) if by_month else (0, 0)
        for k, r in (_attempt(problems, partial(parse_values, s.values), i) or {}).items():
            groups.setdefault(k, {}).setdefault(bucket, []).append(quantise(k, r.resolve(rule)))
    _raise_if(problems)
    return {k: _mean(k, [_mean(k, vs) for vs in groups[k].values()]) for k in _ordered(groups)}
