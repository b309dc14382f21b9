"""Schemas of the air API."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from kernel.jobs import JobOut
from scoring.engine.air import dust_rate

_STAT = "SO₂、NO₂、PM₁₀、PM₂.₅ 为 24 小时平均（μg/m³），CO 为 24 小时平均（mg/m³）"


class AirImportOut(JobOut):
    id: UUID = Field(alias="uuid", description="导入编号（轮询用）")
    kind: str = Field(description="air_hourly 小时数据 / air_daily 日数据 / dust 降尘")
    filename: str = Field(description="文件名")
    size: int = Field(description="大小（字节）")
    dry_run: bool = Field(description="试运行（只报告，不写入）")
    on_duplicate: str = Field(description="与已有数据重复时：reject / replace")
    valid_rows_only: bool = Field(description="仅导入无错误的行")
    status: str = Field(description="queued / running / done / rejected（有错误，未导入）/ failed")
    progress: int = Field(description="进度 0–100")
    report: dict[str, Any] = Field(
        description="结果：行数、逐行错误（行号、列、单元格、代码、说明）、导入与替换条数"
    )
    created_at: datetime = Field(description="上传时间")
    finished_at: datetime | None = Field(description="完成时间")

    model_config = {"populate_by_name": True}


class AirMeansOut(Schema):
    so2: float | None = Field(None, description="SO₂ 均值（μg/m³）")
    no2: float | None = Field(None, description="NO₂ 均值（μg/m³）")
    pm10: float | None = Field(None, description="PM₁₀ 均值（μg/m³）")
    pm25: float | None = Field(None, description="PM₂.₅ 均值（μg/m³）")
    co: float | None = Field(None, description="CO 均值（mg/m³）")
    o3_1h: float | None = Field(None, description="O₃ 日最大 1 小时平均的均值（μg/m³）")
    o3_8h: float | None = Field(None, description="O₃ 日最大 8 小时滑动平均的均值（μg/m³）")


class TownAirOut(Schema):
    town_id: int = Field(description="区镇编号")
    town_name: str = Field(description="区镇名称")
    stations: int = Field(description="在用空气质量监测站点数")
    aqi: float | None = Field(
        description="AQI 均值：各站点本期日 AQI 的均值，再对站点求均值（0.1）；无有效数据为 null"
    )
    means: AirMeansOut = Field(description="各污染物本期均值（同上，先站点后区镇）")
    days: int = Field(description="有 AQI 的站点日数")
    good_days: int = Field(description="其中优良（AQI ≤ 100）的站点日数")
    good_rate: float | None = Field(description="优良天数比例（%，0.1）")
    dust_fall: float | None = Field(
        description="降尘量均值，t/(km²·30d)（各降尘缸按与本期重叠天数加权，再对点位求均值）"
    )


class TownsAirOut(Schema):
    period: str = Field(description="期别键，如 2024-03-D2（旬）、2024-03（月）")
    period_label: str = Field(description="期别名称，如 2024年3月中旬")
    start: date = Field(description="起始日（含）")
    end: date = Field(description="截止日（含）")
    towns: list[TownAirOut] = Field(description="管辖范围内每个区镇一行")


class AirDayOut(Schema):
    day: date = Field(description="日期")
    so2: float | None = Field(description=f"{_STAT}；下同")
    no2: float | None = Field(description="NO₂")
    pm10: float | None = Field(description="PM₁₀")
    pm25: float | None = Field(description="PM₂.₅")
    co: float | None = Field(description="CO（mg/m³）")
    o3_1h: float | None = Field(description="O₃ 日最大 1 小时平均")
    o3_8h: float | None = Field(description="O₃ 日最大 8 小时滑动平均")
    aqi: int | None = Field(description="AQI（HJ 633-2012）；有效数据不足为 null")
    primary: list[str] = Field(description="首要污染物（AQI > 50 时）")
    from_hours: bool = Field(description="由小时数据计算（否则为导入的日数据）")

    @staticmethod
    def resolve_primary(obj: Any) -> list[str]:
        return [p for p in obj.primary.split(",") if p]


class DustReadingOut(Schema):
    start: date = Field(description="开始日期（含）")
    end: date = Field(description="结束日期（含）")
    days: int = Field(description="收集天数")
    deposit: float = Field(description="降尘量，t/km²（整个收集期）")
    rate: float = Field(description="折算降尘量，t/(km²·30d)（0.01）")

    @staticmethod
    def resolve_days(obj: Any) -> int:
        return (obj.end - obj.start).days + 1

    @staticmethod
    def resolve_rate(obj: Any) -> float:
        return float(round(dust_rate(obj.deposit, (obj.end - obj.start).days + 1), 2))
