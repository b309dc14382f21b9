"""An inspection as the phone sends it and as the API answers it (with its revisions and corrections)."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from geo.coords import Datum
from kernel.kit import Id, Int64, Moment, StrictSchema

from .catalogue import SubjectRef
from .photos import PhotoOut


class AnswerIn(StrictSchema):
    value: Any = Field(
        None, description="答案：check/veto 为布尔，score/measure 为数值，deduct 为次数，info 按采集类型"
    )
    na: bool = Field(False, description="不适用（仅允许 allow_na 的检查项）")
    comment: str = Field("", max_length=1000, description="检查员备注")


class DeviceLocationIn(StrictSchema):
    lon: float = Field(ge=-180, le=180, description="经度")
    lat: float = Field(ge=-90, le=90, description="纬度")
    datum: Datum = Field(Datum.WGS84, description="坐标系：wgs84（GPS）/ gcj02（高德、腾讯）/ bd09（百度）")
    accuracy_m: float | None = Field(None, ge=0, description="定位精度（米）")


class InspectionIn(StrictSchema):
    template_key: str = Field(min_length=1, max_length=64, description="模板标识")
    template_version: Id = Field(description="填写所依据的模板版本（创建后固定）")
    subject: SubjectRef = Field(description="检查对象")
    answers: dict[str, AnswerIn] = Field(default_factory=dict, description="检查项标识 → 答案")
    purpose: Literal["routine", "annual", "audit", "self"] = Field("routine", description="检查类型")
    assignment_id: Id | None = Field(None, description="对应的检查任务（抽查任务必填）")
    device_started_at: Moment | None = Field(None, description="设备上开始填写的时间（带时区）")
    device_submitted_at: Moment | None = Field(
        None, description="设备上点击提交的时间（仅 submit=true 时使用）"
    )
    device_location: DeviceLocationIn | None = Field(None, description="设备位置")
    period: Int64 | None = Field(
        None,
        description=(
            "考核年度（所考核的年度，不是提交时间）。检查任务规定了年度时可省略，填写须一致；"
            "省略时取 device_started_at 的年份，再无则取服务器日期的年份。须在 2022 年至明年之间，"
            "模板用于考核方案时须有该年度的方案。草稿（含退回后修改）可更正，提交后不可改"
        ),
    )


class SubmitIn(StrictSchema):
    device_submitted_at: Moment | None = Field(None, description="设备上点击提交的时间（带时区）")


class FindingOut(Schema):
    id: int = Field(description="问题编号")
    revision: int = Field(description="所属修订")
    item_key: str = Field(description="检查项")
    item_title: str = Field(description="检查项名称")
    kind: str = Field(description="检查项类型")
    category: str = Field(description="问题类别（决定整改期限）")
    points_lost: Decimal = Field(description="扣分")
    reason: str = Field(description="原因")
    responsible_hint: str = Field(description="建议责任单位")


class RevisionOut(Schema):
    revision: int = Field(description="修订次数")
    period: int = Field(description="该次提交的考核年度")
    percent: Decimal = Field(description="百分制得分")
    vetoed: bool = Field(description="一票否决")
    submitted_at: datetime = Field(description="服务器提交时间")
    device_submitted_at: datetime | None = Field(description="设备提交时间")
    decision: str = Field(description="审核结论：approved / rejected / 空（待审核）")
    decided_at: datetime | None = Field(description="审核时间")
    reason: str = Field(description="审核意见")
    item_comments: dict[str, str] = Field(description="逐项意见")
    answers: dict[str, Any] = Field(description="该次提交的答案")


class CorrectionOut(Schema):
    action: str = Field(description="amend 更正答案（新修订、重新计分）/ withdraw 撤销（不再计入任何结果）")
    reason: str = Field(description="更正理由")
    appeal_id: int | None = Field(description="据以更正的申诉")
    revision_before: int = Field(description="更正前的修订")
    revision_after: int = Field(description="更正后的修订（撤销时不变）")
    before: dict[str, Any] = Field(description="更正前：status、version、revision、percent、vetoed")
    after: dict[str, Any] = Field(description="更正后：status、version、revision、percent、vetoed")
    rectifications: dict[str, list[int]] = Field(
        description="涉及的整改：cancelled 撤销、created 新增、reopened 恢复（撤销的复核曾销号的）"
    )
    corrected_by: str = Field(description="更正人账号")
    corrected_at: datetime = Field(description="更正时间")

    @staticmethod
    def resolve_corrected_by(obj: Any) -> str:
        return obj.corrected_by.username


class InspectionOut(Schema):
    client_uuid: UUID = Field(description="客户端编号")
    template_key: str = Field(description="模板标识")
    template_version: int = Field(description="固定的模板版本")
    status: str = Field(description="draft / submitted / approved / rejected / withdrawn（区级撤销）")
    version: int = Field(description="版本号：修改时放在 If-Match")
    revision: int = Field(description="修订次数（退回后修改、区级更正答案均为新修订）")
    purpose: str = Field(description="检查类型")
    period: int = Field(description="考核年度（计入该年度的考核结果，与提交时间无关）")
    subject_kind: str = Field(description="检查对象类型")
    subject_id: int = Field(description="检查对象编号")
    subject_name: str = Field(description="检查对象")
    subject_town_id: int | None = Field(description="对象所在区镇")
    inspector: str = Field(description="检查员账号")
    assignment_id: int | None = Field(description="检查任务")
    answers: dict[str, Any] = Field(description="答案")
    device_started_at: datetime | None = Field(description="设备开始时间")
    device_submitted_at: datetime | None = Field(description="设备提交时间")
    received_at: datetime = Field(description="服务器首次接收时间")
    submitted_at: datetime | None = Field(description="服务器提交时间")
    device_location: list[float] | None = Field(description="设备位置 [经度, 纬度]（WGS-84）")
    device_location_datum: str = Field(description="设备上报的原始坐标系")
    device_accuracy_m: float | None = Field(description="定位精度（米）")
    percent: Decimal | None = Field(description="百分制得分（提交后）")
    vetoed: bool = Field(description="一票否决")
    score: dict[str, Any] | None = Field(description="计分明细：分节、检查项、扣分原因")
    review_reason: str = Field(description="审核意见")
    item_comments: dict[str, str] = Field(description="逐项审核意见（退回时供检查员修改）")
    photos: list[PhotoOut] = Field(description="照片")
    findings: list[FindingOut] = Field(description="问题（当前修订）")
    revisions: list[RevisionOut] = Field(description="历次提交（含区级更正形成的修订）")
    corrections: list[CorrectionOut] = Field(description="区级更正记录（更正答案、撤销），按时间")

    @staticmethod
    def resolve_template_key(obj: Any) -> str:
        return obj.template.key

    @staticmethod
    def resolve_template_version(obj: Any) -> int:
        return obj.template.version

    @staticmethod
    def resolve_inspector(obj: Any) -> str:
        return obj.inspector.username

    @staticmethod
    def resolve_device_location(obj: Any) -> list[float] | None:
        return [obj.device_location.x, obj.device_location.y] if obj.device_location else None

    @staticmethod
    def resolve_photos(obj: Any) -> list[Any]:
        return list(obj.photos.all())

    @staticmethod
    def resolve_findings(obj: Any) -> list[Any]:
        return [f for f in obj.findings.all() if f.revision == obj.revision]

    @staticmethod
    def resolve_revisions(obj: Any) -> list[Any]:
        return list(obj.revisions.all())

    @staticmethod
    def resolve_corrections(obj: Any) -> list[Any]:
        return list(obj.corrections.all())


class InspectionAck(Schema):
    """What a PUT or a submit answers: small on purpose (the phone already holds the answers)."""

    client_uuid: UUID = Field(description="客户端编号")
    template_key: str = Field(description="模板标识")
    template_version: int = Field(description="固定的模板版本")
    status: str = Field(description="draft / submitted / approved / rejected")
    version: int = Field(description="版本号：下次修改放在 If-Match")
    revision: int = Field(description="修订次数")
    period: int = Field(description="考核年度（服务器确定的，含按默认规则取得的）")
    percent: Decimal | None = Field(description="百分制得分（提交后）")
    vetoed: bool = Field(description="一票否决")
    findings: list[FindingOut] = Field(description="本次提交生成的问题（草稿为空）")
    updated_at: datetime = Field(description="最后修改时间")


class InspectionSummary(Schema):
    client_uuid: UUID = Field(description="客户端编号")
    template_key: str = Field(description="模板标识")
    status: str = Field(description="状态")
    version: int = Field(description="版本号")
    revision: int = Field(description="修订次数")
    purpose: str = Field(description="检查类型")
    period: int = Field(description="考核年度")
    subject_kind: str = Field(description="检查对象类型")
    subject_name: str = Field(description="检查对象")
    subject_town_id: int | None = Field(description="对象所在区镇")
    inspector: str = Field(description="检查员账号")
    percent: Decimal | None = Field(description="百分制得分")
    vetoed: bool = Field(description="一票否决")
    photo_flags: int = Field(description="照片核验标记总数（审核时重点查看）")
    submitted_at: datetime | None = Field(description="服务器提交时间")
    updated_at: datetime = Field(description="最后修改时间")

    @staticmethod
    def resolve_template_key(obj: Any) -> str:
        return obj.template.key

    @staticmethod
    def resolve_inspector(obj: Any) -> str:
        return obj.inspector.username
