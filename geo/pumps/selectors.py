"""Reads of the pump station registry, scoped by the responsible town."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kernel.errors import NotFound
from kernel.scope import Paths, scope_q

from .models import PumpStation, PumpStationChange


def pump_station_list(
    *, paths: Paths, town_id: int | None = None, holds_sewage: bool | None = None, q: str | None = None
) -> QuerySet[PumpStation]:
    """Stations in scope (their town's path); ``q`` finds a name containing it or a code starting with it."""
    qs = (
        PumpStation.objects.filter(scope_q(paths, "town__path"))
        .select_related("town")
        .defer("town__boundary")
    )
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    if holds_sewage is not None:
        qs = qs.filter(holds_sewage=holds_sewage)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return qs.order_by("code")


def pump_station_get(*, paths: Paths, station_id: int) -> PumpStation:
    """One station in scope; 404 otherwise (existence outside scope is not revealed)."""
    station = pump_station_list(paths=paths).filter(pk=station_id).first()
    if station is None:
        raise NotFound("泵站不存在或不在您的管辖范围内", details={"station_id": station_id})
    return station


def pump_station_history(*, paths: Paths, station_id: int) -> QuerySet[PumpStationChange]:
    """Every change of a station in scope, oldest first."""
    station = pump_station_get(paths=paths, station_id=station_id)
    return PumpStationChange.objects.filter(station=station).order_by("at", "id")
