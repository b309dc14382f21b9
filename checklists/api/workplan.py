"""稳Ⅲ提Ⅲ 工作方案 of a section (海政办发〔2022〕65号 item 15): JSON or Word, its text saved as versions."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from kernel.kit import Id, Pages
from scoring.water.workplans import services as plan_services
from scoring.water.workplans.selectors import work_plan_versions

from ..schemas.workplan import SectionWorkPlanOut, WorkPlanIn, WorkPlanVersionOut
from ..selectors.workplan import section_work_plan
from ..workplan_docx import DOCX_TYPE, work_plan_docx
from .common import _etag, _if_match

router = Router()
YEAR = Query(None, ge=2000, le=2100, description="方案年度（默认今年；不能是未来年份）")


def _year(year: int | None) -> int:
    return year if year is not None else timezone.localdate().year


@router.get(
    "/water/sections/{section_id}/work-plan",
    response=SectionWorkPlanOut,
    by_alias=True,
    operation_id="water_section_work_plan",
    summary="断面“稳Ⅲ提Ⅲ”工作方案：水质超标分析、上游 10 公里一级支流、溯源问题清单（format=docx 为 Word）",
    openapi_extra={
        "responses": {
            200: {
                "description": "工作方案（JSON，或 format=docx 时为 Word 文件）",
                "content": {DOCX_TYPE: {}},
            }
        }
    },
)
def work_plan(
    request: HttpRequest,
    response: HttpResponse,
    section_id: Id,
    year: int | None = YEAR,
    format: str = Query("json", pattern="^(json|docx)$", description="json（默认）或 docx（Word）"),
) -> object:
    plan = section_work_plan(principal=request.auth, section_id=section_id, year=_year(year))
    if format == "docx":
        out = HttpResponse(work_plan_docx(plan), content_type=DOCX_TYPE)
        out["Content-Disposition"] = f'attachment; filename="work-plan-{plan.section.code}-{plan.year}.docx"'
        return out
    _etag(response, plan.version)
    return plan


@router.put(
    "/water/sections/{section_id}/work-plan",
    response=WorkPlanVersionOut,
    operation_id="water_section_work_plan_save",
    summary="保存工作方案的分析文字（新版本；已有版本时须带 If-Match：所编辑的版本号）",
)
def work_plan_save(
    request: HttpRequest, response: HttpResponse, section_id: Id, payload: WorkPlanIn, year: int | None = YEAR
) -> object:
    saved = plan_services.work_plan_save(
        principal=request.auth, section_id=section_id, year=_year(year), analysis=payload.analysis,
        document_number=payload.document_number, if_match=_if_match(request),
    )  # fmt: skip
    _etag(response, saved.version)
    return saved


@router.get(
    "/water/sections/{section_id}/work-plan/versions",
    response=list[WorkPlanVersionOut],
    operation_id="water_section_work_plan_versions",
    summary="工作方案分析文字的历次版本（新的在前：保存人、时间、全文）",
)
@paginate(Pages, page_size=50)
def work_plan_versions_list(request: HttpRequest, section_id: Id, year: int | None = YEAR) -> object:
    return work_plan_versions(principal=request.auth, section_id=section_id, year=_year(year))
