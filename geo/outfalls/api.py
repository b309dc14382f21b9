"""The outfall registry API (排污口, 海政办发〔2022〕65号 item 19), mounted under ``/geo/outfalls``."""

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kernel.access import Principal
from kernel.kit import Id, Pages

from ..services.locations import LocationInput
from . import ledger_io, selectors, services
from .schemas import (
    OutfallChangeOut,
    OutfallDetailOut,
    OutfallIn,
    OutfallLedgerReportOut,
    OutfallOut,
    OutfallPatch,
)

router = Router(tags=["排污口"])


def _paths(request: HttpRequest) -> tuple[str, ...] | None:
    principal: Principal = request.auth
    return principal.region_paths()


def _detail(outfall_id: int) -> object:
    outfall = selectors.outfall_get(paths=None, outfall_id=outfall_id)
    outfall.snap = selectors.outfall_snap(outfall=outfall)  # type: ignore[attr-defined]
    return outfall


@router.get("", response=list[OutfallOut], summary="排污口（管辖范围内；可按区镇、类型、整治方式、状态筛选）")
@paginate(Pages, page_size=100)
def outfall_list(
    request: HttpRequest,
    town_id: Id | None = None,
    kind: str | None = Query(None, description="类型"),
    decision: str | None = Query(None, description="整治方式（空字符串：未定）"),
    state: str | None = Query(None, description="整治状态"),
    q: str | None = Query(None, max_length=64, description="名称或排污单位包含此文字，或编码以此开头"),
) -> object:
    return selectors.outfall_list(
        paths=_paths(request), town_id=town_id, kind=kind, decision=decision, state=state, q=q
    )


@router.post("", response={201: OutfallDetailOut}, summary="登记排污口（捕捉到河网）")
def outfall_create(request: HttpRequest, payload: OutfallIn) -> Status[object]:
    location = LocationInput(**payload.location.dict()) if payload.location else None
    outfall = services.outfall_create(
        principal=request.auth, location=location, **payload.dict(exclude={"location"})
    )
    return Status(201, _detail(outfall.pk))


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post(
    "/import",
    response=OutfallLedgerReportOut,
    summary="导入排污口台账（CSV / XLSX；默认试运行；按编码新增或更新；有错误则全部不导入）",
)
def outfall_import(
    request: HttpRequest,
    file: UploadedFile = File(
        ..., description="排污口台账（CSV：UTF-8 / GBK；或 XLSX；导出的台账可改后再导入）"
    ),
    dry_run: bool = Form(True, description="试运行（默认）：只报告逐行错误与将新增/更新的排污口"),
) -> object:
    return ledger_io.outfall_ledger_import(
        principal=request.auth, data=file.read(), filename=file.name or "outfalls", dry_run=dry_run
    )


@router.get(
    "/ledger.xlsx",
    summary="导出排污口台账（XLSX，与导入相同的列，可改后再导入）",
    openapi_extra={"responses": {200: {"description": "XLSX 台账", "content": {XLSX_TYPE: {}}}}},
)
def outfall_ledger(request: HttpRequest, town_id: Id | None = None) -> HttpResponse:
    data = ledger_io.outfall_ledger_export(principal=request.auth, town_id=town_id)
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="outfalls.xlsx"'
    return response


@router.get("/{outfall_id}", response=OutfallDetailOut, summary="排污口详情（含在河网上的位置）")
def outfall_detail(request: HttpRequest, outfall_id: Id) -> object:
    selectors.outfall_get(paths=_paths(request), outfall_id=outfall_id)
    return _detail(outfall_id)


@router.patch(
    "/{outfall_id}", response=OutfallDetailOut, summary="修改排污口（含整治方式与状态；记入变更记录）"
)
def outfall_patch(request: HttpRequest, outfall_id: Id, payload: OutfallPatch) -> object:
    changes = payload.dict(exclude_unset=True, exclude={"location", "reason"})
    outfall = services.outfall_update(
        principal=request.auth, outfall_id=outfall_id, changes=changes,
        location=LocationInput(**payload.location.dict()) if payload.location else None,
        clear_location="location" in payload.model_fields_set and payload.location is None,
        reason=payload.reason,
    )  # fmt: skip
    return _detail(outfall.pk)


@router.get(
    "/{outfall_id}/history", response=list[OutfallChangeOut], summary="排污口变更记录（谁、何时、改前改后）"
)
@paginate(Pages, page_size=100)
def outfall_history(request: HttpRequest, outfall_id: Id) -> object:
    return selectors.outfall_history(paths=_paths(request), outfall_id=outfall_id)
