"""The pump station registry and its change history."""

from django.contrib.gis.db import models
from django.db.models import Q

from ..models import Located, Region


class PumpStation(Located):
    """A drainage pump station (排涝泵站) on a river, under a responsible town. ``holds_sewage``: sewage is
    held back in front of it (拦蓄污水, item 19's list); ``sewage_found_on`` when that was found,
    ``sewage_cleared_on`` when it was last cleared (清零). ``last_inspected_at``: its latest approved
    inspection (checklists' ``pump_station`` subject kind)."""

    code = models.CharField("泵站编码", max_length=32, unique=True)
    name = models.CharField("泵站名称", max_length=128)
    river = models.CharField("所在河道", max_length=64, blank=True)
    town = models.ForeignKey(
        Region, verbose_name="责任区镇", on_delete=models.PROTECT, related_name="pump_stations"
    )
    holds_sewage = models.BooleanField("拦蓄污水", default=False)
    sewage_found_on = models.DateField("发现拦蓄污水日期", null=True, blank=True)
    sewage_cleared_on = models.DateField("清零日期", null=True, blank=True)
    last_inspected_at = models.DateTimeField("最近一次检查（审核通过）", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    is_synthetic = models.BooleanField("演示用合成数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "排涝泵站"
        ordering = ["code"]
        constraints = [
            # 清零 is a state of a station no longer holding sewage
            models.CheckConstraint(
                condition=Q(holds_sewage=False) | Q(sewage_cleared_on__isnull=True),
                name="pump_station_cleared_only_when_not_holding",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PumpStationChange(models.Model):
    """One change of a station, as it was before and after: who, when, why (an edit or an inspection)."""

    station = models.ForeignKey(PumpStation, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField("变更", max_length=32)  # create / update / inspection
    at = models.DateTimeField("时间", auto_now_add=True)
    by_id = models.BigIntegerField("操作人", null=True, blank=True)
    inspection_uuid = models.UUIDField("依据的检查", null=True, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "排涝泵站变更记录"
        ordering = ["station", "at", "id"]

    def __str__(self) -> str:
        return f"{self.station_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
