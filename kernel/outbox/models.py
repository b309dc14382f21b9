"""Outbox messages: Celery work recorded in the transaction of the change it follows."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

PENDING = Q(dispatched_at__isnull=True)


class OutboxMessage(models.Model):
    # sha256 of the steps: the same tasks with the same arguments are the same work, sent once while pending
    key = models.CharField("去重键", max_length=64)
    steps = models.JSONField("任务（按顺序执行）")  # [{"task": name, "args": [...], "kwargs": {...}}, ...]
    created_at = models.DateTimeField("写入时间", default=timezone.now)
    dispatched_at = models.DateTimeField("送出时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("送出失败次数", default=0)
    last_error = models.CharField("最近一次失败", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待发任务"
        ordering = ["-id"]
        indexes = [
            # Only the pending messages are ever looked up by key or age: keep those indexes small.
            models.Index(fields=["key"], condition=PENDING, name="outbox_pending_key_idx"),
            models.Index(fields=["created_at"], condition=PENDING, name="outbox_pending_idx"),
            models.Index(fields=["dispatched_at"], name="outbox_dispatched_idx"),
        ]

    def __str__(self) -> str:
        names = " → ".join(step["task"].rsplit(".", 1)[-1] for step in self.steps)
        return f"{names} {'已送出' if self.dispatched_at else '待送出'}"
