"""Endpoints (robots, webhooks), who subscribes to what, the events emitted and their deliveries."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import formats
from .events import EVENT_CHOICES


class EndpointKind(models.TextChoices):
    DINGTALK = formats.DINGTALK, "钉钉群机器人"
    WECOM = formats.WECOM, "企业微信群机器人"
    WEBHOOK = formats.WEBHOOK, "通用 Webhook（HMAC 签名 JSON）"


class Endpoint(models.Model):
    """Where messages go. The URL and the secret are stored encrypted (``secrets.py``): a robot's URL
    carries its token (WeCom's ``key``, DingTalk's ``access_token``). ``url_hint`` is the shown part."""

    kind = models.CharField("类型", max_length=16, choices=EndpointKind.choices)
    name = models.CharField("名称", max_length=100, unique=True)
    url_encrypted = models.TextField("地址（加密）", editable=False)
    url_hint = models.CharField("地址（仅主机）", max_length=200, editable=False)
    secret_encrypted = models.TextField("密钥（加密）", blank=True, editable=False)
    enabled = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "通知端点"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class Subscription(models.Model):
    """An endpoint hears an event of a region and of every region below it; no region: the whole district."""

    endpoint = models.ForeignKey(
        Endpoint, verbose_name="端点", on_delete=models.CASCADE, related_name="subscriptions"
    )
    event = models.CharField("事件", max_length=40, choices=EVENT_CHOICES)
    region = models.ForeignKey(
        "geo.Region", verbose_name="区域（空为全区）", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "订阅"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "region"], name="notify_subscription_unique"
            ),
            models.UniqueConstraint(
                fields=["endpoint", "event"], condition=Q(region__isnull=True), name="notify_subscription_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint.name} ← {self.get_event_display()}"


class Event(models.Model):
    """One thing that happened, as emitted. ``once_key`` makes an event happen at most once (a
    rectification's 即将到期 notice is emitted once however often the periodic check runs)."""

    event = models.CharField("事件", max_length=40, choices=EVENT_CHOICES)
    region = models.ForeignKey(
        "geo.Region", verbose_name="区域", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    url = models.CharField("链接", max_length=500, blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    once_key = models.CharField("去重键", max_length=120, null=True, blank=True, unique=True)
    occurred_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "通知事件"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_event_display()}：{self.title}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    RETRYING = "retrying", "等待重试"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "失败"
    # A robot message whose attempt was cut off (the worker died while the request was out): it may have
    # reached the group. It is not sent again by itself (robots have no delivery id to drop a repeat);
    # the administrator may replay it.
    UNKNOWN = "unknown", "结果未知（发送中断）"


FINAL = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN)


class Delivery(models.Model):
    uid = models.UUIDField("投递编号", default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        Endpoint, verbose_name="端点", on_delete=models.CASCADE, related_name="deliveries"
    )
    payload = models.JSONField("内容")  # formats.Message.as_json(): what the endpoint receives
    status = models.CharField(
        "状态", max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    claimed_at = models.DateTimeField("本次尝试开始", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_status_code = models.PositiveIntegerField("最近响应码", null=True, blank=True)
    last_response = models.CharField("最近响应（摘录）", max_length=500, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    log = models.JSONField("尝试记录", default=list, blank=True)  # [{at, status_code, verdict, reason}]

    class Meta:
        verbose_name = verbose_name_plural = "投递记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.uid}（{self.get_status_display()}）"
