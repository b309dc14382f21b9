"""Writing scoreboards: a fresh draft from unit inputs, stored with its content hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import JSONField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from ...engine.assessment import UnitInput, evaluate
from .. import schemes
from ..models import AwardDecision, Scoreboard, ScoreboardStatus


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
