"""排涝泵站 registry routes (scoped by the responsible town)."""

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kernel.kit import Id, Pages

from ..schemas import SectionOut
from ..services import LocationInput
from . import ledger_io, selectors, services
from .schemas import (
    PumpLedgerReportOut,
    PumpStationChangeOut,
    PumpStationIn,
    PumpStationOut,
    PumpStationPatch,
    TributaryPointIn,
)
from .tributaries import tributary_point_create

router = Router(tags=["空间登记"])


def _location(given: object) -> LocationInput | None:
    return None if given is None else LocationInput(**given.dict())  # type: ignore[attr-defined]


@router.get("/pump-stations", response=list[PumpStationOut], summary="排涝泵站（管辖范围内）")
@paginate(Pages, page_size=100)
def pump_station_list(
    request: HttpRequest,
    town_id: Id | None = None,
    holds_sewage: bool | None = Query(None, description="true：拦蓄污水清单"),
    q: str | None = Query(None, max_length=64, description="名称包含或编码开头"),
) -> object:
    paths = request.auth.region_paths()
    return selectors.pump_station_list(paths=paths, town_id=town_id, holds_sewage=holds_sewage, q=q)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post(
    "/pump-stations/import",
    response=PumpLedgerReportOut,
    summary="导入排涝泵站台账（CSV / XLSX；默认试运行；按编码新增或更新；有错误则全部不导入）",
)
def pump_station_import(
    request: HttpRequest,
    file: UploadedFile = File(
        ..., description="泵站台账（CSV：UTF-8 / GBK；或 XLSX；导出的台账可改后再导入）"
    ),
    dry_run: bool = Form(True, description="试运行（默认）：只报告逐行错误与将新增/更新的泵站"),
) -> object:
    return ledger_io.pump_station_ledger_import(
        principal=request.auth, data=file.read(), filename=file.name or "pump-stations", dry_run=dry_run
    )


@router.get(
    "/pump-stations/ledger.xlsx",
    summary="导出排涝泵站台账（XLSX，与导入相同的列，可改后再导入）",
    openapi_extra={"responses": {200: {"description": "XLSX 台账", "content": {XLSX_TYPE: {}}}}},
)
def pump_station_ledger(request: HttpRequest, town_id: Id | None = None) -> HttpResponse:
    data = ledger_io.pump_station_ledger_export(principal=request.auth, town_id=town_id)
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="pump-stations.xlsx"'
    return response


@router.get("/pump-stations/{station_id}", response=PumpStationOut, summary="泵站详情")
def pump_station_detail(request: HttpRequest, station_id: Id) -> object:
    return selectors.pump_station_get(paths=request.auth.region_paths(), station_id=station_id)


@router.get(
    "/pump-stations/{station_id}/history", response=list[PumpStationChangeOut], summary="泵站变更记录"
)
def pump_station_history(request: HttpRequest, station_id: Id) -> object:
    return selectors.pump_station_history(paths=request.auth.region_paths(), station_id=station_id)


@router.post("/pump-stations", response={201: PumpStationOut}, summary="登记泵站")
def pump_station_create(request: HttpRequest, payload: PumpStationIn) -> Status[object]:
    data = payload.dict(exclude={"location"})
    station = services.pump_station_create(
        principal=request.auth, location=_location(payload.location), **data
    )
    return Status(201, selectors.pump_station_get(paths=None, station_id=station.pk))


@router.patch("/pump-stations/{station_id}", response=PumpStationOut, summary="修改泵站（含拦蓄污水、清零）")
def pump_station_patch(request: HttpRequest, station_id: Id, payload: PumpStationPatch) -> object:
    given = payload.dict(exclude_unset=True, exclude={"location", "town_id", "holds_sewage", "sewage_on"})
    station = services.pump_station_update(
        principal=request.auth, station_id=station_id, changes=given, town_id=payload.town_id,
        holds_sewage=payload.holds_sewage, sewage_on=payload.sewage_on, location=_location(payload.location),
        clear_location="location" in payload.model_fields_set and payload.location is None,
    )  # fmt: skip
    return selectors.pump_station_get(paths=None, station_id=station.pk)


@router.post(
    "/tributary-points",
    response={201: SectionOut},
    summary="登记支流监测点（断面级别 tributary：按监测数据导入、GB 3838 评价，列入劣Ⅴ清单的计算）",
)
def tributary_point_register(request: HttpRequest, payload: TributaryPointIn) -> Status[object]:
    data = payload.dict(exclude={"location"})
    point = tributary_point_create(principal=request.auth, location=_location(payload.location), **data)
    return Status(201, point)
