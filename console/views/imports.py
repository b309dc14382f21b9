"""``/console/imports/``: facility ledgers (设施台账) and water measurements (水质监测数据) — upload, dry run,
row errors, then import the same stored file; large files become jobs whose progress the page polls.

Every step is a call to the owning app's import services (``geo.ledger_import``, ``scoring.water.services``),
the same the API's routes call: the parsers, the checks, who may import and whose imports one may open
are theirs. A kind below only names those services and the labels of its form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kernel.access import Principal
from kernel.errors import ApplicationError, InvalidInput

from .. import services
from ..access import ConsoleRequest, console_view, error_context

ERRORS_PER_PAGE = 50
RECENT = 20


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    may_import: Callable[[Principal], bool]
    upload: Callable[..., Any]  # (principal, data, filename, form) → the import record
    get: Callable[..., Any]
    apply: Callable[..., Any]
    retry: Callable[..., Any]
    recent: Callable[..., list[Any]]


def _upload_ledger(principal: Principal, data: bytes, filename: str, form: Any) -> Any:
    return services.facility_ledger_upload(
        principal=principal, data=data, filename=filename, dry_run=True,
        valid_rows_only=form.get("valid_rows_only") == "on",
    )  # fmt: skip


def _upload_measurements(principal: Principal, data: bytes, filename: str, form: Any) -> Any:
    return services.measurement_import_create(
        principal=principal, data=data, filename=filename, dry_run=True,
        source=form.get("source", "automatic"), on_duplicate=form.get("on_duplicate", "reject"),
        valid_rows_only=form.get("valid_rows_only") == "on",
    )  # fmt: skip


KINDS = {
    "ledger": Kind(
        "ledger", "设施台账", services.ledger_may_import, _upload_ledger,
        services.facility_ledger_import_get, services.facility_ledger_import_apply,
        services.facility_ledger_import_retry, services.facility_ledger_imports_recent,
    ),
    "measurements": Kind(
        "measurements", "水质监测数据", services.measurement_may_import, _upload_measurements,
        services.measurement_import_get, services.measurement_import_apply,
        services.measurement_import_retry, services.measurement_imports_recent,
    ),
}  # fmt: skip


def _kind(key: str) -> Kind:
    if key not in KINDS:
        raise Http404("没有这种导入")
    return KINDS[key]


def _url(kind: str, record: Any, name: str = "import") -> str:
    return reverse(f"console:{name}", kwargs={"kind": kind, "import_id": record.uuid})


def _row(kind: Kind, record: Any) -> dict[str, Any]:
    """One line of the recent imports: what the record itself holds (no further query)."""
    report = record.report or {}
    rows = (
        report.get("created", 0) + report.get("updated", 0)
        if kind.key == "ledger"
        else report.get("imported")
    )
    return {
        "kind": kind.label,
        "record": record,
        "url": _url(kind.key, record),
        "created_at": timezone.localtime(record.created_at),
        "error_count": report.get("error_count", 1 if "file_error" in report else 0),
        "rows": rows,
        "uploader_id": record.uploaded_by_id,
    }


def _page_context(request: ConsoleRequest) -> dict[str, Any]:
    principal = request.principal
    allowed = [kind for kind in KINDS.values() if kind.may_import(principal)]
    recent = [
        _row(kind, r) for kind in KINDS.values() for r in kind.recent(principal=principal, limit=RECENT)
    ]
    recent.sort(key=lambda row: row["record"].created_at, reverse=True)
    recent = recent[:RECENT]
    names = services.user_names({row["uploader_id"] for row in recent}) if recent else {}
    for row in recent:
        row["uploader"] = names.get(row["uploader_id"], "")
    return {"kinds": allowed, "recent": recent, "form": request.POST}


@console_view
@require_http_methods(["GET", "POST"])
def imports(request: ConsoleRequest) -> HttpResponse:
    """The upload form (the kinds this user may import) and the recent imports; a POST uploads a dry run."""
    if request.method == "POST":
        kind_key = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        try:
            if kind_key not in KINDS:
                raise InvalidInput(details={"fields": {"kind": ["请选择导入的类型"]}})
            data = upload.read() if upload else b""
            record = KINDS[kind_key].upload(
                request.principal, data, upload.name if upload else "", request.POST
            )
        except ApplicationError as exc:
            context = _page_context(request) | {"error": error_context(exc)}
            return render(request, "console/imports/index.html", context, status=exc.status)
        return redirect(_url(kind_key, record))
    return render(request, "console/imports/index.html", _page_context(request))


def _job_context(request: ConsoleRequest, kind: Kind, record: Any) -> dict[str, Any]:
    report = record.report or {}
    errors = Paginator(report.get("errors", []), ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    active = record.status in ("queued", "running")
    return {
        "kind": kind,
        "record": record,
        "report": report,
        "errors": errors,
        "active": active,
        "gaps": sum(len(items) for items in report.get("gaps_by_town", {}).values()),
        "status_url": _url(kind.key, record, "import_status"),
        "apply_url": _url(kind.key, record, "import_apply"),
        "retry_url": _url(kind.key, record, "import_retry"),
        # the job kernel's rule (stalled or failed), asked of the record; the service decides on POST
        "may_retry": record.status == "failed" or record.stalled,
        "may_apply": record.dry_run and record.status == "done" and kind.may_import(request.principal),
        "finished_at": timezone.localtime(record.finished_at) if record.finished_at else None,
    }


@console_view
def import_detail(request: ConsoleRequest, kind: str, import_id: UUID) -> HttpResponse:
    """One import: its options, then its progress while it runs, or its summary and row errors."""
    the_kind = _kind(kind)
    record = the_kind.get(principal=request.principal, import_uuid=import_id)
    context = _job_context(request, the_kind, record) | {"created_at": timezone.localtime(record.created_at)}
    return render(request, "console/imports/detail.html", context)


@console_view
def import_status(request: ConsoleRequest, kind: str, import_id: UUID) -> HttpResponse:
    """The polled partial: a progress bar while the job is queued or running (it polls itself again),
    the result once it has ended (no more polling)."""
    the_kind = _kind(kind)
    record = the_kind.get(principal=request.principal, import_uuid=import_id)
    return render(request, "console/imports/partials/job.html", _job_context(request, the_kind, record))


@console_view
@require_POST
def import_apply(request: ConsoleRequest, kind: str, import_id: UUID) -> HttpResponse:
    """Import the file the dry run checked (the stored one, never a new upload): a new import."""
    return _act(request, _kind(kind), import_id, "apply")


@console_view
@require_POST
def import_retry(request: ConsoleRequest, kind: str, import_id: UUID) -> HttpResponse:
    """Queue a stalled or failed import again (the job kernel's retry, through the owning service)."""
    return _act(request, _kind(kind), import_id, "retry")


def _act(request: ConsoleRequest, the_kind: Kind, import_id: UUID, action: str) -> HttpResponse:
    try:
        record = getattr(the_kind, action)(principal=request.principal, import_uuid=import_id)
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        record = the_kind.get(principal=request.principal, import_uuid=import_id)
        context = _job_context(request, the_kind, record) | {
            "created_at": timezone.localtime(record.created_at),
            "error": error_context(exc),
        }
        return render(request, "console/imports/detail.html", context, status=exc.status)
    return redirect(_url(the_kind.key, record))
