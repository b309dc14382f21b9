"""What a phone syncs: checklist templates and the inspector's assignments."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from kernel.kit import Id, StrictSchema


class TemplateOut(Schema):
    key: str = Field(description="模板标识")
    version: int = Field(description="版本（已发布版本内容不可变）")
    title: str = Field(description="标题")
    domain: str = Field(description="领域：safety / fire / sewage / water")
    subject_kind: str = Field(description="检查对象类型")
    status: str = Field(description="published 已发布 / retired 已停用（手机端应删除）")
    digest: str = Field(description="内容摘要（SHA-256）")
    document: dict[str, Any] = Field(description="模板内容：分节、检查项、计分方式")
    updated_at: datetime = Field(description="最后变化时间（用于 since 增量同步）")


class SubjectRef(StrictSchema):
    kind: Literal[
        "town", "department", "enterprise", "village", "sewage_facility", "river_section", "outfall",
        "pump_station",
    ] = Field(description="检查对象类型")  # fmt: skip
    id: Id = Field(description="检查对象编号")


class AssignmentOut(Schema):
    id: int = Field(description="任务编号")
    template_key: str = Field(description="模板标识（使用该模板最新发布版本）")
    purpose: str = Field(description="检查类型：routine / annual / spot_check / audit / self")
    subject_kind: str = Field(description="检查对象类型")
    subject_id: int = Field(description="检查对象编号")
    subject_name: str = Field(description="检查对象名称")
    subject_town_id: int | None = Field(description="对象所在区镇")
    subject_lon: float | None = Field(
        description="检查对象位置：经度（WGS-84；设施、断面、单位的坐标，区镇、村的中心点；未知为空）。"
        "手机据此显示距离和方向，并在拍照时提示离对象过远"
    )
    subject_lat: float | None = Field(description="检查对象位置：纬度（WGS-84；未知为空）")
    due_date: date | None = Field(description="截止日期")
    period: int | None = Field(
        description="考核年度：规定时，为该任务所做的检查即属该年度（PUT 中不同的 period 被拒绝）；"
        "空则由手机填写"
    )
    status: str = Field(description="open / done / cancelled")
    note: str = Field(description="说明")
    updated_at: datetime = Field(description="最后变化时间")

    @staticmethod
    def resolve_subject_lon(obj: Any) -> float | None:
        point = getattr(obj, "subject_point", None)
        return point.x if point is not None else None

    @staticmethod
    def resolve_subject_lat(obj: Any) -> float | None:
        point = getattr(obj, "subject_point", None)
        return point.y if point is not None else None


class Catalogue(Schema):
    templates: list[TemplateOut] = Field(description="模板（不带 since 时为全部已发布版本）")
    assignments: list[AssignmentOut] = Field(description="本人的检查任务（不带 since 时为未完成任务）")
    server_time: datetime = Field(description="服务器时间：下次同步把它作为 since")
