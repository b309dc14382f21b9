"""Spot checks: the draw, its samples and the comparison with the towns' own scores."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from kernel.kit import Day, Id, StrictSchema


class SpotCheckIn(StrictSchema):
    year: int = Field(ge=2000, le=2100, description="年度")
    subject_kind: Literal["village", "enterprise", "sewage_facility"] = Field(description="抽查对象类型")
    template_key: str = Field(description="模板标识")
    per_town: int = Field(ge=1, le=100, description="每个区镇抽取数量")
    town_ids: list[Id] | None = Field(None, description="参与的区镇（默认全区）")
    due_date: Day | None = Field(None, description="完成期限")


class SpotSampleOut(Schema):
    town_id: int = Field(description="区镇")
    subject_id: int = Field(description="抽中的对象")
    inspector_id: int = Field(description="派出的检查员")


class SpotComparisonOut(Schema):
    assignment_id: int = Field(description="抽查任务")
    subject_name: str = Field(description="对象")
    subject_town_id: int | None = Field(description="区镇")
    spot_percent: Decimal | None = Field(description="抽查得分")
    own_percent: Decimal | None = Field(description="区镇自评得分（同年最近一次已通过）")
    gap: Decimal | None = Field(description="分差（抽查 − 自评）")
    flagged: bool = Field(description="分差超过阈值")


class SpotCheckOut(Schema):
    id: int = Field(description="抽查编号")
    year: int = Field(description="年度")
    subject_kind: str = Field(description="对象类型")
    template_key: str = Field(description="模板")
    per_town: int = Field(description="每个区镇抽取数")
    seed: str = Field(description="随机种子（可据此复现抽取结果）")
    result: list[SpotSampleOut] = Field(description="抽取结果")
    due_date: date | None = Field(description="完成期限")
    gap_threshold: Decimal = Field(description="分差预警阈值")
    created_at: datetime = Field(description="抽取时间")
    published_at: datetime | None = Field(description="公开时间")


class SpotCheckVerifyOut(Schema):
    reproducible: bool = Field(description="按种子与快照重新抽取，结果是否与存档一致")
    redrawn: list[SpotSampleOut] = Field(description="重新抽取的结果")
