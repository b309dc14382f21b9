"""A Celery worker killed with ``kill -9`` in the middle of an 8,000-row ledger import (issue 13).

Real processes on PostGIS + Redis: the import is queued to Redis, a worker takes it and is killed while
its import transaction is open; the job's GET reports it ``stalled`` within the stall window (before the
fix it showed ``running`` at 70 % until the broker's visibility timeout); the beat sweep, run as a task
on the next worker, re-queues it; that worker is killed too; the user retries it through the API; a third
worker imports the ledger, exactly once: 8,000 facilities created, one audit event per facility.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.db import connection

from geo.models import LedgerImport, SewageFacility
from kernel.audit.models import AuditEvent
from tests.conftest import ApiClient, _reset_celery_caches, make_user, needs_redis
from tests.geo.test_ledger_import import HEADER, upload

pytestmark = needs_redis
ROOT = Path(__file__).resolve().parents[2]
ROWS = 8000
BEAT, STALL = 0.5, 3.0  # seconds: the worker's heartbeat, and how old a beat may get before "stalled"


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend", "worker", "-P", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait(predicate, seconds: float, step: float = 0.05):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(step)
    return None


@contextmanager
def _broker(url: str):  # type: ignore[no-untyped-def]
    """What the test process sends (the upload's task, the sweep, the retry) goes to Redis."""
    from backend.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    _reset_celery_caches(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _reset_celery_caches(app)


def _kill(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_is_reported_stalled_requeued_and_imported_once(world, settings) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("the worker subprocess needs a database server it can share")
    url = settings.FIELDSCORE_TEST_REDIS_URL
    redis.Redis.from_url(url).flushdb()
    settings.LEDGER_IMPORT_SYNC_BYTES = 0  # always a task
    settings.JOB_HEARTBEAT_SECONDS, settings.JOB_STALL_SECONDS = BEAT, STALL
    office = ApiClient(make_user("district_office", world.district))
    rows = "".join(f"常乐镇,甲村,一组,WS-K{i:05d},甲村{i}号站,8,A/O,40,,,,,,在运行,\n" for i in range(ROWS))
    before = SewageFacility.objects.count()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": "worker-test",
        "JOB_HEARTBEAT_SECONDS": str(BEAT),
        "JOB_STALL_SECONDS": str(STALL),
        "DJANGO_SETTINGS_MODULE": "backend.settings",  # as deployed, not the test settings
    }

    def job() -> dict:  # type: ignore[type-arg]
        return office.get(poll).json()

    def kill_mid_import(attempt: int) -> None:
        worker = _worker(env)
        try:
            # this attempt's run reached 70 %, written just before the import's transaction opens
            reached = _wait(
                lambda: (b := job())["attempts"] == attempt and not b["stalled"] and b["progress"] >= 70, 180
            )
            assert reached, f"the worker never reached the import: {job()}"
            beats = set()
            for _ in range(int(2 * STALL / 0.25)):  # a live worker beats inside its transaction:
                body = job()  # never reported stalled, and the beat moves on
                assert body["status"] == "running" and not body["stalled"], body
                beats.add(body["heartbeat_at"])
                time.sleep(0.25)
            assert len(beats) > 2
            _kill(worker)
        finally:
            _stop(worker)
        assert SewageFacility.objects.count() == before  # killed mid-import: nothing committed

    with _broker(url):
        queued = upload(office, HEADER + rows, dry_run="false")
    assert queued.status_code == 202, queued.content
    poll = f"/api/v1/geo/facilities/imports/{queued.json()['id']}"

    kill_mid_import(1)
    killed = time.monotonic()
    stalled = _wait(lambda: (body := job())["stalled"] and body, STALL + 5)
    assert stalled, "a job whose worker died is reported stalled within the stall window"
    assert stalled["status"] == "running" and time.monotonic() - killed < STALL + 5

    # the beat sweep, as a task on the next worker, re-queues it; that worker starts it again
    from geo.tasks import ledger_jobs_requeue_stalled

    with _broker(url):
        ledger_jobs_requeue_stalled.delay()
    kill_mid_import(2)
    assert _wait(lambda: job()["stalled"], STALL + 5)

    # the user retries it; a third worker finishes it
    with _broker(url):
        retried = office.post(f"{poll}/retry")
    assert retried.status_code == 202, retried.content
    assert retried.json()["status"] == "queued" and not retried.json()["stalled"]
    last = _worker(env)
    try:
        done = _wait(lambda: (body := job())["status"] == "done" and body, 300, step=0.5)
    finally:
        _stop(last)
    assert done, job()
    assert done["report"]["created"] == ROWS and done["report"]["updated"] == 0
    assert done["attempts"] == 3 and not done["stalled"]
    assert SewageFacility.objects.count() == before + ROWS
    record = LedgerImport.objects.get(uuid=done["id"])
    upserts = AuditEvent.objects.filter(action="geo.facility.ledger_upsert")
    assert upserts.count() == ROWS  # imported once: no facility written twice
    assert (
        AuditEvent.objects.filter(action="geo.facility.ledger_import", object_id=str(record.pk)).count() == 1
    )
