from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from kernel.kit import Id, StrictSchema


class ScoreboardRowOut(Schema):
    unit_id: int | None = Field(None, description="单位编号（区镇为区划编号；部门、企事业单位为单位编号）")
    unit_kind: str = Field("town", description="town 区镇 / department 部门 / enterprise 企事业单位")
    region_id: int = Field(description="所属区划（区镇即本身；企事业单位为所在区镇；部门为区）")
    unit_name: str = Field(description="单位名称")
    components: dict[str, Decimal] = Field(description="各组成部分百分制得分（safety 安全生产，fire 消防）")
    total: Decimal = Field(description="总分（四舍五入保留两位）")
    grade: str = Field(description="等次：优秀 / 良好 / 合格 / 不合格")
    rank: int = Field(description="排名（同分并列）")
    reverse_rank: int = Field(description="逆序排名（最差为 1）")
    award: str = Field(description="奖项：先进区镇 / 优胜区镇 / 空")
    single_awards: list[str] = Field(
        [], description="单项奖（宣传教育培训、行政执法、专项整治、隐患排查先进单位）"
    )
    single_scores: dict[str, Decimal | None] = Field(
        {}, description="单项奖评比依据的得分率（单项奖标识 → 百分制；未考核为 null）"
    )
    vetoed: bool = Field(description="一票否决")
    veto_reasons: list[str] = Field(description="否决原因")
    eligible: bool = Field(
        description="可参评全部奖项（未因未完成年度任务、不合格或一票否决被方案的评奖资格规则排除）"
    )
    excluded_awards: list[str] = Field(
        [],
        description="按方案 eligibility 规则不得获得的奖项标识（综合奖在前，单项奖在后；原因见 notes）",
    )
    notes: list[str] = Field(description="备注")
    sources: dict[str, list[str]] = Field(description="依据的检查（组成部分 → 检查客户端编号）")


class ScorecardDeductionOut(Schema):
    item_key: str = Field(description="检查项标识")
    item_title: str = Field(description="检查项")
    points_lost: str = Field(description="扣分（十进制文本）")
    reason: str = Field(description="扣分原因")
    category: str = Field(description="问题类别")
    photos: list[str] = Field(description="证据照片地址（/api/v1/photos/{sha256}）")


class ScorecardInspectionOut(Schema):
    client_uuid: str = Field(description="检查的客户端编号")
    purpose: str = Field(description="annual 年度考核 / routine 日常检查")
    period: int | None = Field(description="考核年度")
    percent: str = Field(description="百分制得分（十进制文本）")
    vetoed: bool = Field(description="一票否决")
    submitted_at: datetime | None = Field(description="提交时间")
    sections: list[dict[str, Any]] = Field(description="分节得分与各检查项得分（检查的计分文档原文）")
    deductions: list[ScorecardDeductionOut] = Field(description="扣分项、原因与照片")


class ScorecardComponentOut(Schema):
    key: str = Field(description="组成部分标识（safety 安全生产，fire 消防）")
    title: str = Field(description="组成部分名称")
    weight: float | int | str = Field(description="权重（方案原文）")
    score: str | None = Field(description="该组成部分的百分制得分（十进制文本；未考核为 null）")
    inspections: list[ScorecardInspectionOut] = Field(description="计入的检查（年度考核与日常检查）")


class ScorecardOut(Schema):
    scheme_key: str = Field(description="考核方案")
    status: str = Field(description="所读结果的状态：draft / notice / withdrawn / final")
    content_hash: str = Field(description="内容摘要（SHA-256，方案与结果）")
    region_id: int = Field(description="所属区划（区镇即本身；企事业单位为所在区镇；部门为区）")
    unit_name: str = Field(description="单位名称")
    total: str = Field(description="总分（十进制文本，四舍五入保留两位）")
    grade: str = Field(description="等次：优秀 / 良好 / 合格 / 不合格")
    rank: int = Field(description="排名（同分并列）")
    reverse_rank: int = Field(description="逆序排名（最差为 1）")
    award: str = Field(description="奖项：先进区镇 / 优胜区镇 / 空")
    vetoed: bool = Field(description="一票否决")
    veto_reasons: list[str] = Field(description="否决原因")
    notes: list[str] = Field(description="备注")
    components: list[ScorecardComponentOut] = Field(
        description="各组成部分：得分 → 检查 → 分节 → 扣分项与照片"
    )


class ScoreboardOut(Schema):
    id: int = Field(description="编号")
    scheme_key: str = Field(description="考核方案")
    year: int = Field(description="年度")
    title: str = Field(description="标题")
    status: str = Field(
        description="draft 草稿 / notice 公示中 / withdrawn 已撤回 / final 正式发布（不可更改）"
    )
    computed_at: datetime = Field(description="计算时间")
    content_hash: str = Field(description="内容摘要（SHA-256，方案与结果）")
    published_at: datetime | None = Field(description="发布时间")
    noticed_at: datetime | None = Field(description="公示时间")
    notice_until: datetime | None = Field(description="申诉截止时间")
    undecided: dict[str, Any] = Field(description="奖项分界处无法按规则区分的并列单位，待区安委办决定")
    rows: list[ScoreboardRowOut] = Field(description="结果（reverse=true 时按逆序排列）")


class ScoreboardEntryOut(Schema):
    scheme_key: str = Field(description="考核方案标识（GET /scoreboards/{scheme_key} 读取结果）")
    title: str = Field(description="标题")
    year: int | None = Field(description="考核年度")
    unit_kind: str = Field(description="考核对象：town 区镇 / department 部门 / enterprise 企事业单位")
    status: str | None = Field(
        description="默认读取的结果的状态：draft 草稿 / notice 公示中 / final 正式发布；"
        "null 表示尚未计算（仅区级可见）"
    )
    updated_at: datetime | None = Field(description="该结果的计算时间")
    noticed_at: datetime | None = Field(description="公示时间")
    notice_until: datetime | None = Field(description="申诉截止时间")
    published_at: datetime | None = Field(description="发布时间")
    content_hash: str = Field(description="内容摘要（SHA-256）")
    public_status: str | None = Field(description="最新公开结果的状态（notice / final），无则为 null")
    has_draft: bool = Field(description="有未公示的草稿（仅区级）")
    pending_appeals: int = Field(description="待处理的申诉数（仅区级）")
    error: str = Field(description="方案文件有误时的说明（仅区级；此时无法计算）")
    owners: list[str] = Field(
        description="负责该方案的角色（方案文件 owners；公示、处理申诉、发布、记录年度任务、决定并列、"
        "更正计入的检查）：安全生产 / 消防为 district_office"
    )
    may_act: bool = Field(description="当前用户能否对该方案操作（其他区级角色只能查看）")


class ScoreboardContentOut(Schema):
    content_hash: str = Field(description="内容摘要")
    rows: list[dict[str, Any]] = Field(description="结果原文（按排名，与计算摘要时完全一致）")
    scheme: dict[str, Any] = Field(description="考核方案原文")


class AppealIn(StrictSchema):
    region_id: Id = Field(description="申诉的区镇（本单位，或本区镇考核的企事业单位所在区镇）")
    unit_id: Id | None = Field(None, description="企事业单位考核时：申诉的单位编号（区镇考核时省略）")
    reason: str = Field(min_length=1, max_length=4000, description="申诉理由")
    evidence: list[str] = Field(
        default_factory=list, max_length=20, description="证据照片的 SHA-256（已上传的照片）"
    )


class AppealDecisionIn(StrictSchema):
    upheld: bool = Field(description="申诉是否成立")
    decision: str = Field(min_length=1, max_length=4000, description="书面处理意见")
    rescore: bool = Field(False, description="成立且需重新计分（更正检查后重新公示）")


class AppealOut(Schema):
    id: int = Field(description="申诉编号")
    region_id: int = Field(description="区镇")
    unit_name: str = Field(description="单位")
    reason: str = Field(description="申诉理由")
    evidence: list[str] = Field(description="证据照片")
    status: str = Field(description="pending / upheld / rejected")
    rescore: bool = Field(description="需重新计分")
    decision: str = Field(description="处理意见")
    filed_at: datetime = Field(description="提出时间")
    decided_at: datetime | None = Field(description="处理时间")
    unit_id: int | None = Field(None, description="申诉的单位（区镇为区划编号；企事业单位、部门为单位编号）")
    corrections: list[dict[str, Any]] = Field(
        [], description="据此所作的检查更正：inspection、action（amend / withdraw）、reason、by、at"
    )
    corrected_at: datetime | None = Field(
        None, description="最近一次更正时间（需重新计分的申诉须有更正，方可重新公示、发布）"
    )
