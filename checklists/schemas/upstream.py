"""The upstream (溯源) answer of ``GET /water/sections/{id}/upstream``.

Plain pydantic models read from the selector's frozen rows (``from_attributes``): an answer holds hundreds
of facilities, and ninja's ``Schema`` runs a Python validator per nested object (a third of the request)."""

import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kernel.kit import local_moment


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UpstreamRiverOut(Schema):
    river_id: str = Field(description="河流编码（河网文件中的）")
    name: str = Field(description="河流名称")
    level: int | None = Field(description="河流级别：0 干流，1 一级支流…（推导或人工设定）")
    level_overridden: bool = Field(description="级别为人工设定")
    first_level_tributary: bool = Field(description="是断面所在河流的一级支流")
    is_section_river: bool = Field(description="断面所在河流")
    distance_m: float = Field(description="沿水流到断面的最近距离（米；支流为其河口）")
    water_class: int | None = Field(description="该河上断面最近一个有监测数据月份的水质类别（1–6，6 为劣Ⅴ）")
    water_class_label: str | None = Field(description="水质类别（Ⅰ…劣Ⅴ）")
    water_class_month: str | None = Field(description="水质类别所属月份（YYYY-MM）")
    water_class_section: str | None = Field(description="给出水质类别的断面")


class UpstreamFacilityOut(Schema):
    id: int = Field(description="设施编号")
    code: str = Field(description="设施编码")
    name: str = Field(description="设施名称")
    village: str = Field(description="所在行政村")
    town: str | None = Field(description="所在区镇")
    status: str = Field(description="登记状态（in_service / stopped / …）")
    condition: list[str] | None = Field(description="最近一次有效核查的运行状况代码；未核查为空")
    condition_at: date | None = Field(description="该次核查的审核日期")
    distance_m: float = Field(description="沿水流到断面的距离（米）")
    snap_distance_m: float = Field(description="设施点位到河段的距离（米）")
    river_id: str = Field(description="设施所在河流编码")
    lon: float | None = Field(description="设施经度（WGS-84）")
    lat: float | None = Field(description="设施纬度（WGS-84）")


class UpstreamOutfallOut(Schema):
    id: int = Field(description="排污口编号")
    code: str = Field(description="排污口编码")
    name: str = Field(description="排污口名称")
    kind: str = Field(description="类型：industrial / sewage_plant / agricultural / other")
    kind_label: str = Field(description="类型（工业排污口 / 城镇污水处理厂排污口 / 农业排口 / 其他排口）")
    town: str = Field(description="责任区镇")
    discharger: str = Field(description="排污单位")
    receiving_water: str = Field(description="受纳水体")
    decision: str = Field(description="整治方式：空 未定 / ban 取缔 / merge 清理合并 / regulate 规范整治")
    state: str = Field(description="整治状态：found / rectifying / banned / merged / compliant（达标排放）")
    state_label: str = Field(description="整治状态（中文）")
    last_inspected_at: datetime | None = Field(description="最近一次检查（审核通过）时间")
    distance_m: float = Field(description="沿水流到断面的距离（米）")
    snap_distance_m: float = Field(description="排污口点位到河段的距离（米）")
    river_id: str = Field(description="排污口所在河流编码")
    lon: float | None = Field(description="排污口经度（WGS-84）")
    lat: float | None = Field(description="排污口纬度（WGS-84）")


class UpstreamPumpStationOut(Schema):
    id: int = Field(description="泵站编号")
    code: str = Field(description="泵站编码")
    name: str = Field(description="泵站名称")
    town: str = Field(description="责任区镇")
    river: str = Field(description="登记的所在河道")
    holds_sewage: bool = Field(description="拦蓄污水（65号第19条清单）")
    sewage_found_on: date | None = Field(description="发现拦蓄污水日期")
    sewage_cleared_on: date | None = Field(description="清零日期")
    last_inspected_at: datetime | None = Field(description="最近一次检查（审核通过）时间")
    distance_m: float = Field(description="沿水流到断面的距离（米）")
    snap_distance_m: float = Field(description="泵站点位到河段的距离（米）")
    river_id: str = Field(description="泵站所在河流编码（河网）")
    lon: float | None = Field(description="泵站经度（WGS-84）")
    lat: float | None = Field(description="泵站纬度（WGS-84）")


class UpstreamProblemOut(Schema):
    id: int = Field(description="整改编号")
    site_kind: str = Field(
        description="问题所在对象类型：sewage_facility 污水设施、outfall 排污口、pump_station 排涝泵站"
    )
    site_id: int = Field(description="问题所在对象编号")
    site_name: str = Field(description="问题所在对象名称")
    lon: float | None = Field(description="问题点位经度（WGS-84，所在对象的位置）")
    lat: float | None = Field(description="问题点位纬度（WGS-84）")
    item_title: str = Field(description="问题（检查项）")
    reason: str = Field(description="问题描述")
    category: str = Field(description="问题类别")
    responsible_unit: str = Field(description="责任单位")
    status: str = Field(description="open / in_progress / submitted / awaiting_approval")
    deadline: date | None = Field(description="整改期限")
    overdue: bool = Field(description="已逾期")
    overdue_since: date | None = Field(description="逾期日期")
    distance_m: float = Field(description="所在对象沿水流到断面的距离（米）")


class SectionUpstreamOut(Schema):
    section_id: int = Field(description="断面编号")
    section_code: str = Field(description="断面编码")
    section_name: str = Field(description="断面名称")
    km: float = Field(description="沿水流向上游追溯的距离（公里）")
    network_id: int = Field(description="所用河网版本")
    network_synthetic: bool = Field(description="河网为演示用合成数据（非实测）")
    network_source: str = Field(description="河网来源文件")
    river_id: str = Field(description="断面所在河流编码")
    river_name: str = Field(description="断面所在河流名称")
    snap_distance_m: float = Field(description="断面点位到河段的距离（米）")
    rivers: list[UpstreamRiverOut] = Field(description="到达的河流与支流，按距离")
    facilities: list[UpstreamFacilityOut] = Field(description="上游的污水处理设施（管辖范围内），按距离")
    outfalls: list[UpstreamOutfallOut] = Field(description="上游的排污口（管辖范围内），按距离")
    outfall_coverage: dict[str, int] = Field(
        description="有口皆查（今年）：{year 年度, total 上游排污口数, inspected 今年已检查的}；"
        "详见 outfall-coverage"
    )
    pump_stations: list[UpstreamPumpStationOut] = Field(
        description="上游的排涝泵站（管辖范围内），按距离；holds_sewage 为拦蓄污水清单"
    )
    problems: list[UpstreamProblemOut] = Field(
        description="上游各对象（污水设施、排污口、排涝泵站）未销号的整改（问题），按距离、期限"
    )


class OutfallInspectedOut(Schema):
    outfall: UpstreamOutfallOut = Field(description="排污口（与上游溯源答复中的相同，含沿水流距离）")
    inspections: int = Field(description="该年度审核通过的检查次数")
    last_inspected_at: datetime | None = Field(description="该年度最近一次审核通过的检查时间；未检查为空")


class KindCoverageOut(Schema):
    kind: str = Field(description="类型：industrial / sewage_plant / agricultural / other")
    kind_label: str = Field(description="类型（中文）")
    total: int = Field(description="上游该类排污口数")
    inspected: int = Field(description="其中该年度已检查的")


class OutfallCoverageOut(Schema):
    section_id: int = Field(description="断面编号")
    section_code: str = Field(description="断面编码")
    section_name: str = Field(description="断面名称")
    year: int = Field(description="年度")
    km: float = Field(description="沿水流向上游的距离（公里）")
    network_synthetic: bool = Field(description="河网为演示用合成数据（非实测）")
    total: int = Field(description="上游排污口数（管辖范围内）")
    inspected: int = Field(description="其中该年度有审核通过的检查的（有口皆查）")
    rate: float | None = Field(description="检查覆盖率 inspected / total（0–1）；上游无排污口时为空")
    complete: bool = Field(description="应查尽查：上游排污口全部已检查（且至少有一个）")
    by_kind: list[KindCoverageOut] = Field(description="按四种类型（工业、城镇污水处理厂、农业、其他）")
    outfalls: list[OutfallInspectedOut] = Field(description="逐个排污口，按距离；inspections 为 0 的尚未检查")


def _rows(schema: type[BaseModel]) -> Callable[[Iterable[object]], list[dict[str, Any]]]:
    names = tuple(schema.model_fields)
    values = attrgetter(*names)
    moments = [n for n, f in schema.model_fields.items() if datetime in typing.get_args(f.annotation)]
    if not moments:
        return lambda rows: [dict(zip(names, values(row), strict=True)) for row in rows]

    def with_moments(rows: Iterable[object]) -> list[dict[str, Any]]:
        out = [dict(zip(names, values(row), strict=True)) for row in rows]
        for row in out:
            for name in moments:
                row[name] = local_moment(row[name])
        return out

    return with_moments


_ANSWER = tuple(SectionUpstreamOut.model_fields)
_LISTS = {
    "rivers": _rows(UpstreamRiverOut),
    "facilities": _rows(UpstreamFacilityOut),
    "outfalls": _rows(UpstreamOutfallOut),
    "pump_stations": _rows(UpstreamPumpStationOut),
    "problems": _rows(UpstreamProblemOut),
}


def section_upstream_plain(answer: object) -> dict[str, Any]:
    """The selector's answer (frozen rows whose fields are the schema's, in its order) as the dict
    ``SectionUpstreamOut`` would dump — without validating ~600 rows the selector has just built from typed
    columns. ``tests/checklists/test_upstream.py`` checks the JSON is byte for byte the schema's."""
    out: dict[str, Any] = {}
    for name in _ANSWER:
        value = getattr(answer, name)
        out[name] = _LISTS[name](value) if name in _LISTS else value
    return out
