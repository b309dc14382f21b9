"""溯源: what lies upstream of a section along the river network (海政办发〔2022〕65号 items 15, 19)."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from kernel.kit import Id, json_response

from .. import selectors
from ..schemas.upstream import OutfallCoverageOut, SectionUpstreamOut, section_upstream_plain

router = Router()
MAX_KM = 50


@router.get(
    "/water/sections/{section_id}/upstream",
    response=SectionUpstreamOut,
    summary="断面上游溯源：沿河网（非直线距离）上游 km 公里内的河流支流、污水设施与未销号整改",
)
def section_upstream(
    request: HttpRequest,
    section_id: Id,
    km: float = Query(10.0, gt=0, le=MAX_KM, description=f"沿水流向上游的距离（公里，0–{MAX_KM}，默认 10）"),
) -> object:
    answer = selectors.section_upstream(principal=request.auth, section_id=section_id, km=km)
    return json_response(section_upstream_plain(answer))  # the schema's JSON, not validated again


@router.get(
    "/water/sections/{section_id}/outfall-coverage",
    response=OutfallCoverageOut,
    summary="有口皆查：断面上游 km 公里内（沿河网）的排污口中，该年度已检查的个数与全部（按类型）",
)
def section_outfall_coverage(
    request: HttpRequest,
    section_id: Id,
    year: int | None = Query(None, ge=2000, le=2100, description="年度（默认今年）"),
    km: float = Query(10.0, gt=0, le=MAX_KM, description=f"沿水流向上游的距离（公里，0–{MAX_KM}，默认 10）"),
) -> object:
    return selectors.section_outfall_coverage(
        principal=request.auth, section_id=section_id, year=year or timezone.localdate().year, km=km
    )
