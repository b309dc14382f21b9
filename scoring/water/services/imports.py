"""Uploading measurement files and the import job (sync, or a Celery job with heartbeat and retry)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from geo.models import RiverSection
from geo.services.map_layers import SECTIONS, map_layers_bump
from kernel import jobs
from kernel.access import DISTRICT_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import InvalidInput, PayloadTooLarge, PermissionDenied

from ...engine import water
from ...models import ImportStatus, Measurement, MeasurementImport, MeasurementSource
from .. import notices, parsing

ON_DUPLICATE = ("reject", "replace")
_BATCH = 5000


def measurement_may_import(principal: Principal) -> bool:
    """Whether this principal may upload measurement files (生态环境局 and the district's roles)."""
    return principal.has_any(DISTRICT_ROLES)


def _require_importer(principal: Principal) -> None:
    if not measurement_may_import(principal):
        raise PermissionDenied("只有生态环境局、区级部门可以导入监测数据")


def measurement_import_create(
    *,
    principal: Principal,
    data: bytes,
    filename: str,
    source: str,
    dry_run: bool,
    on_duplicate: str,
    valid_rows_only: bool,
) -> MeasurementImport:
    """Store the upload and process it: at once when small, else in a Celery task the client polls."""
    _require_importer(principal)
    problems: dict[str, list[str]] = {}
    if source not in MeasurementSource.values:
        problems["source"] = [f"应为 {' / '.join(MeasurementSource.values)}"]
    if on_duplicate not in ON_DUPLICATE:
        problems["on_duplicate"] = ["应为 reject（拒绝重复）或 replace（以新数据替换）"]
    if not data:
        problems["file"] = ["文件为空"]
    if problems:
        raise InvalidInput(details={"fields": problems})
    if len(data) > settings.WATER_IMPORT_MAX_BYTES:
        raise PayloadTooLarge(details={"max_bytes": settings.WATER_IMPORT_MAX_BYTES, "size": len(data)})
    record = MeasurementImport(
        uuid=uuid.uuid4(),
        filename=filename[:255],
        size=len(data),
        source=source,
        dry_run=dry_run,
        on_duplicate=on_duplicate,
        valid_rows_only=valid_rows_only,
        uploaded_by_id=principal.user_id,
    )
    with transaction.atomic():
        record.file.save(f"{record.uuid}{_suffix(filename)}", ContentFile(data), save=False)
        record.save()
        audit_record(
            action="water.import.upload",
            obj=record,
            after={"filename": record.filename, "size": record.size, "dry_run": dry_run},
        )
        if len(data) > settings.WATER_IMPORT_SYNC_BYTES:
            from ...tasks import water_import_process

            jobs.job_dispatch(record, water_import_process)
            return record
    return measurement_import_process(import_id=record.pk)


def _suffix(filename: str) -> str:
    lower = filename.lower()
    return next((s for s in (".xlsx", ".csv") if lower.endswith(s)), "")


def measurement_import_process(*, import_id: int) -> MeasurementImport:
    """Parse, check against the database, then import everything or nothing (unless the user asked for
    the valid rows only). A dry run reports what would happen and writes no measurement. A job
    (``kernel.jobs``): one run at a time, beating while it works, its measurements and its end written in
    one transaction — a redelivered or re-queued run never imports twice."""
    return jobs.job_execute(MeasurementImport, import_id, _process)


def _process(run: jobs.Run[MeasurementImport]) -> None:
    record = run.job
    run.step(5)
    sections = {s.code: s for s in RiverSection.objects.filter(is_active=True)}
    known = {**{s.name: s.code for s in sections.values()}, **{code: code for code in sections}}
    with record.file.open("rb") as fh:
        data = fh.read()
    try:
        parsed = parsing.parse_measurements(
            data, record.filename, known_sections=known, tz=timezone.get_default_timezone()
        )
    except parsing.MeasurementFileError as exc:
        run.conclude(status=ImportStatus.REJECTED, report={"ok": False, "file_error": exc.as_dict()})
        return
    run.step(50)
    existing = _existing_keys(parsed.records, sections)
    duplicates = [r for r in parsed.records if r.key in existing]
    report = parsed.as_dict()
    errors = list(report["errors"])
    records = list(parsed.records)
    if record.on_duplicate == "reject" and duplicates:
        message = "该断面此时刻的此项指标已有数据（如需替换请选择 replace）"
        errors += [
            parsing.RowError(
                r.source_row, water.name_of(r.indicator), "duplicate_existing", message, str(r.value)
            ).as_dict()
            for r in duplicates
        ]
        bad_rows = {r.source_row for r in duplicates}
        records = [r for r in records if r.source_row not in bad_rows]
        errors.sort(key=lambda e: (e["row"], e["column"]))
    report.update(
        errors=errors,
        error_count=parsed.error_count + (len(duplicates) if record.on_duplicate == "reject" else 0),
        duplicates_existing=len(duplicates),
    )
    report["ok"] = report["error_count"] == 0
    if not report["ok"] and not record.valid_rows_only:
        report.update(imported=0, replaced=0)
        run.conclude(status=ImportStatus.REJECTED, report=report)
        return
    replaced = [r for r in records if r.key in existing]
    if record.dry_run:
        report.update(imported=0, replaced=0, would_import=len(records), would_replace=len(replaced))
        run.conclude(status=ImportStatus.DONE, report=report)
        return
    run.step(60)
    with run.atomic():  # the measurements and the job's end commit together, or not at all
        _delete(replaced, sections)
        for start in range(0, len(records), _BATCH):
            Measurement.objects.bulk_create(
                Measurement(
                    section=sections[r.section_code],
                    sampled_at=r.sampled_at,
                    indicator=r.indicator,
                    value=r.value,
                    below_detection=r.below_detection,
                    source=record.source,
                    batch=record,
                )
                for r in records[start : start + _BATCH]
            )
            run.step(60 + 39 * start // len(records))
        report.update(imported=len(records), replaced=len(replaced))
        map_layers_bump(SECTIONS)  # this month's class on the map
        notices.sections_below_target((sections[r.section_code], r.sampled_at) for r in records)
        audit_record(
            action="water.import.apply",
            obj=record,
            after={
                "imported": len(records),
                "replaced": len(replaced),
                "skipped_errors": report["error_count"],
            },
        )
        run.finish(status=ImportStatus.DONE, report=report)


def _existing_keys(
    records: tuple[parsing.Record, ...], sections: dict[str, RiverSection]
) -> set[tuple[str, Any, str]]:
    """The file's (section, time, indicator) keys already in the database: one range query per section."""
    spans: dict[str, list[Any]] = {}
    for r in records:
        lo_hi = spans.setdefault(r.section_code, [r.sampled_at, r.sampled_at])
        lo_hi[0], lo_hi[1] = min(lo_hi[0], r.sampled_at), max(lo_hi[1], r.sampled_at)
    wanted = {r.key for r in records}
    found: set[tuple[str, Any, str]] = set()
    for code, (lo, hi) in spans.items():
        rows = Measurement.objects.filter(
            section=sections[code], sampled_at__gte=lo, sampled_at__lte=hi
        ).values_list("sampled_at", "indicator")
        found |= {(code, at, ind) for at, ind in rows if (code, at, ind) in wanted}
    return found


def _delete(records: list[parsing.Record], sections: dict[str, RiverSection]) -> None:
    """The stored values ``records`` replace: one DELETE per section, indicator and batch of times (a
    re-imported year of hourly data replaces ~70,000 values, which were ~70,000 statements)."""
    times: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in records:
        times[(r.section_code, r.indicator)].append(r.sampled_at)
    for (code, indicator), when in times.items():
        for start in range(0, len(when), _BATCH):
            Measurement.objects.filter(
                section=sections[code], indicator=indicator, sampled_at__in=when[start : start + _BATCH]
            ).delete()


def measurement_import_get(*, principal: Principal, import_uuid: uuid.UUID) -> MeasurementImport:
    """One import: its uploader's, or any for the district's roles; 404 otherwise."""
    sees_all = principal.has_any(DISTRICT_ROLES)
    return jobs.upload_get(
        MeasurementImport, import_uuid=import_uuid, user_id=principal.user_id, sees_all=sees_all
    )


def measurement_import_apply(*, principal: Principal, import_uuid: uuid.UUID) -> MeasurementImport:
    """Import the file a dry run checked, as it was uploaded (the stored file, with the dry run's source
    and options): a new import job, so the client never sends the file twice. Only a finished dry run that
    found nothing to stop the import (or was asked for the valid rows only) can be applied: 409 otherwise."""
    record = measurement_import_get(principal=principal, import_uuid=import_uuid)
    data = jobs.dry_run_file(record)
    return measurement_import_create(
        principal=principal, data=data, filename=record.filename, source=record.source,
        dry_run=False, on_duplicate=record.on_duplicate, valid_rows_only=record.valid_rows_only,
    )  # fmt: skip


def measurement_imports_recent(*, principal: Principal, limit: int = 20) -> list[MeasurementImport]:
    """The latest measurement imports this principal may open (``measurement_import_get``'s rule: its
    own, or all for the district's roles), newest first."""
    sees_all = principal.has_any(DISTRICT_ROLES)
    return jobs.uploads_recent(MeasurementImport, user_id=principal.user_id, sees_all=sees_all, limit=limit)


def measurement_import_retry(*, principal: Principal, import_uuid: uuid.UUID) -> MeasurementImport:
    """Queue a stalled or failed import again (whoever may read it: its uploader, district roles)."""
    from ...tasks import water_import_process

    record = measurement_import_get(principal=principal, import_uuid=import_uuid)
    return jobs.job_retry(job=record, task=water_import_process)


def measurement_imports_requeue_stalled() -> dict[str, int]:
    """The beat sweep of measurement imports: those whose process died, queued again (or given up)."""
    from ...tasks import water_import_process

    return jobs.job_requeue_stalled(MeasurementImport, water_import_process)
