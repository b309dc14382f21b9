"""The inspector's mobile API and the review / rectification / spot-check endpoints."""

import re
from datetime import datetime
from typing import Annotated
from uuid import UUID

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from geo.coords import Datum
from geo.schemas import FacilityOut
from kernel.access import Principal
from kernel.errors import ApplicationError, PayloadTooLarge
from kernel.kit import Id, Int64, Key, Moment, Pages, StrictSchema, conditional_json, dumps
from scoring import selectors as scoring_selectors
from scoring.schemas import AppealIn, AppealOut, ScorecardOut

from . import exports, selectors
from .models import Finding, Inspection
from .schemas import (
    AmendIn,
    Catalogue,
    FindingOut,
    InspectionAck,
    InspectionIn,
    InspectionOut,
    InspectionSummary,
    PhotoOut,
    RectificationOut,
    ReviewIn,
    SpotCheckIn,
    SpotCheckOut,
    SpotCheckVerifyOut,
    SpotComparisonOut,
    SubmitIn,
    TownOverdueOut,
    TransitionIn,
    WithdrawIn,
)
from .services import appeals as appeal_services
from .services import assessment as assessment_services
from .services import corrections as correction_services
from .services import evidence as evidence_services
from .services import inspections as inspection_services
from .services import rectifications as rectification_services
from .services import spotchecks as spot_services

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How OpenAPI names a table download (xlsx, or csv with format=csv): a file, not JSON.
TABLE_CONTENT = {XLSX_TYPE: {}, "text/csv": {}}

router = Router(tags=["检查表与检查"])

# A photo is addressed by the SHA-256 of its bytes (64 hex digits).
Sha256 = Annotated[str, Path(pattern=r"^[0-9A-Fa-f]{64}$")]

_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def _if_match(request: HttpRequest) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    m = _IF_MATCH.match(header)
    if not m:
        raise ApplicationError(
            'If-Match 应为版本号，例如 "3"', code="invalid_if_match", details={"If-Match": header}
        )
    return int(m.group(1))


def _etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'


# --- catalogue ---------------------------------------------------------------------------------------


@router.get("/catalogue", response=Catalogue, summary="同步模板与本人检查任务（ETag / since 增量）")
def catalogue(
    request: HttpRequest, since: Moment | None = Query(None, description="上次同步返回的 server_time")
) -> HttpResponse:
    principal: Principal = request.auth
    payload = Catalogue(
        templates=list(selectors.template_catalogue(since=since)),
        assignments=list(selectors.assignment_catalogue(principal=principal, since=since)),
        server_time=timezone.now(),
    )
    # server_time changes every call: leave it out of the ETag so an unchanged catalogue is a 304.
    response = conditional_json(request, payload.model_dump(exclude={"server_time"}))
    if response.status_code == 200:
        response.content = dumps(payload.model_dump()).encode()
    return response


# --- inspections -------------------------------------------------------------------------------------


def _ack(inspection: Inspection, findings: list[Finding] | None = None) -> InspectionAck:
    return InspectionAck(
        client_uuid=inspection.client_uuid,
        template_key=inspection.template.key,
        template_version=inspection.template.version,
        status=inspection.status,
        version=inspection.version,
        revision=inspection.revision,
        period=inspection.period,
        percent=inspection.percent,
        vetoed=inspection.vetoed,
        findings=[FindingOut.from_orm(f) for f in findings or []],
        updated_at=inspection.updated_at,
    )


@router.put(
    "/inspections/{client_uuid}",
    response={200: InspectionAck, 201: InspectionAck},
    summary="创建或修改检查草稿（按客户端 UUID 幂等；修改须带 If-Match）",
)
def inspection_put(
    request: HttpRequest,
    response: HttpResponse,
    client_uuid: UUID,
    payload: InspectionIn,
    submit: bool = Query(False, description="同时提交：离线填完的检查一次往返完成保存与提交，失败则都不生效"),
) -> Status:
    if len(request.body) > settings.INSPECTION_MAX_BODY_BYTES:
        raise PayloadTooLarge(details={"max_bytes": settings.INSPECTION_MAX_BODY_BYTES})
    location = payload.device_location
    draft = inspection_services.DraftInput(
        template_key=payload.template_key,
        template_version=payload.template_version,
        subject_kind=payload.subject.kind,
        subject_id=payload.subject.id,
        answers={k: v.model_dump() for k, v in payload.answers.items()},
        purpose=payload.purpose,
        assignment_id=payload.assignment_id,
        device_started_at=payload.device_started_at,
        device_submitted_at=payload.device_submitted_at,
        device_location=inspection_services.DeviceLocation(**location.model_dump()) if location else None,
        period=payload.period,
    )
    args = {
        "principal": request.auth,
        "client_uuid": client_uuid,
        "draft": draft,
        "if_match": _if_match(request),
        # Without a period the digest is what it was before the field existed: a phone replaying an
        # older request is still recognised as a replay.
        "digest": inspection_services.request_digest(
            payload.model_dump(mode="json", exclude={"period"} if payload.period is None else None)
        ),
    }
    findings: list[Finding] = []
    if submit:
        inspection, created, findings = inspection_services.inspection_put_and_submit(**args)
    else:
        inspection, created = inspection_services.inspection_put(**args)
    _etag(response, inspection.version)
    return Status(201 if created else 200, _ack(inspection, findings))


@router.get(
    "/inspections/{client_uuid}",
    response=InspectionOut,
    summary="检查详情（含计分、问题、审核意见、历次提交）",
)
def inspection_detail(request: HttpRequest, response: HttpResponse, client_uuid: UUID) -> object:
    inspection = selectors.inspection_get(principal=request.auth, client_uuid=client_uuid)
    _etag(response, inspection.version)
    return inspection


@router.get(
    "/inspections",
    response=list[InspectionSummary],
    summary="检查列表（本人及管辖范围内；审核列表用 status=submitted）",
)
@paginate(Pages, page_size=50)
def inspection_list(
    request: HttpRequest,
    status: str | None = None,
    subject_kind: str | None = None,
    town_id: Id | None = None,
    template_key: str | None = None,
    period: Int64 | None = Query(None, description="考核年度"),
    mine: bool = False,
) -> object:
    return selectors.inspection_list(
        principal=request.auth, status=status, subject_kind=subject_kind, town_id=town_id,
        template_key=template_key, period=period, mine=mine,
    )  # fmt: skip


@router.post(
    "/inspections/{client_uuid}/submit", response=InspectionAck, summary="提交（校验、计分、生成问题清单）"
)
def inspection_submit(
    request: HttpRequest, response: HttpResponse, client_uuid: UUID, payload: SubmitIn
) -> object:
    inspection, findings = inspection_services.inspection_submit(
        principal=request.auth,
        client_uuid=client_uuid,
        if_match=_if_match(request),
        device_submitted_at=payload.device_submitted_at,
    )
    _etag(response, inspection.version)
    return _ack(inspection, findings)


@router.post(
    "/inspections/{client_uuid}/review", response=InspectionOut, summary="审核：通过或退回（退回须说明理由）"
)
def inspection_review(request: HttpRequest, client_uuid: UUID, payload: ReviewIn) -> object:
    inspection = inspection_services.inspection_review(
        principal=request.auth,
        client_uuid=client_uuid,
        approve=payload.decision == "approve",
        reason=payload.reason,
        item_comments=payload.item_comments,
    )
    return selectors.inspection_result(inspection, principal=request.auth)


@router.post(
    "/inspections/{client_uuid}/withdraw",
    response=InspectionOut,
    summary="区级撤销已通过的检查（书面理由；可注明据以撤销的申诉；不再计入任何结果，随后重新计算草稿）",
)
def inspection_withdraw(
    request: HttpRequest, response: HttpResponse, client_uuid: UUID, payload: WithdrawIn
) -> object:
    inspection = correction_services.inspection_withdraw(
        principal=request.auth, client_uuid=client_uuid, if_match=_if_match(request), **payload.model_dump()
    )
    _etag(response, inspection.version)
    return inspection


@router.post(
    "/inspections/{client_uuid}/amend",
    response=InspectionOut,
    summary="区级更正已通过检查的答案（新修订、重新计分、书面理由；可注明据以更正的申诉；随后重新计算草稿）",
)
def inspection_amend(
    request: HttpRequest, response: HttpResponse, client_uuid: UUID, payload: AmendIn
) -> object:
    inspection = correction_services.inspection_amend(
        principal=request.auth,
        client_uuid=client_uuid,
        if_match=_if_match(request),
        answers={k: v.model_dump() for k, v in payload.answers.items()},
        reason=payload.reason,
        appeal_id=payload.appeal_id,
    )
    _etag(response, inspection.version)
    return inspection


def _device_meta(
    lon: float | None, lat: float | None, datum: str, accuracy_m: float | None, captured_at: datetime | None
) -> evidence_services.DevicePhotoMeta:
    return evidence_services.DevicePhotoMeta(
        lon=lon, lat=lat, datum=datum, accuracy_m=accuracy_m, captured_at=captured_at
    )


def _read_photo(file: UploadedFile) -> bytes:
    if file.size is not None and file.size > settings.PHOTO_MAX_BYTES:
        raise PayloadTooLarge("照片过大", details={"max_bytes": settings.PHOTO_MAX_BYTES})
    return file.read()


@router.post(
    "/inspections/{client_uuid}/photos",
    response={201: PhotoOut},
    summary="上传一张照片（multipart；按照片 UUID 幂等，相同内容只存一份；可附手机定位）",
)
def inspection_photo(
    request: HttpRequest,
    client_uuid: UUID,
    photo_uuid: UUID = Form(..., description="客户端生成的照片 UUID"),
    item_key: str = Form("", max_length=64, description="所属检查项（空为整体照片）"),
    lon: float | None = Form(None, ge=-180, le=180, description="拍摄时手机定位：经度"),
    lat: float | None = Form(None, ge=-90, le=90, description="拍摄时手机定位：纬度"),
    datum: Datum = Form(Datum.WGS84, description="手机定位的坐标系（高德、腾讯为 gcj02）"),
    accuracy_m: float | None = Form(None, ge=0, description="手机定位精度（米）"),
    captured_at: Moment | None = Form(None, description="手机记录的拍摄时间（带时区）"),
    file: UploadedFile = File(..., description="JPEG、PNG 或 HEIC 照片"),
) -> Status:
    link = evidence_services.inspection_photo_add(
        principal=request.auth,
        client_uuid=client_uuid,
        photo_uuid=photo_uuid,
        item_key=item_key,
        data=_read_photo(file),
        device=_device_meta(lon, lat, datum, accuracy_m, captured_at),
    )
    return Status(201, link)


@router.post(
    "/rectifications/{rectification_id}/photos",
    response={201: PhotoOut},
    summary="上传整改照片（在现场拍摄；位置与时间同样核验）",
)
def rectification_photo(
    request: HttpRequest,
    rectification_id: Id,
    photo_uuid: UUID = Form(..., description="客户端生成的照片 UUID"),
    lon: float | None = Form(None, ge=-180, le=180, description="拍摄时手机定位：经度"),
    lat: float | None = Form(None, ge=-90, le=90, description="拍摄时手机定位：纬度"),
    datum: Datum = Form(Datum.WGS84, description="手机定位的坐标系"),
    accuracy_m: float | None = Form(None, ge=0, description="手机定位精度（米）"),
    captured_at: Moment | None = Form(None, description="手机记录的拍摄时间（带时区）"),
    file: UploadedFile = File(..., description="JPEG、PNG 或 HEIC 照片"),
) -> Status:
    link = evidence_services.rectification_photo_add(
        principal=request.auth,
        rectification_id=rectification_id,
        photo_uuid=photo_uuid,
        data=_read_photo(file),
        device=_device_meta(lon, lat, datum, accuracy_m, captured_at),
    )
    return Status(201, link)


@router.post(
    "/scoreboards/{scheme_key}/appeals",
    response={201: AppealOut},
    tags=["考核结果"],
    summary="区镇申诉（公示期内，仅限本单位；证据照片须为本单位可查看的，或上传到申诉）",
)
def appeal_file(request: HttpRequest, scheme_key: Key, payload: AppealIn) -> Status:
    appeal = appeal_services.appeal_file(principal=request.auth, scheme_key=scheme_key, **payload.dict())
    return Status(201, appeal)


@router.get(
    "/scoreboards/{scheme_key}/appeals",
    response=list[AppealOut],
    tags=["考核结果"],
    summary="申诉列表（区级看全部，区镇看本单位）",
)
def appeal_list(request: HttpRequest, scheme_key: Key) -> object:
    return list(scoring_selectors.appeals_for(principal=request.auth, scheme_key=scheme_key))


@router.post(
    "/appeals/{appeal_id}/photos",
    response={201: AppealOut},
    summary="为申诉补充证据照片（区镇；申诉处理前，一次一张）",
)
def appeal_photo(
    request: HttpRequest,
    appeal_id: Id,
    file: UploadedFile = File(..., description="JPEG、PNG 或 HEIC 照片"),
) -> Status:
    appeal = evidence_services.appeal_photo_add(
        principal=request.auth, appeal_id=appeal_id, data=_read_photo(file)
    )
    return Status(201, appeal)


@router.get(
    "/photos/{sha256}",
    summary="照片文件（仅能看到该照片所证明对象的用户可取；S3 时跳转到有时效的签名地址）",
    openapi_extra={
        "responses": {
            200: {
                "description": "照片（原图按上传格式；phone / list 缩略图为 JPEG）",
                "content": {"image/jpeg": {}, "image/png": {}, "image/heic": {}},
            },
            302: {"description": "对象存储时：跳转到有时效的签名地址"},
        }
    },
)
def photo_file(
    request: HttpRequest,
    sha256: Sha256,
    variant: str = Query(
        "original", pattern="^(original|phone|list)$", description="original / phone / list"
    ),
) -> HttpResponse:
    photo = selectors.photo_visible(principal=request.auth, sha256=sha256)
    field = {"original": photo.file, "phone": photo.thumb_phone, "list": photo.thumb_list}[variant]
    pending = not field
    field = field or photo.file  # derivatives not made yet: the original serves meanwhile
    try:
        field.path  # noqa: B018 - raises on storages without a local path
    except NotImplementedError:  # object storage: a signed, expiring URL
        response: HttpResponse = HttpResponseRedirect(field.url)
    else:
        content_type = photo.content_type if pending or variant == "original" else "image/jpeg"
        response = FileResponse(field.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    if pending:
        response["X-Derivative-Pending"] = "1"
    return response


# --- rectifications ----------------------------------------------------------------------------------


@router.get("/rectifications", response=list[RectificationOut], summary="整改清单（管辖范围内）")
@paginate(Pages, page_size=100)
def rectification_list(
    request: HttpRequest, status: str | None = None, overdue: bool | None = None, town_id: Id | None = None
) -> object:
    return selectors.rectification_list(
        principal=request.auth, status=status, overdue=overdue, town_id=town_id
    )


@router.get(
    "/rectifications/export",
    summary="问题清单 / 整改清单导出（Excel / CSV，按区镇上报格式）",
    openapi_extra={"responses": {200: {"description": "问题清单 / 整改清单", "content": TABLE_CONTENT}}},
)
def rectification_export(
    request: HttpRequest,
    sheet: str = Query(
        "rectifications",
        pattern="^(problems|rectifications)$",
        description="problems 问题清单 / rectifications 整改清单",
    ),
    town_id: Id | None = None,
    subject_kind: str | None = Query(None, description="如 sewage_facility 只导出污水设施"),
    format: str = Query("xlsx", pattern="^(xlsx|csv)$"),
) -> HttpResponse:
    qs = selectors.rectification_list(principal=request.auth, town_id=town_id).select_related(
        "finding__inspection"
    )
    if subject_kind:
        qs = qs.filter(subject_kind=subject_kind)
    title, header, rows = exports.rectification_sheet(
        list(qs), problems=sheet == "problems", one_town=town_id
    )
    if format == "csv":
        response = HttpResponse(exports.to_csv(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(title, header, rows),
            content_type=XLSX_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{sheet}.{format}"'
    return response


@router.get("/rectifications/overdue-by-town", response=list[TownOverdueOut], summary="各区镇逾期整改清单")
def overdue_by_town(request: HttpRequest) -> object:
    return selectors.overdue_by_town(principal=request.auth)


@router.post("/rectifications/{rectification_id}/transition", response=RectificationOut, summary="整改流转")
def rectification_transition(request: HttpRequest, rectification_id: Id, payload: TransitionIn) -> object:
    rect = rectification_services.rectification_transition(
        principal=request.auth, rectification_id=rectification_id, **payload.model_dump()
    )
    return selectors.rectification_result(rect, principal=request.auth)


class FacilityServesOut(Schema):
    natural_village_id: int = Field(description="自然村编号")
    natural_village: str = Field(description="自然村名称")
    households: int = Field(description="该设施服务的户数")
    village_households: int | None = Field(description="自然村总户数（未登记为 null）")


class FacilityConditionOut(Schema):
    conditions: list[str] = Field(description="运行状况（normal / stopped / damaged / …）")
    status: str = Field(description="核查后的设施状态")
    approved_at: datetime = Field(description="核查审核通过时间")
    inspection: str = Field(description="依据的核查（检查客户端编号）")
    withdrawn_at: datetime | None = Field(description="撤销时间（核查经区级撤销后不再计入）")
    withdrawal_reason: str = Field(description="撤销理由")


class FacilityDossierOut(Schema):
    facility: FacilityOut = Field(description="设施登记信息")
    serves: list[FacilityServesOut] = Field(description="服务的自然村与户数")
    conditions: list[FacilityConditionOut] = Field(
        description="运行状况历史（每次核查通过后；最新在前；区级撤销的核查标有 withdrawn_at，不再计入）"
    )
    audits: list[InspectionSummary] = Field(description="核查记录（含照片核验标记数）")
    rectifications: list[RectificationOut] = Field(description="问题与整改（含整改照片）")


@router.get(
    "/sewage/facilities/{facility_id}",
    response=FacilityDossierOut,
    summary="设施档案：核查、照片、运行状况与整改",
)
def facility_dossier(request: HttpRequest, facility_id: Id) -> object:
    return selectors.facility_dossier(principal=request.auth, facility_id=facility_id)


# --- spot checks -------------------------------------------------------------------------------------


@router.post(
    "/spot-checks", response={201: SpotCheckOut}, summary="随机抽查：抽取对象与检查员（种子存档可复现）"
)
def spot_check_create(request: HttpRequest, payload: SpotCheckIn) -> Status:
    return Status(201, spot_services.spot_check_create(principal=request.auth, **payload.model_dump()))


@router.get(
    "/spot-checks", response=list[SpotCheckOut], summary="随机抽查（区级可见全部，其他用户仅见已公开）"
)
def spot_check_list(request: HttpRequest) -> object:
    return list(selectors.spot_check_list(principal=request.auth))


@router.get("/spot-checks/{spot_check_id}", response=SpotCheckOut, summary="抽查详情")
def spot_check_detail(request: HttpRequest, spot_check_id: Id) -> object:
    return selectors.spot_check_get(principal=request.auth, spot_check_id=spot_check_id)


@router.get("/spot-checks/{spot_check_id}/verify", response=SpotCheckVerifyOut, summary="按存档种子复现抽取")
def spot_check_verify(request: HttpRequest, spot_check_id: Id) -> dict[str, object]:
    spot = selectors.spot_check_get(principal=request.auth, spot_check_id=spot_check_id)
    redrawn = [s.__dict__ for s in spot_services.spot_check_redraw(spot)]
    return {"reproducible": redrawn == spot.result, "redrawn": redrawn}


@router.post("/spot-checks/{spot_check_id}/publish", response=SpotCheckOut, summary="公开抽查结果")
def spot_check_publish(request: HttpRequest, spot_check_id: Id) -> object:
    return spot_services.spot_check_publish(principal=request.auth, spot_check_id=spot_check_id)


@router.get(
    "/spot-checks/{spot_check_id}/comparison",
    response=list[SpotComparisonOut],
    summary="抽查得分与区镇自评得分对比",
)
def spot_check_comparison(request: HttpRequest, spot_check_id: Id) -> list[dict[str, object]]:
    spot = selectors.spot_check_get(principal=request.auth, spot_check_id=spot_check_id)
    return [
        {"assignment_id": c.assignment.pk, "subject_name": c.assignment.subject_name,
         "subject_town_id": c.assignment.subject_town_id, "spot_percent": c.spot_percent,
         "own_percent": c.own_percent, "gap": c.gap, "flagged": c.flagged}
        for c in selectors.spot_check_comparison(spot)
    ]  # fmt: skip


@router.get(
    "/scoreboards/{scheme_key}/units/{region_id}",
    response=ScorecardOut,
    summary="单位考核明细（部门、企事业单位；区镇同 /towns/{id}）",
)
def unit_scorecard(request: HttpRequest, scheme_key: Key, region_id: Id) -> object:
    return selectors.scorecard(principal=request.auth, scheme_key=scheme_key, region_id=region_id)


@router.get(
    "/scoreboards/{scheme_key}/towns/{region_id}",
    response=ScorecardOut,
    summary="区镇考核明细：总分 → 组成部分 → 检查 → 分节 → 扣分项与照片",
)
def town_scorecard(request: HttpRequest, scheme_key: Key, region_id: Id) -> object:
    return selectors.scorecard(principal=request.auth, scheme_key=scheme_key, region_id=region_id)


class TaskCompletionIn(StrictSchema):
    completed: bool = Field(description="是否完成年度规定任务")
    note: str = Field("", max_length=2000, description="说明（未完成时必填）")


@router.put(
    "/scoreboards/{scheme_key}/towns/{region_id}/tasks",
    response={204: None},
    summary="记录区镇是否完成年度规定任务（未完成不得评为先进；随后重新计算草稿）",
)
def town_tasks(request: HttpRequest, scheme_key: Key, region_id: Id, payload: TaskCompletionIn) -> Status:
    assessment_services.town_tasks_record(
        principal=request.auth, scheme_key=scheme_key, region_id=region_id, **payload.dict()
    )
    return Status(204, None)


class AwardDecisionIn(StrictSchema):
    region_ids: list[Id] = Field(description="在并列单位中选定获得剩余名额的区镇", max_length=100)
    reason: str = Field(max_length=2000, description="决定理由（必填，随结果公示）")


@router.put(
    "/scoreboards/{scheme_key}/awards/{award_key}/decision",
    response={204: None},
    summary="决定奖项名额分界处无法按规则区分的并列（区安委办；随后重新计算草稿）",
)
def award_decision(request: HttpRequest, scheme_key: Key, award_key: Key, payload: AwardDecisionIn) -> Status:
    assessment_services.award_decision_record(
        principal=request.auth, scheme_key=scheme_key, award_key=award_key, **payload.dict()
    )
    return Status(204, None)
