"""The town overview of ``GET /towns/overview`` (issue 19)."""

from datetime import date

from ninja import Field, Schema


class OverviewBoardOut(Schema):
    scheme_key: str = Field(description="考核方案标识（GET /scoreboards/{scheme_key} 读取全表）")
    title: str = Field(description="考核结果标题")
    status: str = Field(
        description="所取结果的状态：final 正式发布 / notice 公示中 / draft 草稿（仅区级可见）"
    )
    status_label: str = Field(description="状态（中文）")
    final: bool = Field(description="是否为正式发布的结果（false：公示中或草稿，尚非最终结果）")


class OverviewTownOut(Schema):
    id: int = Field(description="区镇（区划）编号")
    name: str = Field(description="区镇名称")
    code: str | None = Field(description="行政区划代码（未登记为 null）")


class OverviewAssessmentOut(Schema):
    total: str = Field(description="考核总分（两位小数，文本）")
    grade: str = Field(description="等次：优秀 / 良好 / 合格 / 不合格")
    rank: int = Field(description="排名（同分并列）")
    vetoed: bool = Field(description="一票否决")
    award: str = Field(description="奖项（无则为空）")


class OverviewWaterOut(Schema):
    sections: int = Field(description="所负责的断面数（在用断面，不含支流监测点）")
    evaluated: int = Field(description="其中年初至今有监测数据的断面数")
    meeting_target: int = Field(description="其中年初至今均值达到水质目标的断面数")


class OverviewRateOut(Schema):
    numerator: int = Field(description="分子")
    denominator: int = Field(description="分母")
    percent: float | None = Field(description="百分比（分母为 0 时为 null）")
    target: float = Field(description="目标（%）")
    met: bool | None = Field(description="是否达到目标（分母为 0 时为 null）")


class OverviewSewageOut(Schema):
    treatment: OverviewRateOut = Field(description="农村生活污水治理率（双60）")
    operation: OverviewRateOut = Field(description="设施正常运行率")


class TownOverviewRowOut(Schema):
    town: OverviewTownOut = Field(description="区镇")
    assessment: OverviewAssessmentOut | None = Field(
        description="该年度区镇考核结果中本镇的一行（见 board；无可查看的结果为 null）"
    )
    water: OverviewWaterOut = Field(description="所负责断面年初至今达标情况（截至 on）")
    sewage: OverviewSewageOut | None = Field(description="截至 on 的污水治理率与正常运行率（对照目标）")
    overdue_rectifications: int | None = Field(
        description="当前已逾期、未销号的整改数（无权查看本镇整改时为 null）"
    )
    dekad_rank: int | None = Field(
        description="最近一个完整旬（见 dekad）的逆序排名（第 1 名最差；无数据未排名时为 null）"
    )


class TownOverviewOut(Schema):
    year: int = Field(description="年度")
    on: date = Field(description="数据截至日期（本年为今天，往年为 12 月 31 日）")
    board: OverviewBoardOut | None = Field(description="考核列所依据的考核结果（无可查看的结果为 null）")
    dekad: str | None = Field(
        description="dekad_rank 所属的旬（截至 on 的最近一个完整旬，如“2026年11月下旬”）"
    )
    rows: list[TownOverviewRowOut] = Field(description="每个区镇一行（按区划顺序）")
