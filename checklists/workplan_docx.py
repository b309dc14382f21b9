"""The 工作方案 as a Word document (python-docx), in the usual layout of a 方案 sent to the 区水治办: the
title, the 文号 line, then the three parts of 海政办发〔2022〕65号 item 15, each with its table. Every cell
holds what the JSON answer holds (``tests/checklists/test_work_plan.py`` reads the tables back)."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .selectors.workplan import PlanProblem, PlanTributary, SectionWorkPlan

# What XML 1.0 cannot hold (registry names are checked where they are written; this keeps any old row from
# breaking the document).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MONTH_HEADERS = ("月份", "水质类别", "是否达标", "主要污染指标（超标倍数）", "CWQI")
INDICATOR_HEADERS = ("指标", "超Ⅲ类月数", "最大超标倍数", "最大超标月份", "定类月数")
TRIBUTARY_HEADERS = ("序号", "一级支流", "河口距断面（米）", "最近水质类别", "类别月份", "监测断面")
PROBLEM_HEADERS = (
    "序号", "具体点位", "经纬度（WGS-84）", "问题", "整改措施", "整改期限", "责任部门", "责任人", "状态",
)  # fmt: skip


def month_rows(plan: SectionWorkPlan) -> list[tuple[str, ...]]:
    rows = []
    for m in plan.quality.months:
        ev = m.evaluation
        if ev is None or ev.class_label is None:
            rows.append((m.month, "无数据", "—", "—", "—"))
            continue
        rows.append((
            m.month, ev.class_label, "达标" if ev.meets_target else "未达标", ev.main_pollutants_text or "—",
            "—" if ev.cwqi is None else f"{ev.cwqi:.4f}",
        ))  # fmt: skip
    return rows


def indicator_rows(plan: SectionWorkPlan) -> list[tuple[str, ...]]:
    return [
        (e.name, str(e.months_over), f"{e.max_multiple:.2f}", e.max_month, str(e.deciding_months))
        for e in plan.quality.analysis.indicators
    ]


def tributary_row(i: int, t: PlanTributary) -> tuple[str, ...]:
    return (
        str(i), t.name, f"{t.distance_m:.0f}", t.water_class_label or "无监测", t.water_class_month or "—",
        t.water_class_section or "—",
    )  # fmt: skip


def problem_row(i: int, p: PlanProblem) -> tuple[str, ...]:
    at = "—" if p.lon is None or p.lat is None else f"{p.lon:.6f}, {p.lat:.6f}"
    problem = f"{p.item_title}：{p.reason}" if p.reason else p.item_title
    state = p.status_label + ("（逾期）" if p.overdue and p.is_open else "")
    return (
        str(i), p.site_name, at, problem, p.measure or "—", p.deadline.isoformat() if p.deadline else "—",
        p.responsible_unit or "—", p.responsible_person or "—", state,
    )  # fmt: skip


def _table(doc: Document, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = _clean(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = _clean(text)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _para(doc: Document, text: str) -> Any:
    return doc.add_paragraph(_clean(text))


def _paragraphs(doc: Document, text: str) -> None:
    for line in text.splitlines() or [""]:
        if line.strip():
            _para(doc, line.strip())


def work_plan_docx(plan: SectionWorkPlan) -> bytes:
    doc = Document()
    doc.styles["Normal"].font.size = Pt(11)
    title = doc.add_heading(_clean(f"{plan.section.name}断面“稳Ⅲ提Ⅲ”工作方案（{plan.year}年）"), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number = _para(doc, f"文号：{plan.document_number or '〔    〕    号'}")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    s = plan.section
    towns = "、".join(s.responsible_towns) or "—"
    saved = (
        f"（{plan.saved_by}，{timezone.localtime(plan.saved_at):%Y-%m-%d %H:%M}）"
        if plan.saved_at
        else "（尚未保存）"
    )
    _para(
        doc,
        f"断面：{s.name}（{s.code}），{s.level_label}断面，所在河流 {s.river or '—'}，"
        f"水质目标 {s.target_label} 类，责任区镇 {towns}。分析文字第 {plan.version} 版"
        + f"{saved}；数据截至 {timezone.localtime(plan.generated_at):%Y-%m-%d}。",
    )
    q = plan.quality
    doc.add_heading("一、断面水质及超标原因分析", level=1)
    status = "、".join(label for label, on in (("稳Ⅲ", q.steady_iii), ("提Ⅲ", q.raise_iii)) if on)
    reasons = f"（{'、'.join(q.raise_reasons)}）" if q.raise_reasons else ""
    _para(doc, q.analysis.summary + (f"{plan.year} 年状态：{status}{reasons}。" if status else ""))
    _table(doc, MONTH_HEADERS, month_rows(plan))
    if q.analysis.indicators:
        _para(doc, "超过Ⅲ类限值的指标（主要污染指标在前）：")
        _table(doc, INDICATOR_HEADERS, indicator_rows(plan))
    _para(doc, "超标原因分析：")
    _paragraphs(doc, plan.analysis_text or "（尚未填写）")
    doc.add_heading(f"二、断面上游{plan.km:g}公里范围内一级支流清单及水质情况", level=1)
    if plan.upstream_unavailable:
        _para(doc, f"无法沿河网追溯：{plan.upstream_message}")
    _table(doc, TRIBUTARY_HEADERS, [tributary_row(i, t) for i, t in enumerate(plan.tributaries, 1)])
    doc.add_heading("三、溯源排查出的问题清单", level=1)
    _para(
        doc,
        f"未销号 {plan.problems_open} 项，{plan.year} 年已销号 {plan.problems_closed} 项。"
        "点位为问题所在对象的位置；整改措施为责任单位开始整改或提交整改时的说明。",
    )
    _table(doc, PROBLEM_HEADERS, [problem_row(i, p) for i, p in enumerate(plan.problems, 1)])
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
