"""The inspector's phone: the catalogue sync and inspections (save, submit, read, list)."""

from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from kernel.access import Principal
from kernel.errors import PayloadTooLarge
from kernel.kit import Id, Int64, Moment, Pages, conditional_json, dumps, json_response, local_moment

from .. import selectors
from ..models import Finding, Inspection
from ..schemas import (
    Catalogue,
    FindingOut,
    InspectionAck,
    InspectionIn,
    InspectionOut,
    InspectionSummary,
    SubmitIn,
)
from ..services import inspections as inspection_services
from .common import _etag, _if_match

router = Router()


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


_FINDING_FIELDS = tuple(FindingOut.model_fields)


def _ack(inspection: Inspection, findings: list[Finding] | None = None, status: int = 200) -> HttpResponse:
    """The InspectionAck, written straight from the rows (kernel.kit.json_response): the values are the
    schema's types already (ids, text, decimals, the version), and having ninja validate a dozen findings
    again through its attribute getter cost more than writing them. The ETag is the version."""
    response = json_response({
        "client_uuid": str(inspection.client_uuid),
        "template_key": inspection.template.key,
        "template_version": inspection.template.version,
        "status": str(inspection.status),
        "version": inspection.version,
        "revision": inspection.revision,
        "period": inspection.period,
        "percent": inspection.percent,
        "vetoed": inspection.vetoed,
        "findings": [{name: getattr(f, name) for name in _FINDING_FIELDS} for f in findings or []],
        "updated_at": local_moment(inspection.updated_at),
    })  # fmt: skip
    response.status_code = status
    _etag(response, inspection.version)
    return response


@router.put(
    "/inspections/{client_uuid}",
    response={200: InspectionAck, 201: InspectionAck},
    summary="创建或修改检查草稿（按客户端 UUID 幂等；修改须带 If-Match）",
)
def inspection_put(
    request: HttpRequest,
    client_uuid: UUID,
    payload: InspectionIn,
    submit: bool = Query(False, description="同时提交：离线填完的检查一次往返完成保存与提交，失败则都不生效"),
) -> HttpResponse:
    if len(request.body) > settings.INSPECTION_MAX_BODY_BYTES:
        raise PayloadTooLarge(details={"max_bytes": settings.INSPECTION_MAX_BODY_BYTES})
    location = payload.device_location
    # Without a period the digest is what it was before the field existed: a phone replaying an older
    # request is still recognised as a replay.
    dumped = payload.model_dump(mode="json", exclude={"period"} if payload.period is None else None)
    draft = inspection_services.DraftInput(
        template_key=payload.template_key,
        template_version=payload.template_version,
        subject_kind=payload.subject.kind,
        subject_id=payload.subject.id,
        answers=dumped["answers"],  # parsed JSON already: the same as each answer's model_dump()
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
        "digest": inspection_services.request_digest(dumped),
    }
    findings: list[Finding] = []
    if submit:
        inspection, created, findings = inspection_services.inspection_put_and_submit(**args)
    else:
        inspection, created = inspection_services.inspection_put(**args)
    return _ack(inspection, findings, 201 if created else 200)


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
def inspection_submit(request: HttpRequest, client_uuid: UUID, payload: SubmitIn) -> HttpResponse:
    inspection, findings = inspection_services.inspection_submit(
        principal=request.auth,
        client_uuid=client_uuid,
        if_match=_if_match(request),
        device_submitted_at=payload.device_submitted_at,
    )
    return _ack(inspection, findings)
