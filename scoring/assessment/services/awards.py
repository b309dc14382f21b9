"""Task records and award tie decisions of a scheme's scoreboard."""

from __future__ import annotations

from django.db import transaction

from geo.models import Region
from kernel.access import Principal
from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound

from ..models import AwardDecision, Scoreboard, ScoreboardStatus, TaskCompletion
from .owners import scheme_owner_check
from .recompute import recompute_after_commit


@transaction.atomic
def task_completion_set(
    *, principal: Principal, scheme_key: str, region_id: int, completed: bool, note: str
) -> TaskCompletion:
    """Record whether a town completed the year's required tasks (which awards an incomplete one loses is
    the scheme's ``eligibility.tasks_incomplete``; by default every 先进 award)."""
    definition = scheme_owner_check(principal=principal, scheme_key=scheme_key)  # the scheme must exist
    region = Region.objects.filter(pk=region_id, level="town").only("path").first()
    if region is None or not principal.covers(region.path, definition.owners):
        raise NotFound("区镇不存在或不在您的管辖范围内", details={"region_id": region_id})
    if not completed and not note.strip():
        raise InvalidInput(details={"fields": {"note": ["未完成时必须说明未完成的任务"]}})
    record, _ = TaskCompletion.objects.update_or_create(
        scheme_key=scheme_key,
        region=region,
        defaults={"completed": completed, "note": note.strip(), "set_by_id": principal.user_id},
    )
    audit_record(action="scoring.tasks.set", obj=record, region_path=region.path,
                 after={"completed": completed, "note": note.strip()})  # fmt: skip
    return record


@transaction.atomic
def award_decide(
    *, principal: Principal, scheme_key: str, award_key: str, region_ids: list[int], reason: str
) -> AwardDecision:
    """The office chooses which of the units tied across an award's cut-off take its remaining places.

    Checked against the current draft: the award must be undecided there, the chosen units must be among
    the tied ones and fill exactly the remaining places. The caller recomputes the draft afterwards."""
    definition = scheme_owner_check(principal=principal, scheme_key=scheme_key)
    draft = Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.DRAFT).first()
    if draft is None:
        raise NotFound("没有待决定的考核结果草稿", details={"scheme_key": scheme_key})
    award = next(
        (a for a in (*definition.scheme.awards, *definition.scheme.single_awards) if a.key == award_key), None
    )
    if award is None:
        raise NotFound("方案中没有该奖项", details={"award_key": award_key})
    tied = draft.undecided.get(award_key)
    if not tied:
        raise Conflict(
            "该奖项没有待决定的并列" if tied is None else "须先决定排在前面的奖项",
            code="award_not_undecided",
            details={"award_key": award_key, "undecided": draft.undecided},
        )
    if not reason.strip():
        raise InvalidInput(details={"fields": {"reason": ["必须写明决定理由"]}})
    won = sum(1 for r in draft.rows if award.label in (r["award"], *r.get("single_awards", ())))
    places = award.quota - won
    chosen = list(dict.fromkeys(region_ids))
    problems = []
    if len(chosen) != len(region_ids):
        problems.append("单位不能重复")
    if not set(chosen) <= set(tied):
        problems.append(f"只能在并列单位 {sorted(tied)} 中选择")
    if len(chosen) != places:
        problems.append(f"剩余名额 {places} 个，须恰好选择 {places} 个单位")
    if problems:
        raise InvalidInput(details={"fields": {"region_ids": problems}, "tied": tied, "places": places})
    decision, _ = AwardDecision.objects.update_or_create(
        scheme_key=scheme_key,
        award_key=award_key,
        defaults={"region_ids": chosen, "reason": reason.strip(), "decided_by_id": principal.user_id},
    )
    after = {"award": award_key, "region_ids": chosen, "tied": tied, "reason": reason.strip()}
    audit_record(action="scoring.award.decide", obj=decision, after=after)
    return decision


def town_tasks_record(
    *, principal: Principal, scheme_key: str, region_id: int, completed: bool, note: str
) -> None:
    """Record a town's required-task completion and recompute the scheme's draft after commit."""
    with transaction.atomic():
        task_completion_set(
            principal=principal, scheme_key=scheme_key, region_id=region_id, completed=completed, note=note
        )
        recompute_after_commit(scheme_key)


def award_decision_record(
    *, principal: Principal, scheme_key: str, award_key: str, region_ids: list[int], reason: str
) -> None:
    """Record the office's decision on a tie at an award's cut-off and recompute the draft after commit."""
    with transaction.atomic():
        award_decide(
            principal=principal,
            scheme_key=scheme_key,
            award_key=award_key,
            region_ids=region_ids,
            reason=reason,
        )
        recompute_after_commit(scheme_key)
