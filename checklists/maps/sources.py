"""What each vector-tile layer holds: a scoped, bbox-filtered query per layer whose columns are the
feature's geometry (WGS-84), its id and its properties — read by both encoders (``ST_AsMVT`` on PostGIS,
:mod:`geo.mvt` on SpatiaLite), so the two answer the same features with the same properties.

A property column is ``p_<name>``; a :class:`Prop` says how a non-scalar column becomes a tile value
(a list of codes → ``"a,b"``; a date → ISO text). Sections' water class comes from the scoring engine,
not from SQL (:func:`section_classes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.db.models import PointField
from django.contrib.gis.geos import Polygon
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.fields import CharField
from django.db.models.functions import Coalesce, TruncDate

from geo import mvt
from geo.models import (
    FacilityCondition,
    Outfall,
    PumpStation,
    Region,
    RegionLevel,
    RiverLine,
    RiverSection,
    SewageFacility,
)
from kernel.scope import Paths, scope_q
from scoring.engine import water
from scoring.water import selectors as water_selectors

from ..models import RECTIFICATION_DONE, InspectionPhoto, Rectification, RectificationPhoto
from ..selectors.catalogue import subject_point


@dataclass(frozen=True)
class Prop:
    name: str
    kind: str = "scalar"  # scalar | codes (JSON list of strings) | flag_codes (JSON list of {code}) | date


@dataclass(frozen=True)
class Tally:
    """A count a grid cell carries below ``MAP_CLUSTER_BELOW_ZOOM``: its members whose ``prop`` passes
    ``sql`` (PostgreSQL, over the raw ``p_<prop>`` column, ``{}``) and ``test`` (Python, over the tile
    value of the property) — the two say the same thing."""

    name: str
    prop: str
    sql: str
    test: Callable[[Any], bool]


@dataclass(frozen=True)
class Layer:
    name: str
    props: tuple[Prop, ...]
    querysets: Callable[[Paths, Polygon], list[QuerySet[Any]]]
    description: str
    # A point layer aggregated into grid cells at low zoom: the counts each cell carries beside ``count``.
    cluster: tuple[Tally, ...] | None = None
    # Fence the grid-cell statement's row subquery (``OFFSET 0``): for a tally read from a correlated
    # subquery, computed once per row instead of once per reference (facilities: z8 ~1.2 s → ~0.6 s on
    # the bench). Off elsewhere: for photos the inlined plan is faster (~0.2 s against up to ~1.5 s at z11).
    cluster_fence: bool = False


def _clustered(
    name: str,
    props: tuple[Prop, ...],
    querysets: Any,
    description: str,
    tallies: tuple[Tally, ...],
    counts: str,
    *,
    fence: bool = False,
) -> Layer:
    """A point layer aggregated into grid cells at low zoom, its description saying so."""
    cells = mvt.EXTENT // mvt.CELL
    return Layer(
        name,
        props,
        querysets,
        f"{description}缩放级别低于 {settings.MAP_CLUSTER_BELOW_ZOOM}"
        f"（`MAP_CLUSTER_BELOW_ZOOM`）时改为网格聚合：瓦片分成 {cells}×{cells} 格"
        f"（每格 {mvt.CELL}×{mvt.CELL} 瓦片单位），每个有成员的格子一个点要素，"
        f"位于成员的质心；要素 id 是格子在该缩放级别全部瓦片中的编号"
        "（全局行×每行格数+全局列，不是对象编号），"
        f"属性只有 {counts}。先按调用者范围过滤再计数；只计瓦片本身范围内的点"
        "（不含缓冲区），每个点只计入一个瓦片。",
        tallies,
        fence,
    )


def _values(qs: QuerySet[Any], geom: Any, props: tuple[Prop, ...], **exprs: Any) -> QuerySet[Any]:
    """``qs`` reduced to the tile columns: ``geom``, ``fid`` and ``p_<prop>`` (from ``exprs`` or the field
    of the same name)."""
    cols = {"geom": geom, "fid": F("pk")}
    for p in props:
        cols[f"p_{p.name}"] = exprs.get(p.name, F(p.name))
    return qs.values(**cols).order_by()


# --- towns --------------------------------------------------------------------------------------------

TOWN_PROPS = (Prop("name"), Prop("code"), Prop("kind"), Prop("synthetic"))


def _towns(paths: Paths, area: Polygon) -> list[QuerySet[Any]]:
    qs = Region.objects.filter(scope_q(paths), level=RegionLevel.TOWN, boundary__intersects=area)
    return [_values(qs, F("boundary"), TOWN_PROPS, kind=F("town_kind"), synthetic=F("is_synthetic"))]


# --- sections -----------------------------------------------------------------------------------------

SECTION_PROPS = (Prop("code"), Prop("name"), Prop("level"), Prop("target_class"), Prop("watch"))
# Filled from the engine's evaluation of the month (absent when nothing was measured that month).
SECTION_CLASS_PROPS = ("class", "class_label", "meets_target")


def _section_scope(paths: Paths) -> Q:
    if paths is None:
        return scope_q(None)
    return scope_q(paths, "region__path") | scope_q(paths, "responsible_towns__path")


def _sections(paths: Paths, area: Polygon) -> list[QuerySet[Any]]:
    ids = RiverSection.objects.filter(_section_scope(paths)).values("pk")
    qs = RiverSection.objects.filter(pk__in=ids, is_active=True, location__intersects=area)
    return [_values(qs, F("location"), SECTION_PROPS, watch=F("watch_flag"))]


def section_classes(section_ids: list[int], month: date) -> dict[int, dict[str, Any]]:
    """The month's water class of each measured section: ``{id: {class, class_label, meets_target}}``."""
    if not section_ids:
        return {}
    period = water.period_of(month, water.PeriodKind.MONTH)
    values = water_selectors.period_values(section_ids, period)
    sections = RiverSection.objects.filter(pk__in=[i for i in section_ids if values.get(i)])
    out = {}
    for s in sections:
        ev = water_selectors.evaluate_values(s, values[s.pk])
        if ev.klass is not None:
            out[s.pk] = {"class": ev.klass, "class_label": ev.class_label, "meets_target": ev.meets_target}
    return out


# --- rivers ------------------------------------------------------------------------------------------

RIVER_PROPS = (Prop("name"), Prop("level"), Prop("river_id"), Prop("synthetic"))


def _rivers(paths: Paths, area: Polygon) -> list[QuerySet[Any]]:
    """The current network's lines. Rivers are district-wide geography, the base every reader's map is
    drawn on: the layer is the same whatever the reader's scope (``paths`` is not applied)."""
    qs = RiverLine.objects.filter(network__is_current=True, geometry__intersects=area)
    return [
        _values(qs, F("geometry"), RIVER_PROPS, name=F("river_name"), synthetic=F("network__is_synthetic"))
    ]


# --- facilities ---------------------------------------------------------------------------------------

FACILITY_PROPS = (Prop("code"), Prop("name"), Prop("status"), Prop("condition", "codes"))


def _facilities(paths: Paths, area: Polygon) -> list[QuerySet[Any]]:
    latest = FacilityCondition.objects.filter(facility=OuterRef("pk"), withdrawn_at__isnull=True).order_by(
        "-approved_at", "-id"
    )
    qs = SewageFacility.objects.filter(scope_q(paths, "village__path"), location__intersects=area)
    return [_values(qs, F("location"), FACILITY_PROPS, condition=Subquery(latest.values("conditions")[:1]))]


FACILITY_TALLIES = (
    Tally("normal", "condition", "{}::jsonb = '[\"normal\"]'::jsonb", lambda v: v == "normal"),
    Tally("abnormal", "condition", "{}::jsonb NOT IN ('[\"normal\"]'::jsonb, '[]'::jsonb)",
          lambda v: v is not None and v != "normal"),
    Tally("unaudited", "condition", "({} IS NULL OR {}::jsonb = '[]'::jsonb)", lambda v: v is None),
)  # fmt: skip


# --- outfalls ----------------------------------------------------------------------------------------

OUTFALL_PROPS = (
    Prop("code"), Prop("name"), Prop("kind"), Prop("decision"), Prop("state"), Prop("inspected_on", "date"),
    Prop("synthetic"),
)  # fmt: skip


def _outfalls(paths: Paths, area: Polygon) -> list[QuerySet[Any]]:
    """排污口 in the reader's scope (an outfall is its responsible town's)."""
    qs = Outfall.objects.filter(scope_q(paths, "town__path"), location__intersects=area)
    return [
        _values(qs, F("location"), OUTFALL_PROPS, synthetic=F("is_synthetic"),
                inspected_on=TruncDate("last_inspected_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
    ]  # fmt: skip


# --- pump stations (排涝泵站, 65号 item 19) -----------------------------------------------------------

PUMP_STATION_PROPS = (
    Prop("code"), Prop("name"), Prop("holds_sewage"), Prop("cleared_on", "date"), Prop("synthetic"),
)  # fmt: skip


def _pump_stations(paths: Paths, area: Polygon) -> list[QuerySet[Any]]:
    qs = PumpStation.objects.filter(scope_q(paths, "town__path"), location__intersects=area)
    return [
        _values(qs, F("location"), PUMP_STATION_PROPS, cleared_on=F("sewage_cleared_on"),
                synthetic=F("is_synthetic"))
    ]  # fmt: skip


# --- rectifications -----------------------------------------------------------------------------------

RECTIFICATION_PROPS = (
    Prop("status"),
    Prop("overdue"),
    Prop("deadline", "date"),
    Prop("subject_kind"),
    Prop("subject_id"),
)


def _subject_location() -> Case:
    """Where a rectification's subject is: a facility's or section's point, an organisation's point, a
    region's centroid; else the centroid of the region (village, town) it belongs to."""
    point = PointField(srid=4326)
    at_subject = subject_point()
    # A subject without a point of its own (a facility not yet surveyed) shows at its region's centre.
    return Coalesce(
        at_subject, F("subject_region__centroid"), F("subject_town__centroid"), output_field=point
    )


RECTIFICATION_TALLIES = (Tally("overdue", "overdue", "{}", lambda v: bool(v)),)


def _rectifications(paths: Paths, area: Polygon) -> list[QuerySet[Any]]:
    qs = (
        Rectification.objects.filter(scope_q(paths, "subject_region__path"))
        .exclude(status__in=RECTIFICATION_DONE)
        .annotate(at=_subject_location())
        .filter(at__intersects=area)
    )
    return [_values(qs, F("at"), RECTIFICATION_PROPS)]


# --- photos -------------------------------------------------------------------------------------------

PHOTO_PROPS = (Prop("kind"), Prop("flags", "flag_codes"), Prop("flag_count"))
PHOTO_TALLIES = (Tally("flagged", "flag_count", "{} > 0", lambda v: bool(v)),)


def _photos(paths: Paths, area: Polygon) -> list[QuerySet[Any]]:
    """Evidence photos at the phone's fix (the EXIF position when the phone gave none); each of the
    two bbox conditions can use its column's spatial index."""
    where = Q(device_location__intersects=area) | Q(
        device_location__isnull=True, photo__exif_location__intersects=area
    )
    point = PointField(srid=4326)
    at = Case(
        When(device_location__isnull=False, then=F("device_location")),
        default=F("photo__exif_location"),
        output_field=point,
    )
    out = []
    for model, parent, kind in (
        (InspectionPhoto, "inspection", "inspection"),
        (RectificationPhoto, "rectification", "rectification"),
    ):
        qs = model.objects.filter(scope_q(paths, f"{parent}__subject_region__path")).filter(where)
        out.append(_values(qs, at, PHOTO_PROPS, kind=Value(kind, output_field=CharField())))
    return out


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            "towns",
            TOWN_PROPS,
            _towns,
            "区镇边界（面）：`name` 名称，`code` 区划代码，`kind` 区镇类型（town/street/park），"
            "`synthetic` 是否演示用合成边界。",
        ),
        Layer(
            "sections",
            SECTION_PROPS,
            _sections,
            "在用监测断面（点）：`code`、`name`、`level` 考核级别、`target_class` 目标类别（1–5）、"
            "`watch` 人工标记提Ⅲ；当月有监测数据时另有 `class`（1–6，6 为劣Ⅴ）、`class_label`（Ⅰ…劣Ⅴ）、"
            "`meets_target`（是否达标）。`month=YYYY-MM` 选月份，默认本月。",
        ),
        Layer(
            "rivers",
            RIVER_PROPS,
            _rivers,
            "当前河网的河段（线，顶点按水流方向）：`name` 河流名称、`level` 河流级别（0 干流，1 一级支流…；"
            "闭合河网中无此属性）、`river_id` 河流编码、`synthetic` 是否演示用合成河网。"
            "河流是全区共用的底图，"
            "不按读者的管辖范围筛选。",
        ),
        Layer(
            "outfalls",
            OUTFALL_PROPS,
            _outfalls,
            "排污口（点）：`code`、`name`、`kind` 类型（industrial/sewage_plant/agricultural/other）、"
            "`decision` 整治方式（ban/merge/regulate，未定时为空）、`state` 整治状态"
            "（found/rectifying/banned/merged/compliant）、`inspected_on` 最近一次检查（审核通过）的日期"
            "（YYYY-MM-DD，未检查时无此属性）、`synthetic` 是否演示用合成数据。",
        ),
        _clustered(
            "facilities",
            FACILITY_PROPS,
            _facilities,
            "农村生活污水处理设施（点）：`code`、`name`、`status` 登记状态（in_service/stopped/…）、"
            "`condition` 最近一次有效核查的运行状况代码（逗号分隔，如 `normal` 或 `stopped,damaged`；"
            "未核查时无此属性）。",
            FACILITY_TALLIES,
            "`count` 设施数、`normal` 最近核查正常的、`abnormal` 最近核查有异常的、`unaudited` 未核查的"
            "（后三者之和为 `count`）",
            fence=True,
        ),
        Layer(
            "pump_stations",
            PUMP_STATION_PROPS,
            _pump_stations,
            "排涝泵站（点，管辖范围内）：`code`、`name`、`holds_sewage`（是否拦蓄污水，65号第19条清单）、"
            "`cleared_on`（清零日期 YYYY-MM-DD，未清零过或仍拦蓄时无此属性）、"
            "`synthetic` 是否演示用合成数据。",
        ),
        _clustered(
            "rectifications",
            RECTIFICATION_PROPS,
            _rectifications,
            "未销号的整改（点，位于检查对象处：设施、断面、单位的位置或区划中心点；对象无位置时取其所在村、镇的中心点）：`status`、"
            "`overdue`（是否逾期）、`deadline`（YYYY-MM-DD，无期限时无此属性）、`subject_kind`、`subject_id`。",
            RECTIFICATION_TALLIES,
            "`count` 未销号整改数、`overdue` 其中逾期的",
        ),
        _clustered(
            "photos",
            PHOTO_PROPS,
            _photos,
            "证据照片（点，手机定位，缺失时用 EXIF 位置）：`kind`（inspection/rectification）、"
            "`flags` 核验标记代码（逗号分隔，无标记时无此属性）、`flag_count`；"
            "要素 id 在同一 `kind` 内唯一。",
            PHOTO_TALLIES,
            "`count` 照片数、`flagged` 其中有核验标记的",
        ),
    )
}
