"""The outbox: work that follows a commit is written in the same transaction, sent once after it, and
swept again when the broker refused it (on SpatiaLite: Celery eager, or a broker that is not there)."""

from __future__ import annotations

import socket
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from celery.signals import task_prerun
from django.db import transaction
from django.test import override_settings

from kernel.outbox.models import OutboxMessage
from kernel.outbox.services import outbox_enqueue, outbox_sweep
from media.models import Photo
from media.tasks import photo_derivatives
from scoring.assessment.tasks import assessment_recompute
from tests.checklists.conftest import Phone, draft, templates  # noqa: F401
from tests.conftest import _reset_celery_caches, make_user
from tests.media.images import jpeg, scene


@pytest.fixture
def runs() -> Iterator[Counter[str]]:
    """How many times each task ran (in-process: Celery eager)."""
    seen: Counter[str] = Counter()

    def count(sender=None, **_):  # type: ignore[no-untyped-def]
        seen[sender.name] += 1

    task_prerun.connect(count, weak=False)
    try:
        yield seen
    finally:
        task_prerun.disconnect(count)


@pytest.fixture
def broker_down() -> Iterator[None]:
    """A broker that refuses connections (a closed loopback port), eager again afterwards."""
    from backend.celery import app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the socket is: nothing listens there
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=f"redis://127.0.0.1:{port}/0", task_always_eager=False)
    _reset_celery_caches(app)
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_celery_caches(app)


def _upload(phone: Phone, cu: uuid.UUID, seed: int) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"photo_uuid": str(uuid.uuid4()), "item_key": "op.running",
            "file": SimpleUploadedFile("p.jpg", jpeg(scene(seed)), content_type="image/jpeg")}  # fmt: skip
    response = phone.client.post(f"/api/v1/inspections/{cu}/photos", body, headers=phone._headers(None))
    assert response.status_code == 201, response.content
    return str(response.json()["sha256"])


@pytest.fixture
def phone(world, templates) -> Phone:  # type: ignore[no-untyped-def]  # noqa: F811
    return Phone(make_user("inspector", world.town_a))


@pytest.mark.django_db(transaction=True)
def test_the_message_is_rolled_back_with_the_change_it_follows(world, runs) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        photo = Photo.objects.create(
            sha256="0" * 64, file="x.jpg", content_type="image/jpeg", extension="jpg", size_bytes=1,
            width=1, height=1, uploaded_by=user,
        )  # fmt: skip
        outbox_enqueue(steps=[photo_derivatives.si(photo.pk)])
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the change fails after queueing its work")
    assert not Photo.objects.exists() and not OutboxMessage.objects.exists()
    assert runs == Counter()  # nothing was sent for a change that never happened


@pytest.mark.django_db(transaction=True)
def test_an_upload_writes_its_message_with_the_photo_and_sends_it_once(world, phone, runs) -> None:  # type: ignore[no-untyped-def]
    cu = uuid.uuid4()
    assert phone.put(cu, draft(world)).status_code == 201
    sha = _upload(phone, cu, seed=3)

    message = OutboxMessage.objects.get()
    assert [s["task"] for s in message.steps] == [
        "media.tasks.photo_derivatives",
        "checklists.tasks.evidence_duplicates",
    ]
    assert message.dispatched_at is not None and message.attempts == 0
    assert Photo.objects.get(sha256=sha).derivatives_at is not None  # eager: done at the commit
    assert runs == Counter({"media.tasks.photo_derivatives": 1, "checklists.tasks.evidence_duplicates": 1})
    with override_settings(OUTBOX_SWEEP_AFTER_SECONDS=0):
        assert outbox_sweep() == 0  # already sent: the sweep sends nothing again
    assert sum(runs.values()) == 2


@pytest.mark.django_db(transaction=True)
@override_settings(OUTBOX_SWEEP_AFTER_SECONDS=0)
def test_a_refused_send_answers_201_and_the_sweep_sends_it_later(world, phone, runs, broker_down) -> None:  # type: ignore[no-untyped-def]
    from backend.celery import app

    cu = uuid.uuid4()
    assert phone.put(cu, draft(world)).status_code == 201
    sha = _upload(phone, cu, seed=4)  # 201 although the broker refused the thumbnail task

    message = OutboxMessage.objects.get()
    assert message.dispatched_at is None and message.attempts == 1
    assert "Connection refused" in message.last_error or "Error" in message.last_error
    assert outbox_sweep() == 0  # still down: stays pending, one more failure recorded
    message.refresh_from_db()
    assert message.dispatched_at is None and message.attempts == 2

    app.conf.task_always_eager = True  # the broker is back (eager: the sweep runs the work in-process)
    assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.dispatched_at is not None
    assert Photo.objects.get(sha256=sha).derivatives_at is not None
    assert runs == Counter({"media.tasks.photo_derivatives": 1, "checklists.tasks.evidence_duplicates": 1})


@pytest.mark.django_db(transaction=True)
def test_a_recompute_queued_ten_times_while_the_broker_is_down_runs_once(broker_down, runs) -> None:  # type: ignore[no-untyped-def]
    from backend.celery import app

    for _ in range(10):
        with transaction.atomic():
            outbox_enqueue(steps=[assessment_recompute.si("towns-2022")])
    with transaction.atomic():
        outbox_enqueue(steps=[assessment_recompute.si("departments-2022")])
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 11

    app.conf.task_always_eager = True
    assert outbox_sweep() == 0  # younger than OUTBOX_SWEEP_AFTER_SECONDS: the commit's own send is due
    with override_settings(OUTBOX_SWEEP_AFTER_SECONDS=0):
        assert outbox_sweep() == 2
        assert outbox_sweep() == 0
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
    assert runs == Counter({"checklists.tasks.assessment_recompute": 2})  # one per scheme


@pytest.mark.django_db(transaction=True)
def test_old_dispatched_messages_are_forgotten(runs) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    with transaction.atomic():
        kept = outbox_enqueue(steps=[assessment_recompute.si("towns-2022")])
        old = outbox_enqueue(steps=[assessment_recompute.si("departments-2022")])
    OutboxMessage.objects.filter(pk=old.pk).update(dispatched_at=timezone.now() - timedelta(days=8))
    outbox_sweep()
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.django_db(transaction=True)
@override_settings(OUTBOX_SWEEP_AFTER_SECONDS=0)
def test_photos_stuck_before_the_outbox_are_queued_by_the_migration(world, phone, runs) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from checklists.models import InspectionPhoto
    from media.services import photo_store

    cu = uuid.uuid4()
    assert phone.put(cu, draft(world)).status_code == 201
    linked = Photo.objects.get(sha256=_upload(phone, cu, seed=5))
    appeal = photo_store(data=jpeg(scene(6)), uploaded_by_id=phone.user_id)  # evidence with no link
    _upload(phone, cu, seed=7)  # one with its derivatives: nothing to queue
    # as the broker outage left them before this change: no derivatives, and nothing queued
    Photo.objects.filter(pk__in=[linked.pk, appeal.pk]).update(derivatives_at=None, phash="")
    OutboxMessage.objects.all().delete()
    runs.clear()

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("outbox", "0001_outbox_messages")])
    MigrationExecutor(connection).migrate(latest)

    link = InspectionPhoto.objects.get(photo=linked)
    derivatives, duplicates = "media.tasks.photo_derivatives", "checklists.tasks.evidence_duplicates"
    queued = sorted(tuple((s["task"], *s["args"]) for s in m.steps) for m in OutboxMessage.objects.all())
    assert queued == sorted([
        ((derivatives, linked.pk), (duplicates, "inspection", link.pk)),
        ((derivatives, appeal.pk),),
    ])  # fmt: skip
    assert outbox_sweep() == 2
    assert not Photo.objects.filter(derivatives_at__isnull=True).exists()
    assert runs == Counter({"media.tasks.photo_derivatives": 2, "checklists.tasks.evidence_duplicates": 1})


def test_beat_sweeps_the_outbox_with_a_registered_task() -> None:
    from django.conf import settings

    from backend.celery import app

    app.loader.import_default_modules()  # what a worker and beat do at start: autodiscover the tasks
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] in app.tasks  # a misspelt name would leave pending work unsent, silently
    assert entry["schedule"].total_seconds() == settings.OUTBOX_SWEEP_SECONDS
