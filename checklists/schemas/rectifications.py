"""Rectifications, their transitions and the overdue ones per town."""

from datetime import date
from typing import Any, Literal

from ninja import Field, Schema

from kernel.kit import StrictSchema

from .photos import PhotoOut


class RectificationOut(Schema):
    id: int = Field(description="整改编号")
    subject_kind: str = Field(description="对象类型")
    subject_id: int = Field(description="对象编号")
    subject_name: str = Field(description="对象")
    subject_town_id: int | None = Field(description="所在区镇")
    item_title: str = Field(description="问题（检查项）")
    reason: str = Field(description="问题描述")
    category: str = Field(description="问题类别")
    responsible_unit: str = Field(description="责任单位")
    deadline: date | None = Field(description="整改期限（待审批时为空）")
    deadline_rule: str = Field(description="期限依据")
    requires_approval: bool = Field(description="需区审批（无法修复的设施）")
    approval_decision: str = Field(description="审批结论：rebuild / retire / demolish")
    status: str = Field(
        description="awaiting_approval / open / in_progress / submitted / closed / "
        "cancelled（所依据的检查经区级更正或撤销）"
    )
    overdue: bool = Field(description="是否逾期")
    overdue_since: date | None = Field(description="逾期日期")
    history: list[dict[str, Any]] = Field(description="流转记录")
    photos: list[PhotoOut] = Field(description="整改照片")

    @staticmethod
    def resolve_photos(obj: Any) -> list[Any]:
        return list(obj.photos.all())

    @staticmethod
    def resolve_item_title(obj: Any) -> str:
        return obj.finding.item_title

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return obj.finding.reason


class TransitionIn(StrictSchema):
    action: Literal["approve_plan", "start", "submit", "close", "send_back"] = Field(description="操作")
    note: str = Field("", max_length=2000, description="说明（退回整改时必填）")
    decision: Literal["", "rebuild", "retire", "demolish"] = Field(
        "", description="审批结论（approve_plan 时必填）"
    )


class TownOverdueOut(Schema):
    town_id: int | None = Field(description="区镇编号")
    town_name: str = Field(description="区镇")
    count: int = Field(description="逾期整改数")
    items: list[RectificationOut] = Field(description="逾期整改事项")
