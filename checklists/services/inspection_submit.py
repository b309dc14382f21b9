"""Submitting an inspection: validate against the pinned template, score, keep the revision, findings."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from kernel.access import Principal
from kernel.audit.models import AuditEvent
from kernel.audit.services import audit_write
from kernel.errors import Conflict, InvalidInput
from kernel.kit import decimal_text
from kernel.queries import Write, insert_write, update_write, writes_send
from scoring.engine.checklist import (
    Answer,
    ScoreResult,
    TemplateSpec,
    missing_answers,
    score,
)

from ..models import (
    Finding,
    Inspection,
    InspectionRevision,
    InspectionStatus,
)
from ..subjects import hooks_for
from .inspection_shared import (
    _LOCKED,
    _audit_event,
    _photo_counts,
    own_inspection,
    to_domain_answers,
)
from .templates import spec_of


def score_json(result: ScoreResult) -> dict[str, Any]:
    def d(x: Decimal) -> str:
        # Whole points without decimals ("100", not "100.00" — nor "1E+2", which normalize() gives).
        return decimal_text(x.to_integral_value() if x == x.to_integral_value() else x)

    return {
        "percent": decimal_text(result.percent),
        "base_earned": d(result.base_earned),
        "base_maximum": d(result.base_maximum),
        "bonus": d(result.bonus),
        "penalty": d(result.penalty),
        "vetoed": result.vetoed,
        "veto_items": list(result.veto_items),
        "sections": [
            {"key": s.key, "earned": d(s.earned), "maximum": d(s.maximum), "capped": s.capped}
            for s in result.sections
        ],
        "items": [
            {"key": r.key, "earned": d(r.earned), "maximum": d(r.maximum), "lost": d(r.lost),
             "applicable": r.applicable, "failed": r.failed, "reason": r.reason}
            for r in result.items
        ],
    }  # fmt: skip


_SUBMITTED_FIELDS = (
    "score", "percent", "vetoed", "status", "submitted_at", "device_submitted_at", "version", "updated_at",
)  # fmt: skip


@transaction.atomic
def inspection_submit(
    *,
    principal: Principal,
    client_uuid: uuid.UUID,
    if_match: int | None,
    device_submitted_at: datetime | None,
) -> tuple[Inspection, list[Finding]]:
    """Validate against the pinned template, score, keep the revision, turn lost points into findings."""
    inspection = own_inspection(principal, client_uuid)
    if inspection.status in _LOCKED:  # submitting twice (a retry) changes nothing
        return inspection, list(Finding.objects.filter(inspection=inspection, revision=inspection.revision))
    if inspection.status != InspectionStatus.DRAFT:
        raise Conflict(
            "已退回的检查须先修改再提交", code="amend_first", details={"status": inspection.status}
        )
    if if_match is not None and if_match != inspection.version:
        raise Conflict(
            "检查记录已被其他设备修改",
            code="version_conflict",
            details={"current_version": inspection.version},
        )
    spec = spec_of(inspection.template)
    result = _score_complete(spec, to_domain_answers(inspection.answers, _photo_counts(inspection, spec)))
    _mark_submitted(inspection, result, device_submitted_at)
    from .evidence import inspection_photos_recheck_times  # evidence imports this module

    if inspection.revision_photos != 0:  # None: from before the count, so read them to know
        inspection_photos_recheck_times(inspection=inspection)  # the phone's span is complete now
    submitted = update_write(inspection, _SUBMITTED_FIELDS)  # sent with the revision, findings, audit
    return inspection, _record_submission(principal, inspection, spec, result, first=(submitted,))


def _score_complete(spec: TemplateSpec, answers: Mapping[str, Answer]) -> ScoreResult:
    problems = missing_answers(spec, answers)
    if problems:
        raise InvalidInput(
            "检查表尚未填写完整",
            code="incomplete",
            details={"fields": {f"answers.{k}": [v] for k, v in problems.items()}},
        )
    return score(spec, answers)


def _mark_submitted(
    inspection: Inspection, result: ScoreResult, device_submitted_at: datetime | None
) -> None:
    inspection.score = score_json(result)
    inspection.percent = result.percent.quantize(Decimal("0.0001"))
    inspection.vetoed = result.vetoed
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_at = timezone.now()
    inspection.device_submitted_at = device_submitted_at
    inspection.version += 1


def _record_submission(
    principal: Principal,
    inspection: Inspection,
    spec: TemplateSpec,
    result: ScoreResult,
    earlier: tuple[AuditEvent, ...] = (),
    first: tuple[Write, ...] = (),
) -> list[Finding]:
    """Keep the submitted revision, turn lost points into findings, audit (the submit event after the
    ``earlier`` events of the same request), then tell the subject's kind. The ``first`` writes (the
    inspection's own update), the revision, the events and the findings are sent as one statement on
    PostgreSQL (``kernel.queries.writes_send``): built once, without ``bulk_create``'s round of
    per-object preparation, and one round trip instead of four."""
    assert inspection.percent is not None and inspection.submitted_at is not None  # scored, submitted
    revision = InspectionRevision(
        inspection=inspection,
        revision=inspection.revision,
        period=inspection.period,
        answers=inspection.answers,
        score=inspection.score,
        percent=inspection.percent,
        vetoed=inspection.vetoed,
        submitted_at=inspection.submitted_at,
        device_submitted_at=inspection.device_submitted_at,
    )
    findings = _findings(inspection, spec, result)
    submitted = _audit_event(
        "checklists.inspection.submit",
        inspection,
        percent=str(inspection.percent),
        vetoed=inspection.vetoed,
        findings=len(result.findings),
    )
    writes = [*first, insert_write(InspectionRevision, [revision]), audit_write([*earlier, submitted])]
    if findings:
        writes.append(insert_write(Finding, findings, returning_pk=True))
    keys = writes_send(writes)
    for finding, (pk,) in zip(findings, keys, strict=True):
        finding.pk = pk
        finding._state.adding, finding._state.db = False, DEFAULT_DB_ALIAS
    hooks_for(inspection.subject_kind).on_submitted(principal=principal, inspection=inspection)
    return findings


def findings_create(inspection: Inspection, spec: TemplateSpec, result: ScoreResult) -> list[Finding]:
    """The findings of the inspection's current revision: every item that lost points or failed."""
    return Finding.objects.bulk_create(_findings(inspection, spec, result))


def _findings(inspection: Inspection, spec: TemplateSpec, result: ScoreResult) -> list[Finding]:
    items = spec.items()
    return [
        Finding(
            inspection=inspection,
            revision=inspection.revision,
            item_key=r.key,
            item_title=items[r.key].title[:300],
            kind=r.kind,
            category=items[r.key].category or ("veto" if r.kind == "veto" else ""),
            points_lost=r.lost.quantize(Decimal("0.001")),
            reason=r.reason[:300],
            responsible_hint=items[r.key].responsible,
        )
        for r in result.findings
    ]
