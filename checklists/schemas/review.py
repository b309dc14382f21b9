"""What a reviewer or the district sends about a submitted inspection: review, withdrawal, amendment."""

from typing import Literal

from ninja import Field

from kernel.kit import Id, StrictSchema

from .inspections import AnswerIn


class ReviewIn(StrictSchema):
    decision: Literal["approve", "reject"] = Field(description="approve 通过 / reject 退回")
    reason: str = Field("", max_length=2000, description="审核意见（退回时必填）")
    item_comments: dict[str, str] = Field(default_factory=dict, description="检查项标识 → 逐项意见")


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
