"""Spot-check draws (双随机)."""

from django.conf import settings
from django.contrib.gis.db import models

from .subjected import SUBJECT_KIND_CHOICES


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
