"""Scorecards of a unit under a scheme, the towns' task records, award decisions and appeals."""

from django.http import HttpRequest
from ninja import Field, Router, Status

from kernel.kit import Id, Key, StrictSchema

from .. import selectors, services
from ..schemas import AppealIn, AppealOut, ScorecardOut
from ..scorecards import scorecard

router = Router(tags=["考核结果"])


@router.post(
    "/scoreboards/{scheme_key}/appeals",
    response={201: AppealOut},
    tags=["考核结果"],
    summary="区镇申诉（公示期内，仅限本单位；证据照片须为本单位可查看的，或上传到申诉）",
)
def appeal_file(request: HttpRequest, scheme_key: Key, payload: AppealIn) -> Status:
    appeal = services.appeal_file(principal=request.auth, scheme_key=scheme_key, **payload.dict())
    return Status(201, appeal)


@router.get(
    "/scoreboards/{scheme_key}/appeals",
    response=list[AppealOut],
    tags=["考核结果"],
    summary="申诉列表（区级看全部，区镇看本单位）",
)
def appeal_list(request: HttpRequest, scheme_key: Key) -> object:
    return list(selectors.appeals_for(principal=request.auth, scheme_key=scheme_key))


@router.get(
    "/scoreboards/{scheme_key}/units/{region_id}",
    response=ScorecardOut,
    summary="单位考核明细（部门、企事业单位；区镇同 /towns/{id}）",
)
def unit_scorecard(request: HttpRequest, scheme_key: Key, region_id: Id) -> object:
    return scorecard(principal=request.auth, scheme_key=scheme_key, region_id=region_id)


@router.get(
    "/scoreboards/{scheme_key}/towns/{region_id}",
    response=ScorecardOut,
    summary="区镇考核明细：总分 → 组成部分 → 检查 → 分节 → 扣分项与照片",
)
def town_scorecard(request: HttpRequest, scheme_key: Key, region_id: Id) -> object:
    return scorecard(principal=request.auth, scheme_key=scheme_key, region_id=region_id)


class TaskCompletionIn(StrictSchema):
    completed: bool = Field(description="是否完成年度规定任务")
    note: str = Field("", max_length=2000, description="说明（未完成时必填）")


@router.put(
    "/scoreboards/{scheme_key}/towns/{region_id}/tasks",
    response={204: None},
    summary="记录区镇是否完成年度规定任务（未完成不得评为先进；随后重新计算草稿）",
)
def town_tasks(request: HttpRequest, scheme_key: Key, region_id: Id, payload: TaskCompletionIn) -> Status:
    services.town_tasks_record(
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
    services.award_decision_record(
        principal=request.auth, scheme_key=scheme_key, award_key=award_key, **payload.dict()
    )
    return Status(204, None)
