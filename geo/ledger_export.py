"""Exporting the facility registry in the ledger's own layout (``geo.ledger.write_ledger``), so that a town
can round-trip its 台账. Small exports are written during the request; more than
``LEDGER_EXPORT_SYNC_FACILITIES`` facilities become an export job (``kernel.jobs``: status, heartbeat,
re-queued if its process dies) the client polls and downloads when done. The job keeps the requester's
scope as it was at the request."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from kernel import jobs
from kernel.access import Principal
from kernel.audit.services import audit_record
from kernel.errors import Conflict, NotFound

from . import ledger
from .models import FacilityService, LedgerExport, Region
from .selectors import facility_list


def facility_ledger_export(*, principal: Principal, town_id: int | None) -> tuple[str, bytes] | LedgerExport:
    """The registry in the ledger's own layout, so that a town can round-trip its 台账: the file itself
    when at most ``LEDGER_EXPORT_SYNC_FACILITIES`` facilities are in it, else a queued export job."""
    paths = principal.region_paths()
    title = _export_title(town_id)
    count = facility_list(paths=paths, town_id=town_id).count()
    if count <= settings.LEDGER_EXPORT_SYNC_FACILITIES:
        return title, _ledger_bytes(paths=paths, town_id=town_id, title=title)
    return _export_queue(principal=principal, paths=paths, town_id=town_id, title=title, count=count)


@transaction.atomic
def _export_queue(
    *, principal: Principal, paths: tuple[str, ...] | None, town_id: int | None, title: str, count: int
) -> LedgerExport:
    from .tasks import ledger_export_process

    record = LedgerExport.objects.create(
        uuid=uuid.uuid4(),
        town_id=town_id,
        scope_paths=None if paths is None else list(paths),
        title=title,
        facilities=count,
        requested_by_id=principal.user_id,
    )
    audit_record(
        action="geo.facility.ledger_export",
        obj=record,
        after={"town_id": town_id, "facilities": count, "requested_by": principal.user_id},
    )
    jobs.job_dispatch(record, ledger_export_process)
    return record


def _export_title(town_id: int | None) -> str:
    town = Region.objects.filter(pk=town_id).values_list("name", flat=True).first() if town_id else "海门区"
    return f"{town or ''}农村生活污水处理设施台账"


_FIELDS = (
    "pk", "village__parent__name", "village__name", "code", "name", "capacity_tpd", "process", "location",
    "location_raw_lon", "location_raw_lat", "location_datum", "meter_number", "operator", "funding_wan",
    "status", "commissioned_on",
)  # fmt: skip
_CHUNK = 2000


def _ledger_rows(
    *, paths: tuple[str, ...] | None, town_id: int | None, step: Callable[[int], None] | None = None
) -> Iterator[dict[str, Any]]:
    """The facilities as ledger rows, streamed: plain values (no model instances), read in chunks of
    2,000 with each chunk's natural villages in one more query — a district's 24,000 facilities are
    neither one query per facility nor one query with 24,000 parameters, and never all in memory."""
    qs = facility_list(paths=paths, town_id=town_id)
    total = qs.count() or 1
    rows = qs.values_list(*_FIELDS).iterator(chunk_size=_CHUNK)
    done = 0
    while chunk := list(islice(rows, _CHUNK)):
        if step is not None:
            step(5 + 80 * done // total)
        done += len(chunk)
        serves: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for facility_id, name, households in (
            FacilityService.objects.filter(facility_id__in=[c[0] for c in chunk])
            .order_by("facility_id", "natural_village__path")
            .values_list("facility_id", "natural_village__name", "households")
        ):
            serves[facility_id].append((name, households))
        for pk, town, village, code, name, capacity, process, point, raw_lon, raw_lat, datum, *rest in chunk:
            meter_number, operator, funding, status, commissioned_on = rest
            yield {
                "town": town or "",
                "village": village,
                "code": code,
                "name": name,
                "capacity_tpd": capacity,
                "process": process,
                "serves": tuple(serves.get(pk, ())),
                "lon": point.x if point else None,
                "lat": point.y if point else None,
                "raw_lon": raw_lon,
                "raw_lat": raw_lat,
                "datum": datum or "wgs84",
                "meter_number": meter_number,
                "operator": operator,
                "funding": funding,
                "status": status,
                "commissioned_on": commissioned_on,
            }


def _ledger_bytes(
    *,
    paths: tuple[str, ...] | None,
    town_id: int | None,
    title: str,
    step: Callable[[int], None] | None = None,
) -> bytes:
    return ledger.write_ledger(_ledger_rows(paths=paths, town_id=town_id, step=step), title=title)


def facility_ledger_export_process(*, export_id: int) -> LedgerExport:
    """Write a queued export (``kernel.jobs``: claimed, beating, re-queued if its process dies)."""
    return jobs.job_execute(LedgerExport, export_id, _export)


def _export(run: jobs.Run[LedgerExport]) -> None:
    record = run.job
    paths = None if record.scope_paths is None else tuple(record.scope_paths)
    data = _ledger_bytes(paths=paths, town_id=record.town_id, title=record.title, step=run.step)
    run.step(90)
    name = default_storage.save(f"exports/ledgers/{record.uuid}.xlsx", ContentFile(data))
    try:
        with run.atomic():
            run.finish(status=jobs.JobStatus.DONE, report={"ok": True, "bytes": len(data)}, file=name)
    except jobs.Superseded:
        default_storage.delete(name)  # another run wrote the export
        raise


def facility_ledger_export_get(*, principal: Principal, export_uuid: Any) -> LedgerExport:
    record = LedgerExport.objects.filter(uuid=export_uuid).first()
    if record is None or (record.requested_by_id != principal.user_id and not principal.is_admin):
        raise NotFound("导出记录不存在", details={"export_id": str(export_uuid)})
    return record


def facility_ledger_export_file(*, principal: Principal, export_uuid: Any) -> LedgerExport:
    """A finished export, to download; 409 ``job_not_done`` before."""
    record = facility_ledger_export_get(principal=principal, export_uuid=export_uuid)
    if record.status != jobs.JobStatus.DONE or not record.file:
        raise Conflict(
            "导出尚未完成，请稍后再试",
            code="job_not_done",
            details={"status": record.status, "stalled": record.stalled},
        )
    return record


def facility_ledger_export_retry(*, principal: Principal, export_uuid: Any) -> LedgerExport:
    from .tasks import ledger_export_process

    record = facility_ledger_export_get(principal=principal, export_uuid=export_uuid)
    return jobs.job_retry(job=record, task=ledger_export_process)
