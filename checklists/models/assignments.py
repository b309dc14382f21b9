"""Assignments: who should inspect what, with which template, by when."""

from django.conf import settings
from django.contrib.gis.db import models

from .subjected import Subjected


class Purpose(models.TextChoices):
    ROUTINE = "routine", "平时督导"
    ANNUAL = "annual", "年度考核"
    SPOT_CHECK = "spot_check", "随机抽查"
    AUDIT = "audit", "设施核查"
    SELF = "self", "自查"


class AssignmentStatus(models.TextChoices):
    OPEN = "open", "待检查"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


class Assignment(Subjected):
    """Who should inspect what, with which template, by when. An assignment also lets an inspector
    inspect a subject outside their own scope (a spot check in another town)."""

    template_key = models.CharField("模板标识", max_length=64)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="检查员", on_delete=models.PROTECT, related_name="assignments"
    )
    purpose = models.CharField("检查类型", max_length=12, choices=Purpose.choices, default=Purpose.ROUTINE)
    due_date = models.DateField("截止日期", null=True, blank=True)
    # The year the task assesses; the inspection made for it takes this period. Empty: the phone says.
    period = models.PositiveSmallIntegerField("考核年度", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.OPEN
    )
    spot_check = models.ForeignKey(
        "SpotCheck", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查任务"
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["inspector", "status"], name="assignment_inspector_idx")]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.template_key}"
