from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from geo.coords import Datum
from kernel.kit import Day, Id, Int64, Moment, StrictSchema
from media.checks import flags_for_viewer


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
    kind: Literal["town", "department", "enterprise", "village", "sewage_facility", "river_section"] = Field(
        description="检查对象类型"
    )
    id: Id = Field(description="检查对象编号")


class AssignmentOut(Schema):
    id: int = Field(description="任务编号")
    template_key: str = Field(description="模板标识（使用该模板最新发布版本）")
    purpose: str = Field(description="检查类型：routine / annual / spot_check / audit / self")
    subject_kind: str = Field(description="检查对象类型")
    subject_id: int = Field(description="检查对象编号")
    subject_name: str = Field(description="检查对象名称")
    subject_town_id: int | None = Field(description="对象所在区镇")
    due_date: date | None = Field(description="截止日期")
    period: int | None = Field(
        description="考核年度：规定时，为该任务所做的检查即属该年度（PUT 中不同的 period 被拒绝）；"
        "空则由手机填写"
    )
    status: str = Field(description="open / done / cancelled")
    note: str = Field(description="说明")
    updated_at: datetime = Field(description="最后变化时间")


class Catalogue(Schema):
    templates: list[TemplateOut] = Field(description="模板（不带 since 时为全部已发布版本）")
    assignments: list[AssignmentOut] = Field(description="本人的检查任务（不带 since 时为未完成任务）")
    server_time: datetime = Field(description="服务器时间：下次同步把它作为 since")


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


class ReviewIn(StrictSchema):
    decision: Literal["approve", "reject"] = Field(description="approve 通过 / reject 退回")
    reason: str = Field("", max_length=2000, description="审核意见（退回时必填）")
    item_comments: dict[str, str] = Field(default_factory=dict, description="检查项标识 → 逐项意见")


class PhotoFlagOut(Schema):
    code: str = Field(
        description="no_gps、no_exif_gps、mock_location、exif_phone_mismatch、far_from_subject、time_far、"
        "reused_other_item（本次检查其他检查项或同一检查项另一照片编号已用过）、"
        "reused_same_subject（该对象另一次检查或整改已用过）、duplicate_photo（其他检查对象已用过）"
    )
    message: str = Field(description="给审核人看的说明（中文）")
    value: float | None = Field(
        None, description="距离（米）、时间差（小时）或汉明距离（照片复用；同一文件为 0）"
    )
    details: dict[str, Any] | None = Field(
        None,
        description="照片复用：identical（同一文件）、distance（汉明距离）、sha256、uploaded_at，"
        "以及 kind、inspection（检查的 client_uuid）或 rectification_id、photo_uuid、item_key；"
        "其他检查对象只给 subject_kind、subject_id、subject_name，且仅对管辖范围包含该对象的用户；"
        "其他用户只见 identical、distance、uploaded_at、subject_kind 与 outside_scope=true。"
        "time_far：reference（inspection 检查的手机时间 / captured_at 手机记录的拍摄时间 / "
        "uploaded_at 上传时间）、taken_at、from、to",
    )


class WithdrawIn(StrictSchema):
    reason: str = Field(max_length=2000, description="撤销理由（必填，书面记录）")
    appeal_id: Id | None = Field(
        None, description="据以撤销的申诉（须已成立，且针对本检查所计入的考核方案与单位）；申诉将记录本次更正"
    )


class AmendIn(StrictSchema):
    answers: dict[str, AnswerIn] = Field(
        min_length=1, description="更正的检查项 → 更正后的答案（只列出更正的项，其余答案不变）"
    )
    reason: str = Field(max_length=2000, description="更正理由（必填，书面记录）")
    appeal_id: Id | None = Field(
        None, description="据以更正的申诉（须已成立，且针对本检查所计入的考核方案与单位）；申诉将记录本次更正"
    )


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


class PhotoOut(Schema):
    client_uuid: UUID = Field(description="客户端照片编号")
    item_key: str = Field("", description="所属检查项（空为整体照片；整改照片为空）")
    sha256: str = Field(description="内容摘要")
    width: int = Field(description="宽（像素）")
    height: int = Field(description="高（像素）")
    url: str = Field(description="原图地址（需登录；S3 时跳转到签名地址）")
    thumb_url: str = Field(description="手机尺寸缩略图地址（生成前返回原图）")
    exif_taken_at: datetime | None = Field(description="EXIF 拍摄时间")
    exif_gps_status: str = Field(description="EXIF 定位：ok / missing / invalid")
    exif_location: list[float] | None = Field(description="EXIF 位置 [经度, 纬度]（WGS-84）")
    camera: str = Field(description="相机厂商与型号")
    device_location: list[float] | None = Field(description="手机定位 [经度, 纬度]（已换算为 WGS-84）")
    device_accuracy_m: float | None = Field(description="手机定位精度（米）")
    flags: list[PhotoFlagOut] = Field(
        description="核验标记（只提示、不拒收）：上传应答里是当时已知的；近似照片的复用标记在缩略图任务之后出现"
    )
    uploaded_at: datetime = Field(description="上传时间")

    @staticmethod
    def resolve_sha256(obj: Any) -> str:
        return obj.photo.sha256

    @staticmethod
    def resolve_width(obj: Any) -> int:
        return obj.photo.width

    @staticmethod
    def resolve_height(obj: Any) -> int:
        return obj.photo.height

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return f"/api/v1/photos/{obj.photo.sha256}"

    @staticmethod
    def resolve_thumb_url(obj: Any) -> str:
        return f"/api/v1/photos/{obj.photo.sha256}?variant=phone"

    @staticmethod
    def resolve_exif_taken_at(obj: Any) -> datetime | None:
        return obj.photo.exif_taken_at

    @staticmethod
    def resolve_exif_gps_status(obj: Any) -> str:
        return obj.photo.exif_gps_status

    @staticmethod
    def resolve_exif_location(obj: Any) -> list[float] | None:
        loc = obj.photo.exif_location
        return [loc.x, loc.y] if loc else None

    @staticmethod
    def resolve_camera(obj: Any) -> str:
        return f"{obj.photo.exif_make} {obj.photo.exif_model}".strip()

    @staticmethod
    def resolve_device_location(obj: Any) -> list[float] | None:
        return [obj.device_location.x, obj.device_location.y] if obj.device_location else None

    @staticmethod
    def resolve_flags(obj: Any) -> list[dict[str, Any]]:
        # As the viewer may read them (set by the selectors and services that answer with photos); a
        # path that did not say who reads them names no other subject at all.
        viewer_flags = getattr(obj, "viewer_flags", None)
        return viewer_flags if viewer_flags is not None else flags_for_viewer(obj.flags, ())


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
