"""A section's 工作方案 for a year and its saved versions (registered through ``scoring/models.py``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

ANALYSIS_MAX_CHARS = 20_000
DOCUMENT_NUMBER_MAX_CHARS = 64


class WorkPlan(models.Model):
    """稳Ⅲ提Ⅲ 工作方案 of one section for one year: the current text (its latest version)."""

    section = models.ForeignKey(
        "geo.RiverSection", verbose_name="断面", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveIntegerField("当前版本", default=0)
    analysis = models.TextField("水质及超标原因分析（可编辑）", blank=True)
    document_number = models.CharField("文号", max_length=DOCUMENT_NUMBER_MAX_CHARS, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("最后保存", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "稳Ⅲ提Ⅲ工作方案"
        constraints = [
            models.UniqueConstraint(fields=["section", "year"], name="work_plan_one_per_section_year"),
        ]

    def __str__(self) -> str:
        return f"{self.section_id} {self.year} v{self.version}"


class WorkPlanVersion(models.Model):
    """One saved version of a plan's text: who saved it, when, and what it said (never changed)."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    analysis = models.TextField("水质及超标原因分析", blank=True)
    document_number = models.CharField("文号", max_length=DOCUMENT_NUMBER_MAX_CHARS, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField("保存时间")

    class Meta:
        verbose_name = verbose_name_plural = "工作方案版本"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="work_plan_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="work_plan_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.version}"
