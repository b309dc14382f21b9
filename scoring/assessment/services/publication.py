"""Publishing a scoreboard: the draft under public notice (公示), then the immutable final."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kernel.access import Principal
from kernel.audit.services import audit_record
from kernel.errors import Conflict, NotFound

from .. import notices
from ..models import AppealStatus, Scoreboard, ScoreboardStatus
from .appeals import _last_correction, _require_rescores_corrected
from .owners import scheme_owner_check


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
    notices.scoreboard_noticed(draft)
    return draft


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
    notices.scoreboard_published(board)
    return board
