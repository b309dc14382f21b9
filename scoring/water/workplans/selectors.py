"""Reading a 工作方案: its current text, its versions, and part one — the section's months analysed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from geo.models import RiverSection
from kernel.access import Principal

from ...engine import water
from .. import selectors as water_selectors
from ..readouts import EvaluationRow, evaluation_row
from .models import WorkPlan, WorkPlanVersion
from .services import plan_year_check, section_for_plan

RECENT_MONTHS = 12


@dataclass(frozen=True)
class MonthQuality:
    month: str  # YYYY-MM
    evaluation: EvaluationRow | None  # None without samples that month


@dataclass(frozen=True)
class SectionAnalysis:
    """Part one: the section's months (the 12 through the plan's month) and the engine's analysis."""

    first_month: str
    last_month: str
    months: tuple[MonthQuality, ...]
    analysis: water.Analysis


def plan_through(year: int) -> date:
    """The last month a plan for ``year`` looks at: this month for this year, December for past years."""
    today = timezone.localdate()
    return today.replace(day=1) if year == today.year else date(year, 12, 1)


def _months_back(last: date, n: int) -> list[date]:
    out, y, m = [], last.year, last.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def section_analysis(*, section: RiverSection, year: int, months: int = RECENT_MONTHS) -> SectionAnalysis:
    """Each of the recent months' class by the GB 3838 engine (the month's mean of the samples, as
    ``GET /water/evaluations?period=month``) and the exceedance analysis over them."""
    keys = _months_back(plan_through(year), months)
    last_day = water.period_of(keys[-1], water.PeriodKind.MONTH).end
    means = water_selectors.monthly_means([section.pk], keys[0], last_day).get(section.pk, {})
    evaluations: dict[str, water.Evaluation | None] = {}
    for m in keys:
        values = means.get((m.year, m.month))
        evaluations[f"{m:%Y-%m}"] = water_selectors.evaluate_values(section, values) if values else None
    return SectionAnalysis(
        first_month=f"{keys[0]:%Y-%m}",
        last_month=f"{keys[-1]:%Y-%m}",
        months=tuple(
            MonthQuality(k, evaluation_row(ev) if ev is not None else None) for k, ev in evaluations.items()
        ),
        analysis=water.exceedance_analysis(evaluations, section.target_class),
    )


def work_plan_current(*, section_id: int, year: int) -> WorkPlan | None:
    return WorkPlan.objects.select_related("updated_by").filter(section_id=section_id, year=year).first()


def work_plan_versions(*, principal: Principal, section_id: int, year: int) -> QuerySet[WorkPlanVersion]:
    """Every saved version of the section's plan for the year, newest first (scope: 404 outside it)."""
    section_for_plan(principal=principal, section_id=section_id)
    plan_year_check(year)
    return (
        WorkPlanVersion.objects.filter(plan__section_id=section_id, plan__year=year)
        .select_related("saved_by")
        .order_by("-version")
    )
