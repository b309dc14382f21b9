"""Writes to the spatial registry. Each checks the caller's scope, validates, writes and audits atomically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Point
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Now, Substr
from django.utils import timezone

from kernel.access import REGION_IDENTITY_EDITORS, REGISTRY_EDITORS, Principal
from kernel.audit.services import audit_record, snapshot
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from . import coords, ledger
from .boundaries import BoundaryDistances
from .models import (
    PARENT_LEVEL,
    FacilityCondition,
    FacilityStatus,
    LocationQuality,
    Region,
    RegionLevel,
    RiverSection,
    SewageFacility,
)
from .selectors import facility_get, region_get, region_list


@dataclass(frozen=True)
class LocationInput:
    """A point as a client or a ledger gives it: in some datum, with a trust level."""

    lon: float
    lat: float
    datum: str = coords.Datum.WGS84
    quality: str = LocationQuality.SURVEYED


def located_fields(loc: LocationInput | None, *, field: str = "location") -> dict[str, Any]:
    """Model field values for ``Located``: the WGS-84 point plus the datum and raw values as received."""
    if loc is None:
        return {
            "location": None,
            "location_datum": "",
            "location_raw_lon": None,
            "location_raw_lat": None,
        }
    lon, lat = float(loc.lon), float(loc.lat)
    point, datum = wgs84_point(lon, lat, loc.datum, field=field, datum_field=f"{field}.datum")
    if loc.quality not in LocationQuality.values:
        raise InvalidInput(details={"fields": {f"{field}.quality": ["取值不在允许范围内"]}})
    return {
        "location": point,
        "location_datum": datum.value,
        "location_raw_lon": lon,
        "location_raw_lat": lat,
        "location_quality": loc.quality,
    }


def wgs84_point(
    lon: float, lat: float, datum: str, *, field: str, datum_field: str | None = None
) -> tuple[Point, coords.Datum]:
    """A point given in ``datum`` as a WGS-84 geometry; bad input is a 422 naming ``field``."""
    try:
        d = coords.Datum(datum)
    except ValueError as exc:
        raise InvalidInput(details={"fields": {datum_field or field: ["坐标系不受支持"]}}) from exc
    try:
        wgs = coords.to_wgs84(coords.LonLat(lon, lat), d)
    except ValueError as exc:
        raise InvalidInput(details={"fields": {field: [str(exc)]}}) from exc
    return Point(wgs.lon, wgs.lat, srid=4326), d


def device_fix_fields(
    lon: float | None,
    lat: float | None,
    datum: str,
    accuracy_m: float | None,
    *,
    field: str = "device_location",
) -> dict[str, Any]:
    """Model values for a phone's fix: the WGS-84 point, the datum and raw values it came in, its accuracy."""
    if accuracy_m is not None and accuracy_m < 0:
        raise InvalidInput(details={"fields": {f"{field}.accuracy_m": ["定位精度不能为负数"]}})
    if lon is None or lat is None:
        return {"device_location": None, "device_location_datum": "", "device_location_raw": None,
                "device_accuracy_m": accuracy_m}  # fmt: skip
    point, d = wgs84_point(lon, lat, datum, field=field)
    return {
        "device_location": point,
        "device_location_datum": d.value,
        "device_location_raw": {"lon": lon, "lat": lat, "datum": d.value},
        "device_accuracy_m": accuracy_m,
    }


def _require_editor(principal: Principal) -> None:
    if not principal.has_any(REGISTRY_EDITORS):
        raise PermissionDenied("您的角色不能修改登记数据")


# --- regions -----------------------------------------------------------------------------------------
# These services own ``Region.path``: whoever creates or moves a region (API, admin, import, demo) goes
# through them, so a region can never fall outside the scopes of the users above it.


def region_parent_error(level: str, parent: Region | None) -> str | None:
    """Why ``parent`` cannot hold a region of ``level`` (the tree is strict), or None."""
    expected = PARENT_LEVEL.get(RegionLevel(level))
    if (parent is None) != (expected is None) or (parent is not None and parent.level != expected):
        return "上级区划层级不正确" if expected is None or parent is not None else "缺少上级区划"
    return None


def _region_path(parent: Region | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


def _check_parent(level: str, parent: Region | None) -> None:
    if message := region_parent_error(level, parent):
        raise InvalidInput(message, details={"fields": {"parent_id": [message]}})


def _check_geometry(region: Region) -> None:
    for name in ("centroid", "boundary"):
        geom = getattr(region, name)
        if geom is None:
            continue
        if geom.srid not in (None, 4326):
            geom.transform(4326)
        if not geom.valid:
            raise InvalidInput(details={"fields": {name: [f"几何无效：{geom.valid_reason}"]}})


@transaction.atomic
def region_create(
    *,
    level: str,
    name: str,
    parent: Region | None = None,
    code: str | None = None,
    code_source: str = "",
    town_kind: str = "",
    households: int | None = None,
    centroid: LocationInput | None = None,
    is_synthetic: bool = False,
    alt_codes: list[str] | None = None,
    boundary: MultiPolygon | None = None,
    geometry_quality: str = "",
) -> Region:
    """Create a region under ``parent`` (which must be of the level directly above) and set its path."""
    level = RegionLevel(level)
    _check_parent(level, parent)
    region = Region(
        level=level,
        name=name,
        parent=parent,
        code=code or None,
        code_source=code_source,
        town_kind=town_kind,
        households=households,
        is_synthetic=is_synthetic,
        alt_codes=alt_codes or [],
        boundary=boundary,
        path="/",
    )
    if geometry_quality:
        region.geometry_quality = geometry_quality
    if centroid is not None:
        region.centroid = located_fields(centroid, field="centroid")["location"]
    _check_geometry(region)
    region.full_clean(exclude=["path"])
    region.save()
    region.path = _region_path(parent, region.pk)
    region.save(update_fields=["path"])
    audit_record(action="geo.region.create", obj=region, region_path=region.path, after=snapshot(region))
    return region


# What a region's update may change. The API's RegionPatch offers clients only name, code, code_source and
# households; the back office and the regions import may change the rest. The level never changes (a town
# does not become a village: delete and create instead); ``parent_id`` moves the region and its subtree.
REGION_EDITABLE = (
    "name",
    "code",
    "code_source",
    "households",
    "alt_codes",
    "town_kind",
    "is_synthetic",
    "centroid",
    "boundary",
    "geometry_quality",
    "parent_id",
)


# A region's identity: what it is called, its division code and where that code comes from, where it
# stands in the tree. The district's registry (REGION_IDENTITY_EDITORS): a town's name reaches every
# scoreboard and export of the district. Town officers correct the rest (households of natural villages).
REGION_IDENTITY = ("name", "code", "code_source", "alt_codes", "parent_id")


def _identity_changes(region: Region, changes: dict[str, Any]) -> list[str]:
    """The identity fields ``changes`` would really change (a client may send the record back as it is)."""
    current = {
        "name": region.name,
        "code": region.code or None,
        "code_source": region.code_source,
        "alt_codes": region.alt_codes,
        "parent_id": region.parent_id,
    }
    wanted = {**changes, "code": changes.get("code") or None} if "code" in changes else changes
    return [f for f in REGION_IDENTITY if f in wanted and wanted[f] != current[f]]


@transaction.atomic
def region_update(*, principal: Principal, region_id: int, changes: dict[str, Any]) -> Region:
    """Correct a region's data (the office may fix codes: public datasets disagree), or move it under
    another parent of the same level (``parent_id``): its path and its whole subtree's are rewritten in
    this transaction, so every grant above the new parent covers it and none above the old one does."""
    _require_editor(principal)
    paths = principal.region_paths(REGISTRY_EDITORS)
    region = region_get(paths=paths, region_id=region_id)
    region = Region.objects.select_for_update().get(pk=region.pk)
    unknown = set(changes) - set(REGION_EDITABLE)
    if unknown:
        raise InvalidInput(details={"fields": {k: ["不允许修改的字段"] for k in sorted(unknown)}})
    identity = _identity_changes(region, changes)
    if identity and not principal.covers(region.path, REGION_IDENTITY_EDITORS):
        raise PermissionDenied(
            "区划的名称、代码及其来源和上级由区级（区安委办、系统管理员）维护；区镇可修改自然村户数",
            code="region_identity_reserved",
            details={"fields": {f: ["只有区级可以修改"] for f in identity}},
        )
    parent = region.parent
    if "parent_id" in changes and changes["parent_id"] != region.parent_id:
        parent = _new_parent(paths, region, changes["parent_id"])
    if "code" in changes:
        changes["code"] = changes["code"] or None
        if changes["code"] and Region.objects.filter(code=changes["code"]).exclude(pk=region.pk).exists():
            raise Conflict(
                "区划代码已被其他区划使用",
                code="duplicate_code",
                details={"fields": {"code": ["区划代码重复"]}},
            )
    if changes.get("households") is not None and region.level != RegionLevel.NATURAL_VILLAGE:
        raise InvalidInput(details={"fields": {"households": ["只有自然村登记户数"]}})
    name = changes.get("name", region.name)
    if Region.objects.filter(parent=parent, name=name).exclude(pk=region.pk).exists():
        field = "name" if "name" in changes else "parent_id"
        raise Conflict(
            "同一上级下已有同名区划", code="duplicate_name", details={"fields": {field: ["名称重复"]}}
        )
    before = snapshot(region)
    old_path = region.path
    for attr, value in changes.items():
        setattr(region, attr, value)
    region.parent = parent
    region.path = _region_path(parent, region.pk)
    _check_geometry(region)
    region.full_clean(exclude=["path", "parent"], validate_unique=False, validate_constraints=False)
    region.save()
    if region.path != old_path:
        if old_path.endswith(f"/{region.pk}/"):
            _repath_subtree(old_path, region.path)
        else:  # the old path was already wrong: no prefix to rewrite, recompute the whole tree
            region_paths_repair()
    audit_record(
        action="geo.region.update", obj=region, region_path=region.path, before=before, after=snapshot(region)
    )
    return region


def _new_parent(paths: tuple[str, ...] | None, region: Region, parent_id: int | None) -> Region | None:
    parent = None
    if parent_id is not None:
        try:
            parent = region_get(paths=paths, region_id=parent_id)
        except NotFound as exc:
            message = "上级区划不存在或不在您的管辖范围内"
            raise InvalidInput(message, details={"fields": {"parent_id": [message]}}) from exc
    _check_parent(region.level, parent)
    return parent


def _repath_subtree(old: str, new: str) -> int:
    """Rewrite the path prefix of every descendant; ``updated_at`` moves so catalogues resend them."""
    return (
        Region.objects.filter(path__startswith=old)
        .exclude(path=new)
        .update(path=Concat(Value(new), Substr("path", len(old) + 1)), updated_at=Now())
    )


@transaction.atomic
def region_paths_repair() -> list[Region]:
    """Recompute every region's path from its parent chain and fix those that differ (rows written
    around the services: the back office before it used them, a shell, raw SQL). Returns the fixed rows."""
    rows = list(Region.objects.select_for_update().only("pk", "parent_id", "path", "name").order_by("pk"))
    children: dict[int | None, list[Region]] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r)
    fixed: list[Region] = []
    stack: list[tuple[Region, str]] = [(r, f"/{r.pk}/") for r in children.get(None, [])]
    while stack:
        region, path = stack.pop()
        if region.path != path:
            audit_record(
                action="geo.region.repath",
                obj=region,
                region_path=path,
                before={"path": region.path},
                after={"path": path},
            )
            region.path = path
            fixed.append(region)
        stack.extend((c, f"{path}{c.pk}/") for c in children.get(region.pk, []))
    Region.objects.bulk_update(fixed, ["path"], batch_size=500)
    return fixed


# --- river sections ----------------------------------------------------------------------------------


@transaction.atomic
def section_upsert(
    *,
    code: str,
    name: str,
    level: str,
    region: Region,
    responsible_towns: list[Region],
    river: str = "",
    water_body: str = "river",
    target_class: int = 3,
    location: LocationInput | None = None,
    note: str = "",
) -> RiverSection:
    """Create or update a section by its code (used by the registry import and the demo loader)."""
    bad = [t.pk for t in responsible_towns if t.level != RegionLevel.TOWN]
    if bad:
        raise InvalidInput("责任单位必须是区镇", details={"fields": {"responsible_towns": bad}})
    section = RiverSection.objects.filter(code=code).first() or RiverSection(code=code)
    before = snapshot(section) if section.pk else None
    fields = dict(
        name=name,
        level=level,
        region=region,
        river=river,
        water_body=water_body,
        target_class=target_class,
        note=note,
        **located_fields(location),
    )
    for attr, value in fields.items():
        setattr(section, attr, value)
    section.full_clean()
    section.save()
    section.responsible_towns.set(responsible_towns)
    after = snapshot(section) | {"responsible_towns": sorted(t.pk for t in responsible_towns)}
    audit_record(
        action="geo.section.update" if before else "geo.section.create",
        obj=section,
        region_path=region.path,
        before=before,
        after=after,
    )
    return section


# --- sewage facilities -------------------------------------------------------------------------------

FACILITY_EDITABLE = (
    "name",
    "capacity_tpd",
    "process",
    "meter_number",
    "operator",
    "status",
    "commissioned_on",
    "is_synthetic",
)


@dataclass(frozen=True)
class VillageRef:
    """How a client names the administrative village of a facility: by its id, by its 12-digit division
    code, or by its name (within ``town_id``, or within the caller's scope when that is unambiguous).
    Exactly one of ``id``, ``code`` and ``name``; ``town_id`` only with ``name``."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    town_id: int | None = None

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.id, self.code, self.name, self.town_id))


_VILLAGE_WAYS = "village_id、village_code 或 village_name（可加 town_id）"


def _unknown_village(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, code="unknown_village", details={"fields": {field: [message]}})


def facility_village_resolve(*, principal: Principal, ref: VillageRef) -> Region:
    """The administrative village ``ref`` names, among those the caller may edit. Unknown and out of scope
    read the same (``unknown_village``): a town officer must not learn another town's villages."""
    paths = principal.region_paths(REGISTRY_EDITORS)
    ways = {f: v for f, v in (("village_id", ref.id), ("village_code", ref.code), ("village_name", ref.name))
            if v is not None}  # fmt: skip
    if ref.town_id is not None and ref.name is None:
        message = "town_id 只与 village_name 一起使用"
        raise InvalidInput(message, details={"fields": {"town_id": [message]}})
    if len(ways) != 1:
        message = f"请用且只用一种方式指定行政村：{_VILLAGE_WAYS}"
        raise InvalidInput(message, details={"fields": {f: [message] for f in (ways or ["village_id"])}})
    if ref.id is not None:
        try:
            village = region_get(paths=paths, region_id=ref.id)
        except NotFound as exc:
            raise _unknown_village("village_id", "行政村不存在或不在您的管辖范围内") from exc
        if village.level != RegionLevel.VILLAGE:
            raise InvalidInput("设施必须登记在行政村下", details={"fields": {"village_id": ["应为行政村"]}})
        return village
    villages = region_list(paths=paths, level=RegionLevel.VILLAGE)
    if ref.code is not None:
        village = villages.filter(code=ref.code).first()
        if village is None:
            message = f"没有区划代码为 {ref.code} 的行政村（或不在您的管辖范围内）"
            raise _unknown_village("village_code", message)
        return village
    name = (ref.name or "").strip()
    if ref.town_id is not None:
        try:
            town = region_get(paths=paths, region_id=ref.town_id)
        except NotFound:
            town = None
        if town is None or town.level != RegionLevel.TOWN:
            message = "区镇不存在或不在您的管辖范围内"
            raise InvalidInput(message, code="unknown_town", details={"fields": {"town_id": [message]}})
        village = villages.filter(parent=town, name=name).first()
        if village is None:
            raise _unknown_village("village_name", f"{town.name}没有名为“{name}”的行政村")
        return village
    found = list(villages.filter(name=name)[:10])
    if not found:
        raise _unknown_village("village_name", f"您的管辖范围内没有名为“{name}”的行政村")
    if len(found) > 1:
        towns = "、".join(v.parent.name for v in found if v.parent)
        message = f"有多个名为“{name}”的行政村（{towns}），请同时提供 town_id，或改用 village_code"
        candidates = [
            {"id": v.pk, "name": v.name, "code": v.code, "town_id": v.parent_id,
             "town_name": v.parent.name if v.parent else ""}
            for v in found
        ]  # fmt: skip
        raise InvalidInput(
            message,
            code="ambiguous_village",
            details={"fields": {"village_name": [message]}, "candidates": candidates},
        )
    return found[0]


def facility_location_check(*, village: Region, point: Point | None, field: str = "location") -> None:
    """A facility's point must lie in its village's town, and in the village itself when the village has
    a boundary: the ledger's rule and tolerance (``LEDGER_TOWN_TOLERANCE_M``), measured in WGS-84 after
    the datum conversion. A 422 ``outside_town`` / ``outside_village`` naming the region and the distance."""
    if point is None:
        return
    tolerance = float(settings.LEDGER_TOWN_TOLERANCE_M)
    ids = [village.parent_id, village.pk]
    regions = {r.pk: r for r in Region.objects.filter(pk__in=ids).only("name", "boundary")}
    distances = BoundaryDistances(regions.values())
    for region_id, code, key, level in (
        (village.parent_id, "outside_town", "town_id", "区镇"),
        (village.pk, "outside_village", "village_id", "行政村"),
    ):
        distance = distances(region_id, point.x, point.y) if region_id is not None else None
        if distance is None or not ledger.is_outside(distance, tolerance):
            continue
        message = ledger.outside_message(regions[region_id].name, distance, tolerance, level=level)
        raise InvalidInput(
            message,
            code=code,
            details={"fields": {field: [message]}, key: region_id, "distance_m": round(distance),
                     "tolerance_m": tolerance},
        )  # fmt: skip


def _duplicate_facility_code() -> Conflict:
    return Conflict("设施编码已存在", code="duplicate_code", details={"fields": {"code": ["设施编码已存在"]}})


def _check_facility_values(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    cap = values.get("capacity_tpd")
    if cap is not None and Decimal(cap) < 0:
        errors["capacity_tpd"] = ["处理能力不能为负数"]
    if "status" in values and values["status"] not in FacilityStatus.values:
        errors["status"] = ["取值不在允许范围内"]
    if errors:
        raise InvalidInput(details={"fields": errors})


@transaction.atomic
def facility_create(
    *,
    principal: Principal,
    code: str,
    name: str,
    capacity_tpd: Decimal,
    village_id: int | None = None,
    village_code: str | None = None,
    village_name: str | None = None,
    town_id: int | None = None,
    process: str = "",
    meter_number: str = "",
    operator: str = "",
    status: str = FacilityStatus.IN_SERVICE,
    commissioned_on: date | None = None,
    location: LocationInput | None = None,
    is_synthetic: bool = False,
) -> SewageFacility:
    """Register a facility in an administrative village (named by id, division code or name: see
    ``VillageRef``); its point, in any supported datum, must lie in the village's town."""
    _require_editor(principal)
    ref = VillageRef(village_id, village_code, village_name, town_id)
    village = facility_village_resolve(principal=principal, ref=ref)
    _check_facility_values({"capacity_tpd": capacity_tpd, "status": status})
    located = located_fields(location)
    facility_location_check(village=village, point=located["location"])
    if SewageFacility.objects.filter(code=code).exists():
        raise _duplicate_facility_code()
    try:
        with transaction.atomic():
            facility = SewageFacility.objects.create(
                code=code,
                name=name,
                village=village,
                capacity_tpd=capacity_tpd,
                process=process,
                meter_number=meter_number,
                operator=operator,
                status=status,
                commissioned_on=commissioned_on,
                is_synthetic=is_synthetic,
                **located,
            )
    except IntegrityError as exc:  # a concurrent create with the same code
        raise _duplicate_facility_code() from exc
    audit_record(
        action="geo.facility.create", obj=facility, region_path=village.path, after=snapshot(facility)
    )
    return facility


@transaction.atomic
def facility_update(
    *,
    principal: Principal,
    facility_id: int,
    changes: dict[str, Any],
    location: LocationInput | None = None,
    clear_location: bool = False,
    village: VillageRef | None = None,
) -> SewageFacility:
    """Change a facility. When its point or its village changes, the point is checked against the
    (new) village's town as on creation; other changes leave an old point alone."""
    _require_editor(principal)
    facility = facility_get(paths=principal.region_paths(REGISTRY_EDITORS), facility_id=facility_id)
    facility = SewageFacility.objects.select_for_update().get(pk=facility.pk)
    before = snapshot(facility)
    unknown = set(changes) - set(FACILITY_EDITABLE)
    if unknown:
        raise InvalidInput(details={"fields": {k: ["不允许修改的字段"] for k in sorted(unknown)}})
    _check_facility_values(changes)
    for name, value in changes.items():
        setattr(facility, name, value)
    moved = False
    if village is not None and village.given:
        facility.village = facility_village_resolve(principal=principal, ref=village)
        moved = True
    if location is not None or clear_location:
        for name, value in located_fields(location).items():
            setattr(facility, name, value)
        moved = True
    if moved:
        facility_location_check(village=facility.village, point=facility.location)
    facility.save()
    audit_record(
        action="geo.facility.update",
        obj=facility,
        region_path=facility.village.path,
        before=before,
        after=snapshot(facility),
    )
    return facility


@transaction.atomic
def facility_condition_record(
    *, facility_id: int, conditions: list[str], status: str, inspection_uuid: Any, approved_at: datetime
) -> FacilityCondition:
    """Record what an approved audit established; it becomes current unless a later audit already was
    approved. A retired facility stays retired; one under construction (a rebuild) comes back into
    service through the approved audit of the rebuilt facility."""
    facility = SewageFacility.objects.select_for_update().select_related("village").get(pk=facility_id)
    found = {"facility": facility, "conditions": conditions, "status": status, "approved_at": approved_at}
    record, _ = FacilityCondition.objects.update_or_create(
        inspection_uuid=inspection_uuid,
        defaults=found,
        create_defaults={**found, "previous_status": facility.status},
    )
    _follow_latest_audit(facility, record)
    return record


@transaction.atomic
def facility_condition_correct(
    *, facility_id: int, conditions: list[str], status: str, inspection_uuid: Any, approved_at: datetime
) -> FacilityCondition:
    """What a corrected audit establishes replaces what it first established, as of when it was first
    approved (the facility was in that state then, not since the correction); the registry follows if
    it is still the latest audit. ``approved_at`` is used only for an audit that had no record yet."""
    facility = SewageFacility.objects.select_for_update().select_related("village").get(pk=facility_id)
    record = FacilityCondition.objects.filter(inspection_uuid=inspection_uuid).first()
    if record is None:
        return facility_condition_record(
            facility_id=facility_id,
            conditions=conditions,
            status=status,
            inspection_uuid=inspection_uuid,
            approved_at=approved_at,
        )
    record.conditions, record.status = conditions, status
    record.save(update_fields=["conditions", "status"])
    _follow_latest_audit(facility, record)
    return record


_DECIDED = frozenset({FacilityStatus.RETIRED, FacilityStatus.UNDER_CONSTRUCTION})


@transaction.atomic
def facility_condition_withdraw(*, inspection_uuid: Any, reason: str) -> FacilityCondition | None:
    """The district withdrew an audit: its record stays in the history, marked, and counts nowhere
    (rates as of any date leave it out). If no later audit stands, the registry status goes back to
    what it was before the withdrawn audits at the end of the history — unless a lifecycle decision
    (retired, under construction for a rebuild) was taken since: audits do not make those, so
    withdrawing one does not undo them. Returns the record, or None when the audit had none."""
    standing = FacilityCondition.objects.filter(withdrawn_at__isnull=True)
    record = standing.filter(inspection_uuid=inspection_uuid).first()
    if record is None:
        return None
    facility = SewageFacility.objects.select_for_update().select_related("village").get(pk=record.facility_id)
    record.withdrawn_at, record.withdrawal_reason = timezone.now(), reason
    record.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    history = list(FacilityCondition.objects.filter(facility=facility).order_by("approved_at", "id"))
    trailing: list[FacilityCondition] = []  # withdrawn audits after the last standing one, latest first
    standing = None
    for h in reversed(history):
        if h.withdrawn_at is None:
            standing = h
            break
        trailing.append(h)
    if record not in trailing or facility.status in _DECIDED:
        return record  # a later audit still decides the status, or a decision taken since stands
    restored = trailing[-1].previous_status or (standing.status if standing else "")
    if restored and restored != facility.status:
        _facility_status_change(facility, restored, {"withdrawn": str(inspection_uuid), "reason": reason})
    return record


def _follow_latest_audit(facility: SewageFacility, record: FacilityCondition) -> None:
    """The registry status follows the latest audit that stands (not withdrawn), unless retired."""
    latest = (
        FacilityCondition.objects.filter(facility=facility, withdrawn_at__isnull=True)
        .order_by("-approved_at", "-id").first()
    )  # fmt: skip
    if (
        latest is not None
        and latest.pk == record.pk
        and facility.status != FacilityStatus.RETIRED
        and facility.status != record.status
    ):
        _facility_status_change(
            facility,
            record.status,
            {"conditions": record.conditions, "inspection": str(record.inspection_uuid)},
        )


def _facility_status_change(facility: SewageFacility, status: str, why: dict[str, Any]) -> None:
    before = facility.status
    facility.status = status
    facility.save(update_fields=["status", "updated_at"])
    audit_record(action="geo.facility.status", obj=facility, region_path=facility.village.path,
                 before={"status": before}, after={"status": status, **why})  # fmt: skip


@transaction.atomic
def facility_status_set(*, facility_id: int, status: str, reason: str) -> SewageFacility:
    """A decided change of a facility's registry status (e.g. the district approving a rebuild → under
    construction, or retiring / demolishing it → retired), audited with its reason."""
    facility = SewageFacility.objects.select_for_update().select_related("village").get(pk=facility_id)
    if facility.status != status:
        before = facility.status
        facility.status = status
        facility.save(update_fields=["status", "updated_at"])
        audit_record(action="geo.facility.status", obj=facility, region_path=facility.village.path,
                     before={"status": before}, after={"status": status, "reason": reason})  # fmt: skip
    return facility
