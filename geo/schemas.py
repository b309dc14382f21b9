from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import model_validator

from kernel.kit import Day, Id, NotABoolean, StrictSchema
from kernel.scope import Paths

from .coords import Datum
from .models import FacilityStatus, LocationQuality, Region, RegionLevel
from .selectors import RegionsAt, in_scope


class PointOut(Schema):
    lon: float = Field(description="经度（WGS-84）")
    lat: float = Field(description="纬度（WGS-84）")
    datum: str = Field(description="原始坐标系：wgs84 / gcj02 / bd09 / cgcs2000")
    raw_lon: float | None = Field(description="按原始坐标系记录的经度")
    raw_lat: float | None = Field(description="按原始坐标系记录的纬度")
    quality: str = Field(description="可信度：surveyed 实测 / approximate 近似 / synthetic 演示合成")


def point_out(obj: Any) -> PointOut | None:
    if obj.location is None:
        return None
    return PointOut(
        lon=obj.location.x,
        lat=obj.location.y,
        datum=obj.location_datum or Datum.WGS84,
        raw_lon=obj.location_raw_lon,
        raw_lat=obj.location_raw_lat,
        quality=obj.location_quality,
    )


class LocationIn(StrictSchema):
    lon: float = Field(ge=-180, le=180, description="经度（按 datum 所指坐标系）")
    lat: float = Field(ge=-90, le=90, description="纬度（按 datum 所指坐标系）")
    datum: Datum = Field(
        Datum.WGS84, description="坐标系：wgs84（GPS）、gcj02（高德/腾讯）、bd09（百度）、cgcs2000"
    )
    quality: LocationQuality = Field(LocationQuality.SURVEYED, description="可信度")


class RegionRef(Schema):
    id: int = Field(description="区划编号")
    name: str = Field(description="名称")
    code: str | None = Field(description="区划代码")


class RegionOut(Schema):
    id: int = Field(description="区划编号")
    level: RegionLevel = Field(description="层级：district / town / village / natural_village")
    name: str = Field(description="名称")
    code: str | None = Field(description="12 位统计用区划代码（自然村为空）")
    code_source: str = Field(description="代码来源：nbs / other / office / synthetic")
    alt_codes: list[str] = Field(description="其他公开来源给出的代码（待核实）")
    parent_id: int | None = Field(description="上级区划编号")
    parent_name: str | None = Field(description="上级区划名称")
    town_kind: str = Field(description="区镇类型：town 镇 / street 街道 / park 园区")
    households: int | None = Field(description="户数（自然村）")
    centroid: list[float] | None = Field(description="中心点 [经度, 纬度]（WGS-84）")
    geometry_quality: str = Field(
        description="几何可信度：surveyed 实测（如由 import_regions 从边界文件导入）/ approximate 近似 / "
        "synthetic 演示用合成（演示数据的泰森多边形区镇边界）"
    )
    is_synthetic: bool = Field(description="是否为演示用合成数据")
    updated_at: datetime = Field(description="最后修改时间")

    @staticmethod
    def resolve_centroid(obj: Region) -> list[float] | None:
        return [obj.centroid.x, obj.centroid.y] if obj.centroid else None

    @staticmethod
    def resolve_parent_name(obj: Region) -> str | None:
        return obj.parent.name if obj.parent_id and obj.parent else None


# PATCH schemas: a field left out keeps its value. Where the column cannot be empty the field's type has
# no null (its ``None`` default only means "not given"), so an explicit null is a 422 naming the field,
# never an IntegrityError; ``| None`` marks the fields that may be cleared.

Households = Annotated[int, NotABoolean, Field(ge=0, le=100_000)]


class RegionPatch(StrictSchema):
    name: str = Field(None, min_length=1, max_length=64, description="名称")
    code: str | None = Field(
        None, pattern=r"^(\d{12})?$", description="12 位区划代码；空字符串或 null 表示清除"
    )
    code_source: str = Field(None, max_length=10, description="代码来源：nbs / other / office / synthetic")
    households: Households | None = Field(None, description="户数（仅自然村；null 表示清除）")


class SectionOut(Schema):
    id: int = Field(description="断面编号")
    code: str = Field(description="断面编码")
    name: str = Field(description="断面名称")
    river: str = Field(description="所在河流")
    water_body: str = Field(description="水体类型：river 河流 / lake 湖库")
    level: str = Field(
        description="考核级别：national / provincial / municipal / district；tributary 为支流监测点"
    )
    target_class: int = Field(description="目标水质类别（1–5，对应 Ⅰ–Ⅴ）")
    region: RegionRef = Field(description="所属区")
    responsible_towns: list[RegionRef] = Field(description="责任区镇")
    location: PointOut | None = Field(description="位置")
    note: str = Field(description="备注")

    @staticmethod
    def resolve_location(obj: Any) -> PointOut | None:
        return point_out(obj)

    @staticmethod
    def resolve_responsible_towns(obj: Any) -> list[Any]:
        return list(obj.responsible_towns.all())


class FacilityOut(Schema):
    id: int = Field(description="设施编号")
    code: str = Field(description="设施编码")
    name: str = Field(description="设施名称")
    village: RegionRef = Field(description="所在行政村")
    town: RegionRef = Field(description="所在区镇")
    capacity_tpd: Decimal = Field(description="设计处理能力（吨/日）")
    process: str = Field(description="处理工艺")
    meter_number: str = Field(description="电表号")
    operator: str = Field(description="运维单位")
    status: FacilityStatus = Field(description="状态")
    commissioned_on: date | None = Field(description="投运日期")
    location: PointOut | None = Field(description="位置")
    is_synthetic: bool = Field(description="是否为演示用合成数据")
    updated_at: datetime = Field(description="最后修改时间")

    @staticmethod
    def resolve_town(obj: Any) -> Any:
        return obj.village.parent

    @staticmethod
    def resolve_location(obj: Any) -> PointOut | None:
        return point_out(obj)


class FacilityIn(StrictSchema):
    code: str = Field(min_length=1, max_length=32, description="设施编码（全区唯一）")
    name: str = Field(min_length=1, max_length=128, description="设施名称")
    village_id: Id | None = Field(None, description="所在行政村编号（或改用 village_code、village_name）")
    village_code: str | None = Field(
        None, pattern=r"^\d{12}$", description="所在行政村的 12 位区划代码（代替 village_id）"
    )
    village_name: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="所在行政村名称（代替 village_id）；重名时须同时提供 town_id",
    )
    town_id: Id | None = Field(None, description="village_name 所在区镇编号")
    capacity_tpd: Decimal = Field(ge=0, max_digits=8, decimal_places=2, description="设计处理能力（吨/日）")
    process: str = Field("", max_length=64, description="处理工艺")
    meter_number: str = Field("", max_length=32, description="电表号")
    operator: str = Field("", max_length=128, description="运维单位")
    status: FacilityStatus = Field(FacilityStatus.IN_SERVICE, description="状态")
    commissioned_on: Day | None = Field(None, description="投运日期")
    location: LocationIn | None = Field(
        None, description="位置（注明坐标系）；须在行政村所属区镇范围内（容差同台账导入）"
    )


class FacilityPatch(StrictSchema):
    name: str = Field(None, min_length=1, max_length=128, description="设施名称")
    village_id: Id | None = Field(None, description="所在行政村编号")
    village_code: str | None = Field(None, pattern=r"^\d{12}$", description="所在行政村的 12 位区划代码")
    village_name: str | None = Field(
        None, min_length=1, max_length=64, description="所在行政村名称；重名时须同时提供 town_id"
    )
    town_id: Id | None = Field(None, description="village_name 所在区镇编号")
    capacity_tpd: Decimal = Field(
        None, ge=0, max_digits=8, decimal_places=2, description="设计处理能力（吨/日）"
    )
    process: str = Field(None, max_length=64, description="处理工艺")
    meter_number: str = Field(None, max_length=32, description="电表号")
    operator: str = Field(None, max_length=128, description="运维单位")
    status: FacilityStatus = Field(None, description="状态")
    commissioned_on: Day | None = Field(None, description="投运日期（null 表示清除）")
    location: LocationIn | None = Field(None, description="位置；显式传 null 表示清除")

    @model_validator(mode="after")
    def _not_empty(self) -> "FacilityPatch":
        if not self.model_fields_set:
            raise ValueError("至少提供一个要修改的字段")
        return self


# --- point lookups -----------------------------------------------------------------------------------


class RegionHit(Schema):
    """A region at a point: names and codes only (administrative geography is public)."""

    id: int = Field(description="区划编号")
    name: str = Field(description="名称")
    code: str | None = Field(description="12 位区划代码（自然村为空）")
    level: RegionLevel = Field(description="层级：district / town / village / natural_village")
    is_synthetic: bool = Field(description="是否为演示用合成区划")
    geometry_quality: str = Field(
        description="边界可信度：surveyed 实测 / approximate 近似 / synthetic 演示合成"
    )
    boundary_synthetic: bool = Field(
        description=(
            "边界为演示用合成边界（如演示数据按区镇中心点划分的 Voronoi 区镇）：结果仅供演示，不可作为依据"
        )
    )
    in_scope: bool = Field(description="是否在调用者的管辖范围内（范围外的区划只给出名称与代码）")


def region_hit(region: Region | None, paths: Paths) -> RegionHit | None:
    if region is None:
        return None
    return RegionHit(
        id=region.pk,
        name=region.name,
        code=region.code,
        level=RegionLevel(region.level),
        is_synthetic=region.is_synthetic,
        geometry_quality=region.geometry_quality,
        boundary_synthetic=region.geometry_quality == LocationQuality.SYNTHETIC,
        in_scope=in_scope(region, paths),
    )


class RegionsAtOut(Schema):
    lon: float = Field(description="查询所用经度（WGS-84，已按 datum 换算）")
    lat: float = Field(description="查询所用纬度（WGS-84，已按 datum 换算）")
    datum: Datum = Field(description="请求的坐标系")
    raw_lon: float = Field(description="请求中的经度（按 datum）")
    raw_lat: float = Field(description="请求中的纬度（按 datum）")
    district: RegionHit | None = Field(description="所在区（边界包含该点；未绘边界时为空）")
    town: RegionHit | None = Field(description="所在区镇（无边界包含该点时为空）")
    village: RegionHit | None = Field(description="所在行政村（行政村未绘边界时为空）")
    natural_village: RegionHit | None = Field(description="所在自然村（自然村未绘边界时为空）")


def regions_at_out(found: RegionsAt, *, datum: Datum, raw_lon: float, raw_lat: float) -> RegionsAtOut:
    return RegionsAtOut(
        lon=found.point.x,
        lat=found.point.y,
        datum=datum,
        raw_lon=raw_lon,
        raw_lat=raw_lat,
        **{
            level: region_hit(getattr(found, level), found.paths)
            for level in ("district", "town", "village", "natural_village")
        },
    )


class FacilityNearOut(FacilityOut):
    distance_m: float = Field(description="到查询点的距离（米，WGS-84 椭球面上的大地线距离）")

    @staticmethod
    def resolve_distance_m(obj: Any) -> float:
        return round(obj.distance.m, 1)


class SectionNearOut(SectionOut):
    distance_m: float = Field(description="到查询点的距离（米，WGS-84 椭球面上的大地线距离）")

    @staticmethod
    def resolve_distance_m(obj: Any) -> float:
        return round(obj.distance.m, 1)


class FacilitiesNearOut(Schema):
    lon: float = Field(description="查询所用经度（WGS-84）")
    lat: float = Field(description="查询所用纬度（WGS-84）")
    items: list[FacilityNearOut] = Field(description="由近及远；无坐标的设施不在其中")


class SectionsNearOut(Schema):
    lon: float = Field(description="查询所用经度（WGS-84）")
    lat: float = Field(description="查询所用纬度（WGS-84）")
    items: list[SectionNearOut] = Field(description="由近及远；无坐标的断面不在其中")


# --- the river network (issue 18) ---------------------------------------------------------------------


class RiverIssueOut(Schema):
    feature: int | None = Field(description="要素在文件中的序号（从 1 起）")
    line_id: str = Field(description="河段编号（文件中无编号时为 #序号）")
    code: str = Field(
        description="代码：读取 missing_geometry / not_line / multi_part / outside_china / invalid_level；"
        "河网引擎 duplicate_line_id / missing_river / too_few_vertices / invalid_coordinate / zero_length / "
        "self_intersection（错误）、crossing_without_node / disconnected / reversed_flow / no_outlet（警告）"
    )
    severity: str = Field(description="error（要素不能使用，文件不能导入）/ warning（可导入，请核对）")
    message: str = Field(description="中文说明")
    other_line_id: str | None = Field(description="涉及的另一河段")
    at: list[float] | None = Field(description="问题位置 [经度, 纬度]（WGS-84）")


class RiverImportOut(Schema):
    ok: bool = Field(description="没有错误（可导入）")
    dry_run: bool = Field(description="试运行")
    applied: bool = Field(description="已导入为当前河网")
    network_id: int | None = Field(description="导入后的河网版本")
    file: str = Field(description="文件名")
    layer: str = Field(description="读取的图层")
    layers: list[str] = Field(description="文件中的全部图层")
    srs: dict[str, Any] = Field(description="文件坐标系 {name, srid}")
    datum: str = Field(description="经纬度基准（wgs84 / gcj02 / bd09 / cgcs2000）")
    metric_srid: int = Field(description="计算所用的平面坐标系（EPSG:4549，CGCS2000 3 度带 120°E）")
    fields: dict[str, str | None] = Field(description="所用字段 {line, river, name, level, direction}")
    features_read: int = Field(description="读取的要素数")
    lines: int = Field(description="可用河段数")
    rivers: int = Field(description="河流数")
    nodes: int = Field(description="节点数（河段端点与汇流点）")
    error_count: int = Field(description="错误数（有错误则不能导入）")
    warning_count: int = Field(description="警告数")
    issues: list[RiverIssueOut] = Field(description="逐要素问题，按文件顺序")
    snapped: dict[str, int] | None = Field(description="导入后捕捉到河网的点位数（按类型）")
    flipped: list[str] = Field(
        description="倒转为水流方向的河段编号（按流向字段，或 flip_reversed 自动检测）；"
        "每条另有一个 line_flipped 警告说明原因"
    )
