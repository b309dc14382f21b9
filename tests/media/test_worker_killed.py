"""A worker killed while it holds a thumbnail task does not lose the photo's derivatives.

Real processes: a Celery worker is started on Redis against the test database, killed with SIGKILL as
soon as it has taken the task (late acknowledgement: the message stays unacknowledged), and a second
worker then gets the task back and makes the derivatives.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from media.models import Photo
from media.services import photo_store
from tests.conftest import make_user, needs_redis
from tests.media.images import jpeg, scene

pytestmark = needs_redis
ROOT = Path(__file__).resolve().parents[2]
LIMIT = 15  # seconds: the tasks' hard time limit in this test (the thumbnail of a 49 MP photo fits)


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend", "worker", "-P", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.django_db(transaction=True)
def test_killed_worker_task_is_redelivered_and_completed(world) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("the worker subprocess needs a database server it can share")
    from media.tasks import photo_derivatives

    url = settings.FIELDSCORE_TEST_REDIS_URL
    r = redis.Redis.from_url(url)
    r.flushdb()
    user = make_user("inspector", world.town_a)
    # 49 MP: long enough to work on that the kill lands while the task runs
    photo = photo_store(data=jpeg(scene(7, (7000, 7000)), quality=95), uploaded_by_id=user.pk)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": url,
        # a short visibility timeout, above short hard time limits (settings refuse it otherwise)
        "CELERY_TASK_TIME_LIMIT": str(LIMIT),
        "JOB_TIME_LIMIT": str(LIMIT),
        "CELERY_VISIBILITY_TIMEOUT": str(LIMIT + 1),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": "worker-test",
        "DJANGO_SETTINGS_MODULE": "backend.settings",  # as deployed, not the test settings
    }
    from backend.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        photo_derivatives.delay(photo.pk)
    finally:
        app.conf.update(broker_url=saved[0], task_always_eager=saved[1])

    first = _worker(env)
    try:
        # late acknowledgement: once taken, the message sits in "unacked" until the task finishes
        assert _wait(lambda: r.hlen("unacked") == 1, 60), "the first worker never took the task"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    photo.refresh_from_db()
    killed_mid_task = photo.derivatives_at is None
    assert r.hlen("unacked") == 1  # still owned by nobody alive: not lost

    time.sleep(LIMIT + 1.5)  # past the visibility timeout: a starting worker restores the orphaned task
    second = _worker(env)
    try:
        assert _wait(lambda: Photo.objects.filter(pk=photo.pk, derivatives_at__isnull=False).exists(), 60)
    finally:
        second.terminate()
        second.wait(timeout=20)
    photo.refresh_from_db()
    assert photo.phash and photo.thumb_phone and photo.thumb_list
    assert (settings.MEDIA_ROOT / photo.thumb_phone.name).is_file()
    assert killed_mid_task  # the kill really came before the work was done
