"""Rectifications: the list, the export, the overdue ones per town, transitions."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate

from kernel.kit import Id, Pages

from .. import exports, selectors
from ..schemas import RectificationOut, TownOverdueOut, TransitionIn
from ..services import rectifications as rectification_services
from .common import TABLE_CONTENT

router = Router()


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
    result = exports.rectification_export(
        principal=request.auth, sheet=sheet, town_id=town_id, subject_kind=subject_kind, fmt=format
    )
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
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
