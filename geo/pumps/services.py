"""Writes to the pump station registry: create, update, and what an approved inspection records. Each
checks scope first, validates, writes, snaps the station to the river network, keeps a change row
(before / after) and an audit event, atomically.

The sewage rule (item 19: 拦蓄污水 → 动态清零): a station found holding sewage gets ``sewage_found_on``
and loses any earlier ``sewage_cleared_on``; a station that stops holding sewage is cleared on the day
given (or today). The two dates are only set through ``holds_sewage``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kernel.access import REGISTRY_EDITORS, Principal
from kernel.audit.services import audit_record, snapshot
from kernel.errors import Conflict, InvalidInput, NotFound

from ..models import Region, RegionLevel
from ..rivers.models import SiteKind
from ..rivers.services import site_snaps_refresh
from ..selectors import region_get
from ..services.locations import LocationInput, _require_editor, located_fields, point_within_check
from ..services.map_layers import PUMP_STATIONS, map_layers_bump
from .models import PumpStation, PumpStationChange
from .selectors import pump_station_get

PUMP_STATION_EDITABLE = ("name", "river", "note", "is_synthetic")
_KEPT = (
    "code", "name", "river", "town_id", "holds_sewage", "sewage_found_on", "sewage_cleared_on",
    "last_inspected_at", "location", "location_datum", "location_quality", "note", "is_synthetic",
)  # fmt: skip


def _picture(station: PumpStation) -> dict[str, Any]:
    return snapshot(station, list(_KEPT))


def _town(principal: Principal, town_id: int) -> Region:
    try:
        town = region_get(paths=principal.region_paths(REGISTRY_EDITORS), region_id=town_id)
    except NotFound:
        town = None
    if town is None or town.level != RegionLevel.TOWN:
        message = "区镇不存在或不在您的管辖范围内"
        raise InvalidInput(message, code="unknown_town", details={"fields": {"town_id": [message]}})
    return town


def _location_check(town: Region, point: Point | None) -> None:
    """The point must lie in the responsible town (the facility ledger's tolerance)."""
    point_within_check(point=point, within=[(town.pk, "outside_town", "town_id", "区镇")])


def _sewage(station: PumpStation, holds: bool, on: date | None, *, field: str = "holds_sewage") -> None:
    """Apply the sewage rule; ``on`` is the day it was found or cleared (today when not given)."""
    today = timezone.localdate()
    day = on or today
    if day > today:
        message = "日期不能晚于今天"
        raise InvalidInput(message, code="date_in_future", details={"fields": {"sewage_on": [message]}})
    if holds and not station.holds_sewage:
        station.holds_sewage, station.sewage_found_on, station.sewage_cleared_on = True, day, None
    elif not holds and station.holds_sewage:
        if station.sewage_found_on and day < station.sewage_found_on:
            message = f"清零日期不能早于发现拦蓄污水的日期（{station.sewage_found_on:%Y-%m-%d}）"
            raise InvalidInput(
                message, code="cleared_before_found", details={"fields": {"sewage_on": [message]}}
            )
        station.holds_sewage, station.sewage_cleared_on = False, day


def _written(
    station: PumpStation, action: str, before: dict[str, Any] | None, *, by: int | None,
    inspection_uuid: uuid.UUID | None = None,
) -> None:  # fmt: skip
    after = _picture(station)
    PumpStationChange.objects.create(
        station=station, action=action, by_id=by, inspection_uuid=inspection_uuid, before=before, after=after
    )
    map_layers_bump(PUMP_STATIONS)
    audit_record(
        action=f"geo.pump_station.{action}", obj=station, region_path=station.town.path, before=before,
        after=after,
    )  # fmt: skip


def _duplicate_code() -> Conflict:
    return Conflict("泵站编码已存在", code="duplicate_code", details={"fields": {"code": ["泵站编码已存在"]}})


@transaction.atomic
def pump_station_create(
    *,
    principal: Principal,
    code: str,
    name: str,
    town_id: int,
    river: str = "",
    holds_sewage: bool = False,
    sewage_on: date | None = None,
    location: LocationInput | None = None,
    note: str = "",
    is_synthetic: bool = False,
) -> PumpStation:
    """Register a station under a town the caller may edit; its point (any supported datum) must lie in
    that town. ``holds_sewage`` with ``sewage_on``: found holding sewage on that day."""
    _require_editor(principal)
    if sewage_on is not None and not holds_sewage:
        message = "sewage_on（发现拦蓄污水的日期）只与 holds_sewage=true 一起使用"
        raise InvalidInput(message, details={"fields": {"sewage_on": [message]}})
    town = _town(principal, town_id)
    located = located_fields(location)
    _location_check(town, located["location"])
    if PumpStation.objects.filter(code=code).exists():
        raise _duplicate_code()
    station = PumpStation(code=code, name=name, town=town, river=river, note=note, is_synthetic=is_synthetic,
                          **located)  # fmt: skip
    _sewage(station, holds_sewage, sewage_on)
    try:
        with transaction.atomic():
            station.save()
    except IntegrityError as exc:  # a concurrent create with the same code
        raise _duplicate_code() from exc
    site_snaps_refresh(kinds=[SiteKind.PUMP_STATION], ids=[station.pk])
    _written(station, "create", None, by=principal.user_id)
    return station


@transaction.atomic
def pump_station_update(
    *,
    principal: Principal,
    station_id: int,
    changes: dict[str, Any],
    town_id: int | None = None,
    holds_sewage: bool | None = None,
    sewage_on: date | None = None,
    location: LocationInput | None = None,
    clear_location: bool = False,
) -> PumpStation:
    """Change a station in the caller's editing scope (404 outside it, before anything is read further).
    ``holds_sewage`` false on a station holding sewage clears it (清零) on ``sewage_on`` or today."""
    _require_editor(principal)
    found = pump_station_get(paths=principal.region_paths(REGISTRY_EDITORS), station_id=station_id)
    station = PumpStation.objects.select_for_update().select_related("town").get(pk=found.pk)
    unknown = set(changes) - set(PUMP_STATION_EDITABLE)
    if unknown:
        raise InvalidInput(details={"fields": {k: ["不允许修改的字段"] for k in sorted(unknown)}})
    if sewage_on is not None and holds_sewage is None:
        message = "sewage_on 只与 holds_sewage 一起使用"
        raise InvalidInput(message, details={"fields": {"sewage_on": [message]}})
    before = _picture(station)
    for name, value in changes.items():
        setattr(station, name, value)
    moved = False
    if town_id is not None and town_id != station.town_id:
        station.town, moved = _town(principal, town_id), True
    if location is not None or clear_location:
        for name, value in located_fields(location).items():
            setattr(station, name, value)
        moved = True
    if moved:
        _location_check(station.town, station.location)
    if holds_sewage is not None:
        _sewage(station, holds_sewage, sewage_on)
    station.save()
    if moved or "river" in changes:  # re-snapped where it now stands (its river guides the snap)
        site_snaps_refresh(kinds=[SiteKind.PUMP_STATION], ids=[station.pk])
    _written(station, "update", before, by=principal.user_id)
    return station


@transaction.atomic
def pump_station_inspected(
    *, station_id: int, sewage_held: bool, inspection_uuid: uuid.UUID, approved_at: datetime, by: int | None
) -> PumpStation:
    """An approved inspection (checklists' ``pump_station`` plug-in) records when the station was last
    inspected and what it found: sewage held → on the list from that day; none held → cleared (清零) that
    day. An inspection older than the station's latest recorded one changes nothing."""
    station = PumpStation.objects.select_for_update().select_related("town").get(pk=station_id)
    if station.last_inspected_at is not None and approved_at < station.last_inspected_at:
        return station
    before = _picture(station)
    station.last_inspected_at = approved_at
    day = timezone.localtime(approved_at).date()
    if sewage_held and not station.holds_sewage:
        station.holds_sewage, station.sewage_found_on, station.sewage_cleared_on = True, day, None
    elif not sewage_held and station.holds_sewage:
        station.holds_sewage, station.sewage_cleared_on = False, max(day, station.sewage_found_on or day)
    station.save()
    _written(station, "inspection", before, by=by, inspection_uuid=inspection_uuid)
    return station


@transaction.atomic
def pump_station_inspection_withdrawn(*, station_id: int, inspection_uuid: uuid.UUID, by: int | None) -> bool:
    """The district withdrew an inspection: what it recorded on the station (sewage found or cleared, last
    inspected) is taken back — to the state before it — if nothing changed the station since. Returns
    whether it was taken back (a later change keeps the station as it is, in its history)."""
    station = PumpStation.objects.select_for_update().select_related("town").get(pk=station_id)
    latest = PumpStationChange.objects.filter(station=station).order_by("-at", "-id").first()
    if latest is None or latest.inspection_uuid != inspection_uuid or latest.action != "inspection":
        return False
    before = latest.before or {}
    current = _picture(station)
    station.holds_sewage = bool(before.get("holds_sewage"))
    station.sewage_found_on = _day(before.get("sewage_found_on"))
    station.sewage_cleared_on = _day(before.get("sewage_cleared_on"))
    moment = before.get("last_inspected_at")
    station.last_inspected_at = parse_datetime(moment) if moment else None
    station.save()
    _written(station, "inspection_withdrawn", current, by=by, inspection_uuid=inspection_uuid)
    return True


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
