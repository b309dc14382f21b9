"""Reads of the air-station and dust-fall-point registries, scoped by the responsible town."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kernel.errors import NotFound
from kernel.scope import Paths, scope_q

from .models import AirStation, DustFallPoint

Point = AirStation | DustFallPoint


def _list(model: type[Point], paths: Paths, town_id: int | None, q: str | None) -> QuerySet:
    qs = model.objects.filter(scope_q(paths, "town__path")).select_related("town").defer("town__boundary")
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return qs.order_by("code")


def air_station_list(
    *, paths: Paths, town_id: int | None = None, kind: str | None = None, q: str | None = None
) -> QuerySet[AirStation]:
    """Stations in scope (their town's path); ``q``: a name containing it or a code starting with it."""
    qs = _list(AirStation, paths, town_id, q)
    return qs.filter(kind=kind) if kind else qs


def air_station_get(*, paths: Paths, station_id: int) -> AirStation:
    """One station in scope; 404 otherwise (existence outside scope is not revealed)."""
    station = air_station_list(paths=paths).filter(pk=station_id).first()
    if station is None:
        raise NotFound("空气质量监测站点不存在或不在您的管辖范围内", details={"station_id": station_id})
    return station


def dust_point_list(
    *, paths: Paths, town_id: int | None = None, q: str | None = None
) -> QuerySet[DustFallPoint]:
    """Dust-fall points in scope."""
    return _list(DustFallPoint, paths, town_id, q)


def dust_point_get(*, paths: Paths, point_id: int) -> DustFallPoint:
    """One dust-fall point in scope; 404 otherwise."""
    point = dust_point_list(paths=paths).filter(pk=point_id).first()
    if point is None:
        raise NotFound("降尘监测点不存在或不在您的管辖范围内", details={"point_id": point_id})
    return point
