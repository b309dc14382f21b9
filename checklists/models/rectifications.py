"""Rectifications (整改) made from findings."""

from django.conf import settings
from django.contrib.gis.db import models

from .inspections import Finding
from .subjected import Subjected


class RectificationStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "待区审批（重建/退役/拆除）"
    OPEN = "open", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    SUBMITTED = "submitted", "已提交待验收"
    CLOSED = "closed", "已销号"
    CANCELLED = "cancelled", "已撤销（检查经区级更正）"


# No more work to do on these: never overdue, never reopened by a transition.
RECTIFICATION_DONE = (RectificationStatus.CLOSED, RectificationStatus.CANCELLED)


class Rectification(Subjected):
    """整改: what must be fixed, by whom, by when; its history of transitions is kept with it."""

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="rectification")
    category = models.CharField("问题类别", max_length=48, blank=True)
    responsible_unit = models.CharField("责任单位", max_length=128, blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True)
    deadline_rule = models.CharField("期限依据", max_length=100, blank=True)
    requires_approval = models.BooleanField("需区审批", default=False)
    approval_decision = models.CharField("审批结论", max_length=12, blank=True)
    status = models.CharField("状态", max_length=20, choices=RectificationStatus.choices)
    overdue = models.BooleanField("已逾期", default=False, db_index=True)
    overdue_since = models.DateField("逾期日期", null=True, blank=True)
    history = models.JSONField("流转记录", default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改清单"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="rectification_due_idx")]
