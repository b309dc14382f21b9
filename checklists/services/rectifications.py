"""整改 status flow: open → in progress → submitted for verification → closed, or sent back.

A beyond-repair facility's rectification starts awaiting the district's decision (rebuild, retire or
demolish). The responsible side (town officers and above, in scope) works and submits; the district
side verifies, and never the same person who submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from geo.services.map_layers import RECTIFICATIONS, map_layers_bump
from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal, Role
from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kernel.notifications import events
from kernel.notifications.services import emitted

from .. import notices
from ..models import RECTIFICATION_DONE, Finding, Rectification
from ..models import RectificationStatus as S
from ..subjects import hooks_for

PLAN_DECISIONS = {"rebuild": "重建", "retire": "退役", "demolish": "拆除"}


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[Role]
    needs_note: bool = False


TRANSITIONS: dict[str, Transition] = {
    "approve_plan": Transition(frozenset({S.AWAITING_APPROVAL}), S.IN_PROGRESS, DISTRICT_ROLES),
    "start": Transition(frozenset({S.OPEN}), S.IN_PROGRESS, REVIEWING_ROLES),
    "submit": Transition(frozenset({S.OPEN, S.IN_PROGRESS}), S.SUBMITTED, REVIEWING_ROLES),
    "close": Transition(frozenset({S.SUBMITTED}), S.CLOSED, DISTRICT_ROLES),
    "send_back": Transition(frozenset({S.SUBMITTED}), S.IN_PROGRESS, DISTRICT_ROLES, needs_note=True),
}


@transaction.atomic
def rectification_transition(
    *, principal: Principal, rectification_id: int, action: str, note: str = "", decision: str = ""
) -> Rectification:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(details={"fields": {"action": [f"应为 {', '.join(TRANSITIONS)} 之一"]}})
    rect = (
        Rectification.objects.select_for_update(of=("self",)).select_related("subject_region")
        .filter(pk=rectification_id).first()
    )  # fmt: skip
    if rect is None or not principal.covers(rect.subject_region.path, REVIEWING_ROLES | DISTRICT_ROLES):
        raise NotFound("整改事项不存在或不在您的管辖范围内", details={"rectification_id": rectification_id})
    if not principal.has_any(transition.roles) or not principal.covers(
        rect.subject_region.path, transition.roles
    ):
        raise PermissionDenied("您的角色不能执行此操作", details={"action": action})
    if rect.status not in transition.sources:
        raise Conflict(
            "当前状态不能执行此操作",
            code="invalid_transition",
            details={"status": rect.status, "action": action},
        )
    if transition.needs_note and not note.strip():
        raise InvalidInput(details={"fields": {"note": ["退回整改必须说明理由"]}})
    if action == "close" and rect.submitted_by_id == principal.user_id:
        raise PermissionDenied("验收人不能是提交人", code="own_submission")
    if action == "approve_plan":
        if decision not in PLAN_DECISIONS:
            raise InvalidInput(details={"fields": {"decision": ["应为 rebuild、retire 或 demolish"]}})
        rect.approval_decision = decision
        # What the decision means for the subject itself (a facility rebuilt or retired) is its kind's.
        hooks = hooks_for(rect.subject_kind)
        hooks.on_plan_decided(principal=principal, rectification=rect, decision=decision)
    before = {"status": rect.status}
    now = timezone.now()
    rect.status = transition.target
    if action == "submit":
        rect.submitted_by_id = principal.user_id
    if action == "close":
        rect.closed_at = now
    rect.history = [
        *rect.history,
        {"at": now.isoformat(), "to": rect.status, "action": action, "by": principal.username,
         "note": note.strip(), "decision": decision},
    ]  # fmt: skip
    rect.save()
    map_layers_bump(RECTIFICATIONS)
    audit_record(
        action=f"checklists.rectification.{action}",
        obj=rect,
        region_path=rect.subject_region.path,
        before=before,
        after={"status": rect.status, "note": note.strip(), "decision": decision},
    )
    return rect


def reaudit_rectifications(*, principal: Principal, inspection: Any) -> set[str]:
    """An approved re-inspection settles the subject's earlier rectifications (整改复核; the sewage facility
    plug-in, ``checklists/subjects/sewage.py``, asks for it for every approved audit):
    - a problem the re-audit no longer finds is closed (复核销号) when the approver is on the district side
      and did not submit the repair; otherwise the history notes it for the district to verify;
    - a problem it finds again stays the same rectification (no duplicate); a submitted repair is sent
      back. Returns the item keys still being rectified, for which no new rectification is made."""
    found = set(
        Finding.objects.filter(inspection=inspection, revision=inspection.revision).values_list(
            "item_key", flat=True
        )
    )
    earlier = (
        Rectification.objects.select_for_update(of=("self",)).select_related("finding", "subject_region")
        .filter(subject_kind=inspection.subject_kind, subject_id=inspection.subject_id)
        .exclude(status__in=RECTIFICATION_DONE).exclude(finding__inspection=inspection)
    )  # fmt: skip
    district = principal.has_any(DISTRICT_ROLES)
    persisting = set()
    now = timezone.now()
    for rect in earlier:
        key = rect.finding.item_key
        before = rect.status
        if key in found:
            persisting.add(key)
            if rect.status != S.SUBMITTED:
                continue
            rect.status, action, note = S.IN_PROGRESS, "reaudit_send_back", "复核仍存在该问题，退回继续整改"
        elif rect.status == S.AWAITING_APPROVAL:
            continue  # a rebuild / retire decision is the district's, not the re-audit's
        elif district and rect.submitted_by_id != principal.user_id:
            rect.status, rect.closed_at, action, note = (
                S.CLOSED,
                now,
                "reaudit_close",
                "复核未再发现该问题，销号",
            )
        else:
            action, note = "reaudit_ok", "复核未再发现该问题，待区级验收销号"
        rect.history = [*rect.history, {"at": now.isoformat(), "from": before, "to": rect.status,
                                        "action": action, "by": principal.username, "note": note,
                                        "inspection": str(inspection.client_uuid)}]  # fmt: skip
        rect.save()
        map_layers_bump(RECTIFICATIONS)
        audit_record(
            action=f"checklists.rectification.{action}",
            obj=rect,
            region_path=rect.subject_region.path,
            before={"status": before},
            after={"status": rect.status, "note": note},
        )
    return persisting


def reaudit_closures_reopen(*, principal: Principal, inspection: Any, note: str) -> list[int]:
    """A withdrawn re-audit: the repairs it closed as no longer found (复核销号) rested on it, so they are
    open again, in the state they were in before. Returns their ids."""
    closed = (
        Rectification.objects.select_for_update(of=("self",)).select_related("subject_region")
        .filter(subject_kind=inspection.subject_kind, subject_id=inspection.subject_id,
                status=S.CLOSED)
        .exclude(finding__inspection=inspection)
    )  # fmt: skip
    reopened = []
    statuses = set(S.values)
    for rect in closed:
        last = rect.history[-1] if rect.history else {}
        if last.get("action") != "reaudit_close" or last.get("inspection") != str(inspection.client_uuid):
            continue
        earlier = rect.history[-2].get("to") if len(rect.history) > 1 else None
        restored = last.get("from") or (earlier if earlier in statuses else S.OPEN)
        rect.status, rect.closed_at = restored, None
        rect.history = [*rect.history, {"at": timezone.now().isoformat(), "from": S.CLOSED,
                                        "to": restored, "action": "reopen", "by": principal.username,
                                        "note": note, "inspection": str(inspection.client_uuid)}]  # fmt: skip
        rect.save(update_fields=["status", "closed_at", "history", "updated_at"])
        map_layers_bump(RECTIFICATIONS)
        audit_record(
            action="checklists.rectification.reopen",
            obj=rect,
            region_path=rect.subject_region.path,
            before={"status": S.CLOSED},
            after={"status": restored, "note": note},
        )
        reopened.append(int(rect.pk))
    return reopened


def rectifications_mark_overdue(*, today: date | None = None) -> int:
    """Flag every open rectification whose deadline has passed. Idempotent; returns how many were new."""
    today = today or timezone.localdate()
    marked = (
        Rectification.objects.filter(overdue=False, deadline__lt=today)
        .exclude(status__in=RECTIFICATION_DONE)
        .update(overdue=True, overdue_since=today, updated_at=timezone.now())
    )
    if marked:
        map_layers_bump(RECTIFICATIONS)
    return marked


def rectification_deadline_notices(*, today: date | None = None, days: int | None = None) -> int:
    """The periodic pass (beat, hourly): tell people about rectifications due within ``days`` days
    (``NOTIFY_RECTIFICATION_DUE_DAYS``) and those overdue, each once per rectification and kind. Overdue
    notices go only for deadlines of the last ``NOTIFY_OVERDUE_LOOKBACK_DAYS`` days (the first run after
    deployment does not announce years of old backlog). Returns how many notices were emitted."""
    today = today or timezone.localdate()
    days = settings.NOTIFY_RECTIFICATION_DUE_DAYS if days is None else days
    lookback = today - timedelta(days=settings.NOTIFY_OVERDUE_LOOKBACK_DAYS)
    open_ = Rectification.objects.exclude(status__in=RECTIFICATION_DONE).filter(deadline__isnull=False)
    soon = open_.filter(deadline__gte=today, deadline__lte=today + timedelta(days=days))
    late = open_.filter(deadline__lt=today, deadline__gte=lookback)
    wanted = [(r, events.RECTIFICATION_DUE_SOON) for r in soon.order_by("deadline", "pk")]
    wanted += [(r, events.RECTIFICATION_OVERDUE) for r in late.order_by("deadline", "pk")]
    done = emitted(once_keys=[notices.rectification_key(r.pk, e) for r, e in wanted])
    sent = 0
    for rect, event in wanted:
        if notices.rectification_key(rect.pk, event) not in done:
            with transaction.atomic():
                notices.rectification_deadline(rect, event, today)
            sent += 1
    return sent
