"""Templates (immutable published versions), assignments, inspections and their revisions, photos,
findings, rectifications and spot-check draws."""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

SUBJECT_KIND_CHOICES = [
    ("town", "区镇"),
    ("department", "区级部门"),
    ("enterprise", "企事业单位"),
    ("village", "行政村"),
    ("sewage_facility", "污水处理设施"),
    ("river_section", "监测断面"),
]


class TemplateStatus(models.TextChoices):
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class ChecklistTemplate(models.Model):
    """One published version of a template. Its document never changes: a change is a new version."""

    key = models.CharField("模板标识", max_length=64)
    version = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=200)
    domain = models.CharField("领域", max_length=12)
    subject_kind = models.CharField("检查对象类型", max_length=20, choices=SUBJECT_KIND_CHOICES)
    document = models.JSONField("模板内容")
    digest = models.CharField("内容摘要", max_length=64)
    source = models.CharField("来源文件", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=TemplateStatus.choices, default=TemplateStatus.PUBLISHED
    )
    published_at = models.DateTimeField("发布时间", auto_now_add=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查表模板"
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="template_key_version_unique")]

    def __str__(self) -> str:
        return f"{self.title}（{self.key} v{self.version}）"


class Subjected(models.Model):
    """A reference to an inspection subject (see ``geo.selectors.subject_get``) and its scoping region."""

    subject_kind = models.CharField("检查对象类型", max_length=20, choices=SUBJECT_KIND_CHOICES)
    subject_id = models.PositiveBigIntegerField("检查对象编号")
    subject_name = models.CharField("检查对象", max_length=128)
    subject_region = models.ForeignKey(
        "geo.Region", verbose_name="对象所在区划", on_delete=models.PROTECT, related_name="+"
    )
    subject_town = models.ForeignKey(
        "geo.Region",
        verbose_name="对象所在区镇",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


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


class CorrectionAction(models.TextChoices):
    AMEND = "amend", "更正答案"
    WITHDRAW = "withdraw", "撤销"


class InspectionCorrection(models.Model):
    """The district's written correction of an approved inspection: its answers amended (a new revision,
    re-scored) or the inspection withdrawn (it stops counting anywhere). Optionally the upheld appeal it
    answers. Never changed; the inspection's earlier revisions stay readable."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="corrections")
    action = models.CharField("更正方式", max_length=10, choices=CorrectionAction.choices)
    reason = models.TextField("更正理由")
    appeal = models.ForeignKey(
        "scoring.Appeal",
        verbose_name="依据的申诉",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision_before = models.PositiveIntegerField("更正前修订")
    revision_after = models.PositiveIntegerField("更正后修订")
    before = models.JSONField("更正前（状态、得分、否决）")
    after = models.JSONField("更正后（状态、得分、否决）")
    rectifications = models.JSONField("涉及的整改（撤销 / 新增 / 恢复）", default=dict, blank=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField("更正时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查更正记录"
        ordering = ["inspection", "corrected_at", "id"]

    def __str__(self) -> str:
        return f"{self.inspection_id} · {self.get_action_display()}"


class EvidencePhoto(models.Model):
    """A photo used as evidence, with where the phone said it was and the checks' flags."""

    client_uuid = models.UUIDField("客户端照片编号", unique=True)
    photo = models.ForeignKey("media.Photo", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Some Android pickers strip EXIF GPS, so the phone's own fix at capture time is kept beside it.
    device_location = models.PointField("手机定位（WGS-84）", srid=4326, null=True, blank=True)
    device_location_datum = models.CharField("手机原始坐标系", max_length=10, blank=True)
    device_location_raw = models.JSONField("手机原始坐标", null=True, blank=True)
    device_accuracy_m = models.FloatField("定位精度（米）", null=True, blank=True)
    device_captured_at = models.DateTimeField("手机记录的拍摄时间", null=True, blank=True)
    flags = models.JSONField("核验标记", default=list, blank=True)
    flag_count = models.PositiveSmallIntegerField("核验标记数", default=0)  # for review-list sums

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]


class InspectionPhoto(EvidencePhoto):
    """A photo attached to an inspection (optionally to one item), uploaded separately from the answers."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    revision = models.PositiveIntegerField("修订次数")
    item_key = models.CharField("检查项", max_length=64, blank=True)

    class Meta(EvidencePhoto.Meta):
        verbose_name = verbose_name_plural = "检查照片"


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


class RectificationPhoto(EvidencePhoto):
    """Evidence of a repair, taken at the subject (its location is checked like any evidence)."""

    rectification = models.ForeignKey("Rectification", on_delete=models.CASCADE, related_name="photos")

    class Meta(EvidencePhoto.Meta):
        verbose_name = verbose_name_plural = "整改照片"


class AppealPhoto(models.Model):
    """A photo uploaded as evidence to an appeal (申诉): what lets those who may see the appeal (its
    town, the district) see the photo. A photo an appeal only *names* by SHA-256 grants nothing: the
    appellant could already see it (an inspection's or repair's about the appealing unit), and it stays
    visible through that — so an appeal can never open another town's photo."""

    appeal = models.ForeignKey("scoring.Appeal", on_delete=models.CASCADE, related_name="+")
    photo = models.ForeignKey("media.Photo", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "申诉照片"
        ordering = ["appeal", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["appeal", "photo"], name="appeal_photo_unique")]

    def __str__(self) -> str:
        return f"{self.appeal_id} · {self.photo_id}"


class SpotCheck(models.Model):
    """A reproducible random draw (双随机): subjects per town and inspectors from other towns."""

    year = models.PositiveIntegerField("年度")
    subject_kind = models.CharField("抽查对象类型", max_length=20, choices=SUBJECT_KIND_CHOICES)
    template_key = models.CharField("模板标识", max_length=64)
    per_town = models.PositiveIntegerField("每个区镇抽取数")
    seed = models.CharField("随机种子", max_length=40)
    candidates = models.JSONField("抽样总体快照")  # {town_id: [subject ids]} at draw time
    inspectors = models.JSONField("检查员池快照")  # {inspector_id: [bound town ids]}
    result = models.JSONField("抽取结果")  # [{town_id, subject_id, inspector_id}]
    due_date = models.DateField("完成期限", null=True, blank=True)
    gap_threshold = models.DecimalField("分差预警阈值", max_digits=6, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "随机抽查"
        ordering = ["-created_at"]
