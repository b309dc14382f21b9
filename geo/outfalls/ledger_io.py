"""The outfall ledger in and out: import a CSV / XLSX (dry run by default; applied all or nothing, every
row through the registry's own create / update services, so the same checks, history and audit apply) and
export the caller's outfalls as an XLSX in the same layout, which re-imports."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kernel.access import REGISTRY_EDITORS, Principal
from kernel.audit.services import audit_record
from kernel.errors import ApplicationError, InvalidInput, NotFound
from kernel.sheets import titled_xlsx
from kernel.tables import RowError

from ..models import RegionLevel
from ..selectors import region_get, region_list
from ..services.locations import LocationInput, _require_editor
from .ledger import COLUMNS, HEADERS, READER, Header, OutfallLedgerError, Record, ledger_rows, read_rows
from .models import Outfall
from .selectors import outfall_list
from .services import outfall_create, outfall_update

ERROR_LIMIT = 500
# A service's field (details.fields) → the ledger column it came from.
_FIELD_COLUMN = {"town_id": "town", "receiving_river_id": "receiving_water", "location": "lon",
                 "location.datum": "datum", "location.quality": "datum"}  # fmt: skip


def _row_errors(record: Record, header: Header, exc: ApplicationError) -> list[RowError]:
    fields = (exc.details or {}).get("fields") or {"code": [exc.message]}
    out = []
    for name, messages in fields.items():
        f = _FIELD_COLUMN.get(name, name)
        f = f if f in COLUMNS else "code"
        column = header.columns.get(f)
        value = record.values.get(f, "")
        out.append(RowError(record.row, header.texts.get(f, COLUMNS[f][0]), exc.code,
                            "；".join(map(str, messages)) or exc.message, str(value),
                            column + 1 if column is not None else 0))  # fmt: skip
    return out


def _apply_row(principal: Principal, record: Record, towns: dict[str, int]) -> str:
    """Create or update the row's outfall; returns "created" / "updated"; raises the service's error."""
    values = dict(record.values)
    code = values.pop("code")
    town_name = values.pop("town")
    if town_name not in towns:
        message = f"您的管辖范围内没有名为“{town_name}”的区镇"
        raise InvalidInput(message, code="unknown_town", details={"fields": {"town_id": [message]}})
    lon, lat, datum = values.pop("lon", None), values.pop("lat", None), values.pop("datum", "wgs84")
    location = LocationInput(lon, lat, datum) if lon is not None and lat is not None else None
    existing = Outfall.objects.filter(code=code).values_list("pk", flat=True).first()
    if existing is None:
        outfall_create(principal=principal, code=code, town_id=towns[town_name], location=location, **values)
        return "created"
    try:
        changes = {"town_id": towns[town_name], **values}
        outfall_update(principal=principal, outfall_id=existing, changes=changes, location=location,
                       reason="台账导入")  # fmt: skip
    except NotFound as exc:  # a code of an outfall the caller does not cover: refused, existence unsaid
        message = "该编码不能使用（已被管辖范围外的排污口使用）"
        raise InvalidInput(message, code="code_taken", details={"fields": {"code": [message]}}) from exc
    return "updated"


@transaction.atomic
def outfall_ledger_import(
    *, principal: Principal, data: bytes, filename: str, dry_run: bool = True
) -> dict[str, Any]:
    """Read an outfall ledger and check every row as the registry would (towns by name within the caller's
    scope; create by new code, update by known code). A dry run reports and writes nothing; applied, a file
    with any row error writes nothing either (``422 ledger_has_errors``, the row errors in ``details``)."""
    _require_editor(principal)
    try:
        with READER.open(data, filename) as table:
            header = table.header
            records = read_rows(header, table.rows)
    except OutfallLedgerError as exc:
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
                counts[_apply_row(principal, record, towns)] += 1
        except ApplicationError as exc:
            errors += _row_errors(record, header, exc)
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
    audit_record(action="geo.outfall.ledger_import", object_type="geo.outfall", object_id="ledger",
                 after={"file": filename, **counts})  # fmt: skip
    return report


def outfall_ledger_export(*, principal: Principal, town_id: int | None = None) -> bytes:
    """The caller's outfalls (of ``town_id``, a town in scope, else 404) as an XLSX ledger."""
    paths = principal.region_paths()
    title = "排污口台账"
    if town_id is not None:
        title = f"{region_get(paths=paths, region_id=town_id).name}排污口台账"
    outfalls = outfall_list(paths=paths, town_id=town_id)
    return titled_xlsx(title=title, header=HEADERS, rows=ledger_rows(list(outfalls)), sheet_name="排污口台账")
