"""The district's written corrections of approved inspections."""

from django.conf import settings
from django.contrib.gis.db import models

from .inspections import Inspection


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
