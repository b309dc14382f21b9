"""问题清单 and 整改清单 as a town sends them upwards (Excel with a title row, and CSV): one row per problem
found by approved inspections (with the year that inspection assessed, last so that the official
columns keep their places), and per rectification with its responsible unit, deadline and progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from kernel.access import Principal
from kernel.errors import InvalidInput
from kernel.sheets import csv_bytes, titled_xlsx

from . import selectors
from .models import Rectification, RectificationStatus

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = ("problems", "rectifications")  # 问题清单, 整改清单
FORMATS = {"xlsx": XLSX_TYPE, "csv": "text/csv; charset=utf-8"}

# 问题类别 as the offices write them, for every category the shipped templates and deadline rules use (a
# test keeps this in step with them). A category without a label — a template written later — shows the
# item's title instead of its code.
CATEGORY_LABELS = {
    # 农村生活污水设施（海政办发〔2022〕65号 三（三））
    "no_meter": "未设独立电表",
    "equipment_fault": "设备故障 / 停运",
    "maintenance_missing": "维护不到位、运行不稳定",
    "unstable_operation": "运行不稳定",
    "pipe_network_missing": "管网未配套",
    "equipment_badly_damaged": "主体设备严重破损",
    "beyond_repair": "完全损坏无法修复",
    "capacity_mismatch": "处理能力不符",
    "effluent_over_limit": "出水超标",
    # 安全生产
    "safety_management": "安全生产组织与责任",
    "hazard": "安全隐患",
    "enforcement": "执法检查",
    "special_campaign": "专项整治",
    "training": "安全生产宣传教育培训",
    "emergency": "应急管理",
    "accident": "生产安全事故",
    # 消防
    "fire_organisation": "消防组织与责任",
    "fire_forces": "消防力量建设",
    "fire_grid": "消防网格化管理",
    "fire_training": "消防宣传培训",
    "fire_hazard": "火灾隐患",
    "fire_inspection": "消防安全检查",
    "fire_patrol": "防火巡查检查",
    "fire_facility": "消防设施器材",
    # 断面巡查（稳Ⅲ提Ⅲ）
    "water_quality": "断面水质",
    "outfall": "排污口",
    "tributary": "支流水质",
    "pump_station": "排涝泵站",
    # 排涝泵站检查（65号 第19条）
    "sewage_held": "泵站拦蓄污水",
    "sewage_discharge": "汛期集中放排污水",
    "interception": "雨污混接、直排未截污",
    "ledger": "台账资料",
    "veto": "一票否决事项",
}


def category_label(category: str, item_title: str) -> str:
    """The 问题类别 shown in the 问题清单: the category's label, else the item's title — never a code."""
    return CATEGORY_LABELS.get(category) or item_title


PROBLEM_HEADER = [
    "序号",
    "区镇",
    "检查对象",
    "问题类别",
    "问题描述",
    "发现日期",
    "责任单位",
    "整改期限",
    "期限依据",
    "考核年度",
]
RECTIFICATION_HEADER = [
    "序号",
    "区镇",
    "检查对象",
    "问题描述",
    "责任单位",
    "整改期限",
    "整改进度",
    "是否逾期",
    "销号日期",
    "整改照片（张）",
]


def _found_on(r: Rectification) -> str:
    submitted = r.finding.inspection.submitted_at
    return timezone.localdate(submitted).isoformat() if submitted else ""


def problem_rows(items: Iterable[Rectification]) -> list[list[Any]]:
    return [
        [
            i,
            r.subject_town.name if r.subject_town else "",
            r.subject_name,
            category_label(r.category, r.finding.item_title),
            f"{r.finding.item_title}：{r.finding.reason}".strip("："),
            _found_on(r),
            r.responsible_unit,
            r.deadline.isoformat() if r.deadline else "需区审批",
            r.deadline_rule,
            r.finding.inspection.period,
        ]
        for i, r in enumerate(items, start=1)
    ]


def rectification_rows(items: Iterable[Rectification]) -> list[list[Any]]:
    return [
        [
            i,
            r.subject_town.name if r.subject_town else "",
            r.subject_name,
            r.finding.item_title,
            r.responsible_unit,
            r.deadline.isoformat() if r.deadline else "需区审批",
            r.get_status_display(),
            "是" if r.overdue else "否",
            timezone.localdate(r.closed_at).isoformat() if r.closed_at else "",
            r.photo_count,  # type: ignore[attr-defined]  # annotated by rectification_items
        ]
        for i, r in enumerate(items, start=1)
    ]


def rectification_sheet(
    items: list[Rectification], *, problems: bool, one_town: int | None
) -> tuple[str, list[str], list[list[Any]]]:
    """(title, header, rows) of the 问题清单 (``problems``) or the 整改清单; titled with the town's name
    when the list is one town's."""
    first = items[0].subject_town if items else None
    town = first.name if one_town is not None and first is not None else ""
    if problems:
        # A rectification cancelled by a district correction was never a problem found: not listed. The
        # 整改清单 keeps it, showing it as 已撤销.
        found = [r for r in items if r.status != RectificationStatus.CANCELLED]
        return f"{town}问题清单", PROBLEM_HEADER, problem_rows(found)
    return f"{town}整改清单", RECTIFICATION_HEADER, rectification_rows(items)


def to_xlsx(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    return titled_xlsx(
        title=title, header=header, rows=rows, footer=[f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"]
    )


to_csv = csv_bytes


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


_INSPECTION_UNREAD = ("answers", "score", "item_comments", "review_reason", "device_location")


def rectification_items(
    *, principal: Principal, town_id: int | None = None, subject_kind: str | None = None
) -> list[Rectification]:
    """The rectifications the 问题清单 / 整改清单 list for this caller (scope of the rectification list),
    with what their rows read joined up front."""
    # The rows read the inspection's period and submission time only, and count the photos: its answers,
    # score and comments (the bulk of each row) stay in the database, and the photos are counted there
    # instead of read with their flags (the 整改清单 export was the load test's one slow download).
    qs = (
        selectors.rectification_list(principal=principal, town_id=town_id)
        .select_related("finding__inspection")
        .defer(*(f"finding__inspection__{name}" for name in _INSPECTION_UNREAD))
        .prefetch_related(None)
        .annotate(photo_count=Count("photos"))
    )
    if subject_kind:
        qs = qs.filter(subject_kind=subject_kind)
    return list(qs)


def rectification_export(
    *,
    principal: Principal,
    sheet: str = "rectifications",
    town_id: int | None = None,
    subject_kind: str | None = None,
    fmt: str = "xlsx",
) -> ExportFile:
    """The 问题清单 (``sheet="problems"``) or 整改清单, xlsx or csv: what the API and the console serve."""
    if sheet not in SHEETS:
        raise InvalidInput(details={"fields": {"sheet": ["须为 problems 或 rectifications"]}})
    if fmt not in FORMATS:
        raise InvalidInput(details={"fields": {"format": ["须为 xlsx 或 csv"]}})
    items = rectification_items(principal=principal, town_id=town_id, subject_kind=subject_kind)
    title, header, rows = rectification_sheet(items, problems=sheet == "problems", one_town=town_id)
    content = to_csv(header, rows) if fmt == "csv" else to_xlsx(title, header, rows)
    return ExportFile(f"{sheet}.{fmt}", FORMATS[fmt], content)


# --- 区镇总览 (issue 19) -------------------------------------------------------------------------------

OVERVIEW_HEADER = [
    "序号",
    "区镇",
    "考核总分",
    "等次",
    "排名",
    "负责断面数",
    "有数据断面数",
    "达标断面数",
    "治理率（%）",
    "治理率目标（%）",
    "治理率达标",
    "正常运行率（%）",
    "运行率目标（%）",
    "运行率达标",
    "逾期整改数",
    "每旬逆序排名",
]
_MET = {True: "是", False: "否", None: ""}


def overview_rows(overview: selectors.TownOverview) -> list[list[Any]]:
    """The overview's rows as the sheet lists them: numbers stay numbers, a blank cell is "none"."""
    rows: list[list[Any]] = []
    for i, r in enumerate(overview.rows, start=1):
        a, w, s = r.assessment, r.water, r.sewage
        rows.append(
            [
                i,
                r.town.name,
                Decimal(a.total) if a else None,
                a.grade if a else "",
                a.rank if a else None,
                w.sections,
                w.evaluated,
                w.meeting_target,
                s.treatment.percent if s else None,
                s.treatment.target if s else None,
                _MET[s.treatment.met] if s else "",
                s.operation.percent if s else None,
                s.operation.target if s else None,
                _MET[s.operation.met] if s else "",
                r.overdue_rectifications,
                r.dekad_rank,
            ]
        )
    return rows


def town_overview_export(*, principal: Principal, year: int | None = None) -> ExportFile:
    """区镇总览 as an xlsx: the rows of ``GET /towns/overview`` for the same caller and year."""
    overview = selectors.town_overview(principal=principal, year=year)
    board = overview.board
    source = f"考核结果：{board.title}（{board.status_label}）" if board else "考核结果：无可查看的结果"
    footer = [
        source,
        f"断面达标：{overview.year}年1月1日至{overview.on.month}月{overview.on.day}日均值；污水两率截至{overview.on:%Y-%m-%d}",
        f"每旬逆序排名：{overview.dekad}" if overview.dekad else "每旬逆序排名：无",
        f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
    ]
    title = f"{overview.year}年区镇总览"
    content = titled_xlsx(title=title, header=OVERVIEW_HEADER, rows=overview_rows(overview), footer=footer)
    return ExportFile(f"towns-overview-{overview.year}.xlsx", XLSX_TYPE, content)
