"""Uploading air and dust-fall files and the import job — the water measurement import's shape: dry run,
row errors, reject or replace duplicates, all or nothing (or the valid rows only), a Celery job with
heartbeat and retry for large files (``kernel.jobs``). An hourly import recomputes the days it touched."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from geo.models import AirStation, DustFallPoint
from kernel import jobs
from kernel.access import DISTRICT_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import InvalidInput, PayloadTooLarge, PermissionDenied
from kernel.tables import RowError

from ..engine import air as engine
from ..models import AirDay, AirHour, AirImport, AirImportKind, DustFallReading, ImportStatus
from . import parsing

ON_DUPLICATE = ("reject", "replace")
_BATCH = 5000


def air_may_import(principal: Principal) -> bool:
    """生态环境局 and the district's roles import monitoring data (as for water)."""
    return principal.has_any(DISTRICT_ROLES)


def air_import_create(
    *, principal: Principal, data: bytes, filename: str, kind: str, dry_run: bool, on_duplicate: str,
    valid_rows_only: bool,
) -> AirImport:  # fmt: skip
    """Store the upload and process it: at once when small, else in a Celery task the client polls."""
    if not air_may_import(principal):
        raise PermissionDenied("只有生态环境局、区级部门可以导入监测数据")
    problems: dict[str, list[str]] = {}
    if kind not in AirImportKind.values:
        problems["kind"] = [f"应为 {' / '.join(AirImportKind.values)}"]
    if on_duplicate not in ON_DUPLICATE:
        problems["on_duplicate"] = ["应为 reject（拒绝重复）或 replace（以新数据替换）"]
    if not data:
        problems["file"] = ["文件为空"]
    if problems:
        raise InvalidInput(details={"fields": problems})
    if len(data) > settings.WATER_IMPORT_MAX_BYTES:
        raise PayloadTooLarge(details={"max_bytes": settings.WATER_IMPORT_MAX_BYTES, "size": len(data)})
    record = AirImport(
        uuid=uuid.uuid4(), kind=kind, filename=filename[:255], size=len(data), dry_run=dry_run,
        on_duplicate=on_duplicate, valid_rows_only=valid_rows_only, uploaded_by_id=principal.user_id,
    )  # fmt: skip
    suffix = next((s for s in (".xlsx", ".csv") if filename.lower().endswith(s)), "")
    with transaction.atomic():
        record.file.save(f"{record.uuid}{suffix}", ContentFile(data), save=False)
        record.save()
        after = {"filename": record.filename, "kind": kind, "size": record.size, "dry_run": dry_run}
        audit_record(action="air.import.upload", obj=record, after=after)
        if len(data) > settings.WATER_IMPORT_SYNC_BYTES:
            from ..tasks import air_import_task

            jobs.job_dispatch(record, air_import_task)
            return record
    return air_import_process(import_id=record.pk)


def air_import_process(*, import_id: int) -> AirImport:
    """Parse, check against the database, then import everything or nothing (unless the valid rows only
    were asked for); a dry run writes no reading. A job: its readings and its end commit together."""
    return jobs.job_execute(AirImport, import_id, _process)


def _registry(kind: str) -> dict[str, Any]:
    model = DustFallPoint if kind == parsing.DUST else AirStation
    return {p.code: p for p in model.objects.filter(is_active=True)}


def _process(run: jobs.Run[AirImport]) -> None:
    record = run.job
    run.step(5)
    points = _registry(record.kind)
    known = {**{p.name: p.code for p in points.values()}, **{code: code for code in points}}
    with record.file.open("rb") as fh:
        data = fh.read()
    try:
        parsed = parsing.parse_air(
            data, record.filename, kind=record.kind, known=known, tz=timezone.get_default_timezone()
        )
    except parsing.AirFileError as exc:
        run.conclude(status=ImportStatus.REJECTED, report={"ok": False, "file_error": exc.as_dict()})
        return
    run.step(50)
    existing = _existing(record.kind, parsed.records, points)
    duplicates = [r for r in parsed.records if r.key in existing]
    records = list(parsed.records)
    if record.on_duplicate == "reject" and duplicates:
        column = {parsing.HOURLY: "时间", parsing.DAILY: "日期"}.get(record.kind, "开始日期")
        message = "该点位此时间已有数据（如需替换请选择 replace）"
        parsed.errors += [
            RowError(r.row, column, "duplicate_existing", message, str(r.at)) for r in duplicates
        ]
        records = [r for r in records if r.key not in existing]
    if record.kind == parsing.DUST:
        overlapping = _dust_overlaps(records, points)
        parsed.errors += overlapping
        bad_rows = {e.row for e in overlapping}
        records = [r for r in records if r.row not in bad_rows]
    parsed.errors.sort(key=lambda e: (e.row, e.column))
    report = parsed.as_dict()
    report["duplicates_existing"] = len(duplicates)
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
    with run.atomic():  # the readings and the job's end commit together, or not at all
        days = _write(record, records, replaced, points)
        report.update(imported=len(records), replaced=len(replaced), days_computed=days)
        after = {"imported": len(records), "replaced": len(replaced), "skipped_errors": report["error_count"]}
        audit_record(action="air.import.apply", obj=record, after=after)
        run.finish(status=ImportStatus.DONE, report=report)


def _existing(kind: str, records: list[parsing.AirRecord], points: dict[str, Any]) -> set[tuple[str, Any]]:
    """The file's (point, time) keys already stored: one range query per point."""
    spans: dict[str, list[Any]] = {}
    for r in records:
        lo_hi = spans.setdefault(r.code, [r.at, r.at])
        lo_hi[0], lo_hi[1] = min(lo_hi[0], r.at), max(lo_hi[1], r.at)
    found: set[tuple[str, Any]] = set()
    for code, (lo, hi) in spans.items():
        keys: Any
        if kind == parsing.HOURLY:
            keys = AirHour.objects.filter(station=points[code], at__gte=lo, at__lte=hi).values_list(
                "at", flat=True
            )
        elif kind == parsing.DAILY:
            keys = AirDay.objects.filter(station=points[code], day__gte=lo, day__lte=hi).values_list(
                "day", flat=True
            )
        else:
            keys = DustFallReading.objects.filter(
                point=points[code], start__gte=lo, start__lte=hi
            ).values_list("start", flat=True)
        found |= {(code, k) for k in keys}
    return found


def _dust_overlaps(records: list[parsing.AirRecord], points: dict[str, Any]) -> list[RowError]:
    """A jar collects one exposure at a time: a row whose days overlap another row's of the same jar (in the
    file, or stored with another start) would count those days twice in the period means."""
    errors: list[RowError] = []
    by_code: dict[str, list[parsing.AirRecord]] = defaultdict(list)
    for r in records:
        by_code[r.code].append(r)
    for code, rows in by_code.items():
        rows.sort(key=lambda r: r.at)
        lo, hi = rows[0].at, max(r.end for r in rows if r.end is not None)
        stored = list(
            DustFallReading.objects.filter(point=points[code], start__lte=hi, end__gte=lo).values_list(
                "start", "end"
            )
        )
        previous_end: date | None = None
        for r in rows:
            assert isinstance(r.at, date) and r.end is not None
            clash = (previous_end is not None and r.at <= previous_end) or any(
                s != r.at and s <= r.end and e >= r.at for s, e in stored
            )
            if clash:
                message = "与该点位另一收集期的日期重叠（同一降尘缸同一时间只能有一个收集期）"
                errors.append(RowError(r.row, "开始日期", "overlapping_exposure", message, str(r.at)))
            previous_end = r.end if previous_end is None else max(previous_end, r.end)
    return errors


def _write(record: AirImport, records: list[parsing.AirRecord], replaced: list[parsing.AirRecord],
           points: dict[str, Any]) -> int:  # fmt: skip
    """Delete what is replaced, insert the records; hourly: recompute each touched station-day. Returns the
    number of days computed."""
    by_code: dict[str, list[Any]] = defaultdict(list)
    for r in replaced:
        by_code[r.code].append(r.at)
    for code, keys in by_code.items():
        for i in range(0, len(keys), _BATCH):
            chunk = keys[i : i + _BATCH]
            if record.kind == parsing.HOURLY:
                AirHour.objects.filter(station=points[code], at__in=chunk).delete()
            elif record.kind == parsing.DAILY:
                AirDay.objects.filter(station=points[code], day__in=chunk).delete()
            else:
                DustFallReading.objects.filter(point=points[code], start__in=chunk).delete()
    if record.kind == parsing.DUST:
        DustFallReading.objects.bulk_create(
            (DustFallReading(point=points[r.code], start=r.at, end=r.end, deposit=r.values["deposit"],
                             batch=record) for r in records), batch_size=_BATCH,
        )  # fmt: skip
        return 0
    if record.kind == parsing.DAILY:
        AirDay.objects.bulk_create(
            (_day_row(points[r.code].pk, engine.day_of(r.at, engine.AirDayValues(**r.values)), record)
             for r in records), batch_size=_BATCH,
        )  # fmt: skip
        return len(records)
    AirHour.objects.bulk_create(
        (AirHour(station=points[r.code], at=r.at, batch=record, **r.values) for r in records),
        batch_size=_BATCH,
    )
    touched: dict[int, set[date]] = defaultdict(set)
    for r in records:
        assert isinstance(r.at, datetime)
        touched[points[r.code].pk].add(timezone.localtime(r.at).date())
    return air_days_recompute(touched=touched, batch=record)


def air_days_recompute(*, touched: dict[int, set[date]], batch: AirImport | None = None) -> int:
    """Each station-day's 日报 from its stored hours (``scoring.engine.air.day_from_hours``), replacing the
    day's row; one query per station for the hours. Returns the days written."""
    tz = timezone.get_default_timezone()
    rows: list[AirDay] = []
    for station_id, days in touched.items():
        lo, hi = min(days), max(days)
        start = datetime.combine(lo, time(0), tzinfo=tz)
        end = datetime.combine(hi + timedelta(days=1), time(0), tzinfo=tz)
        hours: dict[date, dict[int, dict[str, Any]]] = defaultdict(dict)
        for h in AirHour.objects.filter(station_id=station_id, at__gte=start, at__lt=end).values():
            local = timezone.localtime(h["at"], tz)
            if local.date() in days:
                hours[local.date()][local.hour] = {
                    p: h[p] for p in ("so2", "no2", "pm10", "pm25", "co", "o3")
                }
        AirDay.objects.filter(station_id=station_id, day__in=days).delete()
        rows += [
            _day_row(station_id, engine.day_from_hours(d, hours.get(d, {})), batch, from_hours=True)
            for d in sorted(days)
        ]
    AirDay.objects.bulk_create(rows, batch_size=_BATCH)
    return len(rows)


def _day_row(
    station_id: int, day: engine.Day, batch: AirImport | None, *, from_hours: bool = False
) -> AirDay:
    return AirDay(
        station_id=station_id,
        day=day.day,
        **day.values.as_dict(),
        aqi=day.aqi,
        primary=",".join(day.primary),
        from_hours=from_hours,
        batch=batch,
    )


def air_import_get(*, principal: Principal, import_uuid: uuid.UUID) -> AirImport:
    """One import: its uploader's, or any for the district's roles; 404 otherwise."""
    sees_all = principal.has_any(DISTRICT_ROLES)
    return jobs.upload_get(AirImport, import_uuid=import_uuid, user_id=principal.user_id, sees_all=sees_all)


def air_imports_recent(*, principal: Principal, limit: int = 20) -> list[AirImport]:
    """The latest imports this principal may open (its own, or all for the district's roles), newest first."""
    sees_all = principal.has_any(DISTRICT_ROLES)
    return jobs.uploads_recent(AirImport, user_id=principal.user_id, sees_all=sees_all, limit=limit)


def air_import_apply(*, principal: Principal, import_uuid: uuid.UUID) -> AirImport:
    """Import the file a finished dry run checked, as uploaded (a new job); 409 for anything else."""
    record = air_import_get(principal=principal, import_uuid=import_uuid)
    data = jobs.dry_run_file(record)
    return air_import_create(
        principal=principal, data=data, filename=record.filename, kind=record.kind, dry_run=False,
        on_duplicate=record.on_duplicate, valid_rows_only=record.valid_rows_only,
    )  # fmt: skip


def air_import_retry(*, principal: Principal, import_uuid: uuid.UUID) -> AirImport:
    """Queue a stalled or failed import again."""
    from ..tasks import air_import_task

    record = air_import_get(principal=principal, import_uuid=import_uuid)
    return jobs.job_retry(job=record, task=air_import_task)


def air_imports_requeue_stalled() -> dict[str, int]:
    """The beat sweep: air imports whose process died, queued again (or given up)."""
    from ..tasks import air_import_task

    return jobs.job_requeue_stalled(AirImport, air_import_task)
