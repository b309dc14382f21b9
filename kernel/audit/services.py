"""Writing audit events. Call :func:`audit_record` inside the same transaction as the change it records."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import connection, models

from kernel.queries import Write, insert_now, insert_write, writes_send

from . import context
from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "geom_type") and hasattr(value, "wkt"):  # GEOS geometry
        return value.wkt
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-able picture of a row's concrete fields (FKs as ids), for before/after."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    region_path: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    status_code: int | None = None,
) -> AuditEvent:
    event = audit_event(
        action=action, obj=obj, object_type=object_type, object_id=object_id, region_path=region_path,
        before=before, after=after, status_code=status_code,
    )  # fmt: skip
    insert_now(event)  # a new row: what event.save() would do, in the statement insert_write builds
    return event


def audit_inserted(obj: models.Model, event: AuditEvent) -> None:
    """Insert the new row ``obj`` and ``event`` (built by :func:`audit_event` for it before it had a key)
    recording it: on PostgreSQL in one statement, the event taking the row's key from the insert;
    elsewhere one after the other. Same transaction, same rows as ``insert_now`` + :func:`audit_record`."""
    if connection.vendor != "postgresql":
        insert_now(obj)
        event.object_id = str(obj.pk)
        insert_now(event)
        return
    opts = obj._meta
    qn = connection.ops.quote_name
    key = f"(SELECT w0.{qn(opts.pk.column)} FROM w0)"  # noqa: S608 - the model's own quoted names
    recorded = insert_write(
        AuditEvent, [event], computed={"object_id": f"{key}::text"}, returning=f"RETURNING {key}"
    )
    [(pk,)] = writes_send([insert_write(type(obj), [obj], returning_pk=True), recorded])
    obj.pk = pk
    obj._state.adding, obj._state.db = False, connection.alias
    event.object_id = str(pk)


def audit_record_all(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write events built with :func:`audit_event` in one INSERT (same transaction as the change)."""
    return AuditEvent.objects.bulk_create(events)


def audit_write(events: list[AuditEvent]) -> Write:
    """The INSERT of :func:`audit_record_all`, compiled and not sent: for ``kernel.queries.writes_send``
    to send with the change it records (same transaction, one statement on PostgreSQL)."""
    return insert_write(AuditEvent, events)


def audit_event(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    region_path: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    status_code: int | None = None,
) -> AuditEvent:
    """An event as :func:`audit_record` would write it, not yet saved: for :func:`audit_record_all`."""
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        region_path=region_path,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        status_code=status_code,
    )
    if ctx is not None:
        event.actor_id = ctx.actor_id
        event.actor_username = ctx.actor_username
        event.device_token_id = ctx.device_token_id
        event.device_id = ctx.device_id
        event.ip = ctx.ip
        event.request_id = ctx.request_id
        event.method = ctx.method
        event.path = ctx.path[:512]
        ctx.events_recorded += 1
    return event
