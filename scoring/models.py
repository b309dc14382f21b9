"""Scoreboards: a draft recomputed whenever the underlying inspections change, and final snapshots
that never change (a content hash and the publisher recorded). A recomputation after publication
produces a new draft; it never alters a published result."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ScoreboardStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    NOTICE = "notice", "公示中（可申诉）"
    WITHDRAWN = "withdrawn", "已撤回（重新计分后重新公示）"
    FINAL = "final", "正式发布"


class Scoreboard(models.Model):
    scheme_key = models.CharField("考核方案", max_length=64, db_index=True)
    year = models.PositiveIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    status = models.CharField(
        "状态", max_length=10, choices=ScoreboardStatus.choices, default=ScoreboardStatus.DRAFT
    )
    scheme_document = models.JSONField("计算所依据的方案")
    computed_at = models.DateTimeField("计算时间")
    content_hash = models.CharField("内容摘要", max_length=64)
    undecided = models.JSONField("待定的奖项并列", default=dict, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    notice_until = models.DateTimeField("申诉截止", null=True, blank=True)
    noticed_at = models.DateTimeField("公示时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核结果"
        ordering = ["-computed_at"]
        constraints = [
            # One draft per scheme at a time; finals accumulate.
            models.UniqueConstraint(
                fields=["scheme_key"], condition=Q(status="draft"), name="one_draft_per_scheme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"


class ScoreboardRow(models.Model):
    scoreboard = models.ForeignKey(Scoreboard, on_delete=models.CASCADE, related_name="rows")
    region = models.ForeignKey("geo.Region", verbose_name="区镇", on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField("单位", max_length=128)
    components = models.JSONField("各组成部分得分（百分制）")
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    grade = models.CharField("等次", max_length=8)
    rank = models.PositiveIntegerField("排名")
    reverse_rank = models.PositiveIntegerField("逆序排名")
    award = models.CharField("奖项", max_length=32, blank=True)
    vetoed = models.BooleanField("一票否决", default=False)
    veto_reasons = models.JSONField("否决原因", default=list, blank=True)
    eligible = models.BooleanField("可评先进", default=True)
    notes = models.JSONField("备注", default=list, blank=True)
    sources = models.JSONField("依据的检查", default=dict, blank=True)  # component → inspection uuids

    class Meta:
        verbose_name = verbose_name_plural = "考核结果明细"
        ordering = ["scoreboard", "rank", "region_id"]

    def __str__(self) -> str:
        return f"{self.rank}. {self.unit_name} {self.total}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class Appeal(models.Model):
    """申诉: a town contests its row of a scoreboard under public notice; the district decides in writing."""

    scoreboard = models.ForeignKey(Scoreboard, on_delete=models.PROTECT, related_name="appeals")
    row = models.ForeignKey(ScoreboardRow, on_delete=models.PROTECT, related_name="appeals")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField("申诉理由")
    evidence = models.JSONField("证据（照片摘要）", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    rescore = models.BooleanField("需重新计分", default=False)
    decision = models.TextField("处理意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申诉"
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"{self.row.unit_name} · {self.get_status_display()}"
