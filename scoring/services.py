"""Writing scoreboards: a fresh draft from unit inputs, and publication as an immutable final."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.access import DISTRICT_ROLES, Principal
from backend.audit.services import audit_record
from backend.errors import Conflict, NotFound, PermissionDenied

from . import schemes
from .engine.assessment import UnitInput, evaluate
from .models import Scoreboard, ScoreboardRow, ScoreboardStatus


@dataclass(frozen=True)
class UnitEvidence:
    """One unit's inputs plus what they came from (shown in the drill-down and kept with the result)."""

    region_id: int
    name: str
    components: dict[str, Decimal | None]
    vetoed: bool = False
    veto_reasons: tuple[str, ...] = ()
    tasks_completed: bool = True
    sources: dict[str, list[str]] = field(default_factory=dict)


def _hash(rows: list[dict[str, Any]], scheme_document: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"scheme": scheme_document, "rows": rows}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def scoreboard_store_draft(*, scheme_key: str, units: list[UnitEvidence]) -> Scoreboard:
    """Replace the scheme's draft with one computed from ``units``. Finals are never touched."""
    definition = schemes.load(scheme_key)
    board = evaluate(
        definition.scheme,
        [UnitInput(u.region_id, u.components, u.vetoed, u.veto_reasons, u.tasks_completed) for u in units],
    )
    by_id = {u.region_id: u for u in units}
    rows = [
        {
            "region_id": r.unit_id,
            "unit_name": by_id[r.unit_id].name,
            "components": {k: str(v) for k, v in r.components.items()},
            "total": str(r.total),
            "grade": r.grade,
            "rank": r.rank,
            "reverse_rank": r.reverse_rank,
            "award": r.award,
            "vetoed": r.vetoed,
            "veto_reasons": list(r.veto_reasons),
            "eligible": r.eligible,
            "notes": list(r.notes),
            "sources": by_id[r.unit_id].sources,
        }
        for r in board.units
    ]
    Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.DRAFT).delete()
    scoreboard = Scoreboard.objects.create(
        scheme_key=scheme_key,
        year=definition.year,
        title=definition.title,
        scheme_document=definition.document,
        computed_at=timezone.now(),
        content_hash=_hash(rows, definition.document),
        undecided={k: list(v) for k, v in board.undecided.items()},
    )
    ScoreboardRow.objects.bulk_create(ScoreboardRow(scoreboard=scoreboard, **row) for row in rows)
    return scoreboard


@transaction.atomic
def scoreboard_publish(*, principal: Principal, scheme_key: str) -> Scoreboard:
    """Freeze the current draft as a final result (content hash, publisher); the draft is consumed."""
    if not principal.has_any(DISTRICT_ROLES):
        raise PermissionDenied("只有区级部门可以发布考核结果")
    draft = (
        Scoreboard.objects.select_for_update()
        .filter(scheme_key=scheme_key, status=ScoreboardStatus.DRAFT)
        .first()
    )
    if draft is None:
        raise NotFound("没有可发布的草稿", details={"scheme_key": scheme_key})
    if draft.undecided:
        raise Conflict(
            "仍有奖项并列待区安委办决定，不能发布", code="awards_undecided", details=draft.undecided
        )
    draft.status = ScoreboardStatus.FINAL
    draft.published_by_id = principal.user_id
    draft.published_at = timezone.now()
    draft.save(update_fields=["status", "published_by", "published_at"])
    audit_record(
        action="scoring.scoreboard.publish",
        obj=draft,
        after={"scheme": scheme_key, "content_hash": draft.content_hash, "rows": draft.rows.count()},
    )
    return draft
