"""Schemas of ``GET /water/sections/{id}/inferior-v`` (the 劣Ⅴ list)."""

from datetime import date
from typing import Any

from ninja import Field, Schema


def _month(d: date | None) -> str | None:
    return None if d is None else d.strftime("%Y-%m")


class SpellOut(Schema):
    entered: str = Field(description="列入清单的月份（YYYY-MM：该月监测为劣Ⅴ）")
    left: str | None = Field(description="清零的月份（YYYY-MM：此后首个监测优于劣Ⅴ的月份）；仍在清单为空")

    @staticmethod
    def resolve_entered(obj: Any) -> str | None:
        return _month(obj.entered)

    @staticmethod
    def resolve_left(obj: Any) -> str | None:
        return _month(obj.left)


class InferiorVPointOut(Schema):
    id: int = Field(description="支流监测点编号（断面编号，级别 tributary）")
    code: str = Field(description="监测点编码")
    name: str = Field(description="监测点名称")
    river: str = Field(description="登记的所在河流")
    river_id: str = Field(description="所在河流编码（河网）")
    distance_m: float = Field(description="沿水流到断面的距离（米）")
    on_list: bool = Field(description="在 to 月份仍在劣Ⅴ清单中")
    spells: list[SpellOut] = Field(description="所查月份内在清单中的时段（列入、清零），按时间")
    latest_class: int | None = Field(description="截至 to 月份最近一次有监测的水质类别（1–6，6 为劣Ⅴ）")
    latest_month: str | None = Field(description="该类别所属月份（YYYY-MM）")

    @staticmethod
    def resolve_latest_month(obj: Any) -> str | None:
        return _month(obj.latest_month)


class MonthCountOut(Schema):
    month: str = Field(description="月份（YYYY-MM）")
    count: int = Field(description="该月在劣Ⅴ清单中的支流监测点数")


class SectionInferiorVOut(Schema):
    section_id: int = Field(description="断面编号")
    section_name: str = Field(description="断面名称")
    km: float = Field(description="沿水流向上游的距离（公里）")
    from_month: str = Field(description="起始月份（YYYY-MM）")
    to_month: str = Field(description="截止月份（YYYY-MM）")
    points_monitored: int = Field(description="上游范围内（管辖范围内）的支流监测点数")
    points: list[InferiorVPointOut] = Field(description="所查月份内曾在劣Ⅴ清单中的支流监测点，按距离")
    count_by_month: list[MonthCountOut] = Field(description="逐月清单数量（动态清零的走势）")

    @staticmethod
    def resolve_from_month(obj: Any) -> str | None:
        return _month(obj.first)

    @staticmethod
    def resolve_to_month(obj: Any) -> str | None:
        return _month(obj.last)

    @staticmethod
    def resolve_count_by_month(obj: Any) -> list[dict[str, Any]]:
        return [{"month": _month(m), "count": n} for m, n in obj.count_by_month]
