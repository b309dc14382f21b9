"""The registry API: regions (catalogue with ETag), river sections, sewage facilities."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kernel.access import Principal
from kernel.jobs import JobOut
from kernel.kit import Id, Moment, Page, PageNumber, Pages, conditional_json, dumps, page_of

from . import ledger_export, ledger_import, selectors, services
from .coords import Datum
from .models import LedgerExport
from .rivers import upload as river_files
from .schemas import (
    FacilitiesNearOut,
    FacilityIn,
    FacilityOut,
    FacilityPatch,
    RegionOut,
    RegionPatch,
    RegionsAtOut,
    RiverImportOut,
    SectionOut,
    SectionsNearOut,
    regions_at_out,
)

router = Router(tags=["空间登记"])
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A map layer is GeoJSON (RFC 7946), served as application/geo+json.
GEOJSON_LAYER = {
    "responses": {
        200: {
            "description": "GeoJSON FeatureCollection（WGS-84）",
            "content": {
                "application/geo+json": {
                    "schema": {"type": "object", "description": "GeoJSON FeatureCollection（RFC 7946）"}
                }
            },
        }
    }
}


def _paths(request: HttpRequest) -> tuple[str, ...] | None:
    principal: Principal = request.auth
    return principal.region_paths()


@router.get(
    "/regions", response=Page[RegionOut], summary="区划目录（支持 ETag / If-None-Match 与 since 增量）"
)
def region_list(
    request: HttpRequest,
    level: str | None = None,
    parent_id: Id | None = None,
    since: Moment | None = Query(None, description="只返回此时间之后修改过的区划"),
    q: str | None = Query(None, max_length=64, description="名称包含此文字，或区划代码以此开头"),
    page: PageNumber = Query(1, description="页码（从 1 开始）"),
    page_size: int = Query(200, ge=1, le=1000),
) -> HttpResponse:
    qs = selectors.region_list(paths=_paths(request), level=level, parent_id=parent_id, since=since, q=q)
    items, count = page_of(qs, page=page, page_size=page_size)
    return conditional_json(
        request,
        Page[RegionOut](items=items, count=count, page=page, page_size=page_size),
    )


# A point in a query: range-checked by the schema (422 naming lon / lat / datum), converted to WGS-84.
Lon = Query(..., ge=-180, le=180, description="经度（按 datum 所指坐标系）")
Lat = Query(..., ge=-90, le=90, description="纬度（按 datum 所指坐标系）")
DatumQuery = Query(
    Datum.WGS84, description="坐标系：wgs84（GPS）、gcj02（高德/腾讯）、bd09（百度）、cgcs2000"
)
Limit = Query(10, ge=1, le=selectors.NEAREST_MAX, description="最多返回几个（1–50）")


@router.get(
    "/regions/at",
    response=RegionsAtOut,
    summary="坐标所在的区、区镇、行政村、自然村（任何登录用户可查全区；404 outside_district：不在本区）",
)
def regions_at(request: HttpRequest, lon: float = Lon, lat: float = Lat, datum: Datum = DatumQuery) -> object:
    point, _ = services.wgs84_point(lon, lat, datum, field="lon")
    found = selectors.regions_at(point=point, paths=_paths(request))
    return regions_at_out(found, datum=datum, raw_lon=lon, raw_lat=lat)


@router.get("/regions/{region_id}", response=RegionOut, summary="区划详情")
def region_detail(request: HttpRequest, region_id: Id) -> object:
    return selectors.region_get(paths=_paths(request), region_id=region_id)


@router.patch("/regions/{region_id}", response=RegionOut, summary="修正区划（名称、代码、户数）")
def region_patch(request: HttpRequest, region_id: Id, payload: RegionPatch) -> object:
    return services.region_update(
        principal=request.auth, region_id=region_id, changes=payload.dict(exclude_unset=True)
    )


@router.get("/sections", response=list[SectionOut], summary="监测断面")
@paginate(Pages, page_size=100)
def section_list(request: HttpRequest, level: str | None = None, town_id: Id | None = None) -> object:
    return selectors.section_list(paths=_paths(request), level=level, town_id=town_id)


@router.get(
    "/sections.geojson",
    summary="断面地图图层（GeoJSON，WGS-84；可按 bbox、级别、区镇筛选）",
    openapi_extra=GEOJSON_LAYER,
)
def section_layer(
    request: HttpRequest,
    level: str | None = None,
    town_id: Id | None = None,
    bbox: str | None = Query(None, description="最小经度,最小纬度,最大经度,最大纬度"),
) -> HttpResponse:
    layer = selectors.section_layer(paths=_paths(request), level=level, town_id=town_id, bbox=bbox)
    return _geojson(layer)


@router.get(
    "/facilities.geojson",
    summary="设施地图图层（GeoJSON，WGS-84；可按 bbox、区镇、状态筛选）",
    openapi_extra=GEOJSON_LAYER,
)
def facility_layer(
    request: HttpRequest,
    town_id: Id | None = None,
    status: str | None = None,
    bbox: str | None = Query(None, description="最小经度,最小纬度,最大经度,最大纬度"),
) -> HttpResponse:
    layer = selectors.facility_layer(paths=_paths(request), town_id=town_id, status=status, bbox=bbox)
    return _geojson(layer)


def _geojson(layer: dict[str, object]) -> HttpResponse:
    return HttpResponse(dumps(layer), content_type="application/geo+json; charset=utf-8")


@router.get("/sections/nearest", response=SectionsNearOut, summary="离坐标最近的断面（按管辖范围；距离为米）")
def section_nearest(
    request: HttpRequest, lon: float = Lon, lat: float = Lat, datum: Datum = DatumQuery, limit: int = Limit
) -> object:
    point, _ = services.wgs84_point(lon, lat, datum, field="lon")
    items = selectors.section_nearest(paths=_paths(request), point=point, limit=limit)
    return {"lon": point.x, "lat": point.y, "items": items}


@router.get(
    "/facilities/nearest", response=FacilitiesNearOut, summary="离坐标最近的设施（按管辖范围；距离为米）"
)
def facility_nearest(
    request: HttpRequest, lon: float = Lon, lat: float = Lat, datum: Datum = DatumQuery, limit: int = Limit
) -> object:
    point, _ = services.wgs84_point(lon, lat, datum, field="lon")
    items = selectors.facility_nearest(paths=_paths(request), point=point, limit=limit)
    return {"lon": point.x, "lat": point.y, "items": items}


@router.get("/sections/{section_id}", response=SectionOut, summary="断面详情")
def section_detail(request: HttpRequest, section_id: Id) -> object:
    return selectors.section_get(paths=_paths(request), section_id=section_id)


@router.get("/facilities", response=list[FacilityOut], summary="农村生活污水处理设施")
@paginate(Pages, page_size=100)
def facility_list(
    request: HttpRequest, town_id: Id | None = None, village_id: Id | None = None, status: str | None = None
) -> object:
    return selectors.facility_list(
        paths=_paths(request), town_id=town_id, village_id=village_id, status=status
    )


class LedgerImportOut(JobOut):
    id: UUID = Field(alias="uuid", description="导入编号（轮询用）")
    filename: str = Field(description="文件名")
    size: int = Field(description="大小（字节）")
    dry_run: bool = Field(description="试运行（只报告，不写入）")
    valid_rows_only: bool = Field(description="仅导入无错误的行")
    status: str = Field(description="queued / running / done / rejected（有错误，未导入）/ failed")
    progress: int = Field(description="进度 0–100")
    report: dict[str, Any] = Field(
        description=(
            "逐行错误（行号、列、代码、说明）、各区镇缺项（gaps_by_town）、将新增/更新与已新增/更新的设施数、"
            "将不再服务的自然村与户数（stop_serving、would_stop_serving、stopped_serving）"
        )
    )
    created_at: datetime = Field(description="上传时间")
    finished_at: datetime | None = Field(description="完成时间")

    model_config = {"populate_by_name": True}


@router.post(
    "/facilities/import",
    response={200: LedgerImportOut, 202: LedgerImportOut},
    summary="导入设施台账（CSV / XLSX；默认试运行；按设施编码新增或更新；大文件后台处理）",
)
def facility_import(
    request: HttpRequest,
    file: UploadedFile = File(..., description="区镇的污水设施台账（CSV：UTF-8 / GBK；或 XLSX）"),
    dry_run: bool = Form(True, description="试运行（默认）：只报告错误、缺项与将新增/更新的设施"),
    valid_rows_only: bool = Form(False, description="有错误时仍导入无错误的行（默认：有错误则全部不导入）"),
) -> Status:
    record = ledger_import.facility_ledger_upload(
        principal=request.auth, data=file.read(), filename=file.name or "ledger",
        dry_run=dry_run, valid_rows_only=valid_rows_only,
    )  # fmt: skip
    return Status(202 if record.status in ("queued", "running") else 200, record)


@router.get("/facilities/imports/{import_id}", response=LedgerImportOut, summary="台账导入进度与结果")
def facility_import_status(request: HttpRequest, import_id: UUID) -> object:
    return ledger_import.facility_ledger_import_get(principal=request.auth, import_uuid=import_id)


@router.post(
    "/facilities/imports/{import_id}/apply",
    response={200: LedgerImportOut, 202: LedgerImportOut},
    summary="导入试运行检查过的文件（服务器保存的原文件与试运行的选项；409：不是已完成的试运行）",
)
def facility_import_apply(request: HttpRequest, import_id: UUID) -> Status:
    record = ledger_import.facility_ledger_import_apply(principal=request.auth, import_uuid=import_id)
    return Status(202 if record.status in ("queued", "running") else 200, record)


@router.post(
    "/facilities/imports/{import_id}/retry",
    response={202: LedgerImportOut},
    summary="重试已中断（stalled）或处理失败的台账导入（409：任务仍在排队、处理中或已结束）",
)
def facility_import_retry(request: HttpRequest, import_id: UUID) -> Status:
    record = ledger_import.facility_ledger_import_retry(principal=request.auth, import_uuid=import_id)
    return Status(202, record)


class LedgerExportOut(JobOut):
    id: UUID = Field(alias="uuid", description="导出编号（轮询用）")
    title: str = Field(description="台账标题")
    town_id: int | None = Field(description="区镇（空：请求人的全部范围）")
    facilities: int = Field(description="请求时的设施数")
    status: str = Field(description="queued / running / done / failed")
    progress: int = Field(description="进度 0–100")
    url: str = Field(description="本任务的地址（轮询）")
    download_url: str | None = Field(description="完成后下载 XLSX 的地址")
    created_at: datetime = Field(description="请求时间")
    finished_at: datetime | None = Field(description="完成时间")

    model_config = {"populate_by_name": True}

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("api-v1:facility_export_status", kwargs={"export_id": obj.uuid})

    @staticmethod
    def resolve_download_url(obj: Any) -> str | None:
        if obj.status != "done":
            return None
        return reverse("api-v1:facility_export_file", kwargs={"export_id": obj.uuid})


@router.get(
    "/facilities/ledger.xlsx",
    response={202: LedgerExportOut},
    summary="导出设施台账（与导入相同的格式，可改后再导入）；设施多时后台生成：202 与任务地址（Location）",
    openapi_extra={"responses": {200: {"description": "XLSX 台账", "content": {XLSX_TYPE: {}}}}},
)
def facility_ledger(request: HttpRequest, response: HttpResponse, town_id: Id | None = None) -> object:
    result = ledger_export.facility_ledger_export(principal=request.auth, town_id=town_id)
    if isinstance(result, LedgerExport):
        response["Location"] = LedgerExportOut.resolve_url(result)
        return Status(202, result)
    return _xlsx(result[1], "ledger.xlsx")


def _xlsx(data: object, filename: str) -> HttpResponse:
    response = (FileResponse if not isinstance(data, bytes) else HttpResponse)(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/facilities/exports/{export_id}",
    response=LedgerExportOut,
    url_name="facility_export_status",
    summary="台账导出任务的进度（完成后给出 download_url）",
)
def facility_export_status(request: HttpRequest, export_id: UUID) -> object:
    return ledger_export.facility_ledger_export_get(principal=request.auth, export_uuid=export_id)


@router.get(
    "/facilities/exports/{export_id}/ledger.xlsx",
    url_name="facility_export_file",
    summary="下载已完成的台账导出（409 job_not_done：尚未完成）",
    openapi_extra={"responses": {200: {"description": "XLSX 台账", "content": {XLSX_TYPE: {}}}}},
)
def facility_export_file(request: HttpRequest, export_id: UUID) -> HttpResponse:
    record = ledger_export.facility_ledger_export_file(principal=request.auth, export_uuid=export_id)
    return _xlsx(record.file.open("rb"), "ledger.xlsx")


@router.post(
    "/facilities/exports/{export_id}/retry",
    response={202: LedgerExportOut},
    summary="重试已中断（stalled）或失败的台账导出",
)
def facility_export_retry(request: HttpRequest, export_id: UUID) -> Status:
    return Status(
        202, ledger_export.facility_ledger_export_retry(principal=request.auth, export_uuid=export_id)
    )


@router.get("/facilities/{facility_id}", response=FacilityOut, summary="设施详情")
def facility_detail(request: HttpRequest, facility_id: Id) -> object:
    return selectors.facility_get(paths=_paths(request), facility_id=facility_id)


def _location(payload_location: object) -> services.LocationInput | None:
    if payload_location is None:
        return None
    return services.LocationInput(**payload_location.dict())  # type: ignore[attr-defined]


@router.post("/facilities", response={201: FacilityOut}, summary="登记设施")
def facility_create(request: HttpRequest, payload: FacilityIn) -> Status[object]:
    data = payload.dict(exclude={"location"})
    facility = services.facility_create(principal=request.auth, location=_location(payload.location), **data)
    return Status(201, selectors.facility_get(paths=None, facility_id=facility.pk))


_VILLAGE_FIELDS = {"village_id", "village_code", "village_name", "town_id"}


@router.patch("/facilities/{facility_id}", response=FacilityOut, summary="修改设施")
def facility_patch(request: HttpRequest, facility_id: Id, payload: FacilityPatch) -> object:
    changes = payload.dict(exclude_unset=True, exclude={"location", *_VILLAGE_FIELDS})
    facility = services.facility_update(
        principal=request.auth,
        facility_id=facility_id,
        changes=changes,
        village=services.VillageRef(
            payload.village_id, payload.village_code, payload.village_name, payload.town_id
        ),
        location=_location(payload.location),
        clear_location="location" in payload.model_fields_set and payload.location is None,
    )
    return selectors.facility_get(paths=None, facility_id=facility.pk)


# --- the river network (issue 18: 溯源) -----------------------------------------------------------------


@router.post(
    "/rivers/import",
    response={200: RiverImportOut, 201: RiverImportOut},
    summary="导入河网（GeoJSON、GeoPackage、压缩的 Shapefile；默认试运行，逐要素报告；无错误时成为当前河网）",
)
def river_import(
    request: HttpRequest,
    file: UploadedFile = File(..., description="河段线图层，顶点按水流方向；.geojson / .json、.gpkg 或 .zip"),
    dry_run: bool = Form(True, description="试运行（默认）：只报告逐要素的错误与警告"),
    datum: Datum = Form(Datum.WGS84, description="经纬度的基准：gcj02（高德 / 腾讯描绘）、bd09（百度）"),
    source_srid: int | None = Form(
        None, ge=1, le=999_999, description="文件没有说明坐标系时必填的 EPSG 代码"
    ),
    layer: str | None = Form(None, max_length=255, description="图层序号（从 0 起）或名称"),
    flip_reversed: bool = Form(
        False,
        description="把与同一河流相邻河段流向相反的河段（自动检测，较短的一侧）倒转为水流方向；"
        "文件中有流向字段（direction / 流向：-1、逆向；或 reversed / 是否逆向：是）的河段总是按该字段倒转",
    ),
) -> Status:
    report = river_files.river_network_upload(
        principal=request.auth, data=file, filename=file.name or "rivers",
        dry_run=dry_run, datum=datum, source_srid=source_srid, layer=layer, flip_reversed=flip_reversed,
    )  # fmt: skip
    return Status(201 if report["applied"] else 200, report)
