"""Regions (district → town → administrative village → natural village), river sections, sewage facilities.

Geometry is stored in WGS-84 (SRID 4326). Every located row also records the datum its coordinates
arrived in and how trustworthy they are (surveyed / approximate / synthetic), so demo and guessed
locations can never pass for surveyed ones.
"""

from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import Q

from kernel.jobs import Job, JobStatus

from .coords import DATUM_LABELS, Datum


class RegionLevel(models.TextChoices):
    DISTRICT = "district", "区"
    TOWN = "town", "区镇（镇、街道、园区）"
    VILLAGE = "village", "行政村（社区）"
    NATURAL_VILLAGE = "natural_village", "自然村"


# Which level may sit under which: the tree is strict so scope paths mean what they say.
PARENT_LEVEL = {
    RegionLevel.TOWN: RegionLevel.DISTRICT,
    RegionLevel.VILLAGE: RegionLevel.TOWN,
    RegionLevel.NATURAL_VILLAGE: RegionLevel.VILLAGE,
}


class TownKind(models.TextChoices):
    TOWN = "town", "镇"
    STREET = "street", "街道"
    PARK = "park", "园区 / 新区 / 开发区"


class CodeSource(models.TextChoices):
    NBS = "nbs", "国家统计局统计用区划代码"
    OTHER_DATASET = "other", "其他公开数据集（待核实）"
    OFFICE = "office", "区办公室核定"
    SYNTHETIC = "synthetic", "演示用合成代码"


class LocationQuality(models.TextChoices):
    SURVEYED = "surveyed", "实测"
    APPROXIMATE = "approximate", "近似位置"
    SYNTHETIC = "synthetic", "演示用合成位置"


DATUM_CHOICES = [(d.value, DATUM_LABELS[d]) for d in Datum]

division_code_validator = RegexValidator(r"^\d{12}$", "区划代码应为 12 位数字")


class Located(models.Model):
    """A point in WGS-84 plus the datum it was captured in and the raw coordinates as received."""

    location = models.PointField("位置（WGS-84）", srid=4326, null=True, blank=True)
    location_datum = models.CharField(
        "原始坐标系", max_length=10, choices=DATUM_CHOICES, default=Datum.WGS84, blank=True
    )
    location_raw_lon = models.FloatField("原始经度", null=True, blank=True)
    location_raw_lat = models.FloatField("原始纬度", null=True, blank=True)
    location_quality = models.CharField(
        "位置可信度", max_length=12, choices=LocationQuality.choices, default=LocationQuality.SURVEYED
    )

    class Meta:
        abstract = True


class Region(models.Model):
    """An administrative unit. ``path`` is the chain of ids from the district (``/1/5/27/``) used for
    scoping: a grant on a region covers every region whose path starts with its path."""

    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("层级路径", max_length=255, editable=False, db_index=True)
    name = models.CharField("名称", max_length=64)
    # Natural villages have no 统计用区划代码; everything above them should have one. Codes are data
    # the office may correct: public datasets disagree (see code_source).
    code = models.CharField(
        "区划代码", max_length=12, null=True, blank=True, validators=[division_code_validator]
    )
    code_source = models.CharField("代码来源", max_length=10, choices=CodeSource.choices, blank=True)
    alt_codes = models.JSONField("其他来源代码", default=list, blank=True)
    town_kind = models.CharField("区镇类型", max_length=8, choices=TownKind.choices, blank=True)
    households = models.PositiveIntegerField("户数", null=True, blank=True)
    centroid = models.PointField("中心点（WGS-84）", srid=4326, null=True, blank=True)
    boundary = models.MultiPolygonField("边界（WGS-84）", srid=4326, null=True, blank=True)
    geometry_quality = models.CharField(
        "几何可信度", max_length=12, choices=LocationQuality.choices, default=LocationQuality.SYNTHETIC
    )
    is_synthetic = models.BooleanField("演示用合成数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(code__isnull=False), name="region_code_unique"
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="region_name_unique_under_parent"),
            models.CheckConstraint(
                condition=Q(level="district", parent__isnull=True)
                | (~Q(level="district") & Q(parent__isnull=False)),
                name="region_only_district_is_root",
            ),
            models.CheckConstraint(
                condition=Q(households__isnull=True) | Q(level="natural_village"),
                name="region_households_only_on_natural_village",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SectionLevel(models.TextChoices):
    NATIONAL = "national", "国考"
    PROVINCIAL = "provincial", "省考"
    MUNICIPAL = "municipal", "市考"
    DISTRICT = "district", "区考"
    # A monitoring point on a tributary (支流监测点, 65号 item 19's 劣Ⅴ list): measured and classed like a
    # section, never assessed or ranked as one.
    TRIBUTARY = "tributary", "支流监测点"


class WaterBody(models.TextChoices):
    RIVER = "river", "河流"
    LAKE = "lake", "湖库"


class RiverSection(Located):
    """A surface-water monitoring section (断面) and the towns responsible for its water quality."""

    code = models.CharField("断面编码", max_length=32, unique=True)
    name = models.CharField("断面名称", max_length=64)
    river = models.CharField("所在河流", max_length=64, blank=True)
    water_body = models.CharField(
        "水体类型", max_length=8, choices=WaterBody.choices, default=WaterBody.RIVER
    )
    level = models.CharField("考核级别", max_length=12, choices=SectionLevel.choices)
    target_class = models.PositiveSmallIntegerField(
        "目标水质类别", validators=[MinValueValidator(1), MaxValueValidator(5)], default=3
    )
    region = models.ForeignKey(
        Region, verbose_name="所属区", on_delete=models.PROTECT, related_name="sections"
    )
    responsible_towns = models.ManyToManyField(
        Region, verbose_name="责任区镇", related_name="responsible_sections", blank=True
    )
    is_active = models.BooleanField("在用", default=True)
    watch_flag = models.BooleanField(
        "人工标记提Ⅲ", default=False, help_text="水质波动或特征污染物预警等，由生态环境局判断"
    )
    river_line = models.LineStringField("河道中心线（WGS-84）", srid=4326, null=True, blank=True)
    upstream_reach = models.PolygonField(
        "上游 10 公里范围（WGS-84）",
        srid=4326,
        null=True,
        blank=True,
        help_text="用于查询上游排口、支流与泵站",
    )
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "监测断面"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_class__gte=1, target_class__lte=5), name="section_target_class_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityStatus(models.TextChoices):
    IN_SERVICE = "in_service", "在运行"
    STOPPED = "stopped", "停运"
    BEYOND_REPAIR = "beyond_repair", "损坏无法修复"
    UNDER_CONSTRUCTION = "under_construction", "在建 / 改建"
    RETIRED = "retired", "已退役 / 拆除"


class SewageFacility(Located):
    """A rural sewage treatment facility (农村生活污水处理设施) in an administrative village."""

    code = models.CharField("设施编码", max_length=32, unique=True)
    name = models.CharField("设施名称", max_length=128)
    village = models.ForeignKey(
        Region, verbose_name="所在行政村", on_delete=models.PROTECT, related_name="sewage_facilities"
    )
    capacity_tpd = models.DecimalField(
        "设计处理能力（吨/日）", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    process = models.CharField("处理工艺", max_length=64, blank=True)
    meter_number = models.CharField("电表号", max_length=32, blank=True)
    operator = models.CharField("运维单位", max_length=128, blank=True)
    funding_wan = models.DecimalField(
        "运维经费（万元/年）", max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    status = models.CharField(
        "状态", max_length=20, choices=FacilityStatus.choices, default=FacilityStatus.IN_SERVICE
    )
    commissioned_on = models.DateField("投运日期", null=True, blank=True)
    is_synthetic = models.BooleanField("演示用合成数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "农村生活污水处理设施"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity_tpd__gte=0), name="facility_capacity_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class FacilityService(models.Model):
    """How many households of a natural village a facility serves (the 双60 treatment rate's input)."""

    facility = models.ForeignKey(SewageFacility, on_delete=models.CASCADE, related_name="services")
    natural_village = models.ForeignKey(
        Region, verbose_name="自然村", on_delete=models.PROTECT, related_name="served_by"
    )
    households = models.PositiveIntegerField("服务户数")

    class Meta:
        verbose_name = verbose_name_plural = "设施服务户数"
        constraints = [
            models.UniqueConstraint(fields=["facility", "natural_village"], name="facility_service_unique")
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} → {self.natural_village_id}: {self.households}"


class FacilityCondition(models.Model):
    """A facility's operating condition as established by an approved audit (the latest one wins; the
    history is kept so that rates can be computed as of any date). An audit the district withdraws
    stays in the history, marked, and counts nowhere."""

    facility = models.ForeignKey(SewageFacility, on_delete=models.CASCADE, related_name="conditions")
    conditions = models.JSONField("运行状况（normal / stopped / damaged / …）", default=list)
    status = models.CharField("核查后的设施状态", max_length=20, choices=FacilityStatus.choices)
    # What the registry said before this audit set it: restored if the audit is withdrawn and no later
    # one stands. Empty on records made before it was kept.
    previous_status = models.CharField(
        "核查前的设施状态", max_length=20, blank=True, default="", db_default=""
    )
    inspection_uuid = models.UUIDField("依据的核查（检查客户端编号）", unique=True)
    approved_at = models.DateTimeField("审核通过时间", db_index=True)
    withdrawn_at = models.DateTimeField("撤销时间（核查经区级撤销）", null=True, blank=True)
    withdrawal_reason = models.TextField("撤销理由", blank=True, default="", db_default="")

    class Meta:
        verbose_name = verbose_name_plural = "设施运行状况（核查结果）"
        ordering = ["facility", "-approved_at"]
        indexes = [models.Index(fields=["facility", "approved_at"], name="facility_condition_at")]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.approved_at:%Y-%m-%d}: {','.join(self.conditions)}"


class LedgerImport(Job):
    """An uploaded facility ledger and what became of it; large ones are processed by a Celery task.
    Status, progress, report and the heartbeat are the job kernel's (``kernel.jobs``)."""

    Status = JobStatus

    uuid = models.UUIDField(unique=True)
    filename = models.CharField("文件名", max_length=255)
    file = models.FileField("文件", upload_to="imports/ledgers/")
    size = models.PositiveBigIntegerField("大小（字节）")
    dry_run = models.BooleanField("试运行", default=True)
    valid_rows_only = models.BooleanField("仅导入无错误的行", default=False)
    # The uploader's registry scope when uploading (region paths; null: the whole registry).
    scope_paths = models.JSONField("导入范围", null=True, blank=True)
    uploaded_by_id = models.BigIntegerField("上传人")

    class Meta(Job.Meta):
        verbose_name = verbose_name_plural = "设施台账导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} · {self.get_status_display()}"


class LedgerExport(Job):
    """A ledger export too large to write during the request (``LEDGER_EXPORT_SYNC_FACILITIES``): written
    by a Celery task with the requester's scope at the time of the request, downloaded when done."""

    uuid = models.UUIDField(unique=True)
    town_id = models.BigIntegerField("区镇", null=True, blank=True)
    scope_paths = models.JSONField("导出范围", null=True, blank=True)
    title = models.CharField("标题", max_length=200)
    facilities = models.PositiveIntegerField("设施数（请求时）")
    file = models.FileField("文件", upload_to="exports/ledgers/", blank=True)
    requested_by_id = models.BigIntegerField("请求人")

    class Meta(Job.Meta):
        verbose_name = verbose_name_plural = "设施台账导出"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} · {self.get_status_display()}"


class OrganisationKind(models.TextChoices):
    DEPARTMENT = "department", "区级部门（区安委会成员单位）"
    ENTERPRISE = "enterprise", "企事业单位"


class Organisation(Located):
    """An assessed unit that is not a region: a district department or an enterprise / institution."""

    kind = models.CharField("类型", max_length=12, choices=OrganisationKind.choices)
    name = models.CharField("名称", max_length=128)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name="所属区划（企业为所在区镇，部门为区）",
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    is_synthetic = models.BooleanField("演示用合成数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门与企事业单位"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "region", "name"], name="organisation_unique_name"),
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="organisation_credit_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MapLayerVersion(models.Model):
    """A counter per vector-tile layer, bumped in the same transaction by every service that changes what
    the layer shows: the tiles' ETag is built from it, so a client's cached tile is good until it moves."""

    layer = models.CharField("图层", max_length=32, primary_key=True)
    version = models.PositiveBigIntegerField("版本", default=0)
    changed_at = models.DateTimeField("最近修改", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "地图图层版本"

    def __str__(self) -> str:
        return f"{self.layer} v{self.version}"


# Air stations and dust-fall jars (issue 19) in their own room (geo/air/models.py); registered here.
from .air.models import AirStation as AirStation  # noqa: E402
from .air.models import AirStationKind as AirStationKind  # noqa: E402
from .air.models import DustFallPoint as DustFallPoint  # noqa: E402

# The river network (issue 18) keeps its models in its own room (geo/rivers/models.py); registered here.
# The outfall registry (issue 18, 排污口) keeps its models in geo/outfalls/models.py; registered here.
from .outfalls.models import Outfall as Outfall  # noqa: E402
from .outfalls.models import OutfallChange as OutfallChange  # noqa: E402

# 排涝泵站 (issue 18) in its own room (geo/pumps/models.py); registered here.
from .pumps.models import PumpStation as PumpStation  # noqa: E402
from .pumps.models import PumpStationChange as PumpStationChange  # noqa: E402
from .rivers.models import RiverLine as RiverLine  # noqa: E402
from .rivers.models import RiverNetwork as RiverNetwork  # noqa: E402
from .rivers.models import SiteKind as SiteKind  # noqa: E402
from .rivers.models import SiteSnap as SiteSnap  # noqa: E402
