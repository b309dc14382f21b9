"""Points as clients, ledgers and devices give them → the ``Located`` fields; the registry editors' check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point

from kernel.access import REGISTRY_EDITORS, Principal
from kernel.errors import InvalidInput, PermissionDenied

from .. import coords, ledger
from ..boundaries import BoundaryDistances
from ..models import LocationQuality, Region


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


def point_within_check(
    *, point: Point | None, within: list[tuple[int | None, str, str, str]], field: str = "location"
) -> None:
    """A registry point must lie in its regions — ``within`` lists ``(region id, error code, details key,
    level name)``, e.g. ``(town_id, "outside_town", "town_id", "区镇")`` — by the ledger's rule and tolerance
    (``LEDGER_TOWN_TOLERANCE_M``), measured in WGS-84 after the datum conversion: a 422 with the code,
    naming the region and the distance. Regions without a boundary are not checked."""
    if point is None:
        return
    tolerance = float(settings.LEDGER_TOWN_TOLERANCE_M)
    ids = [region_id for region_id, *_ in within if region_id is not None]
    regions = {r.pk: r for r in Region.objects.filter(pk__in=ids).only("name", "boundary")}
    distances = BoundaryDistances(regions.values())
    for region_id, code, key, level in within:
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
