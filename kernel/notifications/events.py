"""The events the programme emits: stable names (API, subscriptions, webhook header) and their labels."""

from __future__ import annotations

INSPECTION_REJECTED = "inspection.rejected"
RECTIFICATION_DUE_SOON = "rectification.due_soon"
RECTIFICATION_OVERDUE = "rectification.overdue"
SCOREBOARD_NOTICE = "scoreboard.notice"
SCOREBOARD_PUBLISHED = "scoreboard.published"
APPEAL_FILED = "appeal.filed"
APPEAL_DECIDED = "appeal.decided"
WATER_SECTION_BELOW_TARGET = "water.section_below_target"
WATER_DO_ALERT = "water.do_alert"
BULLETIN_ISSUED = "bulletin.issued"

EVENT_LABELS: dict[str, str] = {
    INSPECTION_REJECTED: "检查被退回",
    RECTIFICATION_DUE_SOON: "整改即将到期",
    RECTIFICATION_OVERDUE: "整改已逾期",
    SCOREBOARD_NOTICE: "考核结果公示",
    SCOREBOARD_PUBLISHED: "考核结果发布",
    APPEAL_FILED: "收到考核申诉",
    APPEAL_DECIDED: "考核申诉已处理",
    WATER_SECTION_BELOW_TARGET: "断面水质未达目标",
    WATER_DO_ALERT: "溶解氧预警",
    BULLETIN_ISSUED: "通报已印发",
}
EVENT_CHOICES = list(EVENT_LABELS.items())
