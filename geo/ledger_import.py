"""Importing and exporting the towns' sewage facility ledgers (台账) against the registry.

The file is read by the pure parser (`geo/ledger/`); here the rows meet the database: towns, villages
and natural villages are looked up by name within the caller's scope, coordinates are checked against
the declared town's boundary and, where villages are drawn, the village's (``geo.boundaries``: metres in
UTM 51N, the zone of Haimen; the same rule as a facility entered by hand), and valid rows are upserted by
facility code with the households they serve. All or nothing unless the valid rows alone are asked for;
a dry run writes nothing.

A row's 自然村 cell is the facility's whole list: natural villages it served and no longer lists (an empty
cell lists none) stop being served, and the report says which and how many households (``stop_serving``)
before anything is applied. A ledger without a 自然村 column leaves every facility's households alone.
Facilities missing from the ledger are not touched."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from kernel import jobs
from kernel.access import REGISTRY_EDITORS, Principal
from kernel.audit.services import audit_record, snapshot
from kernel.errors import InvalidInput, PayloadTooLarge, PermissionDenied

from . import ledger
from .boundaries import BoundaryDistances
from .models import (
    FacilityService,
    FacilityStatus,
    LedgerExport,
    LedgerImport,
    LocationQuality,
    Region,
    RegionLevel,
    SewageFacility,
)
from .rivers.models import SiteKind
from .rivers.services import site_snaps_refresh
from .services import FACILITIES, LocationInput, located_fields, map_layers_bump


def _town_distance(towns: dict[str, Region]) -> Any:
    distances = BoundaryDistances(towns.values())

    def distance(row: ledger.LedgerRow) -> float | None:
        town = towns.get(row.town)
        if town is None or row.point is None:
            return None
        return distances(town.pk, row.point.lon, row.point.lat)

    return distance


def _error(row: int, column: str, code: str, message: str, value: str) -> dict[str, Any]:
    return ledger.RowError(row, column, code, message, value).as_dict()


def ledger_may_import(principal: Principal) -> bool:
    """Whether this principal may upload a ledger at all (the rows are then checked against its scope)."""
    return principal.has_any(REGISTRY_EDITORS)


def facility_ledger_upload(
    *, principal: Principal, data: bytes, filename: str, dry_run: bool, valid_rows_only: bool
) -> LedgerImport:
    """Keep the upload and process it: during the request when small, else in a Celery task the client
    polls (``GET /api/v1/geo/facilities/imports/{id}``)."""
    if not ledger_may_import(principal):
        raise PermissionDenied("您的角色不能导入设施台账")
    if not data:
        raise InvalidInput(details={"fields": {"file": ["文件为空"]}})
    if len(data) > settings.LEDGER_IMPORT_MAX_BYTES:
        raise PayloadTooLarge(details={"max_bytes": settings.LEDGER_IMPORT_MAX_BYTES})
    paths = principal.region_paths(REGISTRY_EDITORS)
    record = LedgerImport(
        uuid=uuid.uuid4(),
        filename=filename[:255],
        size=len(data),
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        scope_paths=None if paths is None else list(paths),
        uploaded_by_id=principal.user_id,
    )
    with transaction.atomic():
        suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
        record.file.save(f"{record.uuid}{suffix}", ContentFile(data), save=False)
        record.save()
        if len(data) > settings.LEDGER_IMPORT_SYNC_BYTES:
            from .tasks import ledger_import_process

            jobs.job_dispatch(record, ledger_import_process)
            return record
    return facility_ledger_process(import_id=record.pk)


def facility_ledger_process(*, import_id: int) -> LedgerImport:
    """Run the import job (``kernel.jobs``): claimed by one run at a time, beating while it works, its
    facilities and its end written in one transaction — a redelivered or re-queued run never imports twice."""
    return jobs.job_execute(LedgerImport, import_id, _process)


def _process(run: jobs.Run[LedgerImport]) -> None:
    record = run.job
    run.step(10)
    with record.file.open("rb") as fh:
        data = fh.read()
    try:
        _import(data, record, run)
    except ledger.LedgerFileError as exc:
        with run.atomic():
            run.finish(status=LedgerImport.Status.REJECTED, report={"ok": False, "file_error": exc.as_dict()})


def _import(data: bytes, record: LedgerImport, run: jobs.Run[LedgerImport]) -> None:
    rules = replace(ledger.DEFAULT_RULES, town_tolerance_m=settings.LEDGER_TOWN_TOLERANCE_M)
    parsed = ledger.parse_ledger(data, record.filename, rules=rules)
    paths = record.scope_paths
    towns = {
        t.name: t
        for t in Region.objects.filter(level=RegionLevel.TOWN)
        if paths is None or any(t.path.startswith(p) for p in paths)
    }
    parsed = ledger.check_towns(parsed, _town_distance(towns))
    run.step(40)
    villages = {
        (v.parent_id, v.name): v
        for v in Region.objects.filter(level=RegionLevel.VILLAGE, parent__in=towns.values())
    }
    naturals = {
        (n.parent_id, n.name): n
        for n in Region.objects.filter(level=RegionLevel.NATURAL_VILLAGE, parent__in=list(villages.values()))
    }
    errors, ready = _match_regions(parsed, rules, towns, villages, naturals)
    bad_rows = {e["row"] for e in errors}
    report = _report(parsed, errors, bad_rows, ready, naturals, record)
    status = (
        LedgerImport.Status.DONE if report["ok"] or record.valid_rows_only else LedgerImport.Status.REJECTED
    )
    if (errors and not record.valid_rows_only) or record.dry_run:
        with run.atomic():
            run.finish(status=status, report=report)
        return
    run.step(70)
    with run.atomic():  # the facilities and the job's end commit together, or not at all
        written = []
        for i, (r, village) in enumerate(ready):
            written.append(_upsert(r, village, naturals, replace_services=report["natural_villages_column"]))
            run.step(70 + 29 * i // len(ready))
        site_snaps_refresh(kinds=[SiteKind.SEWAGE_FACILITY], ids=written)  # on the river network, all at once
        report["created"], report["updated"] = report["would_create"], report["would_update"]
        report["stopped_serving"] = report["would_stop_serving"]
        audit_record(
            action="geo.facility.ledger_import",
            obj=record,
            after={
                "file": record.filename,
                "created": report["created"],
                "updated": report["updated"],
                "stopped_serving": report["stopped_serving"],
                "skipped_rows": len(bad_rows),
                "uploaded_by": record.uploaded_by_id,
            },
        )
        run.finish(status=status, report=report)


def _match_regions(
    parsed: ledger.LedgerResult,
    rules: ledger.LedgerRules,
    towns: dict[str, Region],
    villages: dict[Any, Region],
    naturals: dict[Any, Region],
) -> tuple[list[dict[str, Any]], list[tuple[ledger.LedgerRow, Region]]]:
    """The parser's errors and the rows whose town, village and natural villages are not found (or whose
    point lies outside the village), sorted by row and column; and the rows ready, with their village."""
    village_distance = BoundaryDistances(villages.values())  # the town's rule, where villages are drawn
    column = {field: text for field, (text, _) in parsed.columns.items()}
    errors = [e.as_dict() for e in parsed.errors]
    ready = []
    for r in parsed.rows:
        town = towns.get(r.town)
        village = villages.get((town.pk, r.village)) if town else None
        problems = []
        if town is None:
            problems.append(
                _error(
                    r.row,
                    column.get("town", "区镇"),
                    "unknown_town",
                    "区镇不存在或不在您的管辖范围内",
                    r.town,
                )
            )
        elif village is None:
            problems.append(
                _error(
                    r.row,
                    column.get("village", "行政村"),
                    "unknown_village",
                    f"{r.town}没有名为“{r.village}”的行政村",
                    r.village,
                )
            )
        else:
            distance = village_distance(village.pk, r.point.lon, r.point.lat) if r.point else None
            if distance is not None and ledger.is_outside(distance, rules.town_tolerance_m):
                message = ledger.outside_message(r.village, distance, rules.town_tolerance_m, level="行政村")
                lon = column.get("lon", "经度")
                problems.append(_error(r.row, lon, "outside_village", message, f"{r.raw_lon}, {r.raw_lat}"))
            missing = [name for name, _ in r.serves if (village.pk, name) not in naturals]
            if missing:
                problems.append(
                    _error(
                        r.row,
                        column.get("natural_villages", "自然村"),
                        "unknown_natural_village",
                        f"{r.village}没有这些自然村：{'、'.join(missing)}",
                        "、".join(missing),
                    )
                )
        if problems:
            errors.extend(problems)
            continue
        ready.append((r, village))
    errors.sort(key=lambda e: (e["row"], e["column"]))
    return errors, ready


def _report(
    parsed: ledger.LedgerResult,
    errors: list[dict[str, Any]],
    bad_rows: set[int],
    ready: list[tuple[ledger.LedgerRow, Region]],
    naturals: dict[Any, Region],
    record: LedgerImport,
) -> dict[str, Any]:
    """The job's report before anything is written: what would be created, updated and stop serving."""
    gaps = [g for g in parsed.gaps if g.row not in bad_rows]
    existing = set(
        SewageFacility.objects.filter(code__in=[r.code for r, _ in ready]).values_list("code", flat=True)
    )
    serves_column = "natural_villages" in parsed.columns
    stops = _stop_serving(ready, naturals) if serves_column else []
    return {
        "ok": not errors,
        "rows_read": parsed.rows_read,
        "errors": errors,
        "error_count": len(errors) + max(0, parsed.error_count - len(parsed.errors)),
        "ignored_columns": list(parsed.ignored_columns),
        "gaps_by_town": {
            town: [g.as_dict() for g in items] for town, items in ledger.gaps_by_town(gaps).items()
        },
        "would_create": sum(1 for r, _ in ready if r.code not in existing),
        "would_update": sum(1 for r, _ in ready if r.code in existing),
        "created": 0,
        "updated": 0,
        # Without a 自然村 column the ledger says nothing about households: they are left as they are.
        "natural_villages_column": serves_column,
        "stop_serving": stops,
        "would_stop_serving": _stop_counts(stops),
        "stopped_serving": _stop_counts([]),
        "dry_run": record.dry_run,
    }


def _stop_serving(
    ready: list[tuple[ledger.LedgerRow, Region]], naturals: dict[Any, Region]
) -> list[dict[str, Any]]:
    """Per facility the ledger updates, the natural villages it serves today that it would no longer
    serve: not listed in its 自然村 cell (an empty cell lists none), or listed without a household count,
    which the registry cannot record. Households a facility keeps serving at a new count are not here."""
    current: dict[str, list[FacilityService]] = {}
    for service in (
        FacilityService.objects.filter(facility__code__in=[r.code for r, _ in ready])
        .select_related("facility", "natural_village")
        .order_by("natural_village__path")
    ):
        current.setdefault(service.facility.code, []).append(service)
    stops = []
    for r, village in ready:
        listed = {naturals[(village.pk, name)].pk: households for name, households in r.serves}
        gone = [
            {"name": s.natural_village.name, "households": s.households,
             "reason": "no_households" if s.natural_village_id in listed else "not_listed"}
            for s in current.get(r.code, [])
            if listed.get(s.natural_village_id) is None
        ]  # fmt: skip
        if gone:
            stops.append(
                {"row": r.row, "town": r.town, "village": r.village, "facility_code": r.code,
                 "facility_name": r.name, "natural_villages": gone,
                 "households": sum(g["households"] for g in gone)}
            )  # fmt: skip
    return stops


def _stop_counts(stops: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "facilities": len(stops),
        "natural_villages": sum(len(s["natural_villages"]) for s in stops),
        "households": sum(s["households"] for s in stops),
    }


def _serves(facility: SewageFacility) -> dict[str, int]:
    return {
        s.natural_village.name: s.households
        for s in facility.services.select_related("natural_village").order_by("natural_village__path")
    }


def _upsert(
    r: ledger.LedgerRow, village: Region, naturals: dict[Any, Region], *, replace_services: bool
) -> int:
    location = (
        LocationInput(r.raw_lon, r.raw_lat, r.datum, LocationQuality.SURVEYED)
        if r.raw_lon is not None and r.raw_lat is not None
        else None
    )
    values = {
        "name": r.name,
        "village": village,
        "capacity_tpd": r.capacity_tpd,
        "process": r.process,
        "meter_number": r.meter_number,
        "operator": r.operator,
        "funding_wan": r.funding,
        "status": r.status or FacilityStatus.IN_SERVICE,
        "commissioned_on": r.commissioned_on,
        **located_fields(location),
    }
    facility = SewageFacility.objects.select_for_update().filter(code=r.code).first()
    before = snapshot(facility) | {"serves": _serves(facility)} if facility else None
    if facility is None:
        facility = SewageFacility.objects.create(code=r.code, **values)
    else:
        for name, value in values.items():
            setattr(facility, name, value)
        facility.save()
    map_layers_bump(FACILITIES)
    if replace_services:  # the row's 自然村 cell is the whole list: an empty cell serves none
        FacilityService.objects.filter(facility=facility).delete()
        FacilityService.objects.bulk_create(
            FacilityService(
                facility=facility, natural_village=naturals[(village.pk, name)], households=households
            )
            for name, households in r.serves
            if households is not None
        )
    audit_record(
        action="geo.facility.ledger_upsert",
        obj=facility,
        region_path=village.path,
        before=before,
        after=snapshot(facility) | {"serves": _serves(facility)},
    )
    return facility.pk


def facility_ledger_import_get(*, principal: Principal, import_uuid: Any) -> LedgerImport:
    """One ledger import: its uploader's, or any for an admin; 404 otherwise."""
    return jobs.upload_get(LedgerImport, import_uuid=import_uuid, user_id=principal.user_id,
                           sees_all=principal.is_admin)  # fmt: skip


def facility_ledger_import_apply(*, principal: Principal, import_uuid: Any) -> LedgerImport:
    """Import the file a dry run checked, as it was uploaded (the stored file, with the dry run's options):
    a new import job, so the client never sends the file twice. Only a finished dry run that found nothing
    to stop the import (or was asked for the valid rows only) can be applied: 409 otherwise."""
    record = facility_ledger_import_get(principal=principal, import_uuid=import_uuid)
    data = jobs.dry_run_file(record)
    return facility_ledger_upload(
        principal=principal, data=data, filename=record.filename,
        dry_run=False, valid_rows_only=record.valid_rows_only,
    )  # fmt: skip


def facility_ledger_imports_recent(*, principal: Principal, limit: int = 20) -> list[LedgerImport]:
    """The latest ledger imports this principal may open (``facility_ledger_import_get``'s rule: its own,
    or all for an admin), newest first, without their stored files read."""
    return jobs.uploads_recent(
        LedgerImport, user_id=principal.user_id, sees_all=principal.is_admin, limit=limit
    )


def facility_ledger_import_retry(*, principal: Principal, import_uuid: Any) -> LedgerImport:
    """Queue a stalled or failed import again (its uploader, or an admin); 409 otherwise."""
    from .tasks import ledger_import_process

    record = facility_ledger_import_get(principal=principal, import_uuid=import_uuid)
    return jobs.job_retry(job=record, task=ledger_import_process)


def ledger_jobs_requeue_stalled() -> dict[str, dict[str, int]]:
    """The beat sweep of the registry's jobs: stalled imports and exports queued again (or given up)."""
    from .tasks import ledger_export_process, ledger_import_process

    return {
        "ledger_imports": jobs.job_requeue_stalled(LedgerImport, ledger_import_process),
        "ledger_exports": jobs.job_requeue_stalled(LedgerExport, ledger_export_process),
    }
