"""A section's year: 稳Ⅲ / 提Ⅲ, DO alerts and the trend against the same month last year."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from .classification import Evaluation
from .means import group_cwqi
from .readings import Problem, _attempt, _check_context, _raise_if, to_decimal
from .standard import DO_ALERT, RIVER, TARGET_CLASS, ZERO

RAISE_REASON_LABELS = MappingProxyType(
    {
        "cwqi_above_average": "水质指数高于平均水平",
        "flagged": "人工标记（水质波动等）",
        "do_alert": "溶解氧预警",
    }
)


@dataclass(frozen=True)
class SectionStatus:
    target_class: int
    months_evaluated: tuple[int, ...]
    months_meeting: tuple[int, ...]
    months_missing: tuple[int, ...]  # months in scope without an evaluation
    steady_iii: bool  # 稳Ⅲ: missed the target in at least one evaluated month
    raise_iii: bool  # 提Ⅲ: see raise_reasons
    raise_reasons: tuple[str, ...]  # codes of RAISE_REASON_LABELS
    do_alert_months: tuple[int, ...]
    cwqi: Decimal | None  # the section's CWQI for the year (given, or from the monthly values)
    trend: Mapping[int, str]  # month → "better" / "same" / "worse" against the same month last year


def trend(current: Evaluation | None, previous: Evaluation | None) -> str | None:
    """Lower class is better; on equal classes, lower CWQI. None when either side is not evaluated."""
    if current is None or previous is None or current.klass is None or previous.klass is None:
        return None
    mine = (current.klass, current.cwqi if current.cwqi is not None else ZERO)
    theirs = (previous.klass, previous.cwqi if previous.cwqi is not None else ZERO)
    return "better" if mine < theirs else "worse" if mine > theirs else "same"


def section_status(
    months: Mapping[int, Evaluation | None],
    *,
    target_class: int = TARGET_CLASS,
    average_cwqi: Decimal | None = None,
    cwqi: Decimal | None = None,
    do_means: Mapping[int, object] | None = None,
    do_alert: Decimal = DO_ALERT,
    flagged: bool = False,
    last_year: Mapping[int, Evaluation | None] | None = None,
    through: int = 12,
) -> SectionStatus:
    """A section's year (months 1..``through``): target months, 稳Ⅲ / 提Ⅲ, DO alerts and the trend.
    ``do_means`` overrides the DO in the monthly evaluations; ``cwqi`` defaults to the CWQI of the
    monthly values averaged per indicator (mean of monthly means)."""
    problems = [
        Problem(str(m), "invalid_month", f"月份应为 1 到 12：{m}")
        for m in (*months, *(do_means or {}), *(last_year or {}), through)
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 12
    ]
    _attempt(problems, lambda: _check_context(RIVER, target_class))
    _raise_if(problems)
    scope = range(1, through + 1)
    found: dict[int, Evaluation] = {}
    for m in scope:
        e = months.get(m)
        if e is not None and e.klass is not None:
            found[m] = e
    evaluated = tuple(found)
    meeting = tuple(m for m, e in found.items() if e.klass is not None and e.klass <= target_class)
    do: dict[int, Decimal] = {}
    for m in scope:
        given = (do_means or {}).get(m)
        if given is not None:
            do[m] = to_decimal("do", given)
        elif m in found and "do" in found[m].values:
            do[m] = found[m].values["do"]
    alerts = tuple(m for m, v in do.items() if v < do_alert)
    if cwqi is None and evaluated:
        cwqi = group_cwqi([found[m].values for m in evaluated], found[evaluated[0]].water_body)
    reasons = []
    if cwqi is not None and average_cwqi is not None and cwqi > average_cwqi:
        reasons.append("cwqi_above_average")
    if flagged:
        reasons.append("flagged")
    if alerts:
        reasons.append("do_alert")
    trends = {m: t for m in evaluated if (t := trend(found[m], (last_year or {}).get(m))) is not None}
    return SectionStatus(
        target_class=target_class,
        months_evaluated=evaluated,
        months_meeting=meeting,
        months_missing=tuple(m for m in scope if m not in found),
        steady_iii=len(meeting) < len(evaluated),
        raise_iii=bool(reasons),
        raise_reasons=tuple(reasons),
        do_alert_months=alerts,
        cwqi=cwqi,
        trend=trends,
    )
