"""``/console/review/``: the review queue, and one submitted inspection to approve or reject.

The queue is the API's ``GET /inspections?status=submitted`` (:func:`checklists.selectors.review_queue`),
one inspection is ``GET /inspections/{uuid}`` (:func:`checklists.selectors.inspection_get`), and the
decision is ``POST /inspections/{uuid}/review`` (:func:`checklists.services.inspections.inspection_review`,
with the version the page showed as its If-Match). Scope, roles and every refusal are theirs.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from checklists.models import Inspection
from checklists.selectors import inspection_get, review_queue, template_catalogue
from checklists.services.inspections import inspection_review
from checklists.services.templates import spec_of
from geo.selectors import region_list
from kernel.access import REVIEWING_ROLES
from kernel.errors import ApplicationError

from ..access import ConsoleRequest, console_view, error_context

PAGE_SIZE = 20

# Short badge labels for the evidence flags (media/checks.py); each flag's own message says the rest.
FLAG_LABELS = {
    "far_from_subject": "远离检查对象",
    "duplicate_photo": "用于其他对象",
    "reused_same_subject": "该对象旧照片",
    "reused_other_item": "本次重复使用",
    "mock_location": "疑似模拟定位",
    "time_far": "拍摄时间偏差",
    "no_gps": "无定位",
    "no_exif_gps": "无 EXIF 定位",
    "exif_phone_mismatch": "定位不一致",
}


def _flag_badges(photos: Any) -> list[dict[str, Any]]:
    """How many of these photos carry each flag, as the viewer may read them, in FLAG_LABELS' order."""
    counts = Counter(f["code"] for p in photos for f in (getattr(p, "viewer_flags", None) or ()))
    order = list(FLAG_LABELS)
    return [
        {"code": code, "label": FLAG_LABELS.get(code, code), "count": n}
        for code, n in sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    ]


def _positive_int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 0 < len(text) < 19 else None


@console_view
def queue(request: ConsoleRequest) -> HttpResponse:
    template_key = request.GET.get("template") or None
    town_id = _positive_int(request.GET.get("town"))
    rows = review_queue(principal=request.principal, template_key=template_key, town_id=town_id)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.flag_badges = _flag_badges(row.photos.all())
    templates = {t.key: t.title for t in template_catalogue()}
    towns = region_list(paths=request.principal.region_paths(REVIEWING_ROLES), level="town")
    context = {
        "page": page,
        "templates": sorted(templates.items()),
        "towns": towns,
        "chosen": {"template": template_key or "", "town": town_id},
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "review-queue":
        return render(request, "console/review/partials/queue_table.html", context)
    return render(request, "console/review/queue.html", context)


@dataclass
class ItemRow:
    key: str
    title: str
    kind: str
    unit: str
    answer: dict[str, Any]
    result: dict[str, Any]
    findings: list[Any] = field(default_factory=list)
    photos: list[Any] = field(default_factory=list)
    comment: str = ""  # the reviewer's comment (as typed, or as stored by an earlier decision)

    @property
    def answer_text(self) -> str:
        if self.answer.get("na"):
            return "不适用"
        value = self.answer.get("value")
        if value is None or value == "":
            return "未填写"
        if isinstance(value, bool):
            return "是" if value else "否"
        return f"{value} {self.unit}".strip()

    @property
    def flagged(self) -> bool:
        return any(getattr(p, "viewer_flags", None) for p in self.photos)


def _sheet(inspection: Inspection, comments: dict[str, str]) -> list[dict[str, Any]]:
    """The inspection item by item, in the pinned template version's order: answer, score line, findings
    of the current revision, photos (with their viewer flags) and the reviewer's comment."""
    results = {r["key"]: r for r in (inspection.score or {}).get("items", [])}
    findings: dict[str, list[Any]] = {}
    for f in inspection.findings.all():
        if f.revision == inspection.revision:
            findings.setdefault(f.item_key, []).append(f)
    photos: dict[str, list[Any]] = {}
    for p in inspection.photos.all():
        photos.setdefault(p.item_key, []).append(p)
    sections = []
    for section in spec_of(inspection.template).sections:
        items = [
            ItemRow(
                key=item.key,
                title=item.title,
                kind=str(item.kind),
                unit=item.unit,
                answer=inspection.answers.get(item.key) or {},
                result=results.get(item.key) or {},
                findings=findings.get(item.key, []),
                photos=photos.get(item.key, []),
                comment=comments.get(item.key, ""),
            )
            for item in section.items
        ]
        sections.append({"key": section.key, "title": section.title, "items": items})
    return sections


def _detail(
    request: ConsoleRequest,
    inspection: Inspection,
    *,
    error: ApplicationError | None = None,
    typed: dict[str, Any] | None = None,
) -> HttpResponse:
    typed = typed or {}
    comments = typed.get("comments") or inspection.item_comments or {}
    context = {
        "inspection": inspection,
        "sections": _sheet(inspection, comments),
        "general_photos": [p for p in inspection.photos.all() if not p.item_key],
        "flag_badges": _flag_badges(inspection.photos.all()),
        "may_review": inspection.status == "submitted" and request.principal.has_any(REVIEWING_ROLES),
        "own": inspection.inspector_id == request.principal.user_id,
        "reason": typed.get("reason", ""),
        "error": error_context(error) if error else None,
    }
    return render(
        request, "console/review/detail.html", context, status=error.status if error is not None else 200
    )


@console_view
def detail(request: ConsoleRequest, client_uuid: uuid.UUID) -> HttpResponse:
    if request.method == "POST":
        return _decide(request, client_uuid)
    return _detail(request, inspection_get(principal=request.principal, client_uuid=client_uuid))


def _decide(request: ConsoleRequest, client_uuid: uuid.UUID) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    reason = request.POST.get("reason", "")
    # Only the boxes filled in: an empty box is no comment.
    comments = {
        name.removeprefix("comment:"): str(text).strip()
        for name, text in request.POST.items()
        if name.startswith("comment:") and str(text).strip() and not approve
    }
    try:
        decided = inspection_review(
            principal=request.principal,
            client_uuid=client_uuid,
            approve=approve,
            reason=reason,
            item_comments=comments,
            if_match=_positive_int(request.POST.get("version")),
        )
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        current = inspection_get(principal=request.principal, client_uuid=client_uuid)
        return _detail(request, current, error=exc, typed={"reason": reason, "comments": comments})
    verdict = "通过" if approve else "退回"
    messages.success(request, f"已{verdict}检查：{decided.subject_name}（{decided.template.title}）")
    return redirect("console:review")
