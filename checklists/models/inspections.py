"""Inspections, their submitted revisions and their findings."""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from .assignments import Assignment, Purpose
from .subjected import Subjected
from .templates import ChecklistTemplate


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已退回"
    WITHDRAWN = "withdrawn", "已撤销（区级更正）"


class Inspection(Subjected):
    """An inspection as the phone knows it (by the client's UUID), in its current revision.

    ``version`` increases with every accepted change (optimistic concurrency: a phone sends the version
    it edited as ``If-Match``); ``revision`` increases when a rejected inspection is amended, or when the
    district corrects an approved one's answers. Submitted and corrected revisions are kept in
    ``InspectionRevision``; corrections (amend / withdraw) in ``InspectionCorrection``. ``period`` is the
    year assessed (``checklists.periods``), which scoreboards count by; it is not the submit time.
    """

    client_uuid = models.UUIDField("客户端编号", unique=True)
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name="模板版本", on_delete=models.PROTECT, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="检查员", on_delete=models.PROTECT, related_name="inspections"
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    purpose = models.CharField("检查类型", max_length=12, choices=Purpose.choices, default=Purpose.ROUTINE)
    period = models.PositiveSmallIntegerField("考核年度")
    status = models.CharField(
        "状态", max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    version = models.PositiveIntegerField("版本号", default=1)
    revision = models.PositiveIntegerField("修订次数", default=1)
    # How many photos are attached to the current revision: a submit re-checks their capture times only
    # when there are some (photo uploads count them under the inspection's lock). None for inspections
    # from before the count: their submit reads the photos, as it always did.
    revision_photos = models.PositiveIntegerField("本次修订的照片数", null=True, blank=True, editable=False)
    answers = models.JSONField("答案", default=dict)
    last_request_digest = models.CharField(max_length=64, blank=True, editable=False)
    # Device clocks are kept beside the server's: phones are often offline and their clocks drift.
    device_started_at = models.DateTimeField("设备开始时间", null=True, blank=True)
    device_submitted_at = models.DateTimeField("设备提交时间", null=True, blank=True)
    received_at = models.DateTimeField("服务器首次接收", auto_now_add=True)
    submitted_at = models.DateTimeField("服务器提交时间", null=True, blank=True)
    device_location = models.PointField("设备位置（WGS-84）", srid=4326, null=True, blank=True)
    device_location_datum = models.CharField("设备原始坐标系", max_length=10, blank=True)
    device_location_raw = models.JSONField("设备原始坐标", null=True, blank=True)
    device_accuracy_m = models.FloatField("定位精度（米）", null=True, blank=True)
    score = models.JSONField("计分结果", null=True, blank=True)
    percent = models.DecimalField("百分制得分", max_digits=7, decimal_places=4, null=True, blank=True)
    vetoed = models.BooleanField("一票否决", default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_reason = models.TextField("审核意见", blank=True)
    item_comments = models.JSONField("逐项意见", default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查记录"
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["status", "subject_kind"], name="inspection_status_idx"),
            models.Index(fields=["subject_kind", "subject_id"], name="inspection_subject_idx"),
            # The few approved non-routine inspections (annual, spot checks, audits) a scoreboard takes
            # its annual scores from, without reading the period's routine ones a second time.
            models.Index(
                fields=["subject_kind", "period"],
                name="inspection_assessed_idx",
                condition=Q(status="approved") & ~Q(purpose="routine"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="inspection_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.template.title} · {self.get_status_display()}"


class InspectionRevision(models.Model):
    """What was submitted in one revision, and what the reviewer decided. Never changed after the decision.

    A district correction of an approved inspection's answers is a revision of its own: decided
    ``approved`` by the corrector, with the correction's reason, at the time it was recorded."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField("修订次数")
    period = models.PositiveSmallIntegerField("考核年度")  # a rejected revision may be amended into another
    answers = models.JSONField("答案")
    score = models.JSONField("计分结果")
    percent = models.DecimalField("百分制得分", max_digits=7, decimal_places=4)
    vetoed = models.BooleanField("一票否决", default=False)
    submitted_at = models.DateTimeField("服务器提交时间")
    device_submitted_at = models.DateTimeField("设备提交时间", null=True, blank=True)
    decision = models.CharField("审核结论", max_length=12, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField("审核意见", blank=True)
    item_comments = models.JSONField("逐项意见", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查提交历史"
        ordering = ["inspection", "revision"]
        constraints = [models.UniqueConstraint(fields=["inspection", "revision"], name="revision_unique")]


class Finding(models.Model):
    """An item of a submitted revision that lost points, failed a threshold, or triggered a veto/penalty."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    revision = models.PositiveIntegerField("修订次数")
    item_key = models.CharField("检查项", max_length=64)
    item_title = models.CharField("检查项名称", max_length=300)
    kind = models.CharField("检查项类型", max_length=12)
    category = models.CharField("问题类别", max_length=48, blank=True)
    points_lost = models.DecimalField("扣分", max_digits=8, decimal_places=3)
    reason = models.CharField("原因", max_length=300, blank=True)
    responsible_hint = models.CharField("建议责任单位", max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题清单"
        ordering = ["inspection", "revision", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "revision", "item_key"], name="finding_unique_item"
            ),
        ]
