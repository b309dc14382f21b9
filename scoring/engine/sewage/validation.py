"""Input validation: every unknown or duplicate id, bad count, status, condition or capacity is collected
and raised together as one ``SewageInputError``. Pure: no Django."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from .model import AdminVillage, Facility, NaturalVillage, Problem, SewageInputError, Town
from .rules import CONDITION_LABELS, STATUS_LABELS, Id

# ---------------------------------------------------------------------------------------- validation


_NV, _FAC = "natural_village", "facility"


def _finite_number(value: object) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _validate(
    towns: Sequence[Town] | None,
    admin_villages: Sequence[AdminVillage],
    natural_villages: Sequence[NaturalVillage],
    facilities: Sequence[Facility],
) -> tuple[dict[Id, str], dict[Id, Id], dict[Id, int], dict[Id, Id]]:
    """Town names, village → town, natural village → households and → administrative village."""
    problems: list[Problem] = []

    def bad(kind: str, id_: Id, code: str, message: str) -> None:
        problems.append(Problem(kind, id_, code, message))

    town_names: dict[Id, str] = {}
    for t in towns or ():
        if t.id in town_names:
            bad("town", t.id, "duplicate_id", f"区镇编号重复：{t.id}")
        town_names[t.id] = t.name
    av_town: dict[Id, Id] = {}
    for av in admin_villages:
        if av.id in av_town:
            bad("admin_village", av.id, "duplicate_id", f"行政村编号重复：{av.id}")
        if towns is None:
            town_names.setdefault(av.town_id, "")
        elif av.town_id not in town_names:
            bad("admin_village", av.id, "unknown_town", f"行政村 {av.id} 所属区镇 {av.town_id} 不存在")
        av_town[av.id] = av.town_id
    nv_households: dict[Id, int] = {}
    nv_av: dict[Id, Id] = {}
    for nv in natural_villages:
        hh = nv.households
        if nv.id in nv_households:
            bad(_NV, nv.id, "duplicate_id", f"自然村编号重复：{nv.id}")
        if nv.admin_village_id not in av_town:
            bad(
                _NV, nv.id, "unknown_admin_village", f"自然村 {nv.id} 所属行政村 {nv.admin_village_id} 不存在"
            )
        if isinstance(hh, bool) or not isinstance(hh, int):
            bad(_NV, nv.id, "invalid_households", f"自然村 {nv.id} 的户数须为整数")
            hh = 0
        elif hh < 0:
            bad(_NV, nv.id, "negative_households", f"自然村 {nv.id} 的户数不能为负数")
        nv_households[nv.id] = hh
        nv_av[nv.id] = nv.admin_village_id
    seen: set[Id] = set()
    for f in facilities:
        if f.id in seen:
            bad(_FAC, f.id, "duplicate_id", f"设施编号重复：{f.id}")
        seen.add(f.id)
        if f.admin_village_id not in av_town:
            bad(_FAC, f.id, "unknown_admin_village", f"设施 {f.id} 所在行政村 {f.admin_village_id} 不存在")
        if f.status not in STATUS_LABELS:
            bad(_FAC, f.id, "unknown_status", f"设施 {f.id} 的状态未知：{f.status}")
        cap = f.capacity_tpd
        if not _finite_number(cap):
            bad(_FAC, f.id, "invalid_capacity", f"设施 {f.id} 的处理能力须为有限数值")
        elif cap < 0:
            bad(_FAC, f.id, "negative_capacity", f"设施 {f.id} 的处理能力不能为负数")
        unknown = [c for c in f.conditions or () if c not in CONDITION_LABELS]
        if unknown:
            bad(
                _FAC, f.id, "unknown_condition", f"设施 {f.id} 的运行情况未知：{'、'.join(map(str, unknown))}"
            )
        for nv_id, n in f.serves.items():
            if nv_id not in nv_households:
                bad(_FAC, f.id, "unknown_natural_village", f"设施 {f.id} 服务的自然村 {nv_id} 不存在")
            if isinstance(n, bool) or not isinstance(n, int):
                bad(_FAC, f.id, "invalid_households", f"设施 {f.id} 服务自然村 {nv_id} 的户数须为整数")
            elif n < 0:
                bad(_FAC, f.id, "negative_households", f"设施 {f.id} 服务自然村 {nv_id} 的户数为负数")
    if problems:
        raise SewageInputError(problems)
    return town_names, av_town, nv_households, nv_av
