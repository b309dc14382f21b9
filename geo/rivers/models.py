"""Imported river networks, their lines and the sites snapped to the current one."""

import uuid

from django.contrib.gis.db import models
from django.db.models import Q

from ..coords import DATUM_LABELS, Datum

DATUM_CHOICES = [(d.value, DATUM_LABELS[d]) for d in Datum]


class RiverNetwork(models.Model):
    """One imported version of the river network (a GIS file of river lines in flow order). Only one is
    current; earlier versions stay with their lines, the file name and the import's per-feature issues.
    ``is_synthetic``: drawn for the demo, not surveyed."""

    # Names the version in every process's cache (ids come back after a rollback on some databases).
    key = models.UUIDField("版本标识", default=uuid.uuid4, unique=True, editable=False)
    source_name = models.CharField("源文件名", max_length=255)
    layer_name = models.CharField("图层", max_length=255, blank=True)
    datum = models.CharField("坐标基准", max_length=10, choices=DATUM_CHOICES, default=Datum.WGS84)
    source_srs = models.CharField("源坐标系", max_length=255, blank=True)
    is_synthetic = models.BooleanField("演示用合成河网", default=False)
    is_current = models.BooleanField("当前河网", default=False)
    line_count = models.PositiveIntegerField("河段数")
    river_count = models.PositiveIntegerField("河流数")
    warning_count = models.PositiveIntegerField("警告数", default=0)
    issues = models.JSONField("逐要素问题（导入时）", default=list, blank=True)
    imported_by_id = models.BigIntegerField("导入人", null=True, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "河网版本"
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_network"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_name} · {self.imported_at:%Y-%m-%d %H:%M}"


class RiverLine(models.Model):
    """One feature of an imported network: a river line in WGS-84, its vertices in flow order."""

    network = models.ForeignKey(RiverNetwork, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveIntegerField("文件中的顺序")
    line_id = models.CharField("河段编号", max_length=64)
    river_id = models.CharField("河流编码", max_length=64)
    river_name = models.CharField("河流名称", max_length=128, blank=True)
    level_override = models.PositiveSmallIntegerField(
        "河流级别（人工设定）", null=True, blank=True, help_text="0 干流，1 一级支流…；空则由河网推导"
    )
    # The river's level as the engine gave it at import (the override where set): the map reads it.
    level = models.PositiveSmallIntegerField("河流级别", null=True, blank=True)
    geometry = models.LineStringField("河段（WGS-84，按水流方向）", srid=4326)

    class Meta:
        verbose_name = verbose_name_plural = "河段"
        ordering = ["network", "order"]
        constraints = [
            models.UniqueConstraint(fields=["network", "line_id"], name="river_line_unique_id"),
        ]

    def __str__(self) -> str:
        return f"{self.river_name or self.river_id} {self.line_id}"


class SiteKind(models.TextChoices):
    """What can stand on the network. Outfalls (排污口) and pump stations (排涝泵站) join with their
    registry (issue 18)."""

    RIVER_SECTION = "river_section", "监测断面"
    SEWAGE_FACILITY = "sewage_facility", "污水处理设施"
    OUTFALL = "outfall", "排污口"
    PUMP_STATION = "pump_station", "排涝泵站"


class SiteSnap(models.Model):
    """Where a site stands on a network: the line, the offset along it (metres from its first vertex, in
    CGCS2000 / 3° Gauss–Krüger CM 120E) and how far the site's point is from the line. A site farther than
    the snapping limit, or without a point, is kept unsnapped with the engine's code and message."""

    network = models.ForeignKey(RiverNetwork, on_delete=models.CASCADE, related_name="snaps")
    site_kind = models.CharField("点位类型", max_length=20, choices=SiteKind.choices)
    site_id = models.PositiveBigIntegerField("点位编号")
    line_id = models.CharField("河段编号", max_length=64, blank=True)
    river_id = models.CharField("河流编码", max_length=64, blank=True)
    offset_m = models.FloatField("沿河段位置（米）", null=True, blank=True)
    distance_m = models.FloatField("捕捉距离（米）", null=True, blank=True)
    unsnapped_code = models.CharField("未捕捉原因", max_length=32, blank=True)
    unsnapped_message = models.CharField("未捕捉说明", max_length=255, blank=True)
    snapped_at = models.DateTimeField("捕捉时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "点位捕捉到河网"
        constraints = [
            models.UniqueConstraint(fields=["network", "site_kind", "site_id"], name="site_snap_unique"),
        ]
        indexes = [models.Index(fields=["network", "line_id"], name="site_snap_line")]

    def __str__(self) -> str:
        return f"{self.site_kind}:{self.site_id} → {self.line_id or self.unsnapped_code}"
