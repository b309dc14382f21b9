"""Writes to the spatial registry. Each checks the caller's scope, validates, writes and audits atomically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.access import REGISTRY_EDITORS, Principal
from backend.audit.services import audit_record, snapshot
from backend.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from . import coords
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
from .selectors import facility_get, region_get


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
) -> Region:
    """Create a region under ``parent`` (which must be of the level directly above) and set its path."""
    level = RegionLevel(level)
    expected_parent = PARENT_LEVEL.get(level)
    if (parent is None) != (expected_parent is None) or (
        parent is not None and parent.level != expected_parent
    ):
        raise InvalidInput("上级区划层级不正确", details={"fields": {"parent_id": ["上级区划层级不正确"]}})
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
        path="/",
    )
    if centroid is not None:
        region.centroid = located_fields(centroid, field="centroid")["location"]
    region.full_clean(exclude=["path"])
    region.save()
    region.path = f"{parent.path if parent else '/'}{region.pk}/"
    region.save(update_fields=["path"])
    audit_record(action="geo.region.create", obj=region, region_path=region.path, after=snapshot(region))
    return region


REGION_EDITABLE = ("name", "code", "code_source", "households")


@transaction.atomic
def region_update(*, principal: Principal, region_id: int, changes: dict[str, Any]) -> Region:
    """Correct a region's data (the office may fix codes: public datasets disagree)."""
    _require_editor(principal)
    region = region_get(paths=principal.region_paths(REGISTRY_EDITORS), region_id=region_id)
    unknown = set(changes) - set(REGION_EDITABLE)
    if unknown:
        raise InvalidInput(details={"fields": {k: ["不允许修改的字段"] for k in sorted(unknown)}})
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
    if (
        "name" in changes
        and Region.objects.filter(parent=region.parent, name=changes["name"]).exclude(pk=region.pk).exists()
    ):
        raise Conflict(
            "同一上级下已有同名区划", code="duplicate_name", details={"fields": {"name": ["名称重复"]}}
        )
    before = snapshot(region)
    for name, value in changes.items():
        setattr(region, name, value)
    region.full_clean(exclude=["path", "parent"], validate_unique=False, validate_constraints=False)
    region.save()
    audit_record(
        action="geo.region.update", obj=region, region_path=region.path, before=before, after=snapshot(region)
    )
    return region


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


def _facility_village(principal: Principal, village_id: int) -> Region:
    try:
        village = region_get(paths=principal.region_paths(REGISTRY_EDITORS), region_id=village_id)
    except NotFound as exc:
        raise InvalidInput(
            "行政村不存在或不在您的管辖范围内",
            details={"fields": {"village_id": ["行政村不存在或不在您的管辖范围内"]}},
        ) from exc
    if village.level != RegionLevel.VILLAGE:
        raise InvalidInput("设施必须登记在行政村下", details={"fields": {"village_id": ["应为行政村"]}})
    return village


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
    village_id: int,
    capacity_tpd: Decimal,
    process: str = "",
    meter_number: str = "",
    operator: str = "",
    status: str = FacilityStatus.IN_SERVICE,
    commissioned_on: date | None = None,
    location: LocationInput | None = None,
    is_synthetic: bool = False,
) -> SewageFacility:
    _require_editor(principal)
    village = _facility_village(principal, village_id)
    _check_facility_values({"capacity_tpd": capacity_tpd, "status": status})
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
                **located_fields(location),
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
    village_id: int | None = None,
) -> SewageFacility:
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
    if village_id is not None:
        facility.village = _facility_village(principal, village_id)
    if location is not None or clear_location:
        for name, value in located_fields(location).items():
            setattr(facility, name, value)
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
