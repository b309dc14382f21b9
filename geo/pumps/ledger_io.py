"""The pump station ledger in and out, through the registry ledger flow
(:mod:`geo.services.registry_ledgers`), as the outfall ledger: import a CSV / XLSX (dry run by default; all
or nothing, every row through ``pump_station_create`` / ``pump_station_update``) and export the caller's
stations as an XLSX in the same layout, which re-imports."""

from __future__ import annotations

from typing import Any

from kernel.access import Principal
from kernel.errors import InvalidInput, NotFound

from ..ledger.registry import Record
from ..services.registry_ledgers import registry_ledger_export, registry_ledger_import, row_location, row_town
from .ledger import LEDGER, ledger_rows
from .models import PumpStation
from .selectors import pump_station_list
from .services import pump_station_create, pump_station_update

# A service's field (details.fields) → the ledger column it came from. ``sewage_on`` is the day found or
# cleared: the column depends on which the row says (see ``_column_of``).
_FIELD_COLUMN = {"town_id": "town", "location": "lon", "location.datum": "datum", "location.quality": "datum"}


def _column_of(name: str, record: Record) -> str:
    if name == "sewage_on":
        return "found_on" if record.values.get("holds_sewage") else "cleared_on"
    return _FIELD_COLUMN.get(name, name)


def _apply_row(principal: Principal, values: dict[str, Any], towns: dict[str, int]) -> str:
    """Create or update the row's station; returns "created" / "updated"; raises the service's error.
    A new station that was found holding sewage and has been cleared since is created holding it (found
    on its day) and cleared on the cleared day: two changes in its history, as they happened."""
    code = values.pop("code")
    town_id = row_town(values, towns)
    location = row_location(values)
    holds = values.pop("holds_sewage", None)
    found, cleared = values.pop("found_on", None), values.pop("cleared_on", None)
    existing = PumpStation.objects.filter(code=code).values_list("pk", flat=True).first()
    if existing is None:
        was_found = holds or (holds is False and found is not None and cleared is not None)
        station = pump_station_create(
            principal=principal, code=code, town_id=town_id, location=location,
            holds_sewage=bool(was_found), sewage_on=found if was_found else None, **values,
        )  # fmt: skip
        if was_found and not holds:
            pump_station_update(
                principal=principal, station_id=station.pk, changes={}, holds_sewage=False, sewage_on=cleared
            )
        return "created"
    try:
        pump_station_update(
            principal=principal, station_id=existing, changes=values, town_id=town_id,
            location=location, holds_sewage=holds,
            sewage_on=(found if holds else cleared) if holds is not None else None,
        )  # fmt: skip
    except NotFound as exc:  # a code of a station the caller does not cover: refused, existence unsaid
        message = "该编码不能使用（已被管辖范围外的泵站使用）"
        raise InvalidInput(message, code="code_taken", details={"fields": {"code": [message]}}) from exc
    return "updated"


def pump_station_ledger_import(
    *, principal: Principal, data: bytes, filename: str, dry_run: bool = True
) -> dict[str, Any]:
    """Read a pump station ledger; see :func:`geo.services.registry_ledgers.registry_ledger_import`."""
    return registry_ledger_import(
        ledger=LEDGER, principal=principal, data=data, filename=filename, dry_run=dry_run,
        apply_row=_apply_row, field_columns=_FIELD_COLUMN, object_type="geo.pump_station",
        column_of=_column_of,
    )  # fmt: skip


def pump_station_ledger_export(*, principal: Principal, town_id: int | None = None) -> bytes:
    """The caller's stations (of ``town_id``, a town in scope, else 404) as an XLSX ledger."""
    return registry_ledger_export(
        ledger=LEDGER, principal=principal, town_id=town_id, title="排涝泵站台账", entries=pump_station_list,
        rows=ledger_rows,
    )  # fmt: skip
