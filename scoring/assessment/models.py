"""The assessment's records: scoreboards (a draft recomputed whenever the underlying inspections change,
and final snapshots that never change: a content hash and the publisher recorded; a recomputation after
publication produces a new draft, it never alters a published result), appeals, task records and award
decisions."""

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
    # The whole table as one document: a scoreboard is a snapshot read and written whole (1,000 towns
    # are one row, not 1,000), and what the content hash covers is exactly what is stored.
    rows = models.JSONField("结果表（按排名）", default=list)
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


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class Appeal(models.Model):
    """申诉: a town contests its row of a scoreboard under public notice; the district decides in writing.

    An upheld appeal needing a re-score is answered by a written correction of the inspection behind
    the row (``corrections``, ``corrected_at``); until then the scheme is neither noticed again nor
    published."""

    scoreboard = models.ForeignKey(Scoreboard, on_delete=models.PROTECT, related_name="appeals")
    region = models.ForeignKey("geo.Region", verbose_name="区镇", on_delete=models.PROTECT, related_name="+")
    # The row's unit (a town's region id, or an enterprise's / department's id); empty on older appeals,
    # which were all about towns.
    unit_id = models.PositiveBigIntegerField("单位编号", null=True, blank=True)
    unit_name = models.CharField("单位", max_length=128)
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
    corrections = models.JSONField("据此所作的检查更正", default=list, blank=True)
    corrected_at = models.DateTimeField("最近一次更正时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申诉"
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"{self.unit_name} · {self.get_status_display()}"


class TaskCompletion(models.Model):
    """Whether a unit completed the year's required tasks (81号: otherwise it cannot be recommended as
    先进). Set by the district office; units without a record count as having completed them."""

    scheme_key = models.CharField("考核方案", max_length=64)
    region = models.ForeignKey("geo.Region", verbose_name="区镇", on_delete=models.PROTECT, related_name="+")
    completed = models.BooleanField("已完成年度规定任务")
    note = models.TextField("说明", blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度任务完成情况"
        constraints = [
            models.UniqueConstraint(fields=["scheme_key", "region"], name="task_completion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scheme_key} · {self.region_id} · {'完成' if self.completed else '未完成'}"


class AwardDecision(models.Model):
    """The district office's written choice among units tied across an award's cut-off (名额分界并列).

    The recomputation applies it while it still fits the tie; if the scores change so that it no longer
    does, the tie is reported again and the office decides anew."""

    scheme_key = models.CharField("考核方案", max_length=64)
    award_key = models.CharField("奖项", max_length=32)
    region_ids = models.JSONField("获奖单位（区镇）")
    reason = models.TextField("决定理由")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "奖项并列决定"
        constraints = [
            models.UniqueConstraint(fields=["scheme_key", "award_key"], name="award_decision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scheme_key} · {self.award_key}"
