"""Writes to the outfall registry: create and update, each checked against the caller's scope first,
validated, snapped to the river network, kept in the outfall's history and audited in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction

from kernel.access import REGISTRY_EDITORS, Principal
from kernel.audit.services import audit_record, snapshot
from kernel.errors import Conflict, InvalidInput, NotFound

from ..models import Region, RegionLevel
from ..rivers.engine import current_network
from ..rivers.models import SiteKind, SiteSnap
from ..rivers.services import site_snaps_refresh
from ..selectors import region_get
from ..services.locations import LocationInput, _require_editor, located_fields, point_within_check
from ..services.map_layers import OUTFALLS, map_layers_bump
from .models import Outfall, OutfallChange, OutfallDecision, OutfallKind, OutfallState
from .rules import state_error
from .selectors import outfall_get

# What a client may change (the town too: an outfall handed to another town stays the same outfall).
OUTFALL_EDITABLE = (
    "name",
    "kind",
    "town_id",
    "receiving_river_id",
    "receiving_water",
    "discharger",
    "has_permit",
    "is_monitored",
    "decision",
    "state",
    "note",
    "is_synthetic",
)
# What the history and the audit keep.
HISTORY_FIELDS = [
    "code", "name", "kind", "town_id", "receiving_river_id", "receiving_water", "discharger", "has_permit",
    "is_monitored", "decision", "state", "note", "is_synthetic", "location", "location_datum",
    "location_raw_lon", "location_raw_lat", "location_quality",
]  # fmt: skip


def _invalid(field: str, message: str, code: str = "invalid_input", **extra: Any) -> InvalidInput:
    return InvalidInput(message, code=code, details={"fields": {field: [message]}, **extra})


def _town(principal: Principal, town_id: int) -> Region:
    """The responsible town, among those the caller may edit (unknown and out of scope read the same)."""
    try:
        town = region_get(paths=principal.region_paths(REGISTRY_EDITORS), region_id=town_id)
    except NotFound:
        town = None
    if town is None or town.level != RegionLevel.TOWN:
        raise _invalid("town_id", "区镇不存在或不在您的管辖范围内", code="unknown_town")
    return town


def _check_values(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name, choices in (("kind", OutfallKind), ("decision", OutfallDecision), ("state", OutfallState)):
        if name in values and values[name] not in choices.values:
            errors[name] = ["取值不在允许范围内"]
    for name in ("code", "name"):
        if name in values and not str(values[name] or "").strip():
            errors[name] = ["不能为空"]
    if errors:
        raise InvalidInput(details={"fields": errors})


def _check_state(decision: str, before: str, after: str) -> None:
    error = state_error(decision, before, after)
    if error is not None:
        code, message = error
        raise InvalidInput(
            message, code=code, details={"fields": {"state": [message]}, "decision": decision, "from": before}
        )


def _receiving_river(outfall: Outfall) -> None:
    """A receiving river given by id (or by name) must be a river of the current network; its name then
    comes from the network. Without a network the values are kept as given."""
    loaded = current_network()
    if loaded is None:
        return
    given = outfall.receiving_river_id.strip()
    if not given:
        found = loaded.river_of(outfall.receiving_water)
        if found is not None:
            outfall.receiving_river_id = found
            outfall.receiving_water = loaded.network.river_names.get(found, "") or outfall.receiving_water
        return
    found = loaded.river_of(given)
    if found is None:
        raise _invalid(
            "receiving_river_id",
            f"当前河网中没有河流“{given}”",
            code="unknown_river",
            network_id=loaded.network_id,
        )
    outfall.receiving_river_id = found
    outfall.receiving_water = loaded.network.river_names.get(found, "") or outfall.receiving_water


def _check_point(town: Region, point: Point | None) -> None:
    """The outfall's point must lie in its town (the ledger's tolerance, after the datum conversion)."""
    point_within_check(point=point, within=[(town.pk, "outside_town", "town_id", "区镇")])


def _snap(outfall: Outfall) -> None:
    """Snap to the current network; an outfall without a receiving river takes the river it stands on."""
    site_snaps_refresh(kinds=[SiteKind.OUTFALL], ids=[outfall.pk])
    if outfall.receiving_river_id:
        return
    snap = SiteSnap.objects.filter(site_kind=SiteKind.OUTFALL, site_id=outfall.pk, offset_m__isnull=False)
    loaded = current_network()
    row = snap.filter(network_id=loaded.network_id).first() if loaded else None
    if row is not None and loaded is not None:
        outfall.receiving_river_id = row.river_id
        # a name the network does not know is kept (the ledger's own name for the water)
        outfall.receiving_water = outfall.receiving_water or loaded.network.river_names.get(row.river_id, "")
        outfall.save(update_fields=["receiving_river_id", "receiving_water", "updated_at"])


def _history(
    outfall: Outfall, principal: Principal, action: str, before: dict[str, Any], reason: str
) -> dict[str, Any]:
    after = snapshot(outfall, HISTORY_FIELDS)
    changed = [k for k in HISTORY_FIELDS if before.get(k) != after.get(k)]
    if action != "create" and not changed:
        return {}
    OutfallChange.objects.create(
        outfall=outfall,
        action=action,
        changed_by_id=principal.user_id or None,
        changed_by_name=principal.username[:150],
        before={k: before.get(k) for k in changed} if action != "create" else {},
        after={k: after[k] for k in changed},
        reason=reason[:255],
    )
    return after


def _duplicate_code() -> Conflict:
    return Conflict(
        "排污口编码已存在", code="duplicate_code", details={"fields": {"code": ["排污口编码已存在"]}}
    )


@transaction.atomic
def outfall_create(
    *,
    principal: Principal,
    code: str,
    name: str,
    kind: str,
    town_id: int,
    location: LocationInput | None = None,
    receiving_river_id: str = "",
    receiving_water: str = "",
    discharger: str = "",
    has_permit: bool = False,
    is_monitored: bool = False,
    decision: str = OutfallDecision.NONE,
    state: str = OutfallState.FOUND,
    note: str = "",
    is_synthetic: bool = False,
) -> Outfall:
    """Register an outfall in a town the caller may edit; its point, in any supported datum, must lie in
    the town. It is snapped to the current river network at once (``SiteKind.OUTFALL``)."""
    _require_editor(principal)
    town = _town(principal, town_id)
    _check_values({"code": code, "name": name, "kind": kind, "decision": decision, "state": state})
    _check_state(decision, OutfallState.FOUND, state)
    located = located_fields(location)
    _check_point(town, located["location"])
    outfall = Outfall(
        code=code.strip(), name=name.strip(), kind=kind, town=town, receiving_river_id=receiving_river_id,
        receiving_water=receiving_water, discharger=discharger, has_permit=has_permit,
        is_monitored=is_monitored, decision=decision, state=state, note=note, is_synthetic=is_synthetic,
        **located,
    )  # fmt: skip
    _receiving_river(outfall)
    if Outfall.objects.filter(code=outfall.code).exists():
        raise _duplicate_code()
    try:
        with transaction.atomic():
            outfall.save()
    except IntegrityError as exc:  # a concurrent create with the same code
        raise _duplicate_code() from exc
    _snap(outfall)
    map_layers_bump(OUTFALLS)
    after = _history(outfall, principal, "create", {}, "")
    audit_record(action="geo.outfall.create", obj=outfall, region_path=town.path, after=after)
    return outfall


@transaction.atomic
def outfall_update(
    *,
    principal: Principal,
    outfall_id: int,
    changes: dict[str, Any],
    location: LocationInput | None = None,
    clear_location: bool = False,
    reason: str = "",
) -> Outfall:
    """Change an outfall in the caller's scope (404 otherwise, before anything else). A state change must
    follow the decision (see :mod:`geo.outfalls.rules`); a new point or town is checked as on creation and
    re-snapped. Every change is kept in the outfall's history."""
    _require_editor(principal)
    found = outfall_get(paths=principal.region_paths(REGISTRY_EDITORS), outfall_id=outfall_id)
    outfall = Outfall.objects.select_for_update().select_related("town").get(pk=found.pk)
    before = snapshot(outfall, HISTORY_FIELDS)
    unknown = set(changes) - set(OUTFALL_EDITABLE)
    if unknown:
        raise InvalidInput(details={"fields": {k: ["不允许修改的字段"] for k in sorted(unknown)}})
    _check_values(changes)
    _check_state(
        changes.get("decision", outfall.decision), outfall.state, changes.get("state", outfall.state)
    )
    moved = False
    if "town_id" in changes and changes["town_id"] != outfall.town_id:
        outfall.town = _town(principal, changes.pop("town_id"))
        moved = True
    changes.pop("town_id", None)
    for field, value in changes.items():
        setattr(outfall, field, value)
    if location is not None or clear_location:
        for field, value in located_fields(location).items():
            setattr(outfall, field, value)
        moved = True
    if moved:
        _check_point(outfall.town, outfall.location)
    if "receiving_water" in changes and "receiving_river_id" not in changes:
        outfall.receiving_river_id = ""  # a new name: its river is looked up again
    if "receiving_river_id" in changes or "receiving_water" in changes:
        _receiving_river(outfall)
    outfall.save()
    if moved or "receiving_river_id" in changes or "receiving_water" in changes:  # re-snapped, to its river
        _snap(outfall)
    after = _history(outfall, principal, "update", before, reason)
    if after:
        map_layers_bump(OUTFALLS)
        audit_record(
            action="geo.outfall.update",
            obj=outfall,
            region_path=outfall.town.path,
            before=before,
            after=after,
        )
    return outfall


@transaction.atomic
def outfall_inspected_set(
    *, principal: Principal, outfall_id: int, at: datetime | None, inspection_uuid: str, reason: str
) -> Outfall | None:
    """Record when the outfall was last inspected (an approved inspection's time; ``None`` when its last
    approved inspection was withdrawn and no other stands). Called by the outfall plug-in of the inspection
    lifecycle, which has checked the caller's rights on the inspection; kept in the history and audited."""
    outfall = Outfall.objects.select_for_update().select_related("town").filter(pk=outfall_id).first()
    if outfall is None:  # an inspection of an outfall deleted since: nothing to record
        return None
    before = {"last_inspected_at": outfall.last_inspected_at}
    if outfall.last_inspected_at == at:
        return outfall
    outfall.last_inspected_at = at
    outfall.save(update_fields=["last_inspected_at", "updated_at"])
    map_layers_bump(OUTFALLS)
    after = {"last_inspected_at": at}
    OutfallChange.objects.create(
        outfall=outfall, action="inspection", changed_by_id=principal.user_id or None,
        changed_by_name=principal.username[:150], before=snapshot_values(before),
        after=snapshot_values(after), reason=f"{reason}（检查 {inspection_uuid}）"[:255],
    )  # fmt: skip
    audit_record(
        action="geo.outfall.inspected", obj=outfall, region_path=outfall.town.path, before=before, after=after
    )
    return outfall


def snapshot_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
