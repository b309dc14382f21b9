from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from geo.models import Region
from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.errors import NotFound
from kernel.scope import scope_q

from . import schemes
from .models import Appeal, AppealStatus, Scoreboard, ScoreboardStatus, TaskCompletion

PUBLIC = (ScoreboardStatus.NOTICE, ScoreboardStatus.FINAL)


def scoreboard_for(*, principal: Principal, scheme_key: str, status: str | None = None) -> Scoreboard:
    """District roles see the draft by default (else the latest public one); everyone else sees only
    what has been made public: the scoreboard under notice (公示) or the final one."""
    qs = Scoreboard.objects.filter(scheme_key=scheme_key)
    district = principal.has_any(DISTRICT_ROLES)
    if status is not None:
        if status not in PUBLIC and not district:
            raise NotFound("考核结果尚未公示", details={"scheme_key": scheme_key})
        board = qs.filter(status=status).order_by("-computed_at").first()
    else:
        board = qs.filter(status=ScoreboardStatus.DRAFT).first() if district else None
        board = board or qs.filter(status__in=PUBLIC).order_by("-computed_at").first()
    if board is None:
        raise NotFound("没有可查看的考核结果", details={"scheme_key": scheme_key, "status": status})
    return board


def ranked_rows(board: Scoreboard, *, reverse: bool = False) -> list[dict[str, Any]]:
    """The board's rows in ranking order (``reverse``: 逆序, the worst first), ties by region: what
    ``GET /scoreboards/{scheme_key}`` and the console page list."""
    return sorted(board.rows, key=lambda r: (r["reverse_rank"] if reverse else r["rank"], r["region_id"]))


def appealable_regions(*, principal: Principal, board: Scoreboard) -> set[int]:
    """The regions of the board's rows the principal may appeal (:func:`~.services.appeal_file`'s scope
    rule): none unless the board is under notice and open; one query for all rows."""
    if board.status != ScoreboardStatus.NOTICE or board.notice_until is None:
        return set()
    if timezone.now() > board.notice_until:
        return set()
    ids = {r["region_id"] for r in board.rows}
    paths = Region.objects.filter(pk__in=ids).values_list("pk", "path")
    return {pk for pk, path in paths if principal.covers(path, REVIEWING_ROLES)}


def task_completion_of(*, scheme_key: str, region_id: int) -> bool | None:
    """Whether the town's required tasks are recorded as completed under the scheme (None: no record,
    which counts as completed)."""
    return (
        TaskCompletion.objects.filter(scheme_key=scheme_key, region_id=region_id)
        .values_list("completed", flat=True)
        .first()
    )


def appeals_for(*, principal: Principal, scheme_key: str) -> QuerySet[Appeal]:
    qs = Appeal.objects.filter(scoreboard__scheme_key=scheme_key).select_related("region", "scoreboard")
    if principal.has_any(DISTRICT_ROLES):
        return qs
    return qs.filter(scope_q(principal.region_paths(REVIEWING_ROLES), "region__path"))


@dataclass(frozen=True)
class ScoreboardEntry:
    """One scheme in the catalogue of scoreboards, described by the board the caller would get from
    :func:`scoreboard_for` (district roles: the draft, else the latest public one; others: public only)."""

    scheme_key: str
    title: str
    year: int | None
    unit_kind: str
    status: str | None
    updated_at: datetime | None
    noticed_at: datetime | None
    notice_until: datetime | None
    published_at: datetime | None
    content_hash: str
    public_status: str | None
    has_draft: bool
    pending_appeals: int
    error: str
    owners: list[str]
    may_act: bool


def scoreboard_catalogue(
    *, principal: Principal, year: int | None = None, unit_kind: str | None = None
) -> list[ScoreboardEntry]:
    """Which schemes exist and where each board stands, without reading any board's rows."""
    district = principal.has_any(DISTRICT_ROLES)
    boards: dict[str, list[Scoreboard]] = {}
    fields = ("scheme_key", "year", "title", "status", "computed_at", "noticed_at", "notice_until",
              "published_at", "content_hash")  # fmt: skip
    for board in Scoreboard.objects.only(*fields).order_by("-computed_at", "-id"):
        boards.setdefault(board.scheme_key, []).append(board)
    pending = Counter(
        Appeal.objects.filter(status=AppealStatus.PENDING).values_list("scoreboard__scheme_key", flat=True)
    )
    entries = []
    for file in schemes.catalogue():
        definition = file.definition
        mine = boards.get(file.key, [])
        draft = next((b for b in mine if b.status == ScoreboardStatus.DRAFT), None)
        public = next((b for b in mine if b.status in PUBLIC), None)
        shown = (draft or public) if district else public
        if not district and (shown is None or definition is None):
            continue
        entry = ScoreboardEntry(
            scheme_key=file.key,
            title=definition.title if definition else (shown.title if shown else file.key),
            year=definition.year if definition else (shown.year if shown else None),
            unit_kind=definition.subject_kind if definition else "",
            status=shown.status if shown else None,
            updated_at=shown.computed_at if shown else None,
            noticed_at=shown.noticed_at if shown else None,
            notice_until=shown.notice_until if shown else None,
            published_at=shown.published_at if shown else None,
            content_hash=shown.content_hash if shown else "",
            public_status=public.status if public else None,
            has_draft=district and draft is not None,
            pending_appeals=pending[file.key] if district else 0,
            error=file.error if district else "",
            owners=sorted(r.value for r in definition.owners) if definition else [],
            may_act=definition is not None and principal.has_any(definition.owners),
        )
        if (year is None or entry.year == year) and (unit_kind is None or entry.unit_kind == unit_kind):
            entries.append(entry)
    return sorted(entries, key=lambda e: (-(e.year or 0), e.scheme_key))
