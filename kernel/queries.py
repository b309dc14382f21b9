"""Query helpers every app may use (no app code imported).

``AnyOf(F("pk"), ids)``: membership in a long list of values passed as **one** parameter — a PostgreSQL
array (``= ANY(%s::bigint[])``) or, on SQLite, a JSON text (``IN (SELECT value FROM json_each(%s))``) —
where ``pk__in=ids`` sends one placeholder per value. With the client-side binding psycopg uses here, a
list of hundreds of ids (the sites reached upstream of a section, their rectifications) cost more to
compile, send and parse than the query took to run (bench/upstream). Integers and strings are written
into that one parameter directly (the array's text form, JSON on SQLite); other values go through the
field's own preparation. Use it in ``filter()`` as an expression:
``Model.objects.filter(AnyOf(F("line_id"), lines))``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Lookup
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def _pg_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Iterable[Any]) -> None:
        super().__init__(lhs, list(rhs))

    def get_prep_lookup(self) -> Any:
        return self.rhs  # prepared in as_sql, once the left side is resolved to its column

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self.rhs
        if not values:
            return "0 = 1", []
        field = self.lhs.output_field
        kind = field.get_internal_type()
        ints = kind.endswith(("IntegerField", "AutoField")) and all(type(v) is int for v in values)
        texts = kind in ("CharField", "TextField") and all(type(v) is str for v in values)
        if not (ints or texts):
            values = [field.get_db_prep_value(v, connection, prepared=False) for v in values]
        if not ints and not texts and connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        sql, params = any_of_sql(lhs, values, connection)
        return sql, [*lhs_params, *params]


def any_of_sql(column: str, values: list[Any], connection: Any) -> tuple[str, list[Any]]:
    """``AnyOf`` for hand-written SQL: ``column`` (compiled) among ``values`` — integers or strings — as
    one parameter (a PostgreSQL array's text, JSON on SQLite)."""
    if not values:
        return "0 = 1", []
    if connection.vendor == "postgresql":
        if all(type(v) is int for v in values):
            return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(map(str, values)) + "}"]
        return f"{column} = ANY(%s::text[])", ["{" + ",".join(map(_pg_text, values)) + "}"]
    sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - column is compiled, not input
    return sql, [json.dumps(values)]


def cursor_moment(value: Any, connection: Any) -> Any:
    """A timestamp column as a cursor of ``connection`` reads it — aware (PostgreSQL), naive UTC or text
    (SQLite) — made aware as the ORM makes it; None stays None."""
    if value is None:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        raise ValueError(f"unreadable timestamp {value!r}")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, connection.timezone)
