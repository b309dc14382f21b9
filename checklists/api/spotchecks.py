"""Spot checks: the draw, its reproduction, publication and the comparison with own scores."""

from django.http import HttpRequest
from ninja import Router, Status

from kernel.kit import Id

from .. import selectors
from ..schemas import SpotCheckIn, SpotCheckOut, SpotCheckVerifyOut, SpotComparisonOut
from ..services import spotchecks as spot_services

router = Router()


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
