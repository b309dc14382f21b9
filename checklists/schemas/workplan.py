"""The 稳Ⅲ提Ⅲ 工作方案 of ``GET /water/sections/{id}/work-plan`` and its versions (65号 item 15)."""

from datetime import date, datetime

from ninja import Field, Schema

from kernel.kit import StrictSchema
from scoring.water.schemas import EvaluationOut


class PlanSectionOut(Schema):
    id: int = Field(description="断面编号")
    code: str = Field(description="断面编码")
    name: str = Field(description="断面名称")
    river: str = Field(description="所在河流（断面登记）")
    level: str = Field(description="考核级别代码")
    level_label: str = Field(description="考核级别（国考 / 省考 / 市考 / 区考）")
    target_class: int = Field(description="水质目标类别（1–5）")
    target_label: str = Field(description="水质目标类别（Ⅰ … Ⅴ）")
    responsible_towns: list[str] = Field(description="责任区镇")


class MonthQualityOut(Schema):
    month: str = Field(description="月份（YYYY-MM）")
    evaluation: EvaluationOut | None = Field(description="该月监测均值的 GB 3838 评价（无数据为 null）")


class IndicatorExceedanceOut(Schema):
    key: str = Field(description="指标键")
    name: str = Field(description="指标名称")
    months_over: int = Field(description="超过Ⅲ类限值的月数")
    max_multiple: float = Field(description="最大超标倍数（相对Ⅲ类）")
    max_month: str = Field(description="最大超标倍数所在月份")
    deciding_months: int = Field(description="作为定类因子的月数")


class AnalysisOut(Schema):
    months_evaluated: list[str] = Field(description="有评价结果的月份")
    months_missing: list[str] = Field(description="无监测数据的月份")
    months_meeting: list[str] = Field(description="达到目标类别的月份")
    months_missing_target: list[str] = Field(description="未达目标类别的月份")
    worst_class: int | None = Field(description="最差类别（1–6）")
    worst_class_label: str | None = Field(description="最差类别（Ⅰ … 劣Ⅴ）")
    latest_class: int | None = Field(description="最近一个有数据月份的类别")
    latest_class_label: str | None = Field(description="最近一个有数据月份的类别（Ⅰ … 劣Ⅴ）")
    latest_month: str | None = Field(description="最近一个有数据的月份")
    indicators: list[IndicatorExceedanceOut] = Field(description="超过Ⅲ类限值的指标，主要污染指标在前")
    main_pollutants: list[str] = Field(description="主要污染指标（超标月数最多，其次最大超标倍数，至多三项）")
    summary: str = Field(description="分析摘要（系统按数据生成）")


class PlanQualityOut(Schema):
    first_month: str = Field(description="分析起始月份（YYYY-MM）")
    last_month: str = Field(description="分析截止月份（当年为本月，往年为 12 月）")
    months: list[MonthQualityOut] = Field(description="近 12 个月逐月评价")
    analysis: AnalysisOut = Field(description="超标分析（GB 3838 单因子）")
    steady_iii: bool | None = Field(description="当年属稳Ⅲ（有月份未达目标）")
    raise_iii: bool | None = Field(description="当年属提Ⅲ")
    raise_reasons: list[str] = Field(description="提Ⅲ原因")


class PlanTributaryOut(Schema):
    river_id: str = Field(description="河流编码")
    name: str = Field(description="支流名称")
    level: int | None = Field(description="河流级别（1 为一级支流）")
    level_overridden: bool = Field(description="级别为人工设定")
    distance_m: float = Field(description="河口沿水流到断面的距离（米）")
    water_class: int | None = Field(description="最近水质类别（1–6；该支流上无断面监测为空）")
    water_class_label: str | None = Field(description="最近水质类别（Ⅰ … 劣Ⅴ）")
    water_class_month: str | None = Field(description="水质类别所属月份（YYYY-MM）")
    water_class_section: str | None = Field(description="给出水质类别的断面")


class PlanProblemOut(Schema):
    id: int = Field(description="整改编号")
    site_kind: str = Field(description="问题所在对象类型（sewage_facility 等）")
    site_id: int = Field(description="问题所在对象编号")
    site_name: str = Field(description="具体点位（对象名称）")
    lon: float | None = Field(description="点位经度（WGS-84）")
    lat: float | None = Field(description="点位纬度（WGS-84）")
    distance_m: float = Field(description="点位沿水流到断面的距离（米）")
    item_title: str = Field(description="问题（检查项）")
    reason: str = Field(description="问题描述")
    measure: str = Field(description="整改措施（责任单位在开始整改、提交整改时的说明；未填写为空）")
    category: str = Field(description="问题类别")
    deadline: date | None = Field(description="整改期限")
    responsible_unit: str = Field(description="责任部门（单位）")
    responsible_person: str | None = Field(description="责任人（整改记录尚无责任人字段，暂为 null）")
    status: str = Field(description="整改状态代码")
    status_label: str = Field(description="整改状态")
    is_open: bool = Field(description="未销号")
    overdue: bool = Field(description="已逾期")
    overdue_since: date | None = Field(description="逾期日期")
    closed_at: datetime | None = Field(description="销号时间（未销号为空）")


class SectionWorkPlanOut(Schema):
    section: PlanSectionOut = Field(description="断面")
    year: int = Field(description="方案年度")
    km: float = Field(description="上游追溯范围（公里，沿水流）")
    version: int = Field(description="分析文字的当前版本（0 为尚未保存；PUT 时作为 If-Match）")
    analysis_text: str = Field(description="水质及超标原因分析（可编辑文字）")
    document_number: str = Field(description="文号")
    saved_by: str | None = Field(description="最后保存人（用户名）")
    saved_at: datetime | None = Field(description="最后保存时间")
    quality: PlanQualityOut = Field(description="一、断面水质及超标原因分析（数据部分）")
    network_id: int | None = Field(description="所用河网版本（无法追溯时为空）")
    network_synthetic: bool | None = Field(description="河网为演示用合成数据")
    upstream_unavailable: str | None = Field(
        description="无法沿河网追溯的原因代码：no_river_network / section_not_on_network（二、三部分为空）"
    )
    upstream_message: str | None = Field(description="无法追溯的说明")
    tributaries: list[PlanTributaryOut] = Field(description="二、断面上游 10 公里范围内一级支流清单及水质")
    problems: list[PlanProblemOut] = Field(
        description="三、溯源排查出的问题清单：未销号的在前，其后为本年度已销号的；按距离、期限"
    )
    problems_open: int = Field(description="未销号问题数")
    problems_closed: int = Field(description="本年度已销号问题数")
    generated_at: datetime = Field(description="生成时间")


class WorkPlanIn(StrictSchema):
    analysis: str = Field(max_length=20_000, description="水质及超标原因分析（全文，保存为新版本）")
    document_number: str = Field("", max_length=64, description="文号，如 海环办〔2022〕12号（可空）")


class WorkPlanVersionOut(Schema):
    year: int = Field(description="方案年度", alias="plan.year")
    version: int = Field(description="版本号")
    analysis: str = Field(description="该版本的分析文字")
    document_number: str = Field(description="该版本的文号")
    saved_by: str = Field(description="保存人（用户名）", alias="saved_by.username")
    saved_at: datetime = Field(description="保存时间")

    model_config = {"populate_by_name": True}
