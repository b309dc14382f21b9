"""Measurement imports as jobs (issue 13): the same heartbeat, ``stalled`` flag, sweep and retry as the
ledger imports, and a re-run that never imports twice."""

import uuid
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from scoring.models import Measurement, MeasurementImport
from scoring.tasks import water_imports_requeue_stalled
from tests.conftest import ApiClient, assert_error, make_user
from tests.scoring.test_water_api import GOOD, upload


@pytest.fixture
def bureau(world):  # type: ignore[no-untyped-def]
    return ApiClient(make_user("environment_bureau", world.district))


def queued(client: ApiClient, capture) -> str:  # type: ignore[no-untyped-def]
    with override_settings(WATER_IMPORT_SYNC_BYTES=10), capture(execute=False):
        r = upload(client, GOOD.encode())
    assert r.status_code == 202, r.content
    return r.json()["id"]


def died(import_id: str, *, attempts: int = 1) -> None:
    MeasurementImport.objects.filter(uuid=import_id).update(
        status="running", progress=60, run_token=uuid.uuid4(), attempts=attempts,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )  # fmt: skip


def test_a_stalled_import_is_reported_and_retried_once(
    world, bureau, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    poll = f"/api/v1/water/imports/{queued(bureau, django_capture_on_commit_callbacks)}"
    assert bureau.get(poll).json()["stalled"] is False
    assert_error(bureau.post(f"{poll}/retry"), 409, "job_not_retryable")
    died(poll.rsplit("/", 1)[1])
    body = bureau.get(poll).json()
    assert (body["status"], body["stalled"]) == ("running", True)
    town = ApiClient(make_user("town_officer", world.town_a))
    assert_error(town.post(f"{poll}/retry"), 404)  # not theirs, and not a district role
    with django_capture_on_commit_callbacks(execute=True):
        r = bureau.post(f"{poll}/retry")
    assert r.status_code == 202, r.content
    done = bureau.get(poll).json()
    assert (done["status"], done["report"]["imported"], done["attempts"]) == ("done", 25, 2)
    assert Measurement.objects.count() == 25
    # a redelivered message of the finished job does nothing
    from scoring.water.services import measurement_import_process

    measurement_import_process(import_id=MeasurementImport.objects.get(uuid=done["id"]).pk)
    assert Measurement.objects.count() == 25


def test_the_sweep_requeues_stalled_water_imports(
    world, bureau, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    dead = queued(bureau, django_capture_on_commit_callbacks)
    hopeless = queued(bureau, django_capture_on_commit_callbacks)
    died(dead)
    died(hopeless, attempts=settings.JOB_MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        assert water_imports_requeue_stalled() == {"water_imports": {"requeued": 1, "failed": 1}}
    assert MeasurementImport.objects.get(uuid=dead).status == "done"
    assert MeasurementImport.objects.get(uuid=hopeless).status == "failed"
    assert Measurement.objects.count() == 25
