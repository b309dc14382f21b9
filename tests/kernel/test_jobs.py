"""The job kernel's rules (issue 13): when a job counts as stalled, and the settings that must fit
together — the broker's visibility timeout above every task's hard time limit, the stall window above
a few heartbeats."""

import re
import runpy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from kernel.jobs import JobStatus, is_stalled

SETTINGS = Path(__file__).resolve().parents[2] / "backend" / "settings.py"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
STALL, QUEUED = timedelta(seconds=60), timedelta(minutes=30)


@pytest.mark.parametrize(
    ("status", "beat_ago", "stalled"),
    [
        ("running", timedelta(seconds=59), False),
        ("running", timedelta(seconds=61), True),
        ("running", None, True),  # a job from before heartbeats: nobody beats for it
        ("queued", timedelta(minutes=29), False),  # waiting for a free worker
        ("queued", timedelta(minutes=31), True),  # its message was lost
        ("done", timedelta(days=9), False),
        ("rejected", None, False),
        ("failed", timedelta(days=9), False),
    ],
)
def test_when_a_job_is_stalled(status: str, beat_ago: timedelta | None, stalled: bool) -> None:
    beat = None if beat_ago is None else NOW - beat_ago
    assert is_stalled(status, beat, NOW, stall_after=STALL, queued_stall_after=QUEUED) is stalled


@given(
    status=st.sampled_from(list(JobStatus)),
    beat=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),
)
def test_a_stalled_job_stays_stalled_until_something_happens(
    status: JobStatus, beat: timedelta, later: timedelta
) -> None:
    def at(now: datetime) -> bool:
        return is_stalled(status, NOW - beat, now, stall_after=STALL, queued_stall_after=QUEUED)

    if at(NOW):
        assert at(NOW + later)
    if status in (JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED):
        assert not at(NOW + later)  # a finished job is never stalled


LIMITS = (
    "CELERY_VISIBILITY_TIMEOUT", "CELERY_TASK_TIME_LIMIT", "CELERY_TASK_SOFT_TIME_LIMIT", "JOB_TIME_LIMIT",
    "JOB_SOFT_TIME_LIMIT", "JOB_HEARTBEAT_SECONDS", "JOB_STALL_SECONDS",
)  # fmt: skip


def _settings(monkeypatch, **env: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    for name in LIMITS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_the_visibility_timeout_is_derived_from_the_longest_time_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    s = _settings(monkeypatch)
    assert (
        s["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
        > s["JOB_TIME_LIMIT"]
        > s["CELERY_TASK_TIME_LIMIT"]
    )
    s = _settings(monkeypatch, CELERY_TASK_TIME_LIMIT="7200")
    assert s["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] > 7200
    assert s["CELERY_TASK_SOFT_TIME_LIMIT"] < 7200 and s["JOB_SOFT_TIME_LIMIT"] < s["JOB_TIME_LIMIT"]
    with pytest.raises(ImproperlyConfigured, match="CELERY_VISIBILITY_TIMEOUT"):
        _settings(monkeypatch, JOB_TIME_LIMIT="3600", CELERY_VISIBILITY_TIMEOUT="3600")
    with pytest.raises(ImproperlyConfigured, match="JOB_STALL_SECONDS"):
        _settings(monkeypatch, JOB_HEARTBEAT_SECONDS="30", JOB_STALL_SECONDS="60")


def test_a_worker_refuses_to_start_with_a_task_longer_than_the_visibility_timeout() -> None:
    from backend.celery import app, check_time_limits

    check_time_limits(app)  # as configured: every task fits
    saved = dict(app.conf.broker_transport_options)
    try:
        # the default limit fits, the jobs' longer one does not
        app.conf.broker_transport_options = {**saved, "visibility_timeout": app.conf.task_time_limit + 1}
        with pytest.raises(ImproperlyConfigured, match=re.escape("geo.tasks.ledger_import_process")):
            check_time_limits(app)
    finally:
        app.conf.broker_transport_options = saved
