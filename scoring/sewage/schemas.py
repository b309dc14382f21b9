"""What the sewage-rate routes answer: both rates per town and district, and a town's detail. Field order
is the order clients have always received."""

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator


class RateOut(Schema):
    numerator: int = Field(description="分子（治理率：已治理行政村数；正常运行率：正常运行设施数）")
    denominator: int = Field(description="分母（计入的行政村数 / 设施数）")
    percent: float | None = Field(description="百分比（分母为 0 时为 null）")


class TownRefOut(Schema):
    id: int = Field(description="区镇编号")
    name: str = Field(description="区镇名称")


class TownRatesOut(Schema):
    town: TownRefOut = Field(description="区镇")
    treatment: RateOut = Field(description="治理率（双60）")
    operation: RateOut = Field(description="设施正常运行率")
    treated_villages: int = Field(description="已治理行政村数")
    untreated_villages: int = Field(description="未治理行政村数")
    not_normal_facilities: int = Field(description="未正常运行设施数")
    out_of_scope_facilities: int = Field(description="不计入运行率的设施数")
    targets: list["TargetOut"] = Field(description="本区镇对照全区考核目标的达标情况（30% / 80%）")


class TargetOut(Schema):
    key: str = Field(description="treatment 治理率 / operation 正常运行率")
    label: str = Field(description="目标名称")
    target: float = Field(description="目标值（百分比）")
    rate: RateOut = Field(description="实际比率")
    met: bool | None = Field(description="是否达标（无数据为 null）")


class DataWarningOut(Schema):
    code: str = Field(description="警告代码")
    message: str = Field(description="说明（中文）")
    facility_id: int | None = Field(description="相关设施编号")
    natural_village_id: int | None = Field(description="相关自然村编号")


class DistrictRatesOut(Schema):
    treatment: RateOut = Field(description="全区治理率（双60）")
    operation: RateOut = Field(description="全区设施正常运行率")
    targets: list[TargetOut] = Field(description="考核目标及达标情况")
    warnings: list[DataWarningOut] = Field(description="数据问题（如设施未关联自然村）")


class RatesOut(Schema):
    on: date = Field(description="截至日期")
    rules: str = Field(description="所用计算规则的标识")
    towns: list[TownRatesOut] = Field(description="各区镇（调用者管辖范围内）")
    district: DistrictRatesOut | None = Field(
        None, description="全区（仅区级角色可见；其他用户的回答中没有此字段）"
    )

    @model_validator(mode="before")
    @classmethod
    def _district_only_when_seen(cls, data: Any) -> Any:
        # Town roles have always received no "district" key at all, not a null: left unset here, the
        # route's exclude_unset leaves it out.
        obj = data._obj if isinstance(data, DjangoGetter) else data
        if is_dataclass(obj) and not isinstance(obj, type):
            return {f.name: getattr(obj, f.name) for f in fields(obj) if getattr(obj, f.name) is not None}
        return data


class NaturalVillageRateOut(Schema):
    id: int = Field(description="自然村编号")
    name: str = Field(description="自然村名称")
    households: int = Field(description="户数")
    treated_households: int = Field(description="已治理户数")
    treated: bool = Field(description="已治理（治理户数达到规则要求）")
    counted: bool = Field(description="计入行政村的自然村")


class VillageRateOut(Schema):
    id: int = Field(description="行政村编号")
    name: str = Field(description="行政村名称")
    treated: bool = Field(description="已治理（双60）")
    treated_natural: int = Field(description="已治理自然村数")
    counted_natural: int = Field(description="计入的自然村数")
    reasons: list[str] = Field(description="未治理原因（中文）")
    natural_villages: list[NaturalVillageRateOut] = Field(description="各自然村")
    facilities: list[str | int] = Field(description="服务该村的设施编码（无编码时为设施编号）")


class NotNormalFacilityOut(Schema):
    code: str | int = Field(description="设施编码（无编码时为设施编号）")
    reasons: list[str] = Field(description="未正常运行原因（中文）")


class TownRateDetailOut(Schema):
    on: date = Field(description="截至日期")
    town: TownRefOut = Field(description="区镇")
    treatment: RateOut = Field(description="治理率（双60）")
    operation: RateOut = Field(description="设施正常运行率")
    villages: list[VillageRateOut] = Field(description="各行政村如何计入治理率")
    normal_facilities: list[str | int] = Field(description="正常运行的设施编码")
    not_normal_facilities: list[NotNormalFacilityOut] = Field(description="未正常运行的设施及原因")
    out_of_scope_facilities: list[str | int] = Field(
        description="状态不在运行率统计范围内（如在建、已退役）的设施编码"
    )
    excluded_facilities: list[str | int] = Field(description="从未检查、按规则不计入的设施编码")
