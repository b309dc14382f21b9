"""Points as clients, ledgers and devices give them → the ``Located`` fields; the registry editors' check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Point

from kernel.access import REGISTRY_EDITORS, Principal
from kernel.errors import InvalidInput, PermissionDenied

from .. import coords
from ..models import (
    LocationQuality,
)


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
