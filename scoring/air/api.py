"""Air quality and dust fall: imports, the town view per 旬 / month, a station's days."""

from typing import Literal
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from kernel.errors import PayloadTooLarge
from kernel.kit import Day, Id

from . import imports, selectors
from .schemas import AirDayOut, AirImportOut, DustReadingOut, TownsAirOut

router = Router(tags=["空气质量与降尘"])


@router.post(
    "/air/imports", response={200: AirImportOut, 202: AirImportOut}, by_alias=False,
    summary="上传空气质量（小时 / 日）或降尘数据（CSV / XLSX）；小文件当场处理，大文件后台处理并可轮询",
)  # fmt: skip
def air_import_upload(
    request: HttpRequest,
    file: UploadedFile = File(..., description="CSV（UTF-8 / GBK）或 XLSX"),
    kind: str = Form(..., description="air_hourly 小时数据 / air_daily 日数据 / dust 降尘"),
    dry_run: bool = Form(False, description="试运行：只报告将导入什么，不写入"),
    on_duplicate: str = Form("reject", description="与已有数据重复：reject 报错 / replace 替换"),
    valid_rows_only: bool = Form(False, description="有错误时仍导入无错误的行（默认：有错误则全部不导入）"),
) -> Status:
    if file.size is not None and file.size > settings.WATER_IMPORT_MAX_BYTES:
        raise PayloadTooLarge(details={"max_bytes": settings.WATER_IMPORT_MAX_BYTES})
    record = imports.air_import_create(
        principal=request.auth, data=file.read(), filename=file.name or "upload", kind=kind, dry_run=dry_run,
        on_duplicate=on_duplicate, valid_rows_only=valid_rows_only,
    )  # fmt: skip
    return Status(202 if record.status in ("queued", "running") else 200, record)


@router.get("/air/imports/{import_id}", response=AirImportOut, by_alias=False, summary="导入进度与结果")
def air_import_status(request: HttpRequest, import_id: UUID) -> object:
    return imports.air_import_get(principal=request.auth, import_uuid=import_id)


@router.post(
    "/air/imports/{import_id}/apply", response={200: AirImportOut, 202: AirImportOut}, by_alias=False,
    summary="导入试运行检查过的文件（409：不是已完成的试运行）",
)  # fmt: skip
def air_import_apply(request: HttpRequest, import_id: UUID) -> Status:
    record = imports.air_import_apply(principal=request.auth, import_uuid=import_id)
    return Status(202 if record.status in ("queued", "running") else 200, record)


@router.post(
    "/air/imports/{import_id}/retry", response={202: AirImportOut}, by_alias=False,
    summary="重试已中断（stalled）或处理失败的导入",
)  # fmt: skip
def air_import_retry(request: HttpRequest, import_id: UUID) -> Status:
    return Status(202, imports.air_import_retry(principal=request.auth, import_uuid=import_id))


@router.get("/air/towns", response=TownsAirOut, summary="各区镇空气质量与降尘（旬 / 月；管辖范围内）")
def air_towns(
    request: HttpRequest,
    period: Literal["dekad", "month"] = Query("dekad", description="dekad 旬 / month 月"),
    on: Day | None = Query(None, description="所在期的任一天（默认今天）"),
) -> object:
    return selectors.air_towns(principal=request.auth, kind=period, on=on or timezone.localdate())


@router.get("/air/stations/{station_id}/days", response=list[AirDayOut], summary="站点日数据（日报，AQI）")
def air_station_days(
    request: HttpRequest, station_id: Id,
    start: Day = Query(..., alias="from", description="起始日（含）"),
    end: Day = Query(..., alias="to", description="截止日（含）"),
) -> object:  # fmt: skip
    return selectors.air_station_days(principal=request.auth, station_id=station_id, start=start, end=end)


@router.get("/air/imports", response=list[AirImportOut], by_alias=False, summary="最近的空气、降尘数据导入")
def air_import_list(request: HttpRequest) -> object:
    return imports.air_imports_recent(principal=request.auth)


@router.get(
    "/air/dust-fall-points/{point_id}/readings",
    response=list[DustReadingOut],
    summary="降尘点的收集期与降尘量",
)
def dust_point_readings(
    request: HttpRequest, point_id: Id,
    start: Day = Query(..., alias="from", description="起始日（含；与之重叠的收集期）"),
    end: Day = Query(..., alias="to", description="截止日（含）"),
) -> object:  # fmt: skip
    return selectors.dust_point_readings(principal=request.auth, point_id=point_id, start=start, end=end)
