"""The outfall registry's API shapes."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import model_validator

from kernel.kit import Id, StrictSchema

from ..schemas import LocationIn, PointOut, RegionRef, point_out
from .models import OutfallDecision, OutfallKind, OutfallState

KIND_TEXT = (
    "类型：industrial 工业排污口 / sewage_plant 城镇污水处理厂排污口 / agricultural 农业排口 / other 其他排口"
)
DECISION_TEXT = "整治方式：空 未定 / ban 取缔 / merge 清理合并 / regulate 规范整治"
STATE_TEXT = (
    "整治状态：found 已排查（待整治）/ rectifying 整治中 / banned 已取缔 / merged 已清理合并 / "
    "compliant 达标排放；"
    "整治中须已定整治方式，完成状态须与整治方式相符"
)


class OutfallSnapOut(Schema):
    network_id: int = Field(description="河网版本")
    snapped: bool = Field(description="已捕捉到河网")
    line_id: str = Field(description="所在河段编号")
    river_id: str = Field(description="所在河流编码")
    offset_m: float | None = Field(description="沿河段位置（米）")
    snap_distance_m: float | None = Field(description="点位到河段的距离（米；未捕捉时为到最近河段的距离）")
    unsnapped_code: str = Field(description="未捕捉原因代码（no_location / too_far …）")
    unsnapped_message: str = Field(description="未捕捉说明")

    @staticmethod
    def resolve_snapped(obj: Any) -> bool:
        return bool(obj.line_id) and obj.offset_m is not None

    @staticmethod
    def resolve_snap_distance_m(obj: Any) -> float | None:
        return obj.distance_m


class OutfallOut(Schema):
    id: int = Field(description="排污口编号")
    code: str = Field(description="排污口编码")
    name: str = Field(description="排污口名称")
    kind: OutfallKind = Field(description=KIND_TEXT)
    kind_label: str = Field(description="类型（中文）")
    town: RegionRef = Field(description="责任区镇")
    receiving_river_id: str = Field(description="受纳水体在河网中的河流编码（可为空）")
    receiving_water: str = Field(description="受纳水体名称")
    discharger: str = Field(description="排污单位")
    has_permit: bool = Field(description="持有排污许可")
    is_monitored: bool = Field(description="开展监测")
    decision: OutfallDecision = Field(description=DECISION_TEXT)
    decision_label: str = Field(description="整治方式（中文）")
    state: OutfallState = Field(description=STATE_TEXT)
    state_label: str = Field(description="整治状态（中文）")
    last_inspected_at: datetime | None = Field(description="最近一次检查（审核通过）时间")
    location: PointOut | None = Field(description="位置")
    note: str = Field(description="备注")
    is_synthetic: bool = Field(description="是否为演示用合成数据")
    updated_at: datetime = Field(description="最后修改时间")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_decision_label(obj: Any) -> str:
        return str(obj.get_decision_display())

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_location(obj: Any) -> PointOut | None:
        return point_out(obj)


class OutfallDetailOut(OutfallOut):
    snap: OutfallSnapOut | None = Field(description="在当前河网上的位置（未导入河网时为空）")


class OutfallIn(StrictSchema):
    code: str = Field(min_length=1, max_length=32, description="排污口编码（全区唯一）")
    name: str = Field(min_length=1, max_length=128, description="排污口名称")
    kind: OutfallKind = Field(description=KIND_TEXT)
    town_id: Id = Field(description="责任区镇编号（须在您的管辖范围内）")
    location: LocationIn | None = Field(
        None, description="位置（注明坐标系）；须在责任区镇范围内（容差同台账导入）"
    )
    receiving_river_id: str = Field(
        "", max_length=64, description="受纳水体：当前河网的河流编码（或河流名称）；空则取排污口所在河流"
    )
    receiving_water: str = Field("", max_length=128, description="受纳水体名称（河网中有此河流时自动对应）")
    discharger: str = Field("", max_length=128, description="排污单位")
    has_permit: bool = Field(False, description="持有排污许可")
    is_monitored: bool = Field(False, description="开展监测")
    decision: OutfallDecision = Field(OutfallDecision.NONE, description=DECISION_TEXT)
    state: OutfallState = Field(OutfallState.FOUND, description=STATE_TEXT)
    note: str = Field("", max_length=2000, description="备注")


class OutfallPatch(StrictSchema):
    name: str = Field(None, min_length=1, max_length=128, description="排污口名称")
    kind: OutfallKind = Field(None, description=KIND_TEXT)
    town_id: Id = Field(None, description="责任区镇编号")
    location: LocationIn | None = Field(None, description="位置；显式传 null 表示清除")
    receiving_river_id: str = Field(None, max_length=64, description="受纳水体（河网河流编码或名称）")
    receiving_water: str = Field(None, max_length=128, description="受纳水体名称")
    discharger: str = Field(None, max_length=128, description="排污单位")
    has_permit: bool = Field(None, description="持有排污许可")
    is_monitored: bool = Field(None, description="开展监测")
    decision: OutfallDecision = Field(None, description=DECISION_TEXT)
    state: OutfallState = Field(None, description=STATE_TEXT)
    note: str = Field(None, max_length=2000, description="备注")
    reason: str = Field("", max_length=255, description="修改说明（记入变更记录）")

    @model_validator(mode="after")
    def _not_empty(self) -> "OutfallPatch":
        if not (self.model_fields_set - {"reason"}):
            raise ValueError("至少提供一个要修改的字段")
        return self


class OutfallChangeOut(Schema):
    id: int = Field(description="变更记录编号")
    action: str = Field(description="create 登记 / update 修改")
    changed_at: datetime = Field(description="时间")
    changed_by_id: int | None = Field(description="操作人编号")
    changed_by_name: str = Field(description="操作人")
    before: dict[str, Any] = Field(description="修改前（仅变化的字段；登记时为空）")
    after: dict[str, Any] = Field(description="修改后（仅变化的字段；登记时为全部字段）")
    reason: str = Field(description="修改说明")


class LedgerRowErrorOut(Schema):
    row: int = Field(description="行号（含表头行；XLSX 为工作表行号）")
    column: str = Field(description="列名（按文件中的表头）")
    cell: str = Field(description="单元格（如 C7；列未知时为空）")
    code: str = Field(
        description="错误代码（missing_value、invalid_choice、unknown_town、code_taken、"
        "state_needs_decision …）"
    )
    message: str = Field(description="中文说明")
    value: str = Field(description="单元格原值")


class OutfallLedgerReportOut(Schema):
    ok: bool = Field(description="没有错误")
    dry_run: bool = Field(description="试运行（只报告，不写入）")
    applied: bool = Field(description="已导入")
    file: str = Field(description="文件名")
    rows: int = Field(description="数据行数")
    would_create: int = Field(description="将新增的排污口数（按无错误的行）")
    would_update: int = Field(description="将更新的排污口数（按编码匹配已有的）")
    created: int = Field(description="已新增（导入后）")
    updated: int = Field(description="已更新（导入后）")
    error_count: int = Field(description="错误数")
    errors: list[LedgerRowErrorOut] = Field(description="逐行错误（最多 500 条）")
