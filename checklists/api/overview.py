"""区镇总览 (issue 19): one row per town across the programme, as JSON or an xlsx."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from .. import exports
from ..schemas.overview import TownOverviewOut
from ..selectors.overview import town_overview
from .common import XLSX_TYPE

router = Router()


@router.get(
    "/towns/overview",
    response=TownOverviewOut,
    operation_id="towns_overview",
    summary="区镇总览：考核总分与等次、断面达标、污水两率对照目标、逾期整改、每旬排名（xlsx 为 Excel）",
    openapi_extra={"responses": {200: {"description": "区镇总览", "content": {XLSX_TYPE: {}}}}},
)
def towns_overview(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100, description="年度（默认今年；不能是未来年份）"),
    format: str = Query("json", pattern="^(json|xlsx)$", description="json（默认）或 xlsx（Excel）"),
) -> object:
    if format == "xlsx":
        file = exports.town_overview_export(principal=request.auth, year=year)
        response = HttpResponse(file.content, content_type=file.content_type)
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        return response
    return town_overview(principal=request.auth, year=year)
