"""What the ranking routes answer."""

from __future__ import annotations

from ninja import Field, Schema

from ..water.schemas import PeriodOut, TownRefOut


class IndicatorOut(Schema):
    key: str = Field(description="指标键：air.aqi 空气质量 AQI / dust.fall 降尘量 / water.cwqi 省考断面 CWQI")
    title: str = Field(description="指标名称")
    unit: str = Field(description="单位")
    better: str = Field(description="lower 越小越好 / higher 越大越好")
    weight: float = Field(description="权重（综合得分按计入的权重加权平均）")
    counted: bool = Field(description="是否计入；false 表示该指标暂无数据来源，对所有区镇都不计")


class PersistentRuleOut(Schema):
    bottom: int = Field(description="逆序前几名算“靠后”（名次 ≤ bottom）")
    in_a_row: int = Field(description="连续几旬靠后列为约谈候选")


class DekadRowOut(Schema):
    rank: int | None = Field(description="逆序名次（1 为最差；各项指标都无数据的区镇为 null，排在最后）")
    town: TownRefOut = Field(description="区镇")
    score: float | None = Field(description="综合得分（0–100，越高越好）")
    values: dict[str, float | None] = Field(description="方案每项指标本旬的值（无数据或暂无数据来源为 null）")
    points: dict[str, float | None] = Field(description="方案每项指标的得分（0–100；不计入的为 null）")
    at_bottom: bool = Field(description="本旬处于逆序前 bottom 名")


class DekadRankingOut(Schema):
    scheme: str = Field(description="排名方案键")
    title: str = Field(description="排名方案名称")
    period: PeriodOut = Field(description="旬")
    indicators: list[IndicatorOut] = Field(description="方案的指标")
    persistent: PersistentRuleOut = Field(description="持续靠后的认定")
    ranking: list[DekadRowOut] = Field(description="排名（最差在前）")


class StreakOut(Schema):
    town: TownRefOut = Field(description="区镇")
    length: int = Field(description="连续靠后的旬数")
    first: str = Field(description="第一旬（如 2022-09-D1）")
    last: str = Field(description="最后一旬")
    ongoing: bool = Field(description="持续到所查询的最后一旬（仍在靠后）")


class DekadHistoryOut(Schema):
    scheme: str = Field(description="排名方案键")
    title: str = Field(description="排名方案名称")
    indicators: list[IndicatorOut] = Field(description="方案的指标")
    persistent: PersistentRuleOut = Field(description="持续靠后的认定")
    dekads: list[DekadRankingOut] = Field(description="各旬排名（时间顺序）")
    persistent_bottom: list[StreakOut] = Field(
        description="持续靠后（连续 in_a_row 旬以上处于逆序前 bottom 名）的区镇：约谈候选，仍在靠后的在前"
    )
