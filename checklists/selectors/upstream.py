"""溯源 (海政办发〔2022〕65号 items 15, 19): what lies upstream of a section along the river network — the
rivers and tributaries reached (with the latest class of a section on them), the sewage facilities and the
open rectifications at them, each with its distance along the water. Here because the rectifications are
this app's; the graph is geo's (``geo.rivers.selectors``), the water classes scoring's.

Outfalls (排污口, item 19) are a list of their own, snapped to the same network (``SiteKind.OUTFALL``) and
read the same way; pump stations (排涝泵站) join when their registry lands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from geo.functions import Lat, Lon
from geo.models import Outfall, PumpStation, Region, SiteKind
from geo.rivers.selectors import FacilityReached, RiverReached, SiteReached, section_upstream_read
from geo.selectors import section_list
from kernel.access import Principal
from kernel.queries import AnyOf, any_of_sql, cursor_moment
from kernel.scope import Paths, scope_q, scope_sql
from scoring.water.selectors import LATEST_SAMPLES_SQL, latest_classes

from ..models import RECTIFICATION_DONE, Finding, Rectification, RectificationStatus


@dataclass(frozen=True)
class UpstreamRiver:
    river_id: str
    name: str
    level: int | None
    level_overridden: bool
    first_level_tributary: bool
    is_section_river: bool
    distance_m: float
    water_class: int | None  # 1–6 (6 = 劣Ⅴ), the latest month a section on this river was measured
    water_class_label: str | None
    water_class_month: str | None  # YYYY-MM
    water_class_section: str | None  # the section's name


class UpstreamSite(Protocol):
    """What every site reached upstream has (facilities; outfalls and pump stations to come)."""

    @property
    def id(self) -> int: ...
    @property
    def lon(self) -> float | None: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def distance_m(self) -> float: ...


UpstreamFacility = FacilityReached  # read with the sites, in the answer's shape (geo.rivers.selectors)


@dataclass(frozen=True)
class UpstreamOutfall:
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    town: str
    discharger: str
    receiving_water: str
    decision: str
    state: str
    state_label: str
    last_inspected_at: datetime | None
    distance_m: float
    snap_distance_m: float
    river_id: str
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class UpstreamPumpStation:
    id: int
    code: str
    name: str
    town: str
    river: str
    holds_sewage: bool  # 拦蓄污水 (item 19's list)
    sewage_found_on: date | None
    sewage_cleared_on: date | None  # 清零
    last_inspected_at: datetime | None
    distance_m: float
    snap_distance_m: float
    river_id: str
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class UpstreamProblem:
    id: int
    site_kind: str  # the rectification's subject kind: sewage_facility, outfall, pump_station
    site_id: int
    site_name: str
    lon: float | None  # the site's point (WGS-84): "明确到具体点位"
    lat: float | None
    item_title: str
    reason: str
    category: str
    responsible_unit: str
    status: str
    deadline: date | None
    overdue: bool
    overdue_since: date | None
    distance_m: float
    closed_at: datetime | None = None  # when it was closed (销号); only the work plan lists closed ones


@dataclass(frozen=True)
class SectionUpstream:
    section_id: int
    section_code: str
    section_name: str
    km: float
    network_id: int
    network_synthetic: bool
    network_source: str
    river_id: str
    river_name: str
    snap_distance_m: float
    rivers: tuple[UpstreamRiver, ...]
    facilities: tuple[UpstreamFacility, ...]
    outfalls: tuple[UpstreamOutfall, ...]
    outfall_coverage: dict[str, int]  # {year, total, inspected}: 有口皆查 this year (see outfall_coverage)
    pump_stations: tuple[UpstreamPumpStation, ...]
    problems: tuple[UpstreamProblem, ...]


def section_upstream(*, principal: Principal, section_id: int, km: float) -> SectionUpstream:
    """Within ``km`` along the water upstream of a section in the caller's scope (404 otherwise).
    Facilities and problems are those in the caller's scope; rivers are district-wide geography.

    The section with its snap (when not as last read), then the sites with the facilities' rows and the
    sections on the rivers reached (``section_upstream_read``); the outfalls' and pump stations' rows (when
    any is reached), then the open problems with the latest samples of those sections in one statement."""
    paths = principal.region_paths()
    read = section_upstream_read(paths=paths, section_id=section_id, max_distance_m=km * 1000.0)
    reach = read.reach
    facilities = read.facilities
    outfalls = _outfalls(reach.sites[SiteKind.OUTFALL], paths)
    pump_stations = _pump_stations(reach.sites[SiteKind.PUMP_STATION], paths)
    sites: dict[str, tuple[UpstreamSite, ...]] = {
        SiteKind.SEWAGE_FACILITY: facilities,
        SiteKind.OUTFALL: outfalls,
        SiteKind.PUMP_STATION: pump_stations,
    }
    measured = [s for ids in read.sections_on_rivers.values() for s in ids]
    problems, last = _open_problems_and_samples(sites, measured, paths)
    return SectionUpstream(
        section_id=read.section_id,
        section_code=read.section_code,
        section_name=read.section_name,
        km=km,
        network_id=reach.network_id,
        network_synthetic=reach.network_synthetic,
        network_source=reach.network_source,
        river_id=reach.river_id,
        river_name=reach.river_name,
        snap_distance_m=reach.snap_distance_m,
        rivers=_rivers(reach.rivers, read.sections_on_rivers, paths, last),
        facilities=facilities,
        outfalls=outfalls,
        outfall_coverage=_coverage(outfalls),
        pump_stations=pump_stations,
        problems=problems,
    )


def _rivers(
    rivers: tuple[RiverReached, ...],
    on_river: dict[str, tuple[int, ...]],
    paths: Paths,
    last: dict[int, datetime],
) -> tuple[UpstreamRiver, ...]:
    """The rivers reached, each with the latest class of an active section in scope on it (``last``: the
    latest sample of each of those sections, as read with the problems)."""
    classes = latest_classes([s for ids in on_river.values() for s in ids], last=last)
    names = (
        dict(
            section_list(paths=paths)
            .prefetch_related(None)
            .filter(pk__in=list(classes))
            .values_list("pk", "name")
        )
        if classes
        else {}
    )
    out = []
    for r in rivers:
        measured = [s for s in on_river.get(r.river_id, ()) if s in classes]
        latest = max(measured, key=lambda s: (classes[s]["month"], -s), default=None)
        c = classes[latest] if latest is not None else None
        out.append(
            UpstreamRiver(
                r.river_id,
                r.name,
                r.level,
                r.level_overridden,
                r.first_level_tributary,
                r.is_section_river,
                r.distance_m,
                c["class"] if c else None,
                c["class_label"] if c else None,
                c["month"].strftime("%Y-%m") if c else None,
                names.get(latest) if c else None,
            )
        )
    return tuple(out)


def _outfalls(reached: tuple[SiteReached, ...], paths: Paths) -> tuple[UpstreamOutfall, ...]:
    """The outfalls reached, in the caller's scope (an outfall is its responsible town's)."""
    by_id = {s.site_id: s for s in reached}
    if not by_id:
        return ()
    rows = (
        Outfall.objects.filter(scope_q(paths, "town__path"), AnyOf(F("pk"), by_id))
        .select_related("town")
        .only(
            "code", "name", "kind", "discharger", "receiving_water", "decision", "state", "last_inspected_at",
            "town__name",
        )
        .annotate(lon=Lon("location"), lat=Lat("location"))
        .order_by()
    )  # fmt: skip
    out = []
    for o in rows:
        reached_at = by_id[o.pk]
        out.append(
            UpstreamOutfall(
                o.pk, o.code, o.name, o.kind, o.get_kind_display(), o.town.name, o.discharger,
                o.receiving_water, o.decision, o.state, o.get_state_display(), o.last_inspected_at,
                reached_at.distance_m, reached_at.snap_distance_m, reached_at.river_id, o.lon, o.lat,
            )
        )  # fmt: skip
    return tuple(sorted(out, key=lambda f: (f.distance_m, f.id)))


def _coverage(outfalls: tuple[UpstreamOutfall, ...]) -> dict[str, int]:
    from .outfall_coverage import outfalls_inspected

    year = timezone.localdate().year
    done = outfalls_inspected([o.id for o in outfalls], year) if outfalls else {}
    return {"year": year, "total": len(outfalls), "inspected": len(done)}


def upstream_sites(upstream: SectionUpstream) -> dict[str, tuple[UpstreamSite, ...]]:
    """The sites reached, per site kind, as ``section_upstream`` passes them to ``_problems``: a site kind
    added to the answer is added here too (``tests/checklists/test_work_plan.py`` checks that every list of
    sites in ``SectionUpstream`` is here)."""
    return {
        SiteKind.SEWAGE_FACILITY: upstream.facilities,
        SiteKind.OUTFALL: upstream.outfalls,
        SiteKind.PUMP_STATION: upstream.pump_stations,
    }


def upstream_problems_closed(
    upstream: SectionUpstream, *, principal: Principal, since: datetime
) -> tuple[UpstreamProblem, ...]:
    """The rectifications at the sites of an upstream answer closed (销号) since ``since``, in scope."""
    return _problems(upstream_sites(upstream), principal.region_paths(), closed_since=since)


def _pump_stations(reached: tuple[SiteReached, ...], paths: Paths) -> tuple[UpstreamPumpStation, ...]:
    by_id = {s.site_id: s for s in reached}
    if not by_id:
        return ()
    rows = (
        PumpStation.objects.filter(scope_q(paths, "town__path"), AnyOf(F("pk"), by_id))
        .annotate(lon=Lon("location"), lat=Lat("location"))
        .order_by()
        .values_list(
            "pk", "code", "name", "town__name", "river", "holds_sewage", "sewage_found_on",
            "sewage_cleared_on", "last_inspected_at", "lon", "lat",
        )
    )  # fmt: skip
    out = []
    for pk, code, name, town, river, holds, found, cleared, inspected, lon, lat in rows:
        s = by_id[pk]
        out.append(
            UpstreamPumpStation(
                pk, code, name, town, river, holds, found, cleared, inspected, s.distance_m,
                s.snap_distance_m, s.river_id, lon, lat,
            )
        )  # fmt: skip
    return tuple(sorted(out, key=lambda p: (p.distance_m, p.id)))


def _problems(
    sites: dict[str, tuple[UpstreamSite, ...]], paths: Paths, *, closed_since: datetime | None = None
) -> tuple[UpstreamProblem, ...]:
    """The open rectifications at the sites reached, per site kind (a site kind is also the subject kind of
    its rectifications), each at its site's point and distance along the water; with ``closed_since``, the
    ones closed since then instead. One statement for every kind reached."""
    at = {(kind, site.id): site for kind, reached in sites.items() for site in reached}
    if not at:
        return ()
    if closed_since is None:
        return _open_problems_and_samples(sites, [], paths)[0]
    kinds = Q()
    for kind, reached in sites.items():
        if reached:
            kinds |= Q(AnyOf(F("subject_id"), [site.id for site in reached]), subject_kind=kind)
    rows = Rectification.objects.filter(scope_q(paths, "subject_region__path"), kinds).select_related(
        "finding"
    )
    if closed_since is None:
        rows = rows.exclude(status__in=RECTIFICATION_DONE)
    else:
        rows = rows.filter(status=RectificationStatus.CLOSED, closed_at__gte=closed_since)
    out = []
    for r in rows.order_by():
        site = at[(r.subject_kind, r.subject_id)]
        out.append(
            UpstreamProblem(
                r.pk, r.subject_kind, r.subject_id, r.subject_name, site.lon, site.lat, r.finding.item_title,
                r.finding.reason, r.category, r.responsible_unit, r.status, r.deadline, r.overdue,
                r.overdue_since, site.distance_m, r.closed_at,
            )
        )  # fmt: skip
    return tuple(sorted(out, key=lambda p: (p.distance_m, p.deadline or date.max, p.id)))


# The open rectifications at the sites reached, in scope: ``_problems``' rows, hand-written (the ORM's
# statement and model rows cost more than the read in bench/upstream, where ~600 sites are reached) — and in
# the same statement the latest sample of each section on the rivers reached (``latest_classes``' first read).
_OPEN_PROBLEMS_SQL = """
SELECT 'problem', r.id, r.subject_kind, r.subject_id, r.subject_name, f.item_title, f.reason, r.category,
       r.responsible_unit, r.status, r.deadline, r.overdue, r.overdue_since, r.closed_at
FROM {rectification} r
JOIN {finding} f ON f.id = r.finding_id
LEFT JOIN {region} g ON g.id = r.subject_region_id
WHERE ({kinds}) AND {scope} AND r.status NOT IN ({done})
"""
_SAMPLES_SQL = """
SELECT 'sample', x.section_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, x.sampled_at
FROM ({latest}) x
"""


def _open_problems_and_samples(
    sites: dict[str, tuple[UpstreamSite, ...]], sections: list[int], paths: Paths
) -> tuple[tuple[UpstreamProblem, ...], dict[int, datetime]]:
    """The open problems at ``sites`` (by distance, deadline) and the latest sample of each of ``sections``,
    in one statement (none when there is neither)."""
    at = {(kind, site.id): site for kind, reached in sites.items() for site in reached}
    parts: list[str] = []
    params: list[object] = []
    if at:
        kinds = []
        for kind, reached in sites.items():
            if reached:
                ids_sql, ids_params = any_of_sql("r.subject_id", [site.id for site in reached], connection)
                kinds.append(f"(r.subject_kind = %s AND {ids_sql})")
                params += [kind, *ids_params]
        scope, scope_params = scope_sql(paths, "g.path", connection)
        parts.append(
            _OPEN_PROBLEMS_SQL.format(
                rectification=Rectification._meta.db_table,
                finding=Finding._meta.db_table,
                region=Region._meta.db_table,
                kinds=" OR ".join(kinds),
                scope=scope,
                done=", ".join(["%s"] * len(RECTIFICATION_DONE)),
            )
        )
        params += [*scope_params, *RECTIFICATION_DONE]
    if sections:
        sections_sql, sections_params = any_of_sql("m.section_id", sections, connection)
        latest = LATEST_SAMPLES_SQL.format(sections=sections_sql)
        parts.append(_SAMPLES_SQL.format(latest=latest))
        params += sections_params
    if not parts:
        return (), {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    out, last = [], {}
    for (
        tag,
        pk,
        kind,
        subject_id,
        name,
        title,
        reason,
        category,
        unit,
        status,
        *late,
        closed,
    ) in rows:
        if tag == "sample":
            last[pk] = cursor_moment(closed, connection)
            continue
        site, (deadline, overdue, since) = at[(kind, subject_id)], late
        out.append(
            UpstreamProblem(
                pk, kind, subject_id, name, site.lon, site.lat, title, reason, category, unit, status,
                _day(deadline), bool(overdue), _day(since), site.distance_m,
                cursor_moment(closed, connection),
            )
        )  # fmt: skip
    return tuple(sorted(out, key=lambda p: (p.distance_m, p.deadline or date.max, p.id))), last


def _day(value: date | str | None) -> date | None:
    """A date column as a cursor reads it (a date; text on SQLite where the column's type is not seen)."""
    return date.fromisoformat(value) if isinstance(value, str) else value
