"""Appeals (申诉) against a scoreboard under notice: filing, deciding, and the corrections they lead to."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from geo.models import Region
from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from .. import notices
from ..models import Appeal, AppealStatus, Scoreboard, ScoreboardStatus
from ..source import inspections
from .owners import scheme_owner_check
from .scoreboards import row_unit

_SHA256 = re.compile(r"[0-9a-f]{64}")


@transaction.atomic
def appeal_file(
    *,
    principal: Principal,
    scheme_key: str,
    region_id: int,
    reason: str,
    evidence: list[str],
    unit_id: int | None = None,
) -> Appeal:
    """A town appeals its own row (or, for enterprises it assessed, their rows) while under notice.

    ``evidence`` names photos by SHA-256; the inspection source says which of them the appellant may
    already see as evidence about the unit's region (the checklists app knows what photos prove): any
    other is refused, exactly as a photo that does not exist is, so an appeal never opens
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
    allowed = (
        inspections().photos_citable(principal=principal, region_path=region.path, sha256s=evidence)
        if evidence
        else set()
    )
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
    notices.appeal_filed(appeal)
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
    notices.appeal_decided(appeal)
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
) -> int:
    """The upheld appeal a correction answers, locked until the correction (whose transaction this runs
    in) commits. It must be about the inspection's unit on a scoreboard of a scheme the inspection
    counts in (``scheme_keys``). Returns its id."""
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
    return appeal.pk


def appeal_record_correction(*, appeal_id: int, correction: dict[str, Any]) -> Appeal:
    """Record on the appeal (locked by :func:`appeal_for_correction`) the correction that answers it;
    an appeal needing a re-score no longer holds up notice and publication."""
    appeal = Appeal.objects.select_related("region").get(pk=appeal_id)
    before = {"corrected_at": appeal.corrected_at, "corrections": len(appeal.corrections)}
    appeal.corrections = [*appeal.corrections, correction]
    appeal.corrected_at = timezone.now()
    appeal.save(update_fields=["corrections", "corrected_at"])
    audit_record(action="scoring.appeal.correct", obj=appeal, region_path=appeal.region.path,
                 before=before, after={"correction": correction})  # fmt: skip
    return appeal


@transaction.atomic
def appeal_evidence_add(
    *, principal: Principal, appeal_id: int, store: Callable[[int], str]
) -> tuple[Appeal, bool]:
    """A photo uploaded as evidence to a pending appeal of the caller's own unit: the appeal is locked and
    checked (404 outside scope, 409 ``appeal_decided``), then ``store(appeal_id)`` keeps the photo and
    links it (the checklists app knows photos) and returns its SHA-256, which the appeal then lists.
    Returns the appeal and whether the photo is new to it."""
    appeal = (
        Appeal.objects.select_for_update(of=("self",)).select_related("region").filter(pk=appeal_id).first()
    )
    if appeal is None or not principal.covers(appeal.region.path, REVIEWING_ROLES):
        raise NotFound("申诉不存在或不是本单位的申诉", details={"appeal_id": appeal_id})
    if appeal.status != AppealStatus.PENDING:
        raise Conflict("申诉已处理，不能再补充证据", code="appeal_decided", details={"status": appeal.status})
    sha256 = store(appeal.pk)
    if sha256 in appeal.evidence:
        return appeal, False
    appeal.evidence = [*appeal.evidence, sha256]
    appeal.save(update_fields=["evidence"])
    audit_record(
        action="scoring.appeal.evidence", obj=appeal, region_path=appeal.region.path, after={"photo": sha256}
    )
    return appeal, True
