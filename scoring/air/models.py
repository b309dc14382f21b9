"""Air readings (hourly concentrations and the days derived from them or imported as such), dust-fall jar
readings, and the import job."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from kernel.jobs import Job

_C: dict[str, Any] = {"max_digits": 10, "decimal_places": 3, "null": True, "blank": True}


class AirHour(models.Model):
    """One station's hourly means (μg/m³; CO mg/m³); ``at`` is the hour's start (00:00 = 00:00–01:00)."""

    station = models.ForeignKey("geo.AirStation", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时段开始")
    so2 = models.DecimalField("SO₂", **_C)
    no2 = models.DecimalField("NO₂", **_C)
    pm10 = models.DecimalField("PM₁₀", **_C)
    pm25 = models.DecimalField("PM₂.₅", **_C)
    co = models.DecimalField("CO（mg/m³）", **_C)
    o3 = models.DecimalField("O₃", **_C)
    batch = models.ForeignKey("AirImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "空气质量小时数据"
        constraints = [models.UniqueConstraint(fields=["station", "at"], name="air_hour_unique")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.at:%Y-%m-%d %H:%M}"


class AirDay(models.Model):
    """A station's day (日报): its statistics, sub-indices' maximum (AQI) and primary pollutants, computed by
    ``scoring.engine.air`` from the hours (``from_hours``) or from the statistics a daily file gave."""

    station = models.ForeignKey("geo.AirStation", on_delete=models.PROTECT, related_name="days")
    day = models.DateField("日期")
    so2 = models.DecimalField("SO₂ 24小时平均", **_C)
    no2 = models.DecimalField("NO₂ 24小时平均", **_C)
    pm10 = models.DecimalField("PM₁₀ 24小时平均", **_C)
    pm25 = models.DecimalField("PM₂.₅ 24小时平均", **_C)
    co = models.DecimalField("CO 24小时平均（mg/m³）", **_C)
    o3_1h = models.DecimalField("O₃ 日最大1小时平均", **_C)
    o3_8h = models.DecimalField("O₃ 日最大8小时滑动平均", **_C)
    aqi = models.PositiveSmallIntegerField("AQI", null=True, blank=True)
    primary = models.CharField("首要污染物", max_length=40, blank=True)
    from_hours = models.BooleanField("由小时数据计算", default=False)
    batch = models.ForeignKey("AirImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "空气质量日数据"
        constraints = [models.UniqueConstraint(fields=["station", "day"], name="air_day_unique")]
        indexes = [models.Index(fields=["day", "station"], name="air_day_day_station")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.day} AQI {self.aqi}"


class DustFallReading(models.Model):
    """One jar's exposure from ``start`` to ``end`` (inclusive) and what it collected (t/km²)."""

    point = models.ForeignKey("geo.DustFallPoint", on_delete=models.PROTECT, related_name="+")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    deposit = models.DecimalField("降尘量（t/km²，整个收集期）", max_digits=10, decimal_places=3)
    batch = models.ForeignKey("AirImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "降尘监测数据"
        constraints = [
            models.UniqueConstraint(fields=["point", "start"], name="dust_fall_unique_start"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="dust_fall_end_after_start"),
            models.CheckConstraint(condition=Q(deposit__gte=0), name="dust_fall_non_negative"),
        ]
        indexes = [models.Index(fields=["end", "start"], name="dust_fall_span")]

    def __str__(self) -> str:
        return f"{self.point_id} {self.start}–{self.end} {self.deposit} t/km²"


class AirImportKind(models.TextChoices):
    AIR_HOURLY = "air_hourly", "空气质量小时数据"
    AIR_DAILY = "air_daily", "空气质量日数据"
    DUST = "dust", "降尘数据"


class AirImport(Job):
    """An uploaded air or dust-fall file and what became of it (``kernel.jobs``: status, report, beat)."""

    uuid = models.UUIDField(unique=True)
    kind = models.CharField("数据类型", max_length=12, choices=AirImportKind.choices)
    filename = models.CharField("文件名", max_length=255)
    file = models.FileField("文件", upload_to="imports/air/")
    size = models.PositiveBigIntegerField("大小（字节）")
    dry_run = models.BooleanField("试运行（只报告，不导入）", default=False)
    on_duplicate = models.CharField("与已有数据重复时", max_length=8, default="reject")
    valid_rows_only = models.BooleanField("仅导入无错误的行", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(Job.Meta):
        verbose_name = verbose_name_plural = "空气、降尘数据导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} · {self.get_status_display()}"
