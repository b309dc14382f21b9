"""排污口: the registry row and its history of changes."""

from django.contrib.gis.db import models

from ..models import Located, Region
from .rules import Decision, State


class OutfallKind(models.TextChoices):
    """The four types of item 19."""

    INDUSTRIAL = "industrial", "工业排污口"
    SEWAGE_PLANT = "sewage_plant", "城镇污水处理厂排污口"
    AGRICULTURAL = "agricultural", "农业排口"
    OTHER = "other", "其他排口"


class OutfallDecision(models.TextChoices):
    NONE = Decision.NONE.value, "未定"
    BAN = Decision.BAN.value, "取缔"
    MERGE = Decision.MERGE.value, "清理合并"
    REGULATE = Decision.REGULATE.value, "规范整治"


class OutfallState(models.TextChoices):
    FOUND = State.FOUND.value, "已排查（待整治）"
    RECTIFYING = State.RECTIFYING.value, "整治中"
    BANNED = State.BANNED.value, "已取缔"
    MERGED = State.MERGED.value, "已清理合并"
    COMPLIANT = State.COMPLIANT.value, "达标排放"


class Outfall(Located):
    """An outfall (排污口) into a river, in a responsible town (区镇). ``receiving_river_id`` is the river's
    id on the river network (the name is kept as the network or the ledger gave it); the point is snapped
    to the current network (``SiteKind.OUTFALL``)."""

    code = models.CharField("排污口编码", max_length=32, unique=True)
    name = models.CharField("排污口名称", max_length=128)
    kind = models.CharField("类型", max_length=16, choices=OutfallKind.choices)
    town = models.ForeignKey(
        Region, verbose_name="责任区镇", on_delete=models.PROTECT, related_name="outfalls"
    )
    receiving_river_id = models.CharField("受纳水体（河网河流编码）", max_length=64, blank=True)
    receiving_water = models.CharField("受纳水体", max_length=128, blank=True)
    discharger = models.CharField("排污单位", max_length=128, blank=True)
    has_permit = models.BooleanField("持有排污许可", default=False)
    is_monitored = models.BooleanField("开展监测", default=False)
    decision = models.CharField(
        "整治方式", max_length=10, choices=OutfallDecision.choices, default=OutfallDecision.NONE, blank=True
    )
    state = models.CharField(
        "整治状态", max_length=12, choices=OutfallState.choices, default=OutfallState.FOUND
    )
    last_inspected_at = models.DateTimeField("最近一次检查（审核通过）", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    is_synthetic = models.BooleanField("演示用合成数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "排污口"
        ordering = ["code"]
        indexes = [models.Index(fields=["town", "kind"], name="outfall_town_kind")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class OutfallChange(models.Model):
    """One change to an outfall, kept for its history: who, when, what it was and what it became (only the
    fields that changed; everything on creation)."""

    outfall = models.ForeignKey(Outfall, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField("操作", max_length=16)  # create / update
    changed_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    changed_by_id = models.BigIntegerField("操作人", null=True, blank=True)
    changed_by_name = models.CharField("操作人姓名", max_length=150, blank=True)
    before = models.JSONField("修改前", default=dict, blank=True)
    after = models.JSONField("修改后", default=dict, blank=True)
    reason = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "排污口变更记录"
        ordering = ["outfall", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.outfall_id} {self.action} {self.changed_at:%Y-%m-%d %H:%M}"
