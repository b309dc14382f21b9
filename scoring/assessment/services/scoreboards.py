"""Writing scoreboards: a fresh draft from unit inputs, stored with its content hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
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


def scoreboard_draft_lock(*, scheme_key: str) -> None:
    """Take the scheme's draft lock until the current transaction ends: one recomputation of a scheme at
    a time, so the draft the last one leaves was computed from inputs read after every earlier one
    committed. Call it first in the transaction, before reading any input.

    PostgreSQL: a transaction-scoped advisory lock on the scheme's key (re-entrant; read committed, so
    every read after it sees what the previous holder committed). SQLite: the database's write lock, which
    the embedded settings already take when the transaction begins (BEGIN IMMEDIATE); otherwise a write
    that changes nothing takes it now."""
    assert connection.in_atomic_block, "scoreboard_draft_lock() belongs inside a transaction"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(scheme_key)])
    elif connection.settings_dict.get("OPTIONS", {}).get("transaction_mode") != "IMMEDIATE":
        Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.DRAFT).update(
            scheme_key=scheme_key
        )


def _lock_id(scheme_key: str) -> int:
    # A stable signed 64-bit id per scheme (Python's hash() differs between processes).
    digest = hashlib.blake2b(f"scoreboard-draft:{scheme_key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@transaction.atomic
def scoreboard_store_draft(*, scheme_key: str, units: list[UnitEvidence]) -> Scoreboard:
    """Replace the scheme's draft with one computed from ``units``. Finals are never touched.

    Under the scheme's draft lock (taken here too, for callers that did not): the caller should have
    taken it before reading what ``units`` were computed from."""
    scoreboard_draft_lock(scheme_key=scheme_key)
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
    values: dict[str, Any] = {
        "year": definition.year,
        "title": definition.title,
        "scheme_document": definition.document,
        "computed_at": timezone.now(),
        "content_hash": _digest(rows_json, definition.document),
        "undecided": {k: list(v) for k, v in board.undecided.items()},
        "rows": Cast(Value(rows_json), JSONField()),
    }
    # The draft is rewritten in place, or created when there is none (only("id"): its rows are not
    # loaded just to be replaced). The lock keeps other recomputations out; a draft put under notice
    # meanwhile is no longer a draft, so the update misses it and a new draft is created.
    drafts = Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.DRAFT)
    draft = drafts.only("id").first()
    if draft is not None and drafts.filter(pk=draft.pk).update(**values):
        scoreboard = Scoreboard(pk=draft.pk, scheme_key=scheme_key, status=ScoreboardStatus.DRAFT, **values)
    else:
        scoreboard = Scoreboard.objects.create(scheme_key=scheme_key, **values)
    scoreboard.rows = rows  # what was stored, not the expression that stored it
    return scoreboard


def row_unit(row: dict[str, Any]) -> int:
    """A scoreboard row's unit id (rows written before departments and enterprises had only a town)."""
    return int(row.get("unit_id", row["region_id"]))
