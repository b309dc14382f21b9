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

import datetime
import decimal
import ipaddress
import json
import math
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pydantic_core
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Lookup
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.transaction import TransactionManagementError
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
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    returning_pk: bool = False,
    computed: Mapping[str, str] | None = None,
    returning: str | None = None,
) -> Write:
    """The INSERT of ``objs``, their defaults and ``auto_now`` fields filled in as ``bulk_create`` fills
    them, optionally ``RETURNING`` their keys (in the rows' order).

    Each value is what Django's insert compiler would send — the field's ``pre_save`` where the field
    has one (``auto_now_add``, files), then its ``get_db_prep_save`` and placeholder — but the statement's
    text is worked out once per model. On PostgreSQL the rows travel as **one** JSON parameter
    (``INSERT … SELECT … FROM json_populate_recordset(NULL::table, %s)``; each value read by its column's
    own input function, a JSON column's value kept as it is): the statement's text is the same whatever
    the number of rows, so psycopg parses it once (a statement of over 50 parameters it parses at every
    call) and a prepared statement can serve it, and the values are encoded in one pass instead of
    quoted one by one (Django 5.2 sends several rows as one array per column, which psycopg builds in
    Python value by value). A plain value (text, a number, a key, an aware timestamp…) of a plain field
    goes into the JSON as it is, which is what the field's preparation would make of it. Values JSON
    cannot carry as they are (bytes, arrays, a geometry to transform, JSON with a custom encoder…) go in
    a ``VALUES`` list, as on SQLite; a value that is an expression (``F()``, ``Now()``…) through Django's
    own compiler.

    ``computed`` (PostgreSQL, with :func:`writes_send`): columns whose value is an SQL expression in every
    row instead of the objects' values — e.g. the key an earlier part of the same statement returned,
    ``{"object_id": "(SELECT w0.id::text FROM w0)"}``; ``returning``: a RETURNING clause of the caller's."""
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert_write")  # type: ignore[attr-defined]
    plan = _insert_plan(model, connection.vendor)
    tail = f" {plan.returning}" if returning_pk else ""
    if returning is not None:
        tail = f" {returning}"
    if computed:
        if not plan.recordset:
            raise ValueError("insert_write: computed columns are for PostgreSQL's combined statements")
        return _insert_write_computed(plan, model, objs, computed, tail)
    if plan.recordset and objs:
        payload = _recordset_json(plan, model, objs)
        if payload is not None:
            return Write(plan.recordset + tail, (payload,))
    placeholders: list[str] = []
    params: list[Any] = []
    compiler = None
    for obj in objs:
        marks = []
        for field in plan.fields:
            value = field.field.pre_save(obj, True) if field.pre_save else getattr(obj, field.attname)
            if hasattr(value, "resolve_expression"):
                return _insert_write_compiled(model, objs, returning_pk=returning_pk)
            value = field.field.get_db_prep_save(value, connection=connection)
            if field.placeholder is None:
                marks.append("%s")
            else:
                compiler = compiler or InsertQuery(model).get_compiler(connection=connection)
                marks.append(field.placeholder(value, compiler, connection))
            params.append(value)
        placeholders.append("(" + ", ".join(marks) + ")")
    return Write(f"{plan.head} VALUES {', '.join(placeholders)}{tail}", tuple(params))


@dataclass(frozen=True)
class _PlanField:
    field: Any
    attname: str
    column: str
    pre_save: bool  # the field has a pre_save of its own (auto_now, files)
    placeholder: Any  # the field's get_placeholder (geometries), or None
    plain: bool  # a field whose preparation leaves a plain value (text, number, key, decimal…) as it is


@dataclass(frozen=True)
class _InsertPlan:
    head: str  # INSERT INTO "table" ("column", …)
    returning: str  # RETURNING "table"."id"
    fields: list[_PlanField]
    recordset: str  # PostgreSQL: the INSERT … SELECT … FROM json_populate_recordset(…); else ""
    source: str  # its " FROM json_populate_recordset(…)"


_INSERT_PLANS: dict[tuple[type[models.Model], str], _InsertPlan] = {}

# Fields whose get_db_prep_save turns a plain value into the same value, or into one the column's input
# function reads the same from the JSON (an int for an int column, a str for a text one…).
_PLAIN_FIELDS = (
    models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.DecimalField,
    models.UUIDField, models.DateTimeField, models.DateField,
)  # fmt: skip
_PLAIN_VALUES = frozenset({str, int, bool, type(None), decimal.Decimal, uuid.UUID, datetime.date})


def _plain_field(field: Any) -> bool:
    if field.is_relation:
        return bool(field.many_to_one or field.one_to_one) and _plain_field(field.target_field)
    return isinstance(field, _PLAIN_FIELDS) and not isinstance(field, models.JSONField)


def _insert_plan(model: type[models.Model], vendor: str) -> _InsertPlan:
    plan = _INSERT_PLANS.get((model, vendor))
    if plan is None:
        opts = model._meta
        qn = connection.ops.quote_name
        fields = [f for f in opts.local_concrete_fields if not f.generated and f is not opts.auto_field]
        returning, _ = connection.ops.return_insert_columns([opts.pk]) or ("", ())
        columns = ", ".join(qn(f.column) for f in fields)
        head = f"INSERT INTO {qn(opts.db_table)} ({columns})"
        source = recordset = ""
        if vendor == "postgresql":
            source = f" FROM json_populate_recordset(NULL::{qn(opts.db_table)}, %s::json)"
            recordset = f"{head} SELECT {columns}{source}"
        plan = _InsertPlan(
            head=head,
            returning=returning,
            fields=[
                _PlanField(
                    field=f,
                    attname=f.attname,
                    column=f.column,
                    pre_save=type(f).pre_save is not models.Field.pre_save,
                    placeholder=getattr(f, "get_placeholder", None),
                    plain=_plain_field(f),
                )
                for f in fields
            ],
            recordset=recordset,
            source=source,
        )
        _INSERT_PLANS[(model, vendor)] = plan
    return plan


def _recordset_json(plan: _InsertPlan, model: type[models.Model], objs: Sequence[models.Model]) -> Any:
    """The rows as one JSON parameter — an array of objects keyed by column, each value as its column's
    input function reads it (a JSON column's value as it is) — or None if a value has no such form or is
    an expression (the caller then sends a VALUES list, or has Django compile it)."""
    from django.contrib.gis.db.backends.postgis.adapter import PostGISAdapter
    from psycopg.types.json import Json, Jsonb

    out = []
    compiler = None
    plain_values = _PLAIN_VALUES
    for obj in objs:
        row = {}
        for field in plan.fields:
            value = field.field.pre_save(obj, True) if field.pre_save else getattr(obj, field.attname)
            kind = type(value)
            if field.plain and (
                kind in plain_values or (kind is datetime.datetime and value.tzinfo is not None)
            ):
                row[field.column] = value  # what the field's preparation would leave as it is
                continue
            if hasattr(value, "resolve_expression"):
                return None
            value = field.field.get_db_prep_save(value, connection=connection)
            if field.placeholder is not None:
                compiler = compiler or InsertQuery(model).get_compiler(connection=connection)
                if field.placeholder(value, compiler, connection) != "%s":  # e.g. a transform
                    return None
            kind = type(value)
            if kind in plain_values or kind is datetime.datetime:
                pass
            elif kind is Jsonb:
                if value.obj is None or value.dumps is not json.dumps:  # JSON null; a custom encoder
                    return None
                value = value.obj
            elif isinstance(value, int):  # psycopg's Int2/Int4/Int8 wrappers, IntegerChoices
                value = int(value)
            elif isinstance(value, str):  # TextChoices members (their str() is their value)
                value = str(value)
            elif kind is float:
                value = value if math.isfinite(value) else repr(value)  # 'nan', 'inf': float8 reads them
            elif isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
                value = str(value)  # inet's own text
            elif kind is PostGISAdapter and value.is_geometry and not value.geography:
                value = value.ewkb.hex()  # hex EWKB, as geometry's input function reads it
            else:
                return None
            row[field.column] = value
        out.append(row)
    # Encoded when psycopg sends it, by pydantic-core, straight to bytes: decimals, timestamps, dates and
    # UUIDs as their text; NaN inside a JSON value is written as NaN, which PostgreSQL refuses as it
    # refused json.dumps's.
    return Json(out, dumps=pydantic_core.to_json)


def _insert_write_computed(
    plan: _InsertPlan, model: type[models.Model], objs: Sequence[models.Model], computed: Mapping[str, str],
    tail: str,
) -> Write:  # fmt: skip
    """:func:`insert_write`'s recordset statement with some columns' values given as SQL expressions."""
    unknown = set(computed) - {f.column for f in plan.fields}
    if unknown:
        raise ValueError(f"insert_write: no such columns {sorted(unknown)}")
    payload = _recordset_json(plan, model, objs)
    if payload is None:
        raise ValueError("insert_write: computed columns need values JSON can carry")
    qn = connection.ops.quote_name
    select = ", ".join(computed.get(f.column, qn(f.column)) for f in plan.fields)
    return Write(f"{plan.head} SELECT {select}{plan.source}{tail}", (payload,))


def _insert_write_compiled(
    model: type[models.Model], objs: Sequence[models.Model], *, returning_pk: bool
) -> Write:
    """:func:`insert_write` through Django's insert compiler (values that are expressions)."""
    opts = model._meta
    fields = [f for f in opts.local_concrete_fields if not f.generated and f is not opts.auto_field]
    query = InsertQuery(model)
    query.insert_values(fields, list(objs))
    compiler = query.get_compiler(connection=connection)
    if returning_pk:
        compiler.returning_fields = [opts.pk]
    [(sql, params)] = compiler.as_sql()
    return Write(sql, tuple(params))


def insert_now(obj: models.Model) -> None:
    """``obj.save(force_insert=True)`` for a model without save() logic or signals of its own, in the
    same statement :func:`insert_write` builds: the key read back, the instance marked as saved."""
    [(pk,)] = writes_send([insert_write(type(obj), [obj], returning_pk=True)])
    obj.pk = pk
    obj._state.adding, obj._state.db = False, connection.alias


def update_write(obj: models.Model, fields: Sequence[str]) -> Write:
    """The ``UPDATE … WHERE pk`` of ``save(update_fields=fields)``, ``auto_now`` fields stamped as there:
    each value prepared by its field as Django's update compiler prepares it, the statement's text
    worked out once per model and fields (an expression goes through Django's compiler)."""
    model = type(obj)
    key = (model, tuple(fields), connection.vendor)
    plan = _UPDATE_PLANS.get(key)
    if plan is None:
        opts = model._meta
        qn = connection.ops.quote_name
        chosen: list[Any] = [opts.get_field(name) for name in fields]
        table = qn(opts.db_table)
        plan = _UpdatePlan(
            head=f"UPDATE {table} SET ",  # noqa: S608 - the model's own quoted names
            tail=f" WHERE {table}.{qn(opts.pk.column)} = %s",
            fields=[(f, qn(f.column), getattr(f, "get_placeholder", None)) for f in chosen],
        )
        _UPDATE_PLANS[key] = plan
    sets: list[str] = []
    params: list[Any] = []
    compiler = None
    for field, column, placeholder in plan.fields:
        value = field.pre_save(obj, False)
        if hasattr(value, "resolve_expression") or hasattr(value, "prepare_database_save"):
            return _update_write_compiled(obj, fields)
        value = field.get_db_prep_save(value, connection=connection)
        if placeholder is None:
            mark = "%s"
        else:
            compiler = compiler or UpdateQuery(model).get_compiler(connection=connection)
            mark = placeholder(value, compiler, connection)
        sets.append(f"{column} = {mark}")
        params.append(value)
    params.append(obj._meta.pk.get_db_prep_value(obj.pk, connection))
    return Write(plan.head + ", ".join(sets) + plan.tail, tuple(params))


@dataclass(frozen=True)
class _UpdatePlan:
    head: str  # UPDATE "table" SET
    tail: str  # WHERE "table"."id" = %s
    fields: list[tuple[Any, str, Any]]  # (field, quoted column, placeholder method)


_UPDATE_PLANS: dict[tuple[type[models.Model], tuple[str, ...], str], _UpdatePlan] = {}


def _update_write_compiled(obj: models.Model, fields: Sequence[str]) -> Write:
    """:func:`update_write` through Django's update compiler (values that are expressions)."""
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


# PostgreSQL takes at most this many parameters in a statement it binds itself.
_SERVER_BOUND_MAX = 65_535


def hot_cursor(params: int = 0) -> Any:
    """A cursor for the statements sent on every request (``CompiledOnce``, ``writes_send``).

    On PostgreSQL it lets the server bind the parameters (psycopg's ``Cursor``, not the ``ClientCursor``
    Django uses), so that a statement this connection has sent ``prepare_threshold`` times (settings:
    ``PG_PREPARE_THRESHOLD``) is prepared on it and not planned again — planning the token's join cost
    more than running it. Django's own cursors keep binding on the client: they never prepare, and a
    bulk insert of more than 65,535 values, which the server would refuse to bind, still goes through
    (so does a statement here with as many: ``params``). Django's wrapping stays (errors, the execute
    wrappers the statement-count tests use, debug logging); elsewhere it is ``connection.cursor()``."""
    if connection.vendor != "postgresql" or params > _SERVER_BOUND_MAX:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    factory = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        return connection.cursor()  # Django's own steps (time zone, wrapper) around this factory's cursor
    finally:
        raw.cursor_factory = factory


def writes_send(writes: Sequence[Write]) -> list[tuple[Any, ...]]:
    """Send ``writes`` in order — on PostgreSQL as **one** statement (``WITH w0 AS (…), w1 AS (…) last``,
    each a data-modifying part; foreign keys are checked at COMMIT), elsewhere one by one. Returns the
    rows the last one returns (its ``RETURNING``). The parts of one statement do not see each other's
    rows — only for writes to different rows that do not read each other — but a later part may read
    an earlier one's RETURNING as ``wN`` (see ``insert_write``'s ``computed``)."""
    if not writes:
        return []
    with hot_cursor(sum(len(w.params) for w in writes)) as cursor:
        if connection.vendor == "postgresql" and len(writes) > 1:
            head = ", ".join(f"w{n} AS ({w.sql})" for n, w in enumerate(writes[:-1]))
            cursor.execute(f"WITH {head} {writes[-1].sql}", [p for w in writes for p in w.params])
        else:
            for w in writes:
                cursor.execute(w.sql, w.params)
        return list(cursor.fetchall()) if cursor.description else []


class CompiledOnce:
    """A query whose SQL is compiled once per process and sent again with new values.

    ``CompiledOnce(lambda x: Model.objects.filter(key=x).values_list(…))``: the builder is called once
    with marker values, compiled by Django for the connection's database, and each marker's place among
    the parameters noted; each call of :meth:`rows` then sends that SQL with the caller's values in
    those places and returns the rows (tuples in the select's order, through the same field converters
    as Django's); :meth:`objects`, for a builder returning model rows, the model instances as Django's
    own iterable builds them (deferred fields, ``select_related`` objects, annotations). For queries sent
    on every request (the token's check, an inspection's subject, the inspection a submit locks), whose
    compiling cost more than running them. The builder must use each argument exactly once, as a plain
    value compared for equality; ``args`` names their types — ``str`` (the default), ``int`` (a key;
    ``integer=True`` is ``args=(int,)``) or ``uuid.UUID``. A ``select_for_update()`` is checked to run
    inside a transaction at every call, as Django checks it when compiling."""

    _MARK = "\x1fkernel.queries.CompiledOnce\x1f"
    # Within the range of every integer field but the small ones (a small-integer argument is refused):
    # Django answers "nothing" without sending anything for a value its column cannot hold.
    _INT_MARK = 2_094_581_937
    _UUID_MARK = 0x1F_C0_4D_1E_D0_4C_E0_00_00_00_00_00_00_00_00_00

    def __init__(
        self,
        build: Callable[..., models.QuerySet[Any]],
        *,
        integer: bool = False,
        args: tuple[type, ...] | None = None,
    ) -> None:
        self._build = build
        types = args if args is not None else ((int,) if integer else (str,))
        self._marks: tuple[Any, ...] = tuple(self._mark(t, n) for n, t in enumerate(types))
        self._compiled: _Compiled | None = None

    @classmethod
    def _mark(cls, kind: type, n: int) -> Any:
        if kind is int:
            return cls._INT_MARK + n
        if kind is uuid.UUID:
            return uuid.UUID(int=cls._UUID_MARK + n)
        if kind is str:
            return f"{cls._MARK}{n}"
        raise TypeError(f"CompiledOnce: no marker for {kind.__name__} arguments")

    def _compile(self) -> _Compiled:
        query = self._build(*self._marks).query
        compiler = query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet as exc:
            raise ValueError("CompiledOnce: an argument's column cannot hold its marker") from exc
        places: list[tuple[int, int, Callable[[Any], Any] | None]] = []  # (parameter, argument, as sent)
        for n, param in enumerate(params):
            for a, mark in enumerate(self._marks):
                if isinstance(mark, int) and isinstance(param, int) and param == mark:
                    # the same wrapper the field chose (psycopg's Int4 for a 32-bit column, …)
                    places.append((n, a, None if type(param) is int else type(param)))
                elif type(param) is type(mark) and param == mark:
                    places.append((n, a, None))
                elif isinstance(mark, uuid.UUID) and param == mark.hex:  # a UUID on SQLite
                    places.append((n, a, _hex))
        if sorted(a for _, a, _ in places) != list(range(len(self._marks))):
            raise ValueError("CompiledOnce: the builder must use each argument exactly once")
        select = compiler.select
        klass_info = compiler.klass_info
        populate: tuple[Any, ...] | None = None
        if klass_info is not None and not query.values_select:
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            populate = (
                klass_info["model"],
                start,
                end,
                [s[0].target.attname for s in select[start:end]],
                get_related_populators(klass_info, select, connection.alias),
                dict(compiler.annotation_col_map or {}),
            )
        return _Compiled(
            sql=sql,
            params=list(params),
            places=places,
            converters=list(compiler.get_converters([s[0] for s in select]).items()),
            populate=populate,
            for_update=query.select_for_update,
        )

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        if self._compiled is None:
            self._compiled = self._compile()
        compiled = self._compiled
        if len(values) != len(self._marks):
            raise TypeError(f"CompiledOnce: {len(self._marks)} arguments expected, {len(values)} given")
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        for n, a, send in compiled.places:
            params[n] = values[a] if send is None else send(values[a])
        with hot_cursor(len(params)) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return [tuple(r) for r in rows]
        out = []
        for row in rows:
            row = list(row)
            for pos, (fns, expression) in compiled.converters:
                converted = row[pos]
                for fn in fns:
                    converted = fn(converted, expression, connection)
                row[pos] = converted
            out.append(tuple(row))
        return out

    def objects(self, *values: Any) -> list[Any]:
        rows = self.rows(*values)
        assert self._compiled is not None
        if self._compiled.populate is None:
            raise TypeError("CompiledOnce.objects: the builder must select model rows, not values")
        model, start, end, names, related, annotations = self._compiled.populate
        out = []
        for row in rows:
            obj = model.from_db(connection.alias, names, row[start:end])
            for populator in related:
                populator.populate(row, obj)
            for name, pos in annotations.items():
                setattr(obj, name, row[pos])
            out.append(obj)
        return out


def _hex(value: uuid.UUID) -> str:
    return value.hex


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: list[Any]
    places: list[tuple[int, int, Callable[[Any], Any] | None]]
    converters: list[Any]
    populate: tuple[Any, ...] | None  # model, its columns' span and names, related populators, annotations
    for_update: bool
