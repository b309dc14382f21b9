"""Schemas of the pump station registry API."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from pydantic import model_validator

from kernel.kit import Day, Id, StrictSchema

from ..outfalls.schemas import LedgerRowErrorOut
from ..schemas import LocationIn, PointOut, RegionRef, point_out


class PumpStationOut(Schema):
    id: int = Field(description="泵站编号")
    code: str = Field(description="泵站编码")
    name: str = Field(description="泵站名称")
    river: str = Field(description="所在河道（名称或河流编码；与河网一致时按该河捕捉）")
    town: RegionRef = Field(description="责任区镇")
    holds_sewage: bool = Field(description="拦蓄污水（65号第19条：排涝泵站拦蓄污水清单）")
    sewage_found_on: date | None = Field(description="发现拦蓄污水日期")
    sewage_cleared_on: date | None = Field(description="清零日期（不再拦蓄污水之日）")
    last_inspected_at: datetime | None = Field(description="最近一次检查（审核通过）时间")
    location: PointOut | None = Field(description="位置")
    note: str = Field(description="备注")
    is_synthetic: bool = Field(description="是否为演示用合成数据")
    updated_at: datetime = Field(description="最后修改时间")

    @staticmethod
    def resolve_location(obj: Any) -> PointOut | None:
        return point_out(obj)


class PumpStationIn(StrictSchema):
    code: str = Field(min_length=1, max_length=32, description="泵站编码（全区唯一）")
    name: str = Field(min_length=1, max_length=128, description="泵站名称")
    town_id: Id = Field(description="责任区镇编号")
    river: str = Field("", max_length=64, description="所在河道（名称或河流编码）")
    holds_sewage: bool = Field(False, description="拦蓄污水")
    sewage_on: Day | None = Field(None, description="发现拦蓄污水的日期（默认今天；仅与 holds_sewage 一起）")
    location: LocationIn | None = Field(None, description="位置（注明坐标系）；须在责任区镇范围内")
    note: str = Field("", max_length=2000, description="备注")


class PumpStationPatch(StrictSchema):
    name: str = Field(None, min_length=1, max_length=128, description="泵站名称")
    river: str = Field(None, max_length=64, description="所在河道")
    town_id: Id = Field(None, description="责任区镇编号")
    holds_sewage: bool = Field(
        None, description="拦蓄污水；由 true 改为 false 即清零（清零日期为 sewage_on 或今天）"
    )
    sewage_on: Day | None = Field(None, description="发现或清零的日期（默认今天；仅与 holds_sewage 一起）")
    location: LocationIn | None = Field(None, description="位置；显式传 null 表示清除")
    note: str = Field(None, max_length=2000, description="备注")

    @model_validator(mode="after")
    def _not_empty(self) -> "PumpStationPatch":
        if not self.model_fields_set:
            raise ValueError("至少提供一个要修改的字段")
        return self


class TributaryPointIn(StrictSchema):
    code: str = Field(min_length=1, max_length=32, description="监测点编码（与断面编码共用，全区唯一）")
    name: str = Field(min_length=1, max_length=64, description="监测点名称（唯一：监测数据按名称或编码匹配）")
    town_id: Id = Field(description="责任区镇编号")
    river: str = Field("", max_length=64, description="所在支流（名称或河流编码；与河网一致时按该河捕捉）")
    target_class: int = Field(3, ge=1, le=5, description="目标水质类别（1–5）")
    location: LocationIn | None = Field(None, description="位置（注明坐标系）；须在责任区镇范围内")
    note: str = Field("", max_length=2000, description="备注")


class PumpStationChangeOut(Schema):
    action: str = Field(description="create 登记 / update 修改 / inspection 检查审核通过")
    at: datetime = Field(description="时间")
    by_id: int | None = Field(description="操作人编号（检查为审核人）")
    inspection_uuid: str | None = Field(description="依据的检查（客户端编号）")
    before: dict[str, Any] | None = Field(description="变更前")
    after: dict[str, Any] = Field(description="变更后")

    @staticmethod
    def resolve_inspection_uuid(obj: Any) -> str | None:
        return str(obj.inspection_uuid) if obj.inspection_uuid else None


class PumpLedgerReportOut(Schema):
    ok: bool = Field(description="没有错误")
    dry_run: bool = Field(description="试运行（只报告，不写入）")
    applied: bool = Field(description="已导入")
    file: str = Field(description="文件名")
    rows: int = Field(description="数据行数")
    would_create: int = Field(description="将新增的泵站数（按无错误的行）")
    would_update: int = Field(description="将更新的泵站数（按编码匹配已有的）")
    created: int = Field(description="已新增（导入后）")
    updated: int = Field(description="已更新（导入后）")
    error_count: int = Field(description="错误数")
    errors: list[LedgerRowErrorOut] = Field(description="逐行错误（最多 500 条）")
