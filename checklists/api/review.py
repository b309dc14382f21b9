"""Review of submitted inspections, and the district's corrections (withdraw, amend)."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Router

from .. import selectors
from ..schemas import AmendIn, InspectionOut, ReviewIn, WithdrawIn
from ..services import corrections as correction_services
from ..services import inspections as inspection_services
from .common import _etag, _if_match

router = Router()


@router.post(
    "/inspections/{client_uuid}/review", response=InspectionOut, summary="审核：通过或退回（退回须说明理由）"
)
def inspection_review(
    request: HttpRequest, response: HttpResponse, client_uuid: UUID, payload: ReviewIn
) -> object:
    inspection = inspection_services.inspection_review(
        principal=request.auth,
        client_uuid=client_uuid,
        approve=payload.decision == "approve",
        reason=payload.reason,
        item_comments=payload.item_comments,
        if_match=_if_match(request),
    )
    _etag(response, inspection.version)
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
