from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class ScoreboardRowOut(Schema):
    region_id: int = Field(description="区镇编号")
    unit_name: str = Field(description="区镇")
    components: dict[str, Decimal] = Field(description="各组成部分百分制得分（safety 安全生产，fire 消防）")
    total: Decimal = Field(description="总分（四舍五入保留两位）")
    grade: str = Field(description="等次：优秀 / 良好 / 合格 / 不合格")
    rank: int = Field(description="排名（同分并列）")
    reverse_rank: int = Field(description="逆序排名（最差为 1）")
    award: str = Field(description="奖项：先进区镇 / 优胜区镇 / 空")
    vetoed: bool = Field(description="一票否决")
    veto_reasons: list[str] = Field(description="否决原因")
    eligible: bool = Field(description="可评先进（未否决且完成年度任务）")
    notes: list[str] = Field(description="备注")
    sources: dict[str, list[str]] = Field(description="依据的检查（组成部分 → 检查客户端编号）")


class ScoreboardOut(Schema):
    id: int = Field(description="编号")
    scheme_key: str = Field(description="考核方案")
    year: int = Field(description="年度")
    title: str = Field(description="标题")
    status: str = Field(description="draft 草稿 / final 正式发布（不可更改）")
    computed_at: datetime = Field(description="计算时间")
    content_hash: str = Field(description="内容摘要（SHA-256，方案与结果）")
    published_at: datetime | None = Field(description="发布时间")
    undecided: dict[str, Any] = Field(description="奖项分界处无法按规则区分的并列单位，待区安委办决定")
    rows: list[ScoreboardRowOut] = Field(description="结果（reverse=true 时按逆序排列）")
