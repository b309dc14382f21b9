"""The air-quality and dust-fall monitoring point registries (65号 item 38: 空气质量和降尘量 per town)."""

from django.contrib.gis.db import models

from ..models import Located, Region


class AirStationKind(models.TextChoices):
    """Who runs the station and whose assessment it serves: 国控 / 省控 / 市控 points of the national,
    provincial and city networks, and the towns' own 乡镇空气自动监测站 (镇控)."""

    NATIONAL = "national", "国控"
    PROVINCIAL = "provincial", "省控"
    MUNICIPAL = "municipal", "市控"
    TOWN = "town", "镇控（乡镇空气自动监测站）"


class AirStation(Located):
    """An ambient-air monitoring station whose readings count for its responsible town."""

    code = models.CharField("站点编码", max_length=32, unique=True)
    name = models.CharField("站点名称", max_length=128)
    kind = models.CharField("站点类别", max_length=12, choices=AirStationKind.choices)
    town = models.ForeignKey(
        Region, verbose_name="责任区镇", on_delete=models.PROTECT, related_name="air_stations"
    )
    is_active = models.BooleanField("在用", default=True)
    note = models.TextField("备注", blank=True)
    is_synthetic = models.BooleanField("演示用合成数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "空气质量监测站点"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class DustFallPoint(Located):
    """A dust-fall jar (降尘缸) whose readings count for its responsible town."""

    code = models.CharField("点位编码", max_length=32, unique=True)
    name = models.CharField("点位名称", max_length=128)
    town = models.ForeignKey(
        Region, verbose_name="责任区镇", on_delete=models.PROTECT, related_name="dust_fall_points"
    )
    is_active = models.BooleanField("在用", default=True)
    note = models.TextField("备注", blank=True)
    is_synthetic = models.BooleanField("演示用合成数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "降尘监测点"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"
