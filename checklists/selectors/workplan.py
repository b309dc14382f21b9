"""稳Ⅲ提Ⅲ 工作方案 of a section (海政办发〔2022〕65号 item 15), assembled from the data in its three parts:

1. the section's water quality and why it exceeds — its class month by month over the recent months and the
   main pollutants, from the GB 3838 engine (``scoring.water.workplans``), the year's 稳Ⅲ / 提Ⅲ status, and
   the plan's editable analysis text (every saved version kept);
2. the first-level tributaries (一级支流) within 10 km upstream along the water, with their latest class
   (the upstream answer's ``rivers``);
3. the problems found by tracing (溯源排查): the rectifications at the sites reached upstream — open ones, and
   those closed this year — each at its point, with its measure, deadline, department and state.

Here because the problems are this app's rectifications; the plan's text and part one are scoring's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from geo.models import SectionLevel
from kernel.access import Principal
from kernel.errors import Conflict
from scoring.engine.water import CLASS_LABELS, Analysis
from scoring.water.services import section_statuses
from scoring.water.workplans.selectors import MonthQuality, section_analysis, work_plan_current
from scoring.water.workplans.services import plan_year_check, section_for_plan

from ..models import Rectification, RectificationStatus
from .upstream import SectionUpstream, UpstreamProblem, section_upstream, upstream_problems_closed

PLAN_KM = 10.0  # "断面上游10公里范围内"
UNREACHABLE = ("no_river_network", "section_not_on_network")
MEASURE_ACTIONS = ("start", "submit")  # transitions whose note is the responsible unit's own measure


@dataclass(frozen=True)
class PlanSection:
    id: int
    code: str
    name: str
    river: str
    level: str
    level_label: str
    target_class: int
    target_label: str
    responsible_towns: tuple[str, ...]


@dataclass(frozen=True)
class PlanQuality:
    """Part one."""

    first_month: str
    last_month: str
    months: tuple[MonthQuality, ...]
    analysis: Analysis
    steady_iii: bool | None
    raise_iii: bool | None
    raise_reasons: tuple[str, ...]


@dataclass(frozen=True)
class PlanTributary:
    river_id: str
    name: str
    level: int | None
    level_overridden: bool
    distance_m: float
    water_class: int | None
    water_class_label: str | None
    water_class_month: str | None
    water_class_section: str | None


@dataclass(frozen=True)
class PlanProblem:
    id: int
    site_kind: str
    site_id: int
    site_name: str
    lon: float | None
    lat: float | None
    distance_m: float
    item_title: str
    reason: str
    measure: str
    category: str
    deadline: date | None
    responsible_unit: str
    responsible_person: str | None
    status: str
    status_label: str
    is_open: bool
    overdue: bool
    overdue_since: date | None
    closed_at: datetime | None


@dataclass(frozen=True)
class SectionWorkPlan:
    section: PlanSection
    year: int
    km: float
    version: int
    analysis_text: str
    document_number: str
    saved_by: str | None
    saved_at: datetime | None
    quality: PlanQuality
    network_id: int | None
    network_synthetic: bool | None
    upstream_unavailable: str | None  # the reason code when the network cannot be traced
    upstream_message: str | None
    tributaries: tuple[PlanTributary, ...]
    problems: tuple[PlanProblem, ...]
    problems_open: int
    problems_closed: int
    generated_at: datetime


def _section(s: object) -> PlanSection:
    return PlanSection(
        s.pk, s.code, s.name, s.river, s.level, SectionLevel(s.level).label, s.target_class,  # type: ignore[attr-defined]
        CLASS_LABELS[s.target_class], tuple(t.name for t in s.responsible_towns.all()),  # type: ignore[attr-defined]
    )  # fmt: skip


def _quality(principal: Principal, section: object, year: int) -> PlanQuality:
    part = section_analysis(section=section, year=year)  # type: ignore[arg-type]
    statuses = section_statuses(principal=principal, year=year, section_id=section.pk)  # type: ignore[attr-defined]
    status = statuses.sections[0] if statuses.sections else None
    return PlanQuality(
        part.first_month, part.last_month, part.months, part.analysis,
        status.steady_iii if status else None, status.raise_iii if status else None,
        status.raise_reasons if status else (),
    )  # fmt: skip


def _measures(ids: list[int]) -> dict[int, str]:
    """Each rectification's measure as its responsible unit wrote it: the latest note of a start or
    submit transition (the data holds no separate 整改措施 field)."""
    out: dict[int, str] = {}
    for pk, history in Rectification.objects.filter(pk__in=ids).values_list("pk", "history"):
        notes = [h.get("note", "") for h in history or [] if h.get("action") in MEASURE_ACTIONS]
        out[pk] = next((n for n in reversed(notes) if n), "")
    return out


def _problems(open_: tuple[UpstreamProblem, ...], closed: tuple[UpstreamProblem, ...]) -> list[PlanProblem]:
    measures = _measures([p.id for p in (*open_, *closed)])
    out = []
    for p, is_open in [(p, True) for p in open_] + [(p, False) for p in closed]:
        out.append(
            PlanProblem(
                p.id, p.site_kind, p.site_id, p.site_name, p.lon, p.lat, p.distance_m, p.item_title, p.reason,
                measures.get(p.id, ""), p.category, p.deadline, p.responsible_unit, None, p.status,
                RectificationStatus(p.status).label, is_open, p.overdue, p.overdue_since, p.closed_at,
            )
        )  # fmt: skip
    return out


def section_work_plan(*, principal: Principal, section_id: int, year: int) -> SectionWorkPlan:
    """The section's plan for ``year`` as the data stands (404 outside the caller's scope; 422 for a
    future year). Without a river network, or with the section off it, parts two and three are empty and
    ``upstream_unavailable`` says why — part one and the text do not need the network."""
    section = section_for_plan(principal=principal, section_id=section_id)
    plan_year_check(year)
    plan = work_plan_current(section_id=section.pk, year=year)
    upstream: SectionUpstream | None = None
    unavailable: Conflict | None = None
    try:
        upstream = section_upstream(principal=principal, section_id=section.pk, km=PLAN_KM)
    except Conflict as exc:
        if exc.code not in UNREACHABLE:
            raise
        unavailable = exc
    problems: list[PlanProblem] = []
    if upstream is not None:
        since = datetime.combine(date(year, 1, 1), time(), timezone.get_default_timezone())
        problems = _problems(
            upstream.problems, upstream_problems_closed(upstream, principal=principal, since=since)
        )
    tributaries = tuple(
        PlanTributary(r.river_id, r.name, r.level, r.level_overridden, r.distance_m, r.water_class,
                      r.water_class_label, r.water_class_month, r.water_class_section)
        for r in (upstream.rivers if upstream else ()) if r.first_level_tributary
    )  # fmt: skip
    return SectionWorkPlan(
        section=_section(section),
        year=year,
        km=PLAN_KM,
        version=plan.version if plan else 0,
        analysis_text=plan.analysis if plan else "",
        document_number=plan.document_number if plan else "",
        saved_by=plan.updated_by.username if plan and plan.updated_by else None,
        saved_at=plan.updated_at if plan else None,
        quality=_quality(principal, section, year),
        network_id=upstream.network_id if upstream else None,
        network_synthetic=upstream.network_synthetic if upstream else None,
        upstream_unavailable=unavailable.code if unavailable else None,
        upstream_message=unavailable.message if unavailable else None,
        tributaries=tributaries,
        problems=tuple(problems),
        problems_open=sum(1 for p in problems if p.is_open),
        problems_closed=sum(1 for p in problems if not p.is_open),
        generated_at=timezone.now(),
    )
