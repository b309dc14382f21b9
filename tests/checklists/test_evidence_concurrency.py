"""Duplicate checks under contention. Found by the load test (``make load``): two ``evidence_duplicates``
tasks of near-identical photos locked the same attachments in opposite orders and one died of "deadlock
detected", losing its reuse flags. Two checks racing for real (threads, separate connections, row locks:
PostGIS only); and a check the database kills anyway is tried again.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from celery.exceptions import Retry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, transaction
from psycopg import errors as pg

from checklists.models import InspectionPhoto, Rectification, RectificationPhoto
from checklists.services import evidence
from checklists.services.evidence import evidence_check_duplicates
from checklists.tasks import BUSY_TRIES, evidence_duplicates
from tests.checklists.conftest import sewage_answers
from tests.checklists.test_evidence import REUSE, here, new_draft, placed, stored, upload  # noqa: F401 (placed: fixture)


def _waiting() -> int:
    """How many other sessions of this database wait for a lock now."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction, it would be read once
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cur.fetchone()[0])


def _until(n: int, errors: list[BaseException], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while _waiting() < n:
        assert time.monotonic() < end and not errors, f"never saw {n} sessions waiting for a lock: {errors}"
        time.sleep(0.05)


def _in_thread(target: Callable[[], object], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("placed")
def test_two_checks_of_look_alikes_never_deadlock(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SpatiaLite serialises writers on the whole file)")
    cu, _ = phone_a.complete(world, {**sewage_answers(), "ledger.meter": {"value": False}})
    officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
    rect = Rectification.objects.get()
    # three attachments of one scene, different bytes, in this order: an inspection's (a), a repair's
    # (b), an inspection's (c). Each commit runs its checks in-process: these are the settled flags.
    cu_a = new_draft(phone_a, world)
    a = upload(phone_a, cu_a, here(201, quality=92)).json()["client_uuid"]
    body = {"photo_uuid": str(uuid.uuid4()), "file": SimpleUploadedFile("r.jpg", here(201, quality=75))}
    url = f"/api/v1/rectifications/{rect.pk}/photos"
    r = officer_a.client.post(url, body, headers=officer_a._headers(None))
    assert r.status_code == 201, r.content
    b = r.json()["client_uuid"]
    c = upload(phone_a, new_draft(phone_a, world), here(201, quality=55), item_key="record.site-photo")
    c = c.json()["client_uuid"]
    links = [InspectionPhoto.objects.get(client_uuid=a), RectificationPhoto.objects.get(client_uuid=b),
             InspectionPhoto.objects.get(client_uuid=c)]  # fmt: skip
    settled = [link.flags for link in links]
    assert REUSE & {f["code"] for f in settled[1]} and REUSE & {f["code"] for f in settled[2]}
    for link in links:  # as if every check had run before any hash was known
        link.flags = [f for f in link.flags if f["code"] not in REUSE]
        link.flag_count = len(link.flags)
        link.save(update_fields=["flags", "flag_count"])

    a_id, b_id = links[0].pk, links[1].pk
    errors: list[BaseException] = []
    with transaction.atomic():  # someone holds c: the check of a gets there first and waits for it
        InspectionPhoto.objects.select_for_update().get(pk=links[2].pk)
        first = _in_thread(lambda: evidence_check_duplicates(kind="inspection", link_id=a_id), errors)
        _until(1, errors)
        second = _in_thread(lambda: evidence_check_duplicates(kind="rectification", link_id=b_id), errors)
        _until(2, errors)
    for thread in (first, second):
        thread.join(timeout=30)
        assert not thread.is_alive()
    assert errors == []
    for link in links:
        link.refresh_from_db()
    assert [link.flags for link in links] == settled  # nothing lost, nothing different from one at a time


@pytest.mark.usefixtures("placed")
@pytest.mark.parametrize(
    ("error", "tries"),
    [(pg.DeadlockDetected, 2), (pg.SerializationFailure, 2), (pg.ProgramLimitExceeded, 1)],
)
def test_a_check_killed_by_a_deadlock_is_tried_again(  # type: ignore[no-untyped-def]
    world, phone_a, monkeypatch, django_capture_on_commit_callbacks, error, tries
) -> None:
    earlier, later = new_draft(phone_a, world), new_draft(phone_a, world)
    with django_capture_on_commit_callbacks() as originals:
        upload(phone_a, earlier, here(131, quality=92))
    with django_capture_on_commit_callbacks() as copies:
        copy = upload(phone_a, later, here(131, quality=55), item_key="record.site-photo")
    for task in originals:
        task()
    real, calls = evidence.evidence_check_duplicates, []

    def victim_once(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        if len(calls) == 1:  # what PostgreSQL answers the transaction it picks to break a deadlock
            raise OperationalError("deadlock detected") from error("deadlock detected")
        return real(**kwargs)

    monkeypatch.setattr(evidence, "evidence_check_duplicates", victim_once)
    for task in copies:
        task()
    assert len(calls) == tries  # a busy database is tried again; any other error is a bug, not retried
    assert stored(copy) == (["reused_same_subject"] if tries == 2 else [])


@pytest.mark.usefixtures("placed")
def test_a_check_the_database_keeps_killing_goes_back_to_the_queue(world, phone_a, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    link = upload(phone_a, new_draft(phone_a, world), here(132)).json()["client_uuid"]
    calls = []

    def always_victim(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        raise OperationalError("deadlock detected") from pg.DeadlockDetected("deadlock detected")

    monkeypatch.setattr(evidence, "evidence_check_duplicates", always_victim)
    link_id = InspectionPhoto.objects.get(client_uuid=link).pk
    with pytest.raises(Retry):  # a worker sends it again after a pause (an eager run only reports it)
        evidence_duplicates.apply(args=("inspection", link_id))
    assert len(calls) == BUSY_TRIES


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("placed")
def test_the_deadlock_victim_tries_again_and_flags_its_photos(world, phone_a, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A real deadlock with another writer of the same attachments: PostgreSQL kills the check, which
    waited first; it is tried again once the other transaction is done, and flags what it should."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SpatiaLite serialises writers on the whole file)")
    a = upload(phone_a, new_draft(phone_a, world), here(301, quality=92)).json()["client_uuid"]
    c = upload(phone_a, new_draft(phone_a, world), here(301, quality=55), item_key="record.site-photo")
    a_link, c_link = (
        InspectionPhoto.objects.get(client_uuid=a),
        InspectionPhoto.objects.get(client_uuid=c.json()["client_uuid"]),
    )
    settled = c_link.flags
    assert REUSE & {f["code"] for f in settled}
    c_link.flags, c_link.flag_count = [], 0  # as if its own check had run before a's hash was known
    c_link.save(update_fields=["flags", "flag_count"])
    real, outcomes = evidence.evidence_check_duplicates, []

    def watched(**kwargs):  # type: ignore[no-untyped-def]
        try:
            flags = real(**kwargs)
        except OperationalError as exc:
            outcomes.append(getattr(exc.__cause__, "sqlstate", None))
            raise
        outcomes.append("done")
        return flags

    monkeypatch.setattr(evidence, "evidence_check_duplicates", watched)
    errors: list[BaseException] = []
    with transaction.atomic():  # another writer holds c, and then wants a, which the check holds
        InspectionPhoto.objects.select_for_update().get(pk=c_link.pk)
        check = _in_thread(lambda: evidence_duplicates.apply(args=("inspection", a_link.pk)).get(), errors)
        _until(1, errors)
        InspectionPhoto.objects.select_for_update().get(pk=a_link.pk)  # the cycle: the check is the victim
    check.join(timeout=30)
    assert not check.is_alive()
    assert errors == [] and outcomes == ["40P01", "done"]
    c_link.refresh_from_db()
    assert c_link.flags == settled
