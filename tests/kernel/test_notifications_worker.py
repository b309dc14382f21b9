"""Notifications through Redis with real Celery workers, against a local receiver started by the test:
a 500 is retried after the backoff and the signature verifies; a worker killed while its request is out
does not make the receiver process the delivery twice, and a delivered row is never sent again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings

from kernel.notifications import events, services
from kernel.notifications.models import Delivery, DeliveryStatus, Endpoint, Subscription
from tests.conftest import _reset_celery_caches, needs_redis
from tests.kernel.receiver import receiver

pytestmark = needs_redis
ROOT = Path(__file__).resolve().parents[2]
SECRET = "worker-webhook-secret"
KEY = Fernet.generate_key().decode()
LIMIT = 15  # the tasks' hard time limit in the killed-worker test; the visibility timeout is just above


def _wait(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _emit(world, url: str) -> None:  # type: ignore[no-untyped-def]
    hook = services.endpoint_save(endpoint=Endpoint(kind="webhook", name="接收方"), url=url, secret=SECRET)
    Subscription.objects.create(endpoint=hook, event=events.SCOREBOARD_PUBLISHED, region=None)
    with transaction.atomic():
        services.notify(
            events.SCOREBOARD_PUBLISHED, region_id=None, title="2026 年度考核结果发布", text="见附件", data={}
        )


@override_settings(FIELDSCORE_NOTIFY_KEY=KEY, NOTIFY_RETRY_BASE_SECONDS=1.0)
def test_a_500_is_retried_by_the_worker_after_the_backoff(redis_worker, world) -> None:  # type: ignore[no-untyped-def]
    with receiver(script=[(500, b"busy"), (200, b"ok")]) as r:
        _emit(world, f"{r.url}/hook")
        assert _wait(lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(), 60)
    delivery = Delivery.objects.get()
    assert delivery.attempts == 2 and [e["status_code"] for e in delivery.log] == [500, 200]
    assert len(r.requests) == 2 and all(q.signature_ok(SECRET) for q in r.requests)
    assert r.processed_ids() == {str(delivery.uid)}
    assert r.requests[0].headers["x-fieldscore-event"] == "scoreboard.published"


def _worker(env: dict[str, str]) -> subprocess.Popen:  # type: ignore[type-arg]
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend", "worker", "-P", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
@override_settings(FIELDSCORE_NOTIFY_KEY=KEY)
def test_a_worker_killed_mid_delivery_does_not_get_it_processed_twice(world) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("the worker subprocess needs a database server it can share")
    from backend.celery import app

    url = settings.FIELDSCORE_TEST_REDIS_URL
    r = redis.Redis.from_url(url)
    r.flushdb()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": url,
        "CELERY_TASK_TIME_LIMIT": str(LIMIT),
        "JOB_TIME_LIMIT": str(LIMIT),
        "CELERY_VISIBILITY_TIMEOUT": str(LIMIT + 1),
        "NOTIFY_TIMEOUT_SECONDS": "3",  # the send task's hard limit and the claim's lease: 13 s
        "FIELDSCORE_NOTIFY_KEY": KEY,
        "SECRET_KEY": "worker-test",
        "DJANGO_SETTINGS_MODULE": "backend.settings",
    }
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    hold = threading.Event()
    with receiver(hold=hold) as rec:
        app.conf.update(broker_url=url, task_always_eager=False)
        _reset_celery_caches(app)
        try:
            _emit(world, f"{rec.url}/hook")  # sent to Redis after the commit, through the outbox
        finally:
            app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
            _reset_celery_caches(app)
        first = _worker(env)
        try:
            assert rec.arrived.wait(60), "the first worker never sent the request"
            first.send_signal(signal.SIGKILL)  # while the receiver holds the request: no answer read
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        hold.set()
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.SENDING and delivery.attempts == 1
        assert r.hlen("unacked") == 1  # late acknowledgement: the task is not lost

        time.sleep(LIMIT + 1.5)  # past the visibility timeout and the claim's lease
        second = _worker(env)
        try:
            assert _wait(lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(), 60)
            # a duplicate of the task (a replayed message, a sweep) does not send a delivered row again
            app.conf.update(broker_url=url, task_always_eager=False)
            _reset_celery_caches(app)
            try:
                from kernel.notifications.tasks import delivery_send

                delivery_send.delay(delivery.pk)
            finally:
                app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
                _reset_celery_caches(app)
            _reset_celery_caches(app)
            assert _wait(lambda: r.llen("celery") == 0 and r.hlen("unacked") == 0, 30)
            time.sleep(1)
        finally:
            second.terminate()
            second.wait(timeout=20)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.DELIVERED
    assert len(rec.requests) == 2  # the cut-off attempt and its resend …
    assert rec.processed_ids() == {str(delivery.uid)}  # … under one delivery id: processed once
    assert all(q.signature_ok(SECRET) for q in rec.requests)
