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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Lookup
from django.db.models.sql import InsertQuery, UpdateQuery
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


@dataclass(frozen=True)
class Write:
    """One INSERT or UPDATE as Django would send it, compiled but not sent: see :func:`writes_send`."""

    sql: str
    params: tuple[Any, ...]


def insert_write(
    model: type[models.Model], objs: Sequence[models.Model], *, returning_pk: bool = False
) -> Write:
    """The INSERT of ``objs`` (one ``VALUES (…), (…)``), their defaults and ``auto_now`` fields filled in as
    ``bulk_create`` fills them, optionally ``RETURNING`` their keys (in the rows' order)."""
    opts = model._meta
    fields = [f for f in opts.local_concrete_fields if not f.generated and f is not opts.auto_field]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert_write")  # type: ignore[attr-defined]
    query = InsertQuery(model)
    query.insert_values(fields, list(objs))
    compiler = query.get_compiler(connection=connection)
    if returning_pk:
        compiler.returning_fields = [opts.pk]
    [(sql, params)] = compiler.as_sql()
    return Write(sql, tuple(params))


def update_write(obj: models.Model, fields: Sequence[str]) -> Write:
    """The ``UPDATE … WHERE pk`` of ``save(update_fields=fields)``, ``auto_now`` fields stamped as there."""
    opts = obj._meta
    query = UpdateQuery(type(obj))
    values: list[Any] = []
    for name in fields:
        field = opts.get_field(name)
        values.append((field, None, field.pre_save(obj, False)))  # type: ignore[union-attr]
    query.add_update_fields(values)
    query.add_q(models.Q(pk=obj.pk))
    sql, params = query.get_compiler(connection=connection).as_sql()
    return Write(sql, tuple(params))


def writes_send(writes: Sequence[Write]) -> list[tuple[Any, ...]]:
    """Send ``writes`` in order — on PostgreSQL as **one** statement (``WITH w0 AS (…), w1 AS (…) last``,
    each a data-modifying part; foreign keys are checked at COMMIT), elsewhere one by one. Returns the
    rows the last one returns (its ``RETURNING``). The parts of one statement do not see each other's
    rows: only for writes to different rows that do not read each other."""
    if not writes:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(writes) > 1:
            head = ", ".join(f"w{n} AS ({w.sql})" for n, w in enumerate(writes[:-1]))
            cursor.execute(f"WITH {head} {writes[-1].sql}", [p for w in writes for p in w.params])
        else:
            for w in writes:
                cursor.execute(w.sql, w.params)
        return list(cursor.fetchall()) if cursor.description else []


class CompiledOnce:
    """A query whose SQL is compiled once per process and sent again with a new value.

    ``CompiledOnce(lambda x: Model.objects.filter(key=x).values_list(…))``: the builder is called once
    with a marker value, compiled by Django for the connection's database, and the marker's place among
    the parameters noted; each call of :meth:`rows` then sends that SQL with the caller's value in that
    place and returns the rows (tuples in the ``values_list`` order, through the same field converters
    as Django's); :meth:`objects`, for a builder returning plain model rows (``defer()`` allowed, no
    ``select_related`` or annotations), the model instances. For queries sent on every request (the
    token's check, an inspection's subject), whose compiling cost more than running them. The builder
    must use its argument exactly once, as a plain value compared for equality; ``integer=True`` for an
    integer one (a key)."""

    _MARK = "\x1fkernel.queries.CompiledOnce\x1f"
    _INT_MARK = -2_094_581_937  # no key is ever this (and within a 32-bit key's range)

    def __init__(self, build: Callable[[Any], models.QuerySet[Any]], *, integer: bool = False) -> None:
        self._build = build
        self._mark: Any = self._INT_MARK if integer else self._MARK
        self._compiled: tuple[str, tuple[Any, ...], int, list[Any], Any, list[str]] | None = None

    def _compile(self) -> tuple[str, tuple[Any, ...], int, list[Any], Any, list[str]]:
        query = self._build(self._mark).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        places = [n for n, p in enumerate(params) if p == self._mark]
        if len(places) != 1:
            raise ValueError("CompiledOnce: the builder must use its argument exactly once")
        converters = compiler.get_converters([s[0] for s in compiler.select])
        plain = not query.select_related and not query.annotations and not query.values_select
        names = [s[0].target.attname for s in compiler.select] if plain else []
        return sql, tuple(params), places[0], list(converters.items()), query.model, names

    def rows(self, value: Any) -> list[tuple[Any, ...]]:
        if self._compiled is None:
            self._compiled = self._compile()
        sql, params, place, converters, _model, _names = self._compiled
        with connection.cursor() as cursor:
            cursor.execute(sql, (*params[:place], value, *params[place + 1 :]))
            rows = cursor.fetchall()
        if not converters:
            return [tuple(r) for r in rows]
        out = []
        for row in rows:
            row = list(row)
            for pos, (fns, expression) in converters:
                converted = row[pos]
                for fn in fns:
                    converted = fn(converted, expression, connection)
                row[pos] = converted
            out.append(tuple(row))
        return out

    def objects(self, value: Any) -> list[Any]:
        rows = self.rows(value)
        assert self._compiled is not None
        model, names = self._compiled[4], self._compiled[5]
        if not names:
            raise TypeError("CompiledOnce.objects: the builder must select plain model rows")
        return [model.from_db(connection.alias, names, row) for row in rows]
