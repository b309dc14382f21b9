"""A bulletin (通报) record: a ``kernel.jobs`` job (queued → running → done | failed) whose run builds the
content, renders the .docx and stores it. What it was made from is stored with it (``content``)."""

from django.conf import settings
from django.db import models

from kernel.jobs import Job, JobStatus


class BulletinKind(models.TextChoices):
    DEKAD = "dekad", "每旬逆序排名通报"
    ASSESSMENT = "assessment", "年度考核结果通报"
    SEWAGE_WARNING = "sewage_warning", "农村生活污水治理进度预警通报"


class Bulletin(Job):
    Status = JobStatus

    kind = models.CharField("类型", max_length=20, choices=BulletinKind.choices)
    period = models.CharField("期别", max_length=64)  # the kind's key: a scheme, a day, a 旬
    title = models.CharField("标题", max_length=200, blank=True)
    number = models.CharField("文号", max_length=64, blank=True)
    content = models.JSONField("内容与所依据的数据", default=dict, blank=True)
    file = models.FileField("Word 文件", upload_to="bulletins/", max_length=200, blank=True)
    pdf = models.FileField("PDF 文件", upload_to="bulletins/", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(Job.Meta):
        verbose_name = verbose_name_plural = "通报"
        ordering = ["-created_at", "-id"]
        indexes = [
            *Job.Meta.indexes,
            models.Index(fields=["kind", "period"], name="bulletin_kind_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} · {self.get_status_display()}"
