"""The 工作方案 panel of ``/console/water/sections/<id>/`` (65号 item 15): the plan's three parts, its
analysis text saved as a new version through the same service as ``PUT /water/sections/{id}/work-plan``
(scope, roles, version check), and the Word file of ``?format=docx``. The panel is an htmx part: a save
swaps it in place, an error shows beside the form with the service's status and the typed text kept."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kernel.errors import ApplicationError, InvalidInput

from .. import services
from ..access import ConsoleRequest, console_view, error_context

VERSIONS_SHOWN = 20


def plan_year(raw: str | None, fallback: int | None = None) -> int:
    """The plan's year: the form's or query's, else the page month's year, never later than this year."""
    this_year = timezone.localdate().year
    if not raw:
        return min(fallback or this_year, this_year)
    if not raw.isdigit() or len(raw) != 4:
        raise InvalidInput(details={"fields": {"year": ["应为年份，如 2026"]}})
    return int(raw)


def work_plan_context(
    request: ConsoleRequest, section_id: int, year: int, *, error: ApplicationError | None = None,
    typed: dict[str, str] | None = None, saved: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    principal = request.principal
    plan = services.section_work_plan(principal=principal, section_id=section_id, year=year)
    versions = services.work_plan_versions(principal=principal, section_id=section_id, year=year)
    return {
        "plan": plan,
        "plan_versions": list(versions[:VERSIONS_SHOWN]),
        "may_edit": services.work_plan_may_edit(principal=principal, section_id=section_id),
        "plan_error": error_context(error) if error else None,
        "typed_analysis": typed["analysis"] if typed else plan.analysis_text,
        "typed_number": typed["document_number"] if typed else plan.document_number,
        "typed_version": typed["version"] if typed else str(plan.version),
        "saved_version": saved,
    }


def _version(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) <= 9 else None


@require_http_methods(["GET", "POST"])
@console_view
def work_plan_panel(request: ConsoleRequest, section_id: int) -> HttpResponse:
    """GET: the panel alone (htmx) or the section page; POST: save the text as a new version."""
    source = request.POST if request.method == "POST" else request.GET
    year = plan_year(source.get("year"))
    if request.method == "GET":
        if not request.headers.get("HX-Request"):
            return redirect("console:water-section", section_id=section_id)
        return render(request, "console/water/work_plan.html", work_plan_context(request, section_id, year))
    typed = {k: source.get(k, "") for k in ("analysis", "document_number", "version")}
    try:
        saved = services.work_plan_save(
            principal=request.principal, section_id=section_id, year=year, analysis=typed["analysis"],
            document_number=typed["document_number"], if_match=_version(typed["version"]),
        )  # fmt: skip
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        context = work_plan_context(request, section_id, year, error=exc, typed=typed)
        return render(request, "console/water/work_plan.html", context, status=exc.status)
    if not request.headers.get("HX-Request"):
        return redirect("console:water-section", section_id=section_id)
    context = work_plan_context(request, section_id, year, saved=saved.version)
    return render(request, "console/water/work_plan.html", context)


@require_GET
@console_view
def work_plan_download(request: ConsoleRequest, section_id: int) -> HttpResponse:
    year = plan_year(request.GET.get("year"))
    plan = services.section_work_plan(principal=request.principal, section_id=section_id, year=year)
    response = HttpResponse(services.work_plan_docx(plan), content_type=services.DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="work-plan-{plan.section.code}-{plan.year}.docx"'
    return response
