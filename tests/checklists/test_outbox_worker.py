"""Redis stopped while people work: requests still succeed and the work that follows them is done once
Redis is back (the PostGIS + Redis leg of ``make test``).

The test starts its own ``redis-server`` on a free loopback port so that it can stop and restart it, and
a real Celery worker on it once it is back; the outbox sweep is sent through the broker as beat would.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from checklists.models import InspectionPhoto
from media.models import Photo
from scoring.models import Scoreboard
from tests.checklists.conftest import Phone, draft
from tests.conftest import ApiClient, _reset_celery_caches, make_user, needs_redis
from tests.media.images import jpeg, scene
from tests.scoring.test_scoreboard_e2e import fire, safety, scheme_this_year

pytestmark = needs_redis


@pytest.fixture
def scheme(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    return scheme_this_year("towns-outage", tmp_path, monkeypatch)


class RedisServer:
    """A ``redis-server`` child process on a fixed loopback port: stop it, start it again."""

    def __init__(self, exe: str, workdir: Path) -> None:
        self.exe, self.workdir = exe, workdir
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 (our own arguments)
            [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        assert _wait(lambda: _pings(client), 10), "redis-server did not start"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def _wait(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def broker(transactional_db, tmp_path) -> Iterator[RedisServer]:  # type: ignore[no-untyped-def]
    """The app talking to a Redis of its own (not eager), restored afterwards."""
    from backend.celery import app

    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("需要 redis-server")
    server = RedisServer(exe, tmp_path)
    server.start()
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=server.url, result_backend=server.url, task_always_eager=False)
    _reset_celery_caches(app)
    try:
        yield server
    finally:
        server.stop()
        app.conf.update(saved)
        _reset_celery_caches(app)


@contextmanager
def worker_and_sweep(server: RedisServer) -> Iterator[None]:
    """Redis back, a worker on it, and the outbox sweep sent through the broker (as beat does)."""
    from celery.contrib.testing.worker import start_worker

    from backend.celery import app

    server.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        swept = app.send_task("kernel.outbox.tasks.outbox_sweep")
        assert swept.get(timeout=30) >= 1
        yield


def _upload(phone: Any, cu: uuid.UUID, data: bytes) -> Any:
    body = {"photo_uuid": str(uuid.uuid4()), "item_key": "op.running",
            "file": SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")}  # fmt: skip
    return phone.client.post(f"/api/v1/inspections/{cu}/photos", body, headers=phone._headers(None))


def _codes(link_uuid: str) -> list[str]:
    return [f["code"] for f in InspectionPhoto.objects.get(client_uuid=link_uuid).flags]


@override_settings(OUTBOX_SWEEP_AFTER_SECONDS=0)
def test_photos_uploaded_while_redis_is_down_get_their_derivatives_once_it_is_back(
    broker, world, phone_a
) -> None:  # type: ignore[no-untyped-def]
    earlier, later = uuid.uuid4(), uuid.uuid4()
    for cu in (earlier, later):
        assert phone_a.put(cu, draft(world)).status_code == 201
    broker.stop()

    original = _upload(phone_a, earlier, jpeg(scene(31), quality=92))
    assert original.status_code == 201, original.content  # committed: the phone must not send it again
    # last quarter's photo sent again, recompressed: only the perceptual hash made later can tell
    copy = _upload(phone_a, later, jpeg(scene(31), quality=55))
    assert copy.status_code == 201, copy.content
    photos = Photo.objects.filter(sha256__in=[original.json()["sha256"], copy.json()["sha256"]])
    assert len(photos) == 2 and all(p.derivatives_at is None for p in photos)
    assert "reused_same_subject" not in _codes(copy.json()["client_uuid"])

    with worker_and_sweep(broker):
        assert _wait(lambda: not photos.filter(derivatives_at__isnull=True).exists(), 30)
        assert all(p.phash and p.thumb_phone and p.thumb_list for p in photos.all())
        # the reuse check chained after the hash ran too
        assert _wait(lambda: "reused_same_subject" in _codes(copy.json()["client_uuid"]), 30)
        sha = original.json()["sha256"]
        thumb = phone_a.get(f"/api/v1/photos/{sha}", variant="phone")
        assert thumb.status_code == 200 and "X-Derivative-Pending" not in thumb


@override_settings(OUTBOX_SWEEP_AFTER_SECONDS=0)
def test_an_approval_while_redis_is_down_is_on_the_scoreboard_once_it_is_back(
    broker,
    world,
    scheme,
    templates,
) -> None:  # type: ignore[no-untyped-def]
    office = Phone(make_user("district_office", world.district, username="anweiban_outage"))
    reviewer = ApiClient(make_user("environment_bureau", world.district, username="reviewer_outage"))
    submitted = []
    for template, answers in (("safety-town", safety()), ("fire-town", fire())):
        cu = str(uuid.uuid4())
        subject = {"kind": "town", "id": world.town_a.pk}
        body = {"template_key": template, "template_version": 1, "subject": subject, "answers": answers,
                "purpose": "annual"}  # fmt: skip
        assert office.put(cu, body).status_code == 201
        assert office.photo(cu, "record.site-photo", seed=len(submitted) + 5).status_code == 201
        assert office.submit(cu).status_code == 200
        submitted.append(cu)
    broker.stop()
    for cu in submitted:
        review = reviewer.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
        assert review.status_code == 200, review.content  # approved: the office must not approve again
    assert not Scoreboard.objects.filter(scheme_key=scheme).exists()

    with worker_and_sweep(broker):
        assert _wait(lambda: Scoreboard.objects.filter(scheme_key=scheme).exists(), 30)
        board = Scoreboard.objects.get(scheme_key=scheme)
        towns = {r["unit_name"]: r for r in board.rows}
        assert Decimal(towns["常乐镇"]["total"]) == Decimal("100.00"), towns["常乐镇"]
