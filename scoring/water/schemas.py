"""What the water routes answer: one evaluation, and the per-period, per-year, per-town and dekad views
built from them. Field order is the order clients have always received."""

from datetime import date

from ninja import Field, Schema


class EvaluationOut(Schema):
    class_: int | None = Field(alias="class", description="水质类别 1–6（6 为劣Ⅴ）")
    class_label: str | None = Field(description="Ⅰ … Ⅴ、劣Ⅴ")
    grade: str | None = Field(description="优 / 良好 / 轻度污染 / 中度污染 / 重度污染")
    meets_target: bool | None = Field(description="是否达到目标类别")
    deciding: list[str] = Field(description="定类因子")
    exceedances: dict[str, float] = Field(description="超标倍数（相对Ⅲ类标准）")
    main_pollutants: list[str] = Field(description="主要污染指标（超标倍数最大的至多三项）")
    main_pollutants_text: str = Field(description="主要污染指标（超标倍数），如 氨氮(0.52)")
    cwqi: float | None = Field(description="水质指数 CWQI（越小越好）")
    missing: list[str] = Field(description="21 项评价指标中未提供的")
    classes: dict[str, int] = Field(description="各指标类别")
    values: dict[str, float] = Field(description="参与评价的数值（未检出已按规则折算、按精度修约）")

    model_config = {"populate_by_name": True}


class PeriodOut(Schema):
    kind: str = Field(description="dekad 旬 / month 月 / quarter 季 / year 年 / ytd 年初至今")
    key: str = Field(description="时段标识，如 2024-03-D2、2024-03、2024-Q1、2024、2024-YTD-03-15")
    label: str = Field(description="时段名称（中文）")
    start: date = Field(description="起始日期（含）")
    end: date = Field(description="截止日期（含）")


class WaterSectionOut(Schema):
    id: int = Field(description="断面编号")
    code: str = Field(description="断面编码")
    name: str = Field(description="断面名称")
    level: str = Field(description="级别：national 国考 / provincial 省考 / municipal 市考 / district 区考")
    water_body: str = Field(description="水体类型：river 河流 / lake 湖库")
    target_class: int = Field(description="水质目标类别（1–5）")
    target_label: str = Field(description="水质目标类别（Ⅰ … Ⅴ）")


class TownRefOut(Schema):
    id: int = Field(description="区镇编号")
    name: str = Field(description="区镇名称")


class SectionEvaluationOut(Schema):
    section: WaterSectionOut = Field(description="断面")
    samples_found: bool = Field(description="该时段内有监测数据")
    evaluation: EvaluationOut | None = Field(description="该时段的水质评价（无数据为 null）")


class EvaluationsOut(Schema):
    period: PeriodOut = Field(description="评价时段")
    censored_rule: str = Field(description="未检出数据的折算规则")
    cwqi_all_sections: float | None = Field(description="全部断面的 CWQI（仅查询全部断面且有数据时）")
    sections: list[SectionEvaluationOut] = Field(description="各断面的评价")


class SectionStatusOut(Schema):
    section: WaterSectionOut = Field(description="断面")
    responsible_towns: list[TownRefOut] = Field(description="责任区镇")
    months_evaluated: list[int] = Field(description="有评价的月份")
    months_meeting: list[int] = Field(description="达到目标类别的月份")
    months_missing: list[int] = Field(description="缺少数据的月份")
    steady_iii: bool = Field(description="稳Ⅲ：已评价月份全部达到Ⅲ类及以上")
    raise_iii: bool = Field(description="提Ⅲ：需提升的断面")
    raise_reasons: list[str] = Field(description="提Ⅲ原因（中文）")
    do_alert_months: list[int] = Field(description="溶解氧低于预警值的月份")
    cwqi: float | None = Field(description="年度 CWQI（各月均值计算）")
    trend: dict[str, str] = Field(description="与去年同月比较（月份 → better / same / worse）")
    monthly: dict[str, EvaluationOut] = Field(description="各月水质评价（月份 → 评价）")


class SectionStatusesOut(Schema):
    year: int = Field(description="年度")
    through_month: int = Field(description="统计截至月份")
    average_cwqi: float | None = Field(description="可见全部断面年度 CWQI 的平均值")
    do_alert_threshold: float = Field(description="溶解氧预警值（mg/L）")
    sections: list[SectionStatusOut] = Field(description="各断面年度状态")


class TownSectionOut(WaterSectionOut):
    class_label: str | None = Field(description="该时段水质类别（无数据为 null）")
    meets_target: bool | None = Field(description="是否达到目标类别（无数据为 null）")
    cwqi: float | None = Field(description="该时段 CWQI（无数据为 null）")


class TownIndicatorOut(Schema):
    town: TownRefOut = Field(description="区镇")
    sections: list[TownSectionOut] = Field(description="所负责的断面及其评价")
    cwqi: float | None = Field(description="区镇 CWQI（各指标先按断面平均）")
    sections_meeting_target: int = Field(description="达到目标类别的断面数")


class TownIndicatorsOut(Schema):
    period: PeriodOut = Field(description="评价时段")
    towns: list[TownIndicatorOut] = Field(description="各区镇（按名称排序）")


class DekadRankOut(Schema):
    rank: int | None = Field(description="逆序名次（最差为 1；该旬无数据的区镇排在最后，为 null）")
    town: TownRefOut = Field(description="区镇")
    cwqi: float | None = Field(description="该旬所负责断面的 CWQI（无数据为 null）")
    sections: list[str] = Field(description="参与排名的断面名称")


class DekadRankingOut(Schema):
    period: PeriodOut = Field(description="旬")
    level: str = Field(description="参与排名的断面级别")
    ranking: list[DekadRankOut] = Field(description="排名（最差在前）")
