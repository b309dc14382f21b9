"""The outfall ledger in and out, through the registry ledger flow (:mod:`geo.services.registry_ledgers`):
import a CSV / XLSX (dry run by default; all or nothing, every row through ``outfall_create`` /
``outfall_update``) and export the caller's outfalls as an XLSX in the same layout, which re-imports."""

from __future__ import annotations

from typing import Any

from kernel.access import Principal
from kernel.errors import InvalidInput, NotFound

from ..services.registry_ledgers import registry_ledger_export, registry_ledger_import, row_location, row_town
from .ledger import LEDGER, ledger_rows
from .models import Outfall
from .selectors import outfall_list
from .services import outfall_create, outfall_update

# A service's field (details.fields) → the ledger column it came from.
_FIELD_COLUMN = {"town_id": "town", "receiving_river_id": "receiving_water", "location": "lon",
                 "location.datum": "datum", "location.quality": "datum"}  # fmt: skip


def _apply_row(principal: Principal, values: dict[str, Any], towns: dict[str, int]) -> str:
    """Create or update the row's outfall; returns "created" / "updated"; raises the service's error."""
    code = values.pop("code")
    town_id = row_town(values, towns)
    location = row_location(values)
    existing = Outfall.objects.filter(code=code).values_list("pk", flat=True).first()
    if existing is None:
        outfall_create(principal=principal, code=code, town_id=town_id, location=location, **values)
        return "created"
    try:
        outfall_update(principal=principal, outfall_id=existing, changes={"town_id": town_id, **values},
                       location=location, reason="台账导入")  # fmt: skip
    except NotFound as exc:  # a code of an outfall the caller does not cover: refused, existence unsaid
        message = "该编码不能使用（已被管辖范围外的排污口使用）"
        raise InvalidInput(message, code="code_taken", details={"fields": {"code": [message]}}) from exc
    return "updated"


def outfall_ledger_import(
    *, principal: Principal, data: bytes, filename: str, dry_run: bool = True
) -> dict[str, Any]:
    """Read an outfall ledger; see :func:`geo.services.registry_ledgers.registry_ledger_import`."""
    return registry_ledger_import(
        ledger=LEDGER, principal=principal, data=data, filename=filename, dry_run=dry_run,
        apply_row=_apply_row, field_columns=_FIELD_COLUMN, object_type="geo.outfall",
    )  # fmt: skip


def outfall_ledger_export(*, principal: Principal, town_id: int | None = None) -> bytes:
    """The caller's outfalls (of ``town_id``, a town in scope, else 404) as an XLSX ledger."""
    return registry_ledger_export(
        ledger=LEDGER, principal=principal, town_id=town_id, title="排污口台账", entries=outfall_list,
        rows=ledger_rows,
    )  # fmt: skip
