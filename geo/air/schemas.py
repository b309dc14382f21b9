"""Schemas of the air-station and dust-fall-point registry API."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import model_validator

from kernel.kit import Id, StrictSchema

from ..schemas import LocationIn, PointOut, RegionRef, point_out
from .models import AirStationKind


class _PointOut(Schema):
    id: int = Field(description="编号")
    code: str = Field(description="编码（全区唯一）")
    name: str = Field(description="名称")
    town: RegionRef = Field(description="责任区镇（其数据计入该区镇）")
    is_active: bool = Field(description="在用")
    location: PointOut | None = Field(description="位置")
    note: str = Field(description="备注")
    is_synthetic: bool = Field(description="是否为演示用合成数据")
    updated_at: datetime = Field(description="最后修改时间")

    @staticmethod
    def resolve_location(obj: Any) -> PointOut | None:
        return point_out(obj)


class AirStationOut(_PointOut):
    kind: AirStationKind = Field(
        description="站点类别：national 国控 / provincial 省控 / municipal 市控 / town 镇控"
    )


class DustPointOut(_PointOut):
    pass


class _PointIn(StrictSchema):
    code: str = Field(min_length=1, max_length=32, description="编码（全区唯一）")
    name: str = Field(min_length=1, max_length=128, description="名称")
    town_id: Id = Field(description="责任区镇编号")
    location: LocationIn | None = Field(None, description="位置（注明坐标系）；须在责任区镇范围内")
    note: str = Field("", max_length=2000, description="备注")


class AirStationIn(_PointIn):
    kind: AirStationKind = Field(description="站点类别：national / provincial / municipal / town")


class DustPointIn(_PointIn):
    pass


class _PointPatch(StrictSchema):
    name: str = Field(None, min_length=1, max_length=128, description="名称")
    town_id: Id = Field(None, description="责任区镇编号")
    is_active: bool = Field(None, description="在用（停用后不再计入区镇的数值）")
    location: LocationIn | None = Field(None, description="位置；显式传 null 表示清除")
    note: str = Field(None, max_length=2000, description="备注")

    @model_validator(mode="after")
    def _not_empty(self) -> "_PointPatch":
        if not self.model_fields_set:
            raise ValueError("至少提供一个要修改的字段")
        return self


class AirStationPatch(_PointPatch):
    kind: AirStationKind = Field(None, description="站点类别")


class DustPointPatch(_PointPatch):
    pass
