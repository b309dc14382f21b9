"""Writes to the sewage facility registry: village references, the containment check, create and update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction

from kernel.access import REGISTRY_EDITORS, Principal
from kernel.audit.services import audit_record, snapshot
from kernel.errors import Conflict, InvalidInput, NotFound

from ..models import (
    FacilityStatus,
    Region,
    RegionLevel,
    SewageFacility,
)
from ..rivers.models import SiteKind
from ..rivers.services import site_snaps_refresh
from ..selectors import facility_get, region_get, region_list
from .locations import LocationInput, _require_editor, located_fields, point_within_check
from .map_layers import FACILITIES, map_layers_bump

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
    point_within_check(
        point=point,
        within=[
            (village.parent_id, "outside_town", "town_id", "区镇"),
            (village.pk, "outside_village", "village_id", "行政村"),
        ],
        field=field,
    )


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
    site_snaps_refresh(kinds=[SiteKind.SEWAGE_FACILITY], ids=[facility.pk])
    map_layers_bump(FACILITIES)
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
    if moved:  # re-snapped to the river network where it now stands
        site_snaps_refresh(kinds=[SiteKind.SEWAGE_FACILITY], ids=[facility.pk])
    map_layers_bump(FACILITIES)
    audit_record(
        action="geo.facility.update",
        obj=facility,
        region_path=facility.village.path,
        before=before,
        after=snapshot(facility),
    )
    return facility
