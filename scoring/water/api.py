"""River-section water quality: the stateless evaluator, measurement imports, evaluations per period,
yearly status (稳Ⅲ / 提Ⅲ), town indicators, the 每旬 reverse ranking and the monthly table."""

from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from geo.models import SectionLevel
from kernel.errors import PayloadTooLarge
from kernel.jobs import JobOut
from kernel.kit import Day, Id, Pages, StrictSchema

from . import exports, selectors, services
from .schemas import (
    DekadRankingOut,
    EvaluationOut,
    EvaluationsOut,
    SectionStatusesOut,
    TownIndicatorsOut,
)

router = Router(tags=["断面水质"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EvaluateIn(StrictSchema):
    water_body: Literal["river", "lake"] = Field(
        "river", description="水体类型：river 河流 / lake 湖库（总磷限值不同）"
    )
    target_class: int = Field(3, ge=1, le=5, description="水质目标类别（1–5）")
    values: dict[str, Any] = Field(
        description="一个样品的指标值（键见 GB 3838 指标表：ph, do, codmn, cod, bod5, nh3n, tp, cu, zn, f, "
        "se, as, hg, cd, cr6, pb, cn, phenol, oil, las, s2；另可给 tn, fcoli, temp, cond, turb；单位 mg/L，"
        '粪大肠菌群 个/L；可写 "ND"、"<0.01"、"0.01L"）'
    )


@router.post("/water/evaluate", response=EvaluationOut, by_alias=True, summary="单个样品水质评价（无状态）")
def evaluate(request: HttpRequest, payload: EvaluateIn) -> object:
    return services.evaluate_stateless(
        water_body=payload.water_body, values=payload.values, target_class=payload.target_class
    )


class ImportOut(JobOut):
    id: UUID = Field(alias="uuid", description="导入编号（轮询用）")
    filename: str = Field(description="文件名")
    size: int = Field(description="大小（字节）")
    source: str = Field(description="来源：automatic 自动站 / manual 手工监测")
    dry_run: bool = Field(description="试运行（只报告，不写入）")
    on_duplicate: str = Field(description="与已有数据重复时：reject / replace")
    valid_rows_only: bool = Field(description="仅导入无错误的行")
    status: str = Field(description="queued / running / done / rejected（有错误，未导入）/ failed")
    progress: int = Field(description="进度 0–100")
    report: dict[str, Any] = Field(
        description="结果：逐行错误（行号、列、代码、说明）、按断面与指标的统计、导入条数"
    )
    created_at: Any = Field(description="上传时间")
    finished_at: Any = Field(description="完成时间")

    model_config = {"populate_by_name": True}


@router.post(
    "/water/imports",
    response={200: ImportOut, 202: ImportOut},
    summary="上传监测数据（CSV / XLSX，宽表或长表）；小文件当场处理，大文件后台处理并可轮询",
)
def import_upload(
    request: HttpRequest,
    file: UploadedFile = File(..., description="CSV（UTF-8 / GBK）或 XLSX"),
    source: str = Form("automatic", description="automatic 自动站 / manual 手工监测"),
    dry_run: bool = Form(False, description="试运行：只报告将导入什么，不写入"),
    on_duplicate: str = Form("reject", description="与已有数据重复：reject 报错 / replace 替换"),
    valid_rows_only: bool = Form(False, description="有错误时仍导入无错误的行（默认：有错误则全部不导入）"),
) -> Status:
    if file.size is not None and file.size > settings.WATER_IMPORT_MAX_BYTES:
        raise PayloadTooLarge(details={"max_bytes": settings.WATER_IMPORT_MAX_BYTES})
    record = services.measurement_import_create(
        principal=request.auth,
        data=file.read(),
        filename=file.name or "upload",
        source=source,
        dry_run=dry_run,
        on_duplicate=on_duplicate,
        valid_rows_only=valid_rows_only,
    )
    return Status(202 if record.status in ("queued", "running") else 200, record)


@router.get("/water/imports/{import_id}", response=ImportOut, by_alias=False, summary="导入进度与结果")
def import_status(request: HttpRequest, import_id: UUID) -> object:
    return services.measurement_import_get(principal=request.auth, import_uuid=import_id)


@router.post(
    "/water/imports/{import_id}/apply",
    response={200: ImportOut, 202: ImportOut},
    by_alias=False,
    summary="导入试运行检查过的文件（服务器保存的原文件与试运行的选项；409：不是已完成的试运行）",
)
def import_apply(request: HttpRequest, import_id: UUID) -> Status:
    record = services.measurement_import_apply(principal=request.auth, import_uuid=import_id)
    return Status(202 if record.status in ("queued", "running") else 200, record)


@router.post(
    "/water/imports/{import_id}/retry",
    response={202: ImportOut},
    by_alias=False,
    summary="重试已中断（stalled）或处理失败的导入（409：任务仍在排队、处理中或已结束）",
)
def import_retry(request: HttpRequest, import_id: UUID) -> Status:
    return Status(202, services.measurement_import_retry(principal=request.auth, import_uuid=import_id))


class MeasurementOut(Schema):
    section_code: str = Field(alias="section.code", description="断面编码")
    sampled_at: Any = Field(description="采样时间")
    indicator: str = Field(description="指标键（GB 3838 指标表）")
    value: float = Field(description="数值（mg/L；粪大肠菌群 个/L；未检出时为检出限）")
    below_detection: bool = Field(description="未检出")
    source: str = Field(description="来源：automatic 自动站 / manual 手工监测")


@router.get(
    "/water/measurements", response=list[MeasurementOut], summary="监测数据（按断面、指标、日期筛选）"
)
@paginate(Pages, page_size=200)
def measurements(
    request: HttpRequest,
    section_id: Id | None = None,
    indicator: str | None = Query(None, description="指标键，如 nh3n"),
    start: Day | None = Query(None, description="起始日期（含）"),
    end: Day | None = Query(None, description="结束日期（含）"),
) -> object:
    ids = services.section_ids(principal=request.auth, section_id=section_id)
    return selectors.measurement_list(section_ids=ids, indicator=indicator, first=start, last=end)


Kind = Literal["dekad", "month", "quarter", "year", "ytd"]


@router.get(
    "/water/evaluations",
    response=EvaluationsOut,
    by_alias=True,
    summary="各断面某时段水质评价（旬、月、季、年、年初至今）",
)
def evaluations(
    request: HttpRequest,
    period: Kind = Query("month", description="dekad 旬 / month 月 / quarter 季 / year 年 / ytd 年初至今"),
    on: Day = Query(..., description="时段内任一日期（ytd 为截止日）"),
    section_id: Id | None = None,
) -> object:
    return services.evaluations(principal=request.auth, kind=period, on=on, section_id=section_id)


@router.get(
    "/water/status",
    response=SectionStatusesOut,
    by_alias=True,
    summary="断面年度状态：达标月份、稳Ⅲ、提Ⅲ、溶解氧预警、与去年同月比较",
)
def status(
    request: HttpRequest, year: int = Query(..., ge=2000, le=2100), section_id: Id | None = None
) -> object:
    return services.section_statuses(principal=request.auth, year=year, section_id=section_id)


@router.get(
    "/water/towns",
    response=TownIndicatorsOut,
    summary="区镇水质指标：所负责断面的评价与区镇 CWQI（供区镇排名）",
)
def towns(
    request: HttpRequest,
    period: Kind = Query("month"),
    on: Day = Query(..., description="时段内任一日期"),
) -> object:
    return services.town_indicators(principal=request.auth, kind=period, on=on)


@router.get(
    "/water/rankings/dekad", response=DekadRankingOut, summary="每旬区镇逆序排名（按省考断面 CWQI，最差在前）"
)
def dekad_ranking(
    request: HttpRequest,
    on: Day = Query(..., description="该旬内任一日期"),
    level: SectionLevel = Query(SectionLevel.PROVINCIAL, description="按哪一级断面排名（默认省考）"),
) -> object:
    return services.dekad_ranking(principal=request.auth, on=on, level=level)


@router.get(
    "/water/reports/monthly",
    summary="月度断面水质表（Excel / CSV，按生态环境局发布格式）",
    openapi_extra={
        "responses": {200: {"description": "月度断面水质表", "content": {XLSX_TYPE: {}, "text/csv": {}}}}
    },
)
def monthly_report(
    request: HttpRequest,
    year: int = Query(..., ge=2000, le=2100),
    month: int = Query(..., ge=1, le=12),
    format: str = Query("xlsx", pattern="^(xlsx|csv)$"),
) -> HttpResponse:
    report = services.monthly_report(principal=request.auth, year=year, month=month)
    if format == "csv":
        response = HttpResponse(exports.to_csv(report), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(report, rule=selectors.censored_rule()),
            content_type=XLSX_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="water-{year}-{month:02d}.{format}"'
    return response
