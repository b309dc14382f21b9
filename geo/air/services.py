"""Writes to the air-station and dust-fall-point registries: create and update, each checking the caller's
role and scope first, the point against its town (datum-aware, the facility ledger's tolerance), with an
audit event, atomically.

Who: the district's roles (区级部门, 生态环境局, administrators). A town officer reads its points but does not
place them: where a station stands decides the town's rank in the 每旬 逆序排名."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from kernel.access import DISTRICT_ROLES, Principal
from kernel.audit.services import audit_record, snapshot
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from ..models import Region, RegionLevel
from ..selectors import region_get
from ..services.locations import LocationInput, located_fields, point_within_check
from .models import AirStation, AirStationKind, DustFallPoint
from .selectors import air_station_get, dust_point_get

EDITABLE = ("name", "is_active", "note", "is_synthetic")
_KEPT = ("code", "name", "town_id", "is_active", "location", "location_datum", "location_quality", "note",
         "is_synthetic")  # fmt: skip


def _require(principal: Principal) -> None:
    if not principal.has_any(DISTRICT_ROLES):
        raise PermissionDenied("只有区级部门、生态环境局可以登记或修改空气、降尘监测点位")


def _town(principal: Principal, town_id: int) -> Region:
    try:
        town = region_get(paths=principal.region_paths(DISTRICT_ROLES), region_id=town_id)
    except NotFound:
        town = None
    if town is None or town.level != RegionLevel.TOWN:
        message = "区镇不存在或不在您的管辖范围内"
        raise InvalidInput(message, code="unknown_town", details={"fields": {"town_id": [message]}})
    return town


def _duplicate() -> Conflict:
    return Conflict("编码已存在", code="duplicate_code", details={"fields": {"code": ["编码已存在"]}})


def _create(model: type[AirStation | DustFallPoint], action: str, *, principal: Principal, town_id: int,
            location: LocationInput | None, **fields: Any) -> AirStation | DustFallPoint:  # fmt: skip
    _require(principal)
    town = _town(principal, town_id)
    located = located_fields(location)
    point_within_check(point=located["location"], within=[(town.pk, "outside_town", "town_id", "区镇")])
    if model.objects.filter(code=fields["code"]).exists():
        raise _duplicate()
    obj = model(town=town, **fields, **located)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a concurrent create with the same code
        raise _duplicate() from exc
    audit_record(action=action, obj=obj, region_path=town.path, after=snapshot(obj, list(_KEPT)))
    return obj


def _update(obj: AirStation | DustFallPoint, action: str, *, principal: Principal, changes: dict[str, Any],
            town_id: int | None, location: LocationInput | None, clear_location: bool) -> None:  # fmt: skip
    unknown = set(changes) - set(EDITABLE) - {"kind"}
    if unknown:
        raise InvalidInput(details={"fields": {k: ["不允许修改的字段"] for k in sorted(unknown)}})
    before = snapshot(obj, list(_KEPT))
    for name, value in changes.items():
        setattr(obj, name, value)
    moved = False
    if town_id is not None and town_id != obj.town_id:
        obj.town, moved = _town(principal, town_id), True
    if location is not None or clear_location:
        for name, value in located_fields(location).items():
            setattr(obj, name, value)
        moved = True
    if moved:
        point_within_check(point=obj.location, within=[(obj.town.pk, "outside_town", "town_id", "区镇")])
    obj.save()
    audit_record(action=action, obj=obj, region_path=obj.town.path, before=before,
                 after=snapshot(obj, list(_KEPT)))  # fmt: skip


@transaction.atomic
def air_station_create(
    *, principal: Principal, code: str, name: str, kind: str, town_id: int,
    location: LocationInput | None = None, note: str = "", is_synthetic: bool = False,
) -> AirStation:  # fmt: skip
    """Register a station under a town; its point (any supported datum) must lie in that town."""
    if kind not in AirStationKind.values:
        raise InvalidInput(details={"fields": {"kind": [f"应为 {' / '.join(AirStationKind.values)}"]}})
    station = _create(
        AirStation, "geo.air_station.create", principal=principal, town_id=town_id, location=location,
        code=code, name=name, kind=kind, note=note, is_synthetic=is_synthetic,
    )  # fmt: skip
    assert isinstance(station, AirStation)
    return station


@transaction.atomic
def air_station_update(
    *, principal: Principal, station_id: int, changes: dict[str, Any], town_id: int | None = None,
    location: LocationInput | None = None, clear_location: bool = False,
) -> AirStation:  # fmt: skip
    """Change a station in the caller's scope (404 outside it, checked before anything else is read)."""
    _require(principal)
    found = air_station_get(paths=principal.region_paths(DISTRICT_ROLES), station_id=station_id)
    station = AirStation.objects.select_for_update().select_related("town").get(pk=found.pk)
    if "kind" in changes and changes["kind"] not in AirStationKind.values:
        raise InvalidInput(details={"fields": {"kind": [f"应为 {' / '.join(AirStationKind.values)}"]}})
    _update(station, "geo.air_station.update", principal=principal, changes=changes, town_id=town_id,
            location=location, clear_location=clear_location)  # fmt: skip
    return station


@transaction.atomic
def dust_point_create(
    *, principal: Principal, code: str, name: str, town_id: int, location: LocationInput | None = None,
    note: str = "", is_synthetic: bool = False,
) -> DustFallPoint:  # fmt: skip
    """Register a dust-fall jar under a town; its point must lie in that town."""
    point = _create(
        DustFallPoint, "geo.dust_point.create", principal=principal, town_id=town_id, location=location,
        code=code, name=name, note=note, is_synthetic=is_synthetic,
    )  # fmt: skip
    assert isinstance(point, DustFallPoint)
    return point


@transaction.atomic
def dust_point_update(
    *, principal: Principal, point_id: int, changes: dict[str, Any], town_id: int | None = None,
    location: LocationInput | None = None, clear_location: bool = False,
) -> DustFallPoint:  # fmt: skip
    """Change a dust-fall point in the caller's scope (404 outside it)."""
    _require(principal)
    found = dust_point_get(paths=principal.region_paths(DISTRICT_ROLES), point_id=point_id)
    point = DustFallPoint.objects.select_for_update().select_related("town").get(pk=found.pk)
    if "kind" in changes:
        raise InvalidInput(details={"fields": {"kind": ["不允许修改的字段"]}})
    _update(point, "geo.dust_point.update", principal=principal, changes=changes, town_id=town_id,
            location=location, clear_location=clear_location)  # fmt: skip
    return point
