"""溯源: what lies upstream of a section along the river network (海政办发〔2022〕65号 items 15, 19)."""

from django.http import HttpRequest
from ninja import Query, Router

from kernel.kit import Id

from .. import selectors
from ..schemas.upstream import SectionUpstreamOut

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
    return selectors.section_upstream(principal=request.auth, section_id=section_id, km=km)
