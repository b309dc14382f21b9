"""Reads for the air API: the town view over a 旬 or month, a station's days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from geo.air.selectors import air_station_get, dust_point_get
from geo.models import RegionLevel
from geo.selectors import region_list
from kernel.access import Principal
from kernel.errors import InvalidInput

from ..engine.water import periods
from ..models import AirDay, DustFallReading
from .indicators import town_air, town_dust

PERIOD_KINDS = (periods.PeriodKind.DEKAD.value, periods.PeriodKind.MONTH.value)


@dataclass(frozen=True)
class TownAirRow:
    town_id: int
    town_name: str
    stations: int
    aqi: Decimal | None
    means: dict[str, Decimal | None]
    days: int
    good_days: int
    good_rate: Decimal | None
    dust_fall: Decimal | None


@dataclass(frozen=True)
class TownsAir:
    period: str
    period_label: str
    start: date
    end: date
    towns: list[TownAirRow]


def air_towns(*, principal: Principal, kind: str, on: date) -> TownsAir:
    """Every town in the caller's scope over the 旬 or month containing ``on``: mean AQI, each statistic's
    mean (``indicators``), station-days and those 优良, mean dust fall; None where there is no data."""
    if kind not in PERIOD_KINDS:
        raise InvalidInput(details={"fields": {"period": ["应为 dekad（旬）或 month（月）"]}})
    period = periods.period_of(on, kind)
    towns = list(region_list(paths=principal.region_paths(), level=RegionLevel.TOWN))
    ids = [t.pk for t in towns]
    air = town_air(start=period.start, end=period.end, town_ids=ids)
    dust = town_dust(start=period.start, end=period.end, town_ids=ids)
    rows = []
    for t in towns:
        a = air.get(t.pk)
        rate = (
            None
            if a is None or not a.days
            else (Decimal(100 * a.good_days) / a.days).quantize(Decimal("0.1"))
        )
        rows.append(
            TownAirRow(
                town_id=t.pk,
                town_name=t.name,
                stations=a.stations if a else 0,
                aqi=a.aqi if a else None,
                means=dict(a.means) if a else {},
                days=a.days if a else 0,
                good_days=a.good_days if a else 0,
                good_rate=rate,
                dust_fall=dust.get(t.pk),
            )
        )
    return TownsAir(period.key, period.label, period.start, period.end, rows)


def air_station_days(*, principal: Principal, station_id: int, start: date, end: date) -> QuerySet[AirDay]:
    """A station's days (日报) in scope, oldest first; 404 outside the caller's scope."""
    if end < start:
        raise InvalidInput(details={"fields": {"to": ["结束日期早于开始日期"]}})
    station = air_station_get(paths=principal.region_paths(), station_id=station_id)
    return AirDay.objects.filter(station=station, day__gte=start, day__lte=end).order_by("day")


def dust_point_readings(
    *, principal: Principal, point_id: int, start: date, end: date
) -> QuerySet[DustFallReading]:
    """A jar's exposures overlapping ``start``–``end``, oldest first; 404 outside the caller's scope."""
    if end < start:
        raise InvalidInput(details={"fields": {"to": ["结束日期早于开始日期"]}})
    point = dust_point_get(paths=principal.region_paths(), point_id=point_id)
    return DustFallReading.objects.filter(point=point, start__lte=end, end__gte=start).order_by("start")
