"""Reads of the spatial registry, always through a scope.

``paths`` is the caller's tuple of scope paths (see ``kernel.access.Principal.region_paths``) or
``None`` for unrestricted. An object outside the scope is reported as not found, never as forbidden:
a town officer must not even learn that another town's facility id exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.db.models import Prefetch, Q, QuerySet

from kernel.errors import InvalidInput, NotFound
from kernel.queries import CompiledOnce
from kernel.scope import Paths, scope_q, scope_sql

from .models import Organisation, Outfall, PumpStation, Region, RegionLevel, RiverSection, SewageFacility

# Boundaries are large; nothing but maps needs them. Region reads defer them unless asked.
HEAVY_REGION_FIELDS = ("boundary",)


def region_list(
    *,
    paths: Paths,
    level: str | None = None,
    parent_id: int | None = None,
    since: datetime | None = None,
    q: str | None = None,
) -> QuerySet[Region]:
    """Regions in scope; ``q`` finds a name containing it or a division code starting with it."""
    qs = (
        Region.objects.filter(scope_q(paths))
        .select_related("parent")
        .defer(*HEAVY_REGION_FIELDS, "parent__boundary")
    )
    if level:
        qs = qs.filter(level=level)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    if q and q.strip():
        qs = qs.filter(Q(name__contains=q.strip()) | Q(code__startswith=q.strip()))
    return qs.order_by("path")


def region_get(*, paths: Paths, region_id: int) -> Region:
    region = (
        Region.objects.filter(scope_q(paths), pk=region_id)
        .select_related("parent")
        .defer(*HEAVY_REGION_FIELDS, "parent__boundary")
        .first()
    )
    if region is None:
        raise NotFound("区划不存在或不在您的管辖范围内", details={"region_id": region_id})
    return region


def town_of(region: Region) -> Region | None:
    """The town (区镇) a region lies in, from its path; ``None`` for the district itself."""
    if region.level == RegionLevel.TOWN:
        return region
    ids = [int(x) for x in region.path.strip("/").split("/")]
    if len(ids) < 2:
        return None
    return Region.objects.defer(*HEAVY_REGION_FIELDS).get(pk=ids[1])


def _section_scope(paths: Paths) -> Q:
    if paths is None:
        return scope_q(None)
    # Visible to whoever covers the section's own region (the district) or one of its responsible towns.
    return scope_q(paths, "region__path") | scope_q(paths, "responsible_towns__path")


def _name_or_code(q: str | None) -> Q:
    """A name containing ``q`` or a code starting with it (no filter for a blank ``q``)."""
    if not q or not q.strip():
        return Q()
    return Q(name__contains=q.strip()) | Q(code__startswith=q.strip())


def section_scope_sql(paths: Paths, section: str, connection: Any) -> tuple[str, list[str]]:
    """``_section_scope`` for hand-written SQL over the section row aliased ``section``: its own region or
    one of its responsible towns in scope (the upstream answer's statements; tested against
    ``section_ids_in_scope``). Two EXISTS probes plan in a fraction of the ORM's joined subquery."""
    if paths is None:
        return "1 = 1", []
    own, own_params = scope_sql(paths, "sg.path", connection)
    towns, towns_params = scope_sql(paths, "tg.path", connection)
    region = Region._meta.db_table
    through = RiverSection.responsible_towns.through._meta.db_table
    # table names and compiled conditions only; values are parameters
    sql = (
        f"(EXISTS (SELECT 1 FROM {region} sg WHERE sg.id = {section}.region_id AND {own})"  # noqa: S608
        f" OR EXISTS (SELECT 1 FROM {through} rt JOIN {region} tg ON tg.id = rt.region_id"
        f" WHERE rt.riversection_id = {section}.id AND {towns}))"
    )
    return sql, [*own_params, *towns_params]


def section_ids_in_scope(paths: Paths) -> QuerySet[RiverSection]:
    """The ids of the sections in scope (a subquery): what ``section_list`` filters on."""
    return RiverSection.objects.filter(_section_scope(paths)).values("pk")


def section_list(
    *, paths: Paths, level: str | None = None, town_id: int | None = None, q: str | None = None
) -> QuerySet[RiverSection]:
    qs = RiverSection.objects.filter(_name_or_code(q), pk__in=section_ids_in_scope(paths))
    if level:
        qs = qs.filter(level=level)
    if town_id is not None:
        qs = qs.filter(responsible_towns__pk=town_id)
    return (
        qs.select_related("region")
        .prefetch_related(Prefetch("responsible_towns", queryset=Region.objects.order_by("path")))
        .order_by("code")
    )


def section_get(*, paths: Paths, section_id: int) -> RiverSection:
    section = section_list(paths=paths).filter(pk=section_id).first()
    if section is None:
        raise NotFound("断面不存在或不在您的管辖范围内", details={"section_id": section_id})
    return section


def facility_list(
    *,
    paths: Paths,
    town_id: int | None = None,
    village_id: int | None = None,
    status: str | None = None,
    q: str | None = None,
) -> QuerySet[SewageFacility]:
    """Facilities in scope; ``q`` finds a name containing it or a code starting with it."""
    qs = (
        SewageFacility.objects.filter(scope_q(paths, "village__path"), _name_or_code(q))
        .select_related("village__parent")
        .defer("village__boundary", "village__parent__boundary")
    )
    if town_id is not None:
        qs = qs.filter(village__parent_id=town_id)
    if village_id is not None:
        qs = qs.filter(village_id=village_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("code")


def facility_get(*, paths: Paths, facility_id: int) -> SewageFacility:
    facility = facility_list(paths=paths).filter(pk=facility_id).first()
    if facility is None:
        raise NotFound("设施不存在或不在您的管辖范围内", details={"facility_id": facility_id})
    return facility


# --- map layers ------------------------------------------------------------------------------------


def parse_bbox(bbox: str | None) -> Polygon | None:
    """``minLon,minLat,maxLon,maxLat`` in WGS-84 → a polygon to filter a layer by (422 when malformed)."""
    if not bbox:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in bbox.split(","))
    except ValueError:
        raise InvalidInput(
            details={"fields": {"bbox": ["应为 最小经度,最小纬度,最大经度,最大纬度"]}}
        ) from None
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise InvalidInput(details={"fields": {"bbox": ["范围无效：最小值须小于最大值且在经纬度范围内"]}})
    return Polygon.from_bbox((x0, y0, x1, y1))


def _within(bbox: str | None, qs: QuerySet[Any]) -> QuerySet[Any]:
    """``qs`` limited to the points inside ``bbox`` (all of it without one)."""
    area = parse_bbox(bbox)
    return qs if area is None else qs.filter(location__within=area)


def feature_collection(objects: Iterable[Any], properties: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946: WGS-84 lon/lat) of objects with a ``location`` point;
    objects without one are included with a null geometry so that a list and its map agree."""
    features = []
    xs: list[float] = []
    ys: list[float] = []
    for obj in objects:
        point = obj.location
        if point is not None:
            xs.append(point.x)
            ys.append(point.y)
        features.append({
            "type": "Feature",
            "id": obj.pk,
            "geometry": None if point is None else {"type": "Point", "coordinates": [point.x, point.y]},
            "properties": properties(obj),
        })  # fmt: skip
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if xs:
        out["bbox"] = [min(xs), min(ys), max(xs), max(ys)]
    return out


def section_layer(
    *, paths: Paths, level: str | None, town_id: int | None, bbox: str | None
) -> dict[str, Any]:
    qs = _within(bbox, section_list(paths=paths, level=level, town_id=town_id))
    return feature_collection(qs, lambda s: {
        "code": s.code, "name": s.name, "river": s.river, "level": s.level, "water_body": s.water_body,
        "target_class": s.target_class, "responsible_towns": [t.name for t in s.responsible_towns.all()],
        "location_quality": s.location_quality, "datum": s.location_datum, "watch_flag": s.watch_flag,
    })  # fmt: skip


def facility_layer(
    *, paths: Paths, town_id: int | None, status: str | None, bbox: str | None
) -> dict[str, Any]:
    qs = _within(bbox, facility_list(paths=paths, town_id=town_id, status=status))
    return feature_collection(qs, lambda f: {
        "code": f.code, "name": f.name, "capacity_tpd": float(f.capacity_tpd), "status": f.status,
        "status_label": f.get_status_display(), "village": f.village.name,
        "town": f.village.parent.name if f.village.parent else "", "meter_number": f.meter_number,
        "operator": f.operator, "location_quality": f.location_quality, "datum": f.location_datum,
    })  # fmt: skip


# --- point lookups ---------------------------------------------------------------------------------

NEAREST_MAX = 50


@dataclass(frozen=True)
class RegionsAt:
    """The regions whose boundaries hold a WGS-84 point, one per level (``None`` where none is drawn or
    none holds it), and the scope paths of the caller (to say which of them it may work in)."""

    point: Point
    district: Region | None
    town: Region | None
    village: Region | None
    natural_village: Region | None
    paths: Paths


def _first_under(hits: list[Region], parent: Region | None) -> Region | None:
    """The first hit under ``parent`` (sloppy boundaries may overlap a neighbour's), else the first hit."""
    if parent is not None:
        for r in hits:
            if r.parent_id == parent.pk:
                return r
    return hits[0] if hits else None


def regions_at(*, point: Point, paths: Paths) -> RegionsAt:
    """The district, town, village and natural village at ``point`` (WGS-84), by boundary containment (a
    point on a shared edge belongs to both; the first by path answers). Administrative geography is
    public: the lookup covers the whole district whatever ``paths`` is, and answers names and codes
    only. 404 ``outside_district`` when no drawn region holds the point (``boundaries_missing`` when
    none is drawn at all)."""
    hits: dict[str, list[Region]] = {level: [] for level in RegionLevel.values}
    found = (
        Region.objects.filter(boundary__intersects=point)
        .defer(*HEAVY_REGION_FIELDS, "centroid")
        .order_by("path")
    )
    for region in found:
        hits[region.level].append(region)
    district = _first_under(hits[RegionLevel.DISTRICT], None)
    town = _first_under(hits[RegionLevel.TOWN], district)
    village = _first_under(hits[RegionLevel.VILLAGE], town)
    natural = _first_under(hits[RegionLevel.NATURAL_VILLAGE], village)
    if not any((district, town, village, natural)):
        if not Region.objects.filter(boundary__isnull=False).exists():
            raise NotFound("尚未导入区划边界，无法按坐标查询所在区划", code="boundaries_missing")
        outline = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("path").first()
        message = f"该坐标不在{outline.name if outline else '本区'}范围内，请核对经纬度与坐标系"
        raise NotFound(
            message, code="outside_district", details={"fields": {"lon": [message], "lat": [message]}}
        )
    return RegionsAt(point, district, town, village, natural, paths)


def in_scope(region: Region, paths: Paths) -> bool:
    return paths is None or any(region.path.startswith(p) for p in paths)


def facility_nearest(*, paths: Paths, point: Point, limit: int) -> QuerySet[SewageFacility]:
    """The facilities in scope nearest ``point`` (WGS-84), each with ``distance`` (a ``D``; ``.m``
    metres): the geodesic on the WGS-84 ellipsoid on both databases (PostGIS ``ST_DistanceSpheroid``,
    SpatiaLite ``Distance(…, 1)``). Facilities without a point are left out."""
    qs = facility_list(paths=paths).filter(location__isnull=False)
    return qs.annotate(distance=Distance("location", point, spheroid=True)).order_by("distance", "code")[
        : max(1, min(limit, NEAREST_MAX))
    ]


def section_nearest(*, paths: Paths, point: Point, limit: int) -> QuerySet[RiverSection]:
    """The sections in scope (as ``section_list``) nearest ``point``, with ``distance`` as
    ``facility_nearest``."""
    qs = section_list(paths=paths).filter(location__isnull=False)
    return qs.annotate(distance=Distance("location", point, spheroid=True)).order_by("distance", "code")[
        : max(1, min(limit, NEAREST_MAX))
    ]


# --- inspection subjects -----------------------------------------------------------------------------

SUBJECT_KINDS = (
    "town", "department", "enterprise", "village", "sewage_facility", "river_section", "outfall",
    "pump_station",
)  # fmt: skip


# A town or village subject (every town inspection) by its key: the statement compiled once per process.
_REGION_OF_LEVEL = {
    level: CompiledOnce(
        lambda pk, level=level: Region.objects.filter(pk=pk, level=level).defer(*HEAVY_REGION_FIELDS),
        integer=True,
    )
    for level in ("town", "village")
}


@dataclass(frozen=True)
class Subject:
    """Anything an inspection can be about, reduced to what other apps need: where it is for scoping."""

    kind: str
    id: int
    name: str
    region: Region  # the region whose path scopes it (a facility's village, an enterprise's town, …)
    town: Region | None  # the 区镇 it belongs to, when there is one
    location: Any  # WGS-84 Point or None


def subject_get(*, kind: str, subject_id: int) -> Subject:
    """Resolve a subject reference; raise ``NotFound`` (with the fields) when it does not exist."""
    not_found = NotFound("检查对象不存在", details={"fields": {"subject": [f"{kind} #{subject_id} 不存在"]}})
    if kind in ("town", "village"):
        region = next(iter(_REGION_OF_LEVEL[kind].objects(subject_id)), None)
        if region is None:
            raise not_found
        return Subject(kind, region.pk, region.name, region, town_of(region), region.centroid)
    if kind in ("department", "enterprise"):
        org = (
            Organisation.objects.filter(pk=subject_id, kind=kind)
            .select_related("region")
            .defer("region__boundary")
            .first()
        )
        if org is None:
            raise not_found
        return Subject(kind, org.pk, org.name, org.region, town_of(org.region), org.location)
    if kind == "sewage_facility":
        fac = (
            SewageFacility.objects.filter(pk=subject_id)
            .select_related("village__parent")
            .defer("village__boundary", "village__parent__boundary")
            .first()
        )
        if fac is None:
            raise not_found
        return Subject(kind, fac.pk, fac.name, fac.village, fac.village.parent, fac.location)
    if kind == "river_section":
        sec = (
            RiverSection.objects.filter(pk=subject_id)
            .select_related("region")
            .defer("region__boundary")
            .first()
        )
        if sec is None:
            raise not_found
        return Subject(kind, sec.pk, sec.name, sec.region, None, sec.location)
    if kind == "outfall":  # scoped by its responsible town
        out = Outfall.objects.filter(pk=subject_id).select_related("town").defer("town__boundary").first()
        if out is None:
            raise not_found
        return Subject(kind, out.pk, out.name, out.town, out.town, out.location)
    if kind == "pump_station":
        station = (
            PumpStation.objects.filter(pk=subject_id).select_related("town").defer("town__boundary").first()
        )
        if station is None:
            raise not_found
        return Subject(kind, station.pk, station.name, station.town, station.town, station.location)
    raise InvalidInput(details={"fields": {"subject.kind": ["检查对象类型不受支持"]}})


def subjects_visible(*, paths: Paths, subjects: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
    """Which of these subjects (kind, id) lie in the scope ``paths``, by the registry's own read rules
    (a section: its region or one of its responsible towns). Unknown kinds and ids are not visible."""
    ids: dict[str, set[int]] = {}
    for kind, subject_id in subjects:
        ids.setdefault(kind, set()).add(subject_id)
    found: set[tuple[str, int]] = set()
    for kind, wanted in ids.items():
        qs: QuerySet[Any]
        if kind in ("town", "village"):
            qs = Region.objects.filter(scope_q(paths), level=kind)
        elif kind in ("department", "enterprise"):
            qs = Organisation.objects.filter(scope_q(paths, "region__path"), kind=kind)
        elif kind == "sewage_facility":
            qs = SewageFacility.objects.filter(scope_q(paths, "village__path"))
        elif kind == "river_section":
            qs = RiverSection.objects.filter(_section_scope(paths))
        elif kind == "outfall":
            qs = Outfall.objects.filter(scope_q(paths, "town__path"))
        elif kind == "pump_station":
            qs = PumpStation.objects.filter(scope_q(paths, "town__path"))
        else:
            continue
        found |= {(kind, pk) for pk in qs.filter(pk__in=wanted).values_list("pk", flat=True).distinct()}
    return found


def subject_candidates(*, kind: str, town_ids: list[int]) -> dict[int, list[int]]:
    """Subject ids of ``kind`` per town, sorted: the population a spot check samples from."""
    result: dict[int, list[int]] = {t: [] for t in town_ids}
    if kind == "village":
        rows = Region.objects.filter(level="village", parent_id__in=town_ids).values_list("parent_id", "pk")
    elif kind == "enterprise":
        rows = Organisation.objects.filter(kind="enterprise", region_id__in=town_ids).values_list(
            "region_id", "pk"
        )
    elif kind == "sewage_facility":
        rows = SewageFacility.objects.filter(village__parent_id__in=town_ids).values_list(
            "village__parent_id", "pk"
        )
    else:
        raise InvalidInput(
            details={"fields": {"subject_kind": ["抽查对象应为 village、enterprise 或 sewage_facility"]}}
        )
    for town_id, pk in rows:
        result[town_id].append(pk)
    return {t: sorted(v) for t, v in result.items()}
