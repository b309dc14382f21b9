"""Issuing bulletins (通报): the request checks who may issue it and that the data can make it, records the
bulletin and queues its generation (Celery, through the outbox); the run builds the content, renders the
.docx, stores it with the content it was made from, and ends done or failed with the reason. PDF is made
on first download by LibreOffice (``soffice --headless --convert-to pdf``) where it is installed."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet

from kernel import jobs
from kernel.access import DISTRICT_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import ApplicationError, Conflict, InvalidInput, NotFound, ServiceUnavailable

from . import builders, content, notices, render
from .models import Bulletin, BulletinKind

logger = logging.getLogger(__name__)

KINDS = {k.value: k.label for k in BulletinKind}


def _kind_check(kind: str) -> None:
    if kind not in builders.BUILDERS:
        known = "、".join(f"{k}（{KINDS.get(k, k)}）" for k in builders.BUILDERS)
        raise InvalidInput(
            f"未知或尚未开通的通报类型，可选：{known}",
            code="bulletin_kind_unknown",
            details={"fields": {"kind": [f"可选：{', '.join(builders.BUILDERS)}"]}},
        )


@transaction.atomic
def bulletin_issue(*, principal: Principal, kind: str, period: str) -> Bulletin:
    """Record a bulletin and queue its generation. The kind's check runs first (who may issue it, the
    period, e.g. a published scoreboard), so a bulletin that cannot be made is a 4xx, never a record."""
    _kind_check(kind)
    period = builders.check(principal, kind, period.strip())
    bulletin = Bulletin.objects.create(kind=kind, period=period, created_by_id=principal.user_id)
    audit_record(action="scoring.bulletin.issue", obj=bulletin, after={"kind": kind, "period": period})
    from .tasks import bulletin_generate

    jobs.job_dispatch(bulletin, bulletin_generate)
    return bulletin


def bulletin_generate(*, bulletin_id: int) -> Bulletin:
    """Build, render and store the bulletin (``kernel.jobs``: one run at a time, re-queued if its process
    dies). Data that cannot make it (the board withdrawn since, no Chinese font …) fails the bulletin
    with the code and message; the stored file and content are written with the end, or not at all."""
    return jobs.job_execute(Bulletin, bulletin_id, _generate)


def _fail(run: jobs.Run[Bulletin], code: str, message: str) -> None:
    with run.atomic():
        run.finish(status=jobs.JobStatus.FAILED, report={"ok": False, "code": code, "error": message})
        audit_record(action="scoring.bulletin.fail", obj=run.job, after={"code": code})


def _generate(run: jobs.Run[Bulletin]) -> None:
    record = run.job
    try:
        built = builders.BUILDERS[record.kind](record.period)
    except ApplicationError as exc:
        _fail(run, exc.code, exc.message)
        return
    built = replace(built, number=record.number)
    run.step(50)
    try:
        data = render.render_docx(built, font=settings.BULLETIN_FONT)
    except render.FontMissing:
        _fail(run, "font_missing", render.FontMissing.message)
        return
    run.step(90)
    name = default_storage.save(f"bulletins/{record.kind}-{record.pk}.docx", ContentFile(data))
    try:
        with run.atomic():
            run.finish(
                status=jobs.JobStatus.DONE,
                report={"ok": True, "bytes": len(data)},
                file=name,
                title=built.title[:200],  # the column's length; the document keeps it whole
                content=content.to_json(built),
            )
            audit_record(
                action="scoring.bulletin.done", obj=record, after={"title": built.title, "file": name}
            )
            notices.bulletin_issued(record)
    except jobs.Superseded:
        default_storage.delete(name)
        raise


def bulletins_requeue_stalled() -> dict[str, int]:
    from .tasks import bulletin_generate

    return jobs.job_requeue_stalled(Bulletin, bulletin_generate)


# ------------------------------------------------------------------------------------------------ read


def bulletin_list(*, principal: Principal, kind: str | None = None) -> QuerySet[Bulletin]:
    """District roles see every bulletin; other roles the finished ones (a 通报 is addressed to every
    town: what it says is what the towns receive)."""
    qs = Bulletin.objects.select_related("created_by").order_by("-created_at", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    if not principal.has_any(DISTRICT_ROLES):
        qs = qs.filter(status=jobs.JobStatus.DONE)
    return qs


def bulletin_get(*, principal: Principal, bulletin_id: int) -> Bulletin:
    bulletin = bulletin_list(principal=principal).filter(pk=bulletin_id).first()
    if bulletin is None:
        raise NotFound("通报不存在", details={"bulletin_id": bulletin_id})
    return bulletin


def _done(bulletin: Bulletin) -> None:
    if bulletin.status != jobs.JobStatus.DONE or not bulletin.file:
        raise Conflict(
            "通报尚未生成完成" if bulletin.status != jobs.JobStatus.FAILED else "通报生成失败，没有文件",
            code="job_not_done",
            details={"status": bulletin.status, "stalled": bulletin.stalled, "report": bulletin.report},
        )


def bulletin_file(*, principal: Principal, bulletin_id: int, format: str) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) of the bulletin as Word or PDF. PDF: 409 ``pdf_converter_unavailable``
    where LibreOffice is not installed; converted once, then stored."""
    if format not in ("docx", "pdf"):
        raise InvalidInput(
            "格式只能是 docx 或 pdf", code="format_unknown", details={"fields": {"format": ["docx 或 pdf"]}}
        )
    bulletin = bulletin_get(principal=principal, bulletin_id=bulletin_id)
    _done(bulletin)
    stem = bulletin.title or f"通报{bulletin.pk}"
    if format == "docx":
        with bulletin.file.open("rb") as fh:
            docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            return f"{stem}.docx", fh.read(), docx
    if not bulletin.pdf:
        bulletin = bulletin_pdf_convert(bulletin=bulletin)
    with bulletin.pdf.open("rb") as fh:
        return f"{stem}.pdf", fh.read(), "application/pdf"


def _soffice() -> str:
    found = shutil.which(settings.BULLETIN_SOFFICE)
    if found is None:
        raise Conflict(
            "服务器未安装 LibreOffice，无法转换为 PDF（请下载 Word 版本，或由管理员安装 LibreOffice）",
            code="pdf_converter_unavailable",
            details={"fields": {"format": ["服务器不支持 PDF"]}, "converter": settings.BULLETIN_SOFFICE},
        )
    return found


def bulletin_pdf_convert(*, bulletin: Bulletin) -> Bulletin:
    """Convert the stored .docx with ``soffice --headless --convert-to pdf`` (its own profile directory,
    so that conversions running side by side do not share a LibreOffice profile) and store the PDF."""
    soffice = _soffice()
    with tempfile.TemporaryDirectory(prefix="bulletin-") as tmp:
        source = Path(tmp) / f"bulletin-{bulletin.pk}.docx"
        with bulletin.file.open("rb") as fh:
            source.write_bytes(fh.read())
        command = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                   "--convert-to", "pdf", "--outdir", tmp, str(source)]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=settings.BULLETIN_PDF_TIMEOUT, check=True)  # noqa: S603 — our arguments
            data = (Path(tmp) / f"bulletin-{bulletin.pk}.pdf").read_bytes()
        except (subprocess.SubprocessError, OSError) as exc:
            logger.warning("bulletin %s: PDF conversion failed: %s", bulletin.pk, exc)
            raise ServiceUnavailable(
                "PDF 转换失败，请稍后重试或下载 Word 版本", code="pdf_conversion_failed"
            ) from exc
    return _pdf_store(bulletin_id=bulletin.pk, data=data)


@transaction.atomic
def _pdf_store(*, bulletin_id: int, data: bytes) -> Bulletin:
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin_id)
    if not bulletin.pdf:  # a conversion running beside this one may have stored it first
        bulletin.pdf.save(f"bulletin-{bulletin.pk}.pdf", ContentFile(data), save=False)
        bulletin.save(update_fields=["pdf", "updated_at"])
        audit_record(action="scoring.bulletin.pdf", obj=bulletin, after={"file": bulletin.pdf.name})
    return bulletin


@transaction.atomic
def bulletin_number_set(*, principal: Principal, bulletin_id: int, number: str) -> Bulletin:
    """Fill in (or correct) the 文号: the document is rendered again from its stored content, so the figures
    stay those it was issued with; a PDF made before is dropped and made again on the next download."""
    bulletin = bulletin_get(principal=principal, bulletin_id=bulletin_id)
    builders.check(principal, bulletin.kind, bulletin.period)  # who may issue it may number it
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    _done(bulletin)
    before = bulletin.number
    built = replace(content.from_json(bulletin.content), number=number.strip())
    try:
        data = render.render_docx(built, font=settings.BULLETIN_FONT)
    except render.FontMissing:
        raise ServiceUnavailable(render.FontMissing.message, code="font_missing") from None
    old_docx, old_pdf = bulletin.file.name, bulletin.pdf.name
    bulletin.file.save(f"{bulletin.kind}-{bulletin.pk}.docx", ContentFile(data), save=False)
    bulletin.pdf = ""
    bulletin.number = built.number
    bulletin.content = content.to_json(built)
    bulletin.save(update_fields=["file", "pdf", "number", "content", "updated_at"])
    audit_record(action="scoring.bulletin.number", obj=bulletin, before={"number": before},
                 after={"number": bulletin.number})  # fmt: skip

    def drop_old() -> None:
        for name in (old_docx, old_pdf):
            if name:
                default_storage.delete(name)

    transaction.on_commit(drop_old)
    return bulletin
