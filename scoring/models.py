"""The scoring app's models: the assessment's (``scoring/assessment/models.py``, imported here so that
the app registers them) and the water measurements with their imports."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from kernel.jobs import Job, JobStatus

from .air.models import AirDay, AirHour, AirImport, AirImportKind, DustFallReading
from .assessment.models import (
    Appeal,
    AppealStatus,
    AwardDecision,
    Scoreboard,
    ScoreboardStatus,
    TaskCompletion,
)
from .bulletins.models import Bulletin, BulletinKind
from .water.workplans.models import WorkPlan, WorkPlanVersion

__all__ = [
    "AirDay",
    "AirHour",
    "AirImport",
    "AirImportKind",
    "Appeal",
    "AppealStatus",
    "AwardDecision",
    "Bulletin",
    "BulletinKind",
    "DustFallReading",
    "ImportStatus",
    "Measurement",
    "MeasurementImport",
    "MeasurementSource",
    "Scoreboard",
    "ScoreboardStatus",
    "TaskCompletion",
    "WorkPlan",
    "WorkPlanVersion",
]


class MeasurementSource(models.TextChoices):
    AUTOMATIC = "automatic", "自动站"
    MANUAL = "manual", "手工监测（实验室）"


class Measurement(models.Model):
    """One indicator's value at one river section at one sample time (values in GB 3838's unit)."""

    section = models.ForeignKey(
        "geo.RiverSection", verbose_name="断面", on_delete=models.PROTECT, related_name="measurements"
    )
    sampled_at = models.DateTimeField("采样时间")
    indicator = models.CharField("指标", max_length=8)
    value = models.DecimalField("数值（标准单位）", max_digits=18, decimal_places=8)
    below_detection = models.BooleanField("未检出（数值为检出限）", default=False)
    source = models.CharField("来源", max_length=10, choices=MeasurementSource.choices)
    batch = models.ForeignKey(
        "MeasurementImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "水质监测数据"
        constraints = [
            models.UniqueConstraint(
                fields=["section", "indicator", "sampled_at"], name="measurement_unique_sample"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) | Q(indicator="temp"), name="measurement_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["section", "sampled_at"], name="measurement_section_time")]

    def __str__(self) -> str:
        return f"{self.section_id} {self.indicator} {self.sampled_at:%Y-%m-%d %H:%M} = {self.value}"


ImportStatus = JobStatus  # the job kernel's statuses (kernel.jobs)


class MeasurementImport(Job):
    """An uploaded measurement file and what became of it (dry run, errors, rows imported). Status,
    progress, report and the heartbeat are the job kernel's (``kernel.jobs``)."""

    uuid = models.UUIDField(unique=True)
    filename = models.CharField("文件名", max_length=255)
    file = models.FileField("文件", upload_to="imports/water/")
    size = models.PositiveBigIntegerField("大小（字节）")
    source = models.CharField("来源", max_length=10, choices=MeasurementSource.choices)
    dry_run = models.BooleanField("试运行（只报告，不导入）", default=False)
    on_duplicate = models.CharField("与已有数据重复时", max_length=8, default="reject")
    valid_rows_only = models.BooleanField("仅导入无错误的行", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(Job.Meta):
        verbose_name = verbose_name_plural = "水质数据导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} · {self.get_status_display()}"
