"""Air stations and dust-fall points (registry routes, scoped by the responsible town)."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kernel.kit import Id, Pages

from ..services import LocationInput
from . import selectors, services
from .schemas import AirStationIn, AirStationOut, AirStationPatch, DustPointIn, DustPointOut, DustPointPatch

router = Router(tags=["空间登记"])


def _location(given: object) -> LocationInput | None:
    return None if given is None else LocationInput(**given.dict())  # type: ignore[attr-defined]


def _patch(payload: AirStationPatch | DustPointPatch) -> dict[str, object]:
    return {
        "changes": payload.dict(exclude_unset=True, exclude={"location", "town_id"}),
        "town_id": payload.town_id,
        "location": _location(payload.location),
        "clear_location": "location" in payload.model_fields_set and payload.location is None,
    }


@router.get("/air-stations", response=list[AirStationOut], summary="空气质量监测站点（管辖范围内）")
@paginate(Pages, page_size=100)
def air_station_list(
    request: HttpRequest, town_id: Id | None = None,
    kind: str | None = Query(None, description="national / provincial / municipal / town"),
    q: str | None = Query(None, max_length=64, description="名称包含或编码开头"),
) -> object:  # fmt: skip
    return selectors.air_station_list(paths=request.auth.region_paths(), town_id=town_id, kind=kind, q=q)


@router.get("/air-stations/{station_id}", response=AirStationOut, summary="空气质量监测站点详情")
def air_station_detail(request: HttpRequest, station_id: Id) -> object:
    return selectors.air_station_get(paths=request.auth.region_paths(), station_id=station_id)


@router.post("/air-stations", response={201: AirStationOut}, summary="登记空气质量监测站点（区级）")
def air_station_create(request: HttpRequest, payload: AirStationIn) -> Status[object]:
    data = payload.dict(exclude={"location"})
    station = services.air_station_create(
        principal=request.auth, location=_location(payload.location), **data
    )
    return Status(201, selectors.air_station_get(paths=None, station_id=station.pk))


@router.patch("/air-stations/{station_id}", response=AirStationOut, summary="修改空气质量监测站点（区级）")
def air_station_patch(request: HttpRequest, station_id: Id, payload: AirStationPatch) -> object:
    station = services.air_station_update(principal=request.auth, station_id=station_id, **_patch(payload))  # type: ignore[arg-type]
    return selectors.air_station_get(paths=None, station_id=station.pk)


@router.get("/dust-fall-points", response=list[DustPointOut], summary="降尘监测点（管辖范围内）")
@paginate(Pages, page_size=100)
def dust_point_list(
    request: HttpRequest, town_id: Id | None = None,
    q: str | None = Query(None, max_length=64, description="名称包含或编码开头"),
) -> object:  # fmt: skip
    return selectors.dust_point_list(paths=request.auth.region_paths(), town_id=town_id, q=q)


@router.get("/dust-fall-points/{point_id}", response=DustPointOut, summary="降尘监测点详情")
def dust_point_detail(request: HttpRequest, point_id: Id) -> object:
    return selectors.dust_point_get(paths=request.auth.region_paths(), point_id=point_id)


@router.post("/dust-fall-points", response={201: DustPointOut}, summary="登记降尘监测点（区级）")
def dust_point_create(request: HttpRequest, payload: DustPointIn) -> Status[object]:
    data = payload.dict(exclude={"location"})
    point = services.dust_point_create(principal=request.auth, location=_location(payload.location), **data)
    return Status(201, selectors.dust_point_get(paths=None, point_id=point.pk))


@router.patch("/dust-fall-points/{point_id}", response=DustPointOut, summary="修改降尘监测点（区级）")
def dust_point_patch(request: HttpRequest, point_id: Id, payload: DustPointPatch) -> object:
    point = services.dust_point_update(principal=request.auth, point_id=point_id, **_patch(payload))  # type: ignore[arg-type]
    return selectors.dust_point_get(paths=None, point_id=point.pk)
