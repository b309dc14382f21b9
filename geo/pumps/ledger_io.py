"""The pump station ledger in and out: import a CSV / XLSX (dry run by default; applied all or nothing,
every row through the registry's own create / update services, so the same checks, history and audit
apply) and export the caller's stations as an XLSX in the same layout, which re-imports — as the outfall
ledger (:mod:`geo.outfalls.ledger_io`) does."""

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
from .ledger import COLUMNS, HEADERS, READER, Header, PumpLedgerError, Record, ledger_rows, read_rows
from .models import PumpStation
from .selectors import pump_station_list
from .services import pump_station_create, pump_station_update

ERROR_LIMIT = 500
# A service's field (details.fields) → the ledger column it came from. ``sewage_on`` is the day found or
# cleared: the column depends on which the row says (see ``_sewage_column``).
_FIELD_COLUMN = {"town_id": "town", "location": "lon", "location.datum": "datum", "location.quality": "datum"}


def _row_errors(record: Record, header: Header, exc: ApplicationError) -> list[RowError]:
    fields = (exc.details or {}).get("fields") or {"code": [exc.message]}
    out = []
    for name, messages in fields.items():
        if name == "sewage_on":
            f = "found_on" if record.values.get("holds_sewage") else "cleared_on"
        else:
            f = _FIELD_COLUMN.get(name, name)
        f = f if f in COLUMNS else "code"
        column = header.columns.get(f)
        value = record.values.get(f, "")
        out.append(RowError(record.row, header.texts.get(f, COLUMNS[f][0]), exc.code,
                            "；".join(map(str, messages)) or exc.message, str(value),
                            column + 1 if column is not None else 0))  # fmt: skip
    return out


def _apply_row(principal: Principal, record: Record, towns: dict[str, int]) -> str:
    """Create or update the row's station; returns "created" / "updated"; raises the service's error.
    A new station that was found holding sewage and has been cleared since is created holding it (found
    on its day) and cleared on the cleared day: two changes in its history, as they happened."""
    values = dict(record.values)
    code = values.pop("code")
    town_name = values.pop("town")
    if town_name not in towns:
        message = f"您的管辖范围内没有名为“{town_name}”的区镇"
        raise InvalidInput(message, code="unknown_town", details={"fields": {"town_id": [message]}})
    lon, lat, datum = values.pop("lon", None), values.pop("lat", None), values.pop("datum", "wgs84")
    location = LocationInput(lon, lat, datum) if lon is not None and lat is not None else None
    holds = values.pop("holds_sewage", None)
    found, cleared = values.pop("found_on", None), values.pop("cleared_on", None)
    existing = PumpStation.objects.filter(code=code).values_list("pk", flat=True).first()
    if existing is None:
        was_found = holds or (holds is False and found is not None and cleared is not None)
        station = pump_station_create(
            principal=principal, code=code, town_id=towns[town_name], location=location,
            holds_sewage=bool(was_found), sewage_on=found if was_found else None, **values,
        )  # fmt: skip
        if was_found and not holds:
            pump_station_update(
                principal=principal, station_id=station.pk, changes={}, holds_sewage=False, sewage_on=cleared
            )
        return "created"
    try:
        pump_station_update(
            principal=principal, station_id=existing, changes=values, town_id=towns[town_name],
            location=location, holds_sewage=holds,
            sewage_on=(found if holds else cleared) if holds is not None else None,
        )  # fmt: skip
    except NotFound as exc:  # a code of a station the caller does not cover: refused, existence unsaid
        message = "该编码不能使用（已被管辖范围外的泵站使用）"
        raise InvalidInput(message, code="code_taken", details={"fields": {"code": [message]}}) from exc
    return "updated"


@transaction.atomic
def pump_station_ledger_import(
    *, principal: Principal, data: bytes, filename: str, dry_run: bool = True
) -> dict[str, Any]:
    """Read a pump station ledger and check every row as the registry would (towns by name within the
    caller's scope; create by new code, update by known code). A dry run reports and writes nothing;
    applied, a file with any row error writes nothing either (``422 ledger_has_errors``, the row errors in
    ``details``)."""
    _require_editor(principal)
    try:
        with READER.open(data, filename) as table:
            header = table.header
            records = read_rows(header, table.rows)
    except PumpLedgerError as exc:
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
    audit_record(action="geo.pump_station.ledger_import", object_type="geo.pump_station", object_id="ledger",
                 after={"file": filename, **counts})  # fmt: skip
    return report


def pump_station_ledger_export(*, principal: Principal, town_id: int | None = None) -> bytes:
    """The caller's stations (of ``town_id``, a town in scope, else 404) as an XLSX ledger."""
    paths = principal.region_paths()
    title = "排涝泵站台账"
    if town_id is not None:
        title = f"{region_get(paths=paths, region_id=town_id).name}排涝泵站台账"
    stations = pump_station_list(paths=paths, town_id=town_id)
    return titled_xlsx(
        title=title, header=HEADERS, rows=ledger_rows(list(stations)), sheet_name="排涝泵站台账"
    )
