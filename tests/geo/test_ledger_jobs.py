"""Ledger imports as jobs (issue 13): a job whose heartbeat stopped is reported ``stalled``, re-queued by
the beat sweep (a bounded number of times) or retried by its uploader, and imported exactly once — also
when the run that died had already committed, or was only slow and finishes after its replacement."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models.signals import post_save
from django.test import override_settings
from django.utils import timezone

from geo.ledger_import import facility_ledger_process
from geo.models import LedgerImport, SewageFacility
from geo.tasks import ledger_jobs_requeue_stalled
from kernel import jobs
from kernel.audit.models import AuditEvent
from tests.conftest import ApiClient, assert_error, make_user
from tests.geo.test_ledger_import import HEADER, upload

ROW = "常乐镇,甲村,一组,{code},甲村{code}站,8,A/O,40,,,,,,在运行,\n"


def ledger(*codes: str) -> str:
    return HEADER + "".join(ROW.format(code=c) for c in codes)


def queue(client: ApiClient, text: str, capture) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Upload a ledger as a Celery job and keep its task from running (the callbacks are returned)."""
    with override_settings(LEDGER_IMPORT_SYNC_BYTES=10), capture(execute=False) as callbacks:
        r = upload(client, text, dry_run="false")
    assert r.status_code == 202, r.content
    return {**r.json(), "callbacks": callbacks}


def died(import_id: str, *, minutes: float = 10, attempts: int = 1) -> None:
    """The job's run took it and died: running at 70 %, its last beat ``minutes`` ago."""
    LedgerImport.objects.filter(uuid=import_id).update(
        status="running",
        progress=70,
        run_token=uuid.uuid4(),
        attempts=attempts,
        heartbeat_at=timezone.now() - timedelta(minutes=minutes),
    )


def test_a_job_whose_heartbeat_stopped_is_reported_stalled_and_retried(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    job = queue(office, ledger("WS-S1", "WS-S2"), django_capture_on_commit_callbacks)
    poll = f"/api/v1/geo/facilities/imports/{job['id']}"
    fresh = office.get(poll).json()
    assert (fresh["status"], fresh["stalled"], fresh["attempts"]) == ("queued", False, 1)
    assert fresh["heartbeat_at"] is not None
    assert_error(office.post(f"{poll}/retry"), 409, "job_not_retryable")  # waiting its turn

    died(job["id"])
    stalled = office.get(poll).json()
    assert (stalled["status"], stalled["progress"], stalled["stalled"]) == ("running", 70, True)

    other = ApiClient(make_user("district_office", world.district))
    assert_error(other.post(f"{poll}/retry"), 404)  # someone else's import: not revealed
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retried = office.post(f"{poll}/retry")
    assert retried.status_code == 202, retried.content
    body = retried.json()
    assert (body["status"], body["progress"], body["stalled"], body["attempts"]) == ("queued", 0, False, 2)
    assert len(callbacks) == 1
    callbacks[0]()  # the task (eager in tests)
    done = office.get(poll).json()
    assert (done["status"], done["report"]["created"], done["stalled"]) == ("done", 2, False)
    assert_error(office.post(f"{poll}/retry"), 409, "job_not_retryable")  # done: nothing to retry
    retry_event = AuditEvent.objects.get(action="job.retry")
    assert retry_event.before["status"] == "running" and retry_event.after["status"] == "queued"


def test_retry_is_refused_while_the_job_is_alive_and_allowed_after_a_failure(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    job = queue(office, ledger("WS-F1"), django_capture_on_commit_callbacks)
    poll = f"/api/v1/geo/facilities/imports/{job['id']}"
    died(job["id"], minutes=0.1)  # running, beat seconds ago: alive
    assert office.get(poll).json()["stalled"] is False
    assert_error(office.post(f"{poll}/retry"), 409, "job_not_retryable")
    LedgerImport.objects.filter(uuid=job["id"]).update(status="failed", report={"ok": False, "error": "x"})
    with django_capture_on_commit_callbacks(execute=True):
        assert office.post(f"{poll}/retry").status_code == 202
    assert office.get(poll).json()["report"]["created"] == 1
    rejected = upload(
        office, HEADER + "常乐镇,甲村,一组,WS-F2,站,十吨,A/O,40,,,,,,在运行,\n", dry_run="false"
    )
    assert rejected.json()["status"] == "rejected"
    assert_error(office.post(f"/api/v1/geo/facilities/imports/{rejected.json()['id']}/retry"), 409)


def test_the_sweep_requeues_stalled_jobs_a_bounded_number_of_times(
    world, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    jobs_ = {
        name: queue(office, ledger(f"WS-{name}"), django_capture_on_commit_callbacks)
        for name in ("dead", "dead_again", "waiting", "alive", "lost")
    }
    died(jobs_["dead"]["id"])
    died(jobs_["dead_again"]["id"], attempts=settings.JOB_MAX_ATTEMPTS)
    died(jobs_["alive"]["id"], minutes=0.1)
    LedgerImport.objects.filter(uuid=jobs_["lost"]["id"]).update(  # queued, never picked up
        heartbeat_at=timezone.now() - timedelta(seconds=settings.JOB_QUEUED_STALL_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        swept = ledger_jobs_requeue_stalled()
    assert swept["ledger_imports"] == {"requeued": 2, "failed": 1}
    assert len(callbacks) == 2  # the dead one and the lost one, sent again (and run: eager)

    def get(name: str) -> dict:  # type: ignore[type-arg]
        return office.get(f"/api/v1/geo/facilities/imports/{jobs_[name]['id']}").json()

    assert (get("dead")["status"], get("dead")["attempts"], get("dead")["report"]["created"]) == (
        "done",
        2,
        1,
    )
    assert (get("lost")["status"], get("lost")["attempts"]) == ("done", 2)
    gave_up = get("dead_again")
    assert (gave_up["status"], gave_up["stalled"], gave_up["report"]["code"]) == ("failed", False, "stalled")
    assert "中断" in gave_up["report"]["error"]
    assert (get("waiting")["status"], get("alive")["status"]) == ("queued", "running")
    assert not SewageFacility.objects.filter(code__in=["WS-dead_again", "WS-waiting", "WS-alive"]).exists()
    with django_capture_on_commit_callbacks(execute=True) as again:
        assert ledger_jobs_requeue_stalled()["ledger_imports"] == {"requeued": 0, "failed": 0}  # idempotent
    assert not again


class Killed(BaseException):
    """The process dies (not an error a handler would catch)."""


@pytest.mark.django_db(transaction=True)
def test_a_run_that_dies_right_after_its_commit_does_not_import_twice(world) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))

    def die_on_commit(sender, instance, created, **kwargs) -> None:  # type: ignore[no-untyped-def]
        post_save.disconnect(die_on_commit, sender=SewageFacility)

        def die() -> None:
            raise Killed

        transaction.on_commit(die)

    post_save.connect(die_on_commit, sender=SewageFacility)
    try:
        with pytest.raises(Killed):  # the process dies the instant the facilities are committed
            upload(office, ledger("WS-C1", "WS-C2"), dry_run="false")
    finally:
        post_save.disconnect(die_on_commit, sender=SewageFacility)
    record = LedgerImport.objects.get()
    assert SewageFacility.objects.filter(code__in=["WS-C1", "WS-C2"]).count() == 2
    # the message comes back (visibility timeout, sweep or retry): the job must not import again
    LedgerImport.objects.filter(pk=record.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    again = facility_ledger_process(import_id=record.pk)
    assert (again.status, again.report["created"], again.report["updated"]) == ("done", 2, 0)
    assert AuditEvent.objects.filter(action="geo.facility.ledger_upsert").count() == 2


def test_a_run_whose_job_was_requeued_meanwhile_writes_nothing(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    job = queue(office, ledger("WS-O1"), django_capture_on_commit_callbacks)
    record = LedgerImport.objects.get(uuid=job["id"])
    slow = jobs.job_claim(LedgerImport, record.pk)  # a run that is alive but misses its beats
    assert slow is not None and jobs.job_claim(LedgerImport, record.pk) is None  # one run at a time
    LedgerImport.objects.filter(pk=record.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        ledger_jobs_requeue_stalled()  # … so the sweep hands the job to a new run, which imports it
    assert LedgerImport.objects.get(pk=record.pk).status == "done"
    with pytest.raises(jobs.Superseded), slow.atomic():  # the slow run comes back: all it wrote is undone
        SewageFacility.objects.filter(code="WS-O1").update(name="被覆盖")
        slow.finish(status="done", report={"ok": True, "created": 1})
    assert SewageFacility.objects.get(code="WS-O1").name == "甲村WS-O1站"
    assert LedgerImport.objects.get(pk=record.pk).report["created"] == 1


@pytest.mark.django_db(transaction=True)
def test_an_import_completes_while_its_heartbeat_beats_against_its_own_transaction(world, settings) -> None:  # type: ignore[no-untyped-def]
    """The beat thread writes on its own connection while the import's transaction is open (on SQLite it
    waits for the file's lock): the import neither fails nor slows to a halt because of it."""
    settings.JOB_HEARTBEAT_SECONDS = 0.01
    office = ApiClient(make_user("district_office", world.district))
    r = upload(office, ledger(*(f"WS-H{i:03d}" for i in range(300))), dry_run="false")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["report"]["created"]) == ("done", 300)
