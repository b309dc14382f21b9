"""A registry's ledger in and out (the outfall and pump station ledgers): import a CSV / XLSX (dry run by
default; applied all or nothing, every row through the registry's own create / update services, so the same
checks, history and audit apply) and export the caller's entries as an XLSX in the same layout, which
re-imports. The registry gives its layout (:class:`geo.ledger.registry.RegistryLedger`) and how one row is
applied; this module owns the flow."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import transaction

from kernel.access import REGISTRY_EDITORS, Principal
from kernel.audit.services import audit_record
from kernel.errors import ApplicationError, InvalidInput
from kernel.sheets import titled_xlsx
from kernel.tables import RowError, TableFileError

from ..ledger.registry import Header, Record, RegistryLedger
from ..models import RegionLevel
from ..selectors import region_get, region_list
from .locations import LocationInput, _require_editor

ERROR_LIMIT = 500
# applies one row (its values, the caller's towns by name) → "created" / "updated"; raises the service's error
RowApplier = Callable[[Principal, dict[str, Any], dict[str, int]], str]


def row_location(values: dict[str, Any]) -> LocationInput | None:
    """Pops the row's 经度 / 纬度 / 坐标系 into the services' location input (None without a point)."""
    lon, lat, datum = values.pop("lon", None), values.pop("lat", None), values.pop("datum", "wgs84")
    return LocationInput(lon, lat, datum) if lon is not None and lat is not None else None


def row_town(values: dict[str, Any], towns: dict[str, int]) -> int:
    """Pops the row's town name; its id among the caller's towns, else ``unknown_town``."""
    town_name = values.pop("town")
    if town_name not in towns:
        message = f"您的管辖范围内没有名为“{town_name}”的区镇"
        raise InvalidInput(message, code="unknown_town", details={"fields": {"town_id": [message]}})
    return towns[town_name]


def _row_errors(
    ledger: RegistryLedger, record: Record, header: Header, exc: ApplicationError,
    column_of: Callable[[str, Record], str],
) -> list[RowError]:  # fmt: skip
    fields = (exc.details or {}).get("fields") or {"code": [exc.message]}
    out = []
    for name, messages in fields.items():
        f = column_of(name, record)
        f = f if f in ledger.columns else "code"
        message = "；".join(map(str, messages)) or exc.message
        out.append(ledger.row_error(record.row, f, header, exc.code, message, str(record.values.get(f, ""))))
    return out


@transaction.atomic
def registry_ledger_import(
    *, ledger: RegistryLedger, principal: Principal, data: bytes, filename: str, dry_run: bool,
    apply_row: RowApplier, field_columns: Mapping[str, str], object_type: str,
    column_of: Callable[[str, Record], str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Read a ledger and check every row as the registry would (towns by name within the caller's scope;
    ``apply_row`` creates by new code, updates by known code). A dry run reports and writes nothing; applied,
    a file with any row error writes nothing either (``422 ledger_has_errors``, the row errors in
    ``details``). ``field_columns`` maps a service's field (``details.fields``) to the column it came from
    (``column_of`` when that depends on the row); the import is audited as ``<object_type>.ledger_import``."""
    _require_editor(principal)
    try:
        with ledger.reader.open(data, filename) as table:
            header = table.header
            records = ledger.read_rows(header, table.rows)
    except TableFileError as exc:
        raise InvalidInput(
            exc.message, code=exc.code, details={"fields": {"file": [exc.message]}, **exc.details}
        ) from exc
    if not records:
        raise InvalidInput(
            "台账中没有数据行", code="empty_file", details={"fields": {"file": ["台账中没有数据行"]}}
        )
    paths = principal.region_paths(REGISTRY_EDITORS)
    towns = dict(region_list(paths=paths, level=RegionLevel.TOWN).values_list("name", "pk"))
    counts = {"created": 0, "updated": 0}
    errors: list[RowError] = []
    for record in records:
        if record.errors:
            errors += record.errors
            continue
        try:
            with transaction.atomic():
                counts[apply_row(principal, dict(record.values), towns)] += 1
        except ApplicationError as exc:
            errors += _row_errors(
                ledger, record, header, exc, column_of or (lambda name, _r: field_columns.get(name, name))
            )
    report = {
        "ok": not errors, "dry_run": dry_run, "applied": False, "file": filename, "rows": len(records),
        "would_create": counts["created"], "would_update": counts["updated"], "created": 0, "updated": 0,
        "error_count": len(errors), "errors": [e.as_dict() for e in errors[:ERROR_LIMIT]],
    }  # fmt: skip
    if dry_run:
        transaction.set_rollback(True)
        return report
    if errors:
        message = f"台账有 {len(errors)} 处错误，未导入；请修正后重新导入"
        raise InvalidInput(message, code="ledger_has_errors",
                           details={"fields": {"file": [message]}, "report": report})  # fmt: skip
    report |= {"applied": True, "created": counts["created"], "updated": counts["updated"]}
    audit_record(action=f"{object_type}.ledger_import", object_type=object_type, object_id="ledger",
                 after={"file": filename, **counts})  # fmt: skip
    return report


def registry_ledger_export(
    *, ledger: RegistryLedger, principal: Principal, town_id: int | None, title: str,
    entries: Callable[..., Sequence[Any]], rows: Callable[[Sequence[Any]], list[list[Any]]],
) -> bytes:  # fmt: skip
    """The caller's entries (of ``town_id``, a town in scope, else 404) as an XLSX ledger named ``title``
    (prefixed with the town's name); ``entries(paths=, town_id=)`` is the registry's scoped list."""
    paths = principal.region_paths()
    heading = title if town_id is None else f"{region_get(paths=paths, region_id=town_id).name}{title}"
    found = list(entries(paths=paths, town_id=town_id))
    return titled_xlsx(title=heading, header=ledger.headers, rows=rows(found), sheet_name=title)
