"""Checklist templates: immutable published versions."""

from django.contrib.gis.db import models

from .subjected import SUBJECT_KIND_CHOICES


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
