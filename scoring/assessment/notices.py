"""What the assessment tells people (kernel.notifications): one function per event, so each emitting
service calls one line. Notice and publication concern the whole district (no region); an appeal its town."""

from __future__ import annotations

from django.utils import timezone

from kernel.notifications import events
from kernel.notifications.services import link, notify

from .models import Appeal, Scoreboard


def _board_data(board: Scoreboard) -> dict[str, object]:
    return {"scheme_key": board.scheme_key, "year": board.year, "scoreboard_id": board.pk,
            "content_hash": board.content_hash}  # fmt: skip


def scoreboard_noticed(board: Scoreboard) -> None:
    until = timezone.localtime(board.notice_until).strftime("%Y-%m-%d %H:%M") if board.notice_until else ""
    notify(
        events.SCOREBOARD_NOTICE, region_id=None, title=f"考核结果公示：{board.title}",
        text=f"{board.title}已公示，如有异议请于 {until} 前提出申诉。",
        url=link(f"/console/scoreboards/{board.scheme_key}/"), data=_board_data(board),
    )  # fmt: skip


def scoreboard_published(board: Scoreboard) -> None:
    notify(
        events.SCOREBOARD_PUBLISHED, region_id=None, title=f"考核结果发布：{board.title}",
        text=f"{board.title}已正式发布（内容摘要 {board.content_hash[:12]}…）。",
        url=link(f"/console/scoreboards/{board.scheme_key}/"), data=_board_data(board),
    )  # fmt: skip


def appeal_filed(appeal: Appeal) -> None:
    board = appeal.scoreboard
    notify(
        events.APPEAL_FILED, region_id=appeal.region_id, title=f"收到考核申诉：{appeal.unit_name}",
        text=f"{appeal.unit_name}对{board.title}提出申诉：{appeal.reason}",
        url=link(f"/console/scoreboards/{board.scheme_key}/"),
        data={**_board_data(board), "appeal_id": appeal.pk, "unit_name": appeal.unit_name},
    )  # fmt: skip


def appeal_decided(appeal: Appeal) -> None:
    board = appeal.scoreboard
    notify(
        events.APPEAL_DECIDED, region_id=appeal.region_id,
        title=f"考核申诉已处理：{appeal.unit_name}（{appeal.get_status_display()}）",
        text=f"{appeal.unit_name}对{board.title}的申诉：{appeal.get_status_display()}。处理意见：{appeal.decision}",
        url=link(f"/console/scoreboards/{board.scheme_key}/"),
        data={**_board_data(board), "appeal_id": appeal.pk, "status": appeal.status,
              "rescore": appeal.rescore},
    )  # fmt: skip
