"""What the checklists tell people (kernel.notifications): the message of each event, built here so that
each emitting service calls one line."""

from __future__ import annotations

from datetime import date

from kernel.notifications import events
from kernel.notifications.services import link, notify

from .models import Inspection, Rectification


def inspection_rejected(inspection: Inspection) -> None:
    notify(
        events.INSPECTION_REJECTED,
        region_id=inspection.subject_region_id,
        title=f"检查被退回：{inspection.subject_name}",
        text=f"{inspection.subject_name}的「{inspection.template.title}」被退回，理由：{inspection.review_reason}",
        url=link(f"/console/review/{inspection.client_uuid}/"),
        data={"client_uuid": str(inspection.client_uuid), "subject_kind": inspection.subject_kind,
              "subject_id": inspection.subject_id, "reason": inspection.review_reason},
    )  # fmt: skip


def rectification_key(rectification_id: int, event: str) -> str:
    return f"rectification:{rectification_id}:{event}"


def rectification_deadline(rect: Rectification, event: str, today: date) -> None:
    """即将到期 / 已逾期, once per rectification and kind."""
    due = rect.deadline
    when = (
        f"已于 {due:%Y-%m-%d} 到期" if event == events.RECTIFICATION_OVERDUE else f"将于 {due:%Y-%m-%d} 到期"
    )
    label = "整改已逾期" if event == events.RECTIFICATION_OVERDUE else "整改即将到期"
    notify(
        event,
        region_id=rect.subject_region_id,
        title=f"{label}：{rect.subject_name}",
        text=f"{rect.subject_name}的整改事项（{rect.category or '未分类'}，"
             f"责任单位：{rect.responsible_unit or '未填'}）{when}。",
        url=link(f"/console/towns/{rect.subject_town_id}/") if rect.subject_town_id else "",
        data={"rectification_id": rect.pk, "deadline": due.isoformat() if due else None,
              "days_left": (due - today).days if due else None, "status": rect.status},
        once_key=rectification_key(rect.pk, event),
    )  # fmt: skip
