"""Writing scoreboards: a fresh draft from unit inputs, and publication as an immutable final."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import JSONField, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from geo.models import Region
from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from . import schemes
from .engine.assessment import UnitInput, evaluate
from .models import Appeal, AppealStatus, AwardDecision, Scoreboard, ScoreboardStatus, TaskCompletion


@dataclass(frozen=True)
class UnitEvidence:
    """One unit's inputs plus what they came from (shown in the drill-down and kept with the result)."""

    unit_id: int  # a town's region id, or a department's / enterprise's organisation id
    region_id: int  # the region the unit belongs to (a town is its own)
    name: str
    components: dict[str, Decimal | None]
    vetoed: bool = False
    veto_reasons: tuple[str, ...] = ()
    tasks_completed: bool = True
    sources: dict[str, list[str]] = field(default_factory=dict)
    single_scores: dict[str, Decimal | None] = field(default_factory=dict)  # single award → basis %


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def content_hash(rows: list[dict[str, Any]], scheme_document: dict[str, Any]) -> str:
    """The scoreboard's 内容摘要: SHA-256 of ``{"rows": rows, "scheme": scheme_document}`` as JSON with
    keys sorted, non-ASCII characters as they are, Python's default separators, UTF-8. Anyone holding
    an exported or stored result can recompute it."""
    return _digest(_canonical(rows), scheme_document)


def _digest(rows_json: str, scheme_document: dict[str, Any]) -> str:
    # The canonical text of the whole document, built around rows already encoded once.
    text = f'{{"rows": {rows_json}, "scheme": {_canonical(scheme_document)}}}'
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def scoreboard_store_draft(*, scheme_key: str, units: list[UnitEvidence]) -> Scoreboard:
    """Replace the scheme's draft with one computed from ``units``. Finals are never touched."""
    definition = schemes.load(scheme_key)
    decisions = {d.award_key: d for d in AwardDecision.objects.filter(scheme_key=scheme_key)}
    board = evaluate(
        definition.scheme,
        [
            UnitInput(u.unit_id, u.components, u.vetoed, u.veto_reasons, u.tasks_completed, u.single_scores)
            for u in units
        ],
        decisions={k: d.region_ids for k, d in decisions.items()},
    )
    by_id = {u.unit_id: u for u in units}
    labels = {a.key: a.label for a in (*definition.scheme.awards, *definition.scheme.single_awards)}

    def decided(unit_id: int, won: list[str]) -> list[str]:
        return [
            f"{labels[k]}：名额分界处并列，由区安委办决定（{d.reason}）"
            for k, d in decisions.items()
            if k in labels and k not in board.undecided and labels[k] in won and unit_id in d.region_ids
        ]

    rows = [
        {
            "unit_id": r.unit_id,
            "unit_kind": definition.subject_kind,
            "region_id": by_id[r.unit_id].region_id,
            "unit_name": by_id[r.unit_id].name,
            "components": {k: str(v) for k, v in r.components.items()},
            "total": str(r.total),
            "grade": r.grade,
            "rank": r.rank,
            "reverse_rank": r.reverse_rank,
            "award": r.award,
            "single_awards": list(r.single_awards),
            "single_scores": {k: None if v is None else str(v) for k, v in r.single_scores.items()},
            "vetoed": r.vetoed,
            "veto_reasons": list(r.veto_reasons),
            "eligible": r.eligible,
            "excluded_awards": list(r.excluded),
            "notes": [*r.notes, *decided(r.unit_id, [r.award, *r.single_awards])],
            "sources": by_id[r.unit_id].sources,
        }
        for r in board.units
    ]
    # The rows are encoded once, canonically, for both the content hash and the database (a 1,000-unit
    # board is ~0.5 MB of JSON; encoding it twice cost more than ranking it).
    rows_json = _canonical(rows)
    # only("id"): the old draft's rows are not loaded just to be deleted
    Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.DRAFT).only("id").delete()
    scoreboard = Scoreboard.objects.create(
        scheme_key=scheme_key,
        year=definition.year,
        title=definition.title,
        scheme_document=definition.document,
        computed_at=timezone.now(),
        content_hash=_digest(rows_json, definition.document),
        undecided={k: list(v) for k, v in board.undecided.items()},
        rows=Cast(Value(rows_json), JSONField()),
    )
    scoreboard.rows = rows  # what was stored, not the expression that stored it
    return scoreboard


def row_unit(row: dict[str, Any]) -> int:
    """A scoreboard row's unit id (rows written before departments and enterprises had only a town)."""
    return int(row.get("unit_id", row["region_id"]))


def scheme_owner_check(
    *, principal: Principal, scheme_key: str, region_path: str | None = None
) -> schemes.SchemeDefinition:
    """The scheme, if the principal may act on it: hold one of the roles that own it (scheme data,
    ``owners``; administrators always may), over ``region_path`` when the action concerns one unit.

    Roles that are not district-level get 403 as before; an unknown scheme is a 404; a district role
    that may see the scheme but does not own it (the environment bureau on the 安全生产 / 消防 boards)
    gets 403 ``permission_denied`` naming the owners."""
    if not principal.has_any(DISTRICT_ROLES):
        raise PermissionDenied("只有区级部门可以发布考核结果")
    # An unknown scheme is a 404 ``scheme_not_found``, a broken office file a 409 ``scheme_invalid``.
    definition = schemes.load(scheme_key)
    owners = definition.owners
    may = principal.has_any(owners) if region_path is None else principal.covers(region_path, owners)
    if not may:
        names = "、".join(r.label for r in sorted(owners))
        raise PermissionDenied(
            f"考核方案「{definition.title}」由{names}负责，您的角色只能查看",
            details={"scheme_key": scheme_key, "owners": sorted(r.value for r in owners)},
        )
    return definition


@transaction.atomic
def scoreboard_notice(*, principal: Principal, scheme_key: str) -> Scoreboard:
    """Put the current draft under public notice (公示): towns may appeal until the window closes."""
    scheme_owner_check(principal=principal, scheme_key=scheme_key)
    draft = (
        Scoreboard.objects.select_for_update()
        .filter(scheme_key=scheme_key, status=ScoreboardStatus.DRAFT)
        .first()
    )
    if draft is None:
        raise NotFound("没有可公示的草稿", details={"scheme_key": scheme_key})
    _require_rescores_corrected(scheme_key)
    corrected = _last_correction(scheme_key)
    if corrected is not None and draft.computed_at < corrected:
        raise Conflict(
            "草稿尚未按申诉所涉检查的更正重新计算，请稍后再公示",
            code="draft_outdated",
            details={"computed_at": draft.computed_at, "corrected_at": corrected},
        )
    if draft.undecided:
        raise Conflict(
            "仍有奖项并列待区安委办决定，不能公示", code="awards_undecided", details=draft.undecided
        )
    now = timezone.now()
    # A newer notice replaces an older one still open (after a re-score): the older one is withdrawn.
    Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.NOTICE).update(
        status=ScoreboardStatus.WITHDRAWN, notice_until=now
    )
    draft.status = ScoreboardStatus.NOTICE
    draft.noticed_at = now
    draft.notice_until = now + timedelta(days=settings.APPEAL_WINDOW_DAYS)
    draft.save(update_fields=["status", "noticed_at", "notice_until"])
    audit_record(action="scoring.scoreboard.notice", obj=draft,
                 after={"content_hash": draft.content_hash, "notice_until": draft.notice_until})  # fmt: skip
    return draft


@transaction.atomic
def appeal_file(
    *,
    principal: Principal,
    scheme_key: str,
    region_id: int,
    reason: str,
    evidence: list[str],
    citable: Callable[[str, list[str]], Collection[str]],
    unit_id: int | None = None,
) -> Appeal:
    """A town appeals its own row (or, for enterprises it assessed, their rows) while under notice.

    ``evidence`` names photos by SHA-256; ``citable(region_path, evidence)`` says which of them the
    appellant may already see as evidence about the unit's region (the photo app knows what photos
    prove): any other is refused, exactly as a photo that does not exist is, so an appeal never opens
    another town's photo. Photos the town holds itself are uploaded to the appeal instead."""
    board = (
        Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.NOTICE)
        .order_by("-noticed_at")
        .first()
    )
    if board is None:
        raise NotFound("考核结果不在公示期", details={"scheme_key": scheme_key})
    wanted = region_id if unit_id is None else unit_id
    row = next((r for r in board.rows if row_unit(r) == wanted and r["region_id"] == region_id), None)
    region = Region.objects.filter(pk=region_id).only("path").first()
    if row is None or region is None or not principal.covers(region.path, REVIEWING_ROLES):
        raise NotFound("不能对该单位提出申诉", details={"region_id": region_id, "unit_id": unit_id})
    if timezone.now() > board.notice_until:
        raise Conflict(
            "申诉期已结束", code="appeal_window_closed", details={"notice_until": board.notice_until}
        )
    if not reason.strip():
        raise InvalidInput(details={"fields": {"reason": ["必须说明申诉理由"]}})
    bad = [e for e in evidence if not _SHA256.fullmatch(e)]
    if bad:
        raise InvalidInput(details={"fields": {"evidence": ["应为照片的 SHA-256（64 位十六进制）"]}})
    evidence = list(dict.fromkeys(evidence))
    allowed = set(citable(region.path, evidence)) if evidence else set()
    refused = [i for i, sha in enumerate(evidence) if sha not in allowed]
    if refused:
        problem = (
            "照片不存在或不是本单位可查看的照片；本单位持有的照片请上传到申诉（POST /appeals/{id}/photos）"
        )
        raise InvalidInput(
            "证据照片不存在或无权引用",
            code="evidence_not_visible",
            details={"fields": {f"evidence.{i}": [problem] for i in refused}},
        )
    appeal = Appeal.objects.create(
        scoreboard=board,
        region=region,
        unit_id=row_unit(row),
        unit_name=row["unit_name"],
        filed_by_id=principal.user_id,
        reason=reason.strip(),
        evidence=evidence,
    )
    audit_record(action="scoring.appeal.file", obj=appeal, region_path=region.path,
                 after={"reason": appeal.reason, "evidence": evidence})  # fmt: skip
    return appeal


@transaction.atomic
def appeal_decide(
    *, principal: Principal, appeal_id: int, upheld: bool, decision: str, rescore: bool
) -> Appeal:
    """The district decides in writing; an upheld appeal that changes points needs a re-score."""
    if not principal.has_any(DISTRICT_ROLES):
        raise PermissionDenied("只有区级部门可以处理申诉")
    appeal = (
        Appeal.objects.select_for_update(of=("self",)).select_related("region", "scoreboard")
        .filter(pk=appeal_id).first()
    )  # fmt: skip
    if appeal is None:
        raise NotFound("申诉不存在", details={"appeal_id": appeal_id})
    scheme_owner_check(
        principal=principal, scheme_key=appeal.scoreboard.scheme_key, region_path=appeal.region.path
    )
    if appeal.status != AppealStatus.PENDING:
        raise Conflict("申诉已处理", code="appeal_decided", details={"status": appeal.status})
    if not decision.strip():
        raise InvalidInput(details={"fields": {"decision": ["必须写明处理意见"]}})
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.rescore = upheld and rescore
    appeal.decision = decision.strip()
    appeal.decided_by_id, appeal.decided_at = principal.user_id, timezone.now()
    appeal.save()
    audit_record(
        action="scoring.appeal.decide",
        obj=appeal,
        region_path=appeal.region.path,
        after={"status": appeal.status, "rescore": appeal.rescore, "decision": appeal.decision},
    )
    return appeal


def _open_rescores(scheme_key: str) -> QuerySet[Appeal]:
    """Upheld appeals needing a re-score, filed since the scheme was last published."""
    last_final = (
        Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.FINAL)
        .order_by("-published_at").values_list("published_at", flat=True).first()
    )  # fmt: skip
    qs = Appeal.objects.filter(scoreboard__scheme_key=scheme_key, status=AppealStatus.UPHELD, rescore=True)
    return qs.filter(filed_at__gt=last_final) if last_final else qs


def _require_rescores_corrected(scheme_key: str) -> None:
    """An upheld appeal needing a re-score takes effect through a written correction of the inspection
    behind it (``appeal_id`` on the correction); until then nothing of the scheme is noticed or published."""
    waiting = list(_open_rescores(scheme_key).filter(corrected_at__isnull=True).values_list("pk", flat=True))
    if waiting:
        raise Conflict(
            "有申诉成立需重新计分：请先更正（撤销或更正答案）申诉所涉的检查并注明申诉编号",
            code="rescore_pending",
            details={"appeal_ids": waiting},
        )


def _last_correction(scheme_key: str) -> datetime | None:
    return (
        _open_rescores(scheme_key).filter(corrected_at__isnull=False)
        .order_by("-corrected_at").values_list("corrected_at", flat=True).first()
    )  # fmt: skip


def appeal_for_correction(
    *, principal: Principal, appeal_id: int, scheme_keys: list[str], subject_kind: str, subject_id: int
) -> Appeal:
    """The upheld appeal a correction answers, locked until the correction (whose transaction this runs
    in) commits. It must be about the inspection's unit on a scoreboard of a scheme the inspection
    counts in (``scheme_keys``)."""
    appeal = (
        Appeal.objects.select_for_update(of=("self",)).select_related("region", "scoreboard")
        .filter(pk=appeal_id).first()
    )  # fmt: skip
    if appeal is None or not principal.covers(appeal.region.path, DISTRICT_ROLES):
        raise InvalidInput(details={"fields": {"appeal_id": ["申诉不存在或不在您的管辖范围内"]}})
    board = appeal.scoreboard
    scheme_owner_check(principal=principal, scheme_key=board.scheme_key, region_path=appeal.region.path)
    unit = appeal.unit_id if appeal.unit_id is not None else appeal.region_id  # older appeals: towns
    if board.scheme_key not in scheme_keys or board.scheme_document.get("subject_kind") != subject_kind:
        raise InvalidInput(
            details={"fields": {"appeal_id": [f"申诉针对的考核方案 {board.scheme_key} 不使用这份检查"]}}
        )
    if unit != subject_id:
        problem = f"申诉单位（{appeal.unit_name}）不是本检查的对象"
        raise InvalidInput(details={"fields": {"appeal_id": [problem]}})
    if appeal.status != AppealStatus.UPHELD:
        raise Conflict(
            "只有已成立的申诉可以据以更正检查",
            code="appeal_not_upheld",
            details={"appeal_id": appeal.pk, "status": appeal.status},
        )
    return appeal


def appeal_record_correction(*, appeal: Appeal, correction: dict[str, Any]) -> Appeal:
    """Record on the appeal (locked by :func:`appeal_for_correction`) the correction that answers it;
    an appeal needing a re-score no longer holds up notice and publication."""
    before = {"corrected_at": appeal.corrected_at, "corrections": len(appeal.corrections)}
    appeal.corrections = [*appeal.corrections, correction]
    appeal.corrected_at = timezone.now()
    appeal.save(update_fields=["corrections", "corrected_at"])
    audit_record(action="scoring.appeal.correct", obj=appeal, region_path=appeal.region.path,
                 before=before, after={"correction": correction})  # fmt: skip
    return appeal


@transaction.atomic
def scoreboard_publish(*, principal: Principal, scheme_key: str) -> Scoreboard:
    """Final publication of the scoreboard under notice: appeals all decided, no re-score pending.

    The final is the noticed content unchanged (same hash), with the publisher and time recorded.
    """
    scheme_owner_check(principal=principal, scheme_key=scheme_key)
    board = (
        Scoreboard.objects.select_for_update().filter(scheme_key=scheme_key, status=ScoreboardStatus.NOTICE)
        .order_by("-noticed_at").first()
    )  # fmt: skip
    if board is None:
        raise NotFound("没有公示中的考核结果，请先公示", details={"scheme_key": scheme_key})
    pending = list(board.appeals.filter(status=AppealStatus.PENDING).values_list("pk", flat=True))
    if pending:
        raise Conflict("仍有申诉未处理", code="appeals_pending", details={"appeal_ids": pending})
    _require_rescores_corrected(scheme_key)
    if board.appeals.filter(rescore=True).exists():
        raise Conflict("申诉所涉检查已更正，公示内容已过时：请重新公示更正后的结果", code="renotice_required")
    if timezone.now() < board.notice_until and not board.appeals.exists():
        raise Conflict("公示期未满", code="notice_open", details={"notice_until": board.notice_until})
    board.status = ScoreboardStatus.FINAL
    board.published_by_id = principal.user_id
    board.published_at = timezone.now()
    board.save(update_fields=["status", "published_by", "published_at"])
    audit_record(
        action="scoring.scoreboard.publish",
        obj=board,
        after={"scheme": scheme_key, "content_hash": board.content_hash, "rows": len(board.rows)},
    )
    return board


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
