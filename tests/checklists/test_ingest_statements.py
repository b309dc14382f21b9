"""What a new, finished inspection costs the database: the statements of one ``PUT …?submit=true``.

Counted as the database server receives them, from this process's connection:
- every statement Django sends through its cursor (``connection.execute_wrapper``), SAVEPOINT and
  RELEASE SAVEPOINT included (Django sends those through the cursor on every backend), and on SQLite
  the explicit ``BEGIN`` Django sends there;
- on PostgreSQL the ``BEGIN`` that psycopg sends by itself before the first statement once Django turns
  autocommit off (counted when Django does), which no cursor wrapper sees;
- every ``COMMIT`` / ``ROLLBACK`` (Django calls the driver's ``commit()`` / ``rollback()``, not the cursor).
Not counted: the ``SELECT 1`` health check Django sends on a reused PostgreSQL connection at the first
query of a request (``CONN_HEALTH_CHECKS``); the test client does not run it (it disconnects
``close_old_connections``), gunicorn does — bench/ingest counts it on the server with
``pg_stat_statements``.

The test database is transactional here (``transactional_db``): the request's ``atomic`` is a real
transaction, as in production, not a savepoint inside the test's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from bench.ingest.run import answers as bench_answers
from checklists.models import Finding, Inspection, InspectionRevision
from checklists.services.templates import templates_sync
from kernel.audit.models import AuditEvent
from tests.checklists.conftest import Phone
from tests.conftest import make_user

BUDGET = 8  # statements per new submitted inspection (issue 20)
# On PostgreSQL the revision, findings and audit events are one statement (kernel.queries.writes_send)
PG_BUDGET = 6


class Wire:
    """The statements this connection sends to the database server, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.sent.append(sql)
        return execute(sql, params, many, context)


@pytest.fixture
def wire(transactional_db, monkeypatch) -> Iterator[Wire]:  # type: ignore[no-untyped-def]
    seen = Wire()
    postgres = connection.vendor == "postgresql"
    set_autocommit, commit, rollback = (
        connection._set_autocommit,
        connection._commit,
        connection._rollback,
    )

    def _set_autocommit(autocommit: bool) -> None:
        if postgres and not autocommit:
            seen.sent.append("BEGIN")  # psycopg sends it before the next statement
        set_autocommit(autocommit)

    def _commit() -> None:
        if postgres or connection.connection.in_transaction:  # sqlite3 sends nothing otherwise
            seen.sent.append("COMMIT")
        commit()

    def _rollback() -> None:
        seen.sent.append("ROLLBACK")
        rollback()

    monkeypatch.setattr(connection, "_set_autocommit", _set_autocommit)
    monkeypatch.setattr(connection, "_commit", _commit)
    monkeypatch.setattr(connection, "_rollback", _rollback)
    with connection.execute_wrapper(seen):
        yield seen


def _body(town_id: int, i: int) -> dict[str, Any]:
    return {
        "template_key": "bench-50",
        "template_version": 1,
        "subject": {"kind": "town", "id": town_id},
        "answers": bench_answers(i),
        "device_started_at": "2022-09-20T09:30:00+08:00",
        "device_location": {"lon": 121.2, "lat": 31.9, "datum": "gcj02", "accuracy_m": 6},
    }


def test_a_new_submitted_inspection_costs_at_most_eight_statements(world, wire) -> None:  # type: ignore[no-untyped-def]
    templates_sync(directory=Path(__file__).parents[2] / "bench" / "ingest")
    phone = Phone(make_user("inspector", world.town_a))

    def put_submit(i: int) -> tuple[uuid.UUID, list[str]]:
        cu = uuid.uuid4()
        start = len(wire.sent)
        response = phone.client.put(
            f"/api/v1/inspections/{cu}?submit=true",
            _body(world.town_a.pk, i),
            content_type="application/json",
            headers=phone._headers(None),
        )
        assert response.status_code == 201, response.content
        return cu, wire.sent[start:]

    put_submit(0)  # the first request of a token (its last use is recorded) and of the process
    cu, sent = put_submit(1)
    listing = "\n".join(f"{n:2}. {sql[:110]}" for n, sql in enumerate(sent, 1))
    budget = PG_BUDGET if connection.vendor == "postgresql" else BUDGET
    assert len(sent) <= budget, f"{len(sent)} statements for a new submitted inspection:\n{listing}"
    # the work is all there: the inspection, submitted and scored, its revision, findings and audit
    inspection = Inspection.objects.get(client_uuid=cu)
    assert (inspection.status, inspection.version, inspection.revision) == ("submitted", 2, 1)
    assert inspection.percent is not None and inspection.percent < 100
    assert InspectionRevision.objects.filter(inspection=inspection).count() == 1
    assert Finding.objects.filter(inspection=inspection).exists()
    _assert_created_and_submitted_by(inspection, phone)


def test_a_version_retired_by_another_process_is_refused_at_the_insert(world) -> None:  # type: ignore[no-untyped-def]
    from checklists.models import ChecklistTemplate
    from tests.conftest import assert_error

    templates_sync(directory=Path(__file__).parents[2] / "bench" / "ingest")
    phone = Phone(make_user("inspector", world.town_a))
    url = "/api/v1/inspections/{}?submit=true"
    body = _body(world.town_a.pk, 0)
    first = phone.client.put(url.format(uuid.uuid4()), body, "application/json", headers=phone._headers(None))
    assert first.status_code == 201  # this process now keeps bench-50 v1 in memory
    # retired elsewhere (another worker, the console): this process's memory does not know it
    ChecklistTemplate.objects.filter(key="bench-50", version=1).update(status="retired")
    before = Inspection.objects.count(), AuditEvent.objects.filter(action__startswith="checklists.").count()
    for submit in ("?submit=true", ""):
        cu = uuid.uuid4()
        refused = phone.client.put(
            f"/api/v1/inspections/{cu}{submit}", body, "application/json", headers=phone._headers(None)
        )
        assert_error(refused, 422, "template_retired")
        assert not Inspection.objects.filter(client_uuid=cu).exists()
    assert (
        Inspection.objects.count(),
        AuditEvent.objects.filter(action__startswith="checklists.").count(),
    ) == before


def test_a_withdrawn_grant_or_revoked_token_counts_at_the_next_request(world) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import DeviceToken, RoleGrant
    from tests.conftest import assert_error

    templates_sync(directory=Path(__file__).parents[2] / "bench" / "ingest")
    user = make_user("inspector", world.town_a)
    phone = Phone(user)
    url = "/api/v1/inspections/{}?submit=true"
    body = _body(world.town_a.pk, 0)

    def put() -> object:
        return phone.client.put(
            url.format(uuid.uuid4()), body, "application/json", headers=phone._headers(None)
        )

    assert put().status_code == 201  # type: ignore[attr-defined]
    RoleGrant.objects.filter(user=user).delete()
    assert_error(put(), 404, "not_found")
    DeviceToken.objects.filter(pk=phone.device_token_id).update(revoked_at=timezone.now())
    assert_error(put(), 401, "token_revoked")


def test_a_new_draft_costs_at_most_five_statements_on_postgresql(world, wire) -> None:  # type: ignore[no-untyped-def]
    # token+grants, BEGIN, region, one statement for the inspection and its audit event on PostgreSQL
    # (kernel.audit.services.audit_inserted), COMMIT: no lock-and-check read, no savepoint
    templates_sync(directory=Path(__file__).parents[2] / "bench" / "ingest")
    phone = Phone(make_user("inspector", world.town_a))
    sent = []
    for i in range(2):  # the second: the token's last use is recorded, the template known
        start = len(wire.sent)
        assert phone.put(uuid.uuid4(), _body(world.town_a.pk, i)).status_code == 201
        sent = wire.sent[start:]
    listing = "\n".join(f"{n:2}. {sql[:110]}" for n, sql in enumerate(sent, 1))
    budget = 5 if connection.vendor == "postgresql" else 6  # SQLite: no writes inside WITH
    assert len(sent) <= budget, f"{len(sent)} statements for a new draft:\n{listing}"


def test_submitting_a_saved_draft_costs_five_statements_on_postgresql(world, wire) -> None:  # type: ignore[no-untyped-def]
    # token+grants, BEGIN, the inspection locked (its photos are read only when it has some:
    # Inspection.revision_photos), then one statement for the rest on PostgreSQL (the inspection's
    # update, the revision, the audit event and the findings), COMMIT
    templates_sync(directory=Path(__file__).parents[2] / "bench" / "ingest")
    phone = Phone(make_user("inspector", world.town_a))
    sent: list[str] = []
    cu = uuid.uuid4()
    for i in range(2):  # the second: the token's last use is recorded, the template known
        cu = uuid.uuid4()
        assert phone.put(cu, _body(world.town_a.pk, i)).status_code == 201
        start = len(wire.sent)
        response = phone.submit(cu, if_match=1)
        assert response.status_code == 200, response.content
        sent = wire.sent[start:]
    listing = "\n".join(f"{n:2}. {sql[:110]}" for n, sql in enumerate(sent, 1))
    budget = 5 if connection.vendor == "postgresql" else 8  # SQLite: no writes inside WITH
    assert len(sent) <= budget, f"{len(sent)} statements to submit a draft:\n{listing}"
    inspection = Inspection.objects.get(client_uuid=cu)
    assert (inspection.status, inspection.version, inspection.revision) == ("submitted", 2, 1)
    assert inspection.percent is not None and inspection.percent < 100
    assert inspection.updated_at >= inspection.submitted_at  # stamped by the update
    revision = InspectionRevision.objects.get(inspection=inspection)
    assert (revision.percent, revision.score) == (inspection.percent, inspection.score)
    findings = list(Finding.objects.filter(inspection=inspection).order_by("id"))
    assert findings and [f["id"] for f in response.json()["findings"]] == [f.pk for f in findings]
    _assert_created_and_submitted_by(inspection, phone)


def _assert_created_and_submitted_by(inspection: Inspection, phone: Phone) -> None:
    """The inspection's audit trail is its creation and its submission, each by this phone's user and
    token."""
    assert list(
        AuditEvent.objects.filter(object_id=str(inspection.pk), action__startswith="checklists.inspection.")
        .order_by("id")
        .values_list("action", "actor_id", "device_token_id")
    ) == [
        ("checklists.inspection.create", phone.user_id, phone.device_token_id),
        ("checklists.inspection.submit", phone.user_id, phone.device_token_id),
    ]


def _compilations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the model of every query Django compiles to SQL, in order."""
    from django.db.models.sql.compiler import SQLCompiler

    compiled: list[str] = []
    as_sql = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(self.query.model.__name__)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return compiled


def test_the_token_check_is_not_compiled_again_at_each_request(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The token's one query is read afresh every time (revocations count at once: the test above), but
    # its SQL is compiled once per process: compiling it cost more CPU than PostgreSQL spent running it.
    from accounts.selectors import token_holder
    from accounts.services.tokens import _digest

    templates_sync(directory=Path(__file__).parents[2] / "bench" / "ingest")
    user = make_user("inspector", world.town_a)
    phone = Phone(user)
    assert phone.get("/api/v1/me").status_code == 200
    compiled = _compilations(monkeypatch)
    holder = token_holder(_digest(phone.token))
    assert compiled == []
    assert holder is not None and holder.principal.user_id == user.pk and holder.is_active
    assert holder.token_id == phone.device_token_id and holder.expires_at > timezone.now()
    assert [g.region_id for g in holder.principal.grants] == [world.town_a.pk]
    assert token_holder(_digest(phone.token) + "x") is None


def test_a_town_subject_is_read_without_compiling_its_query_again(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.gis.geos import Point

    from geo.models import Region
    from geo.selectors import subject_get
    from kernel.errors import NotFound

    Region.objects.filter(pk=world.town_a.pk).update(centroid=Point(121.25, 31.87, srid=4326))
    subject_get(kind="town", subject_id=world.town_a.pk)  # the process's first: compiled here
    compiled = _compilations(monkeypatch)
    subject = subject_get(kind="town", subject_id=world.town_a.pk)
    assert compiled == []
    town = Region.objects.get(pk=world.town_a.pk)
    assert (subject.kind, subject.id, subject.name) == ("town", town.pk, town.name)
    assert subject.town is subject.region
    region = subject.region
    assert (region.pk, region.path, region.level, region.code) == (town.pk, town.path, town.level, town.code)
    assert town.centroid is not None and region.centroid == town.centroid == subject.location
    assert "boundary" in region.get_deferred_fields() and not region._state.adding
    with pytest.raises(NotFound):
        subject_get(kind="village", subject_id=world.town_a.pk)  # a town is no village


def _stored(model: Any, pk: int, skip: set[str]) -> dict[str, Any]:
    row = model.objects.get(pk=pk)
    return {
        f.attname: getattr(row, f.attname)
        for f in model._meta.concrete_fields
        if f.attname not in skip and f is not model._meta.pk
    }


def test_insert_write_stores_what_bulk_create_stores(phone_a, world) -> None:  # type: ignore[no-untyped-def]
    """``kernel.queries.insert_write`` (rows as one JSON parameter on PostgreSQL, a VALUES list where a
    value needs one) stores every field as Django's own insert does: a point in WGS-84 and one in
    another SRID, decimals, choices, aware timestamps, JSON objects, a JSON string, an IP address."""
    from decimal import Decimal

    from django.contrib.gis.geos import Point

    from kernel.audit.services import audit_event
    from kernel.queries import insert_write, writes_send
    from tests.checklists.conftest import draft

    cu = uuid.uuid4()
    assert phone_a.put(cu, draft(world)).status_code == 201
    original = Inspection.objects.get(client_uuid=cu)
    cases = [
        {},
        {"percent": Decimal("93.5"), "score": {"甲": "乙", "n": 1.5, "list": [1, None]}, "vetoed": True},
        {"device_location": Point(13_490_000.0, 3_750_000.0, srid=3857)},  # transformed by the database
        {"device_location": None, "item_comments": {"q01": "字符串 'quoted' \"double\" \\"}},
    ]
    for n, change in enumerate(cases):
        pair = []
        for how in ("insert_write", "bulk_create"):
            clone = Inspection.objects.get(pk=original.pk)
            clone.pk, clone._state.adding, clone.client_uuid = None, True, uuid.uuid4()
            for name, value in change.items():
                setattr(clone, name, value)
            if how == "insert_write":
                [(pk,)] = writes_send([insert_write(Inspection, [clone], returning_pk=True)])
            else:
                pk = Inspection.objects.bulk_create([clone])[0].pk
            pair.append(_stored(Inspection, pk, {"client_uuid", "updated_at", "received_at"}))
        assert pair[0] == pair[1], n
    events = [
        audit_event(action="t.one", before="一个字符串", after=[1, None, "乙"]),
        audit_event(action="t.two", before={"a": Decimal("1.50")}, after=None, status_code=201),
    ]
    for event in events:
        event.ip, event.object_id = "10.1.2.3", "42"
    written = writes_send([insert_write(AuditEvent, events, returning_pk=True)])
    for (pk,), event in zip(written, events, strict=True):
        stored = AuditEvent.objects.get(pk=pk)
        assert (stored.action, stored.ip, stored.object_id, stored.status_code) == (
            event.action, "10.1.2.3", "42", event.status_code,
        )  # fmt: skip
        assert stored.before == event.before and stored.after == event.after and stored.at == event.at
