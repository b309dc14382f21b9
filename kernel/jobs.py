"""Jobs a client polls — uploads imported, large exports written — and what keeps them from being lost
or stuck when the process doing the work dies (``kill -9``, out of memory, a time-limit kill, a lost
machine). One mechanism for every app; like ``kernel.kit`` this module imports no app code.

- A job row (a model on ``Job``) is *claimed* by the run that does the work — a Celery task, or the
  request itself for small files: the claim gives the run a token and turns the job ``running``.
  Only a queued job, or a stalled one, can be claimed: a redelivered message of a job that another live
  run holds, or that is finished, does nothing.
- While it runs, a thread of its process writes ``heartbeat_at`` (and the progress the run reached)
  every ``JOB_HEARTBEAT_SECONDS``, on its own database connection: the beat is seen while the run's own
  transaction is open, and it costs one UPDATE per beat, not one per row.
- A running job whose beat is older than ``JOB_STALL_SECONDS``, or a queued one nobody picked up for
  ``JOB_QUEUED_STALL_SECONDS`` (its message was lost), is *stalled* (``is_stalled``, in every job's GET).
  The beat sweep (``job_requeue_stalled``) puts it back in the queue, at most ``JOB_MAX_ATTEMPTS`` times
  in all, then marks it failed; its owner may retry a stalled or failed job (``job_retry``).
- Exactly once: a run writes its results and its end (``Run.finish``) in one transaction
  (``Run.atomic``), and the end is an UPDATE conditional on the run's token. A run that was re-queued
  while it was in fact alive (only slow) finds its token gone at the end and rolls back everything it
  wrote (``Superseded``); the run that replaced it does the work once.

Nothing here needs the broker's visibility timeout, which only decides when Redis hands a dead worker's
message to another worker (``backend.settings``: it must exceed every task's hard time limit).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, connection, connections, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from ninja import Field, Schema

from .audit.services import audit_record
from .errors import Conflict, NotFound

logger = logging.getLogger(__name__)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    DONE = "done", "已完成"
    REJECTED = "rejected", "有错误，未导入"
    FAILED = "failed", "处理失败"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


def is_stalled(
    status: str,
    heartbeat_at: datetime | None,
    now: datetime,
    *,
    stall_after: timedelta,
    queued_stall_after: timedelta,
) -> bool:
    """The rule, pure: a running job whose last beat is older than ``stall_after`` (or that never beat:
    rows from before heartbeats) is stalled, as is a queued one waiting longer than ``queued_stall_after``
    since it was queued; a finished job never is."""
    if status not in ACTIVE:
        return False
    if heartbeat_at is None:
        return True
    return now - heartbeat_at > (stall_after if status == JobStatus.RUNNING else queued_stall_after)


class Job(models.Model):
    """What every job row has. ``heartbeat_at`` is the last sign of life: the queueing time while
    queued, the last beat while running."""

    status = models.CharField("状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    report = models.JSONField("结果报告", default=dict, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True, default=timezone.now)
    attempts = models.PositiveSmallIntegerField("已排队次数", default=1)
    run_token = models.UUIDField("当前运行标识", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # An abstract model gets no ``objects`` from django-stubs; each concrete job has the default manager.
    objects: ClassVar[models.Manager[Self]]

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="%(app_label)s_%(class)s_beat")]

    @property
    def stalled(self) -> bool:
        return job_stalled(self)


J = TypeVar("J", bound=Job)


def _windows() -> dict[str, timedelta]:
    return {
        "stall_after": timedelta(seconds=settings.JOB_STALL_SECONDS),
        "queued_stall_after": timedelta(seconds=settings.JOB_QUEUED_STALL_SECONDS),
    }


def job_stalled(job: Job, now: datetime | None = None) -> bool:
    return is_stalled(job.status, job.heartbeat_at, now or timezone.now(), **_windows())


def _stalled_q(now: datetime) -> Q:
    """``is_stalled`` as a query (the sweep and the retry select with it, and update only if it holds)."""
    w = _windows()
    return (
        Q(status__in=ACTIVE, heartbeat_at__isnull=True)
        | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - w["stall_after"])
        | Q(status=JobStatus.QUEUED, heartbeat_at__lt=now - w["queued_stall_after"])
    )


class Superseded(Exception):
    """This run's job was re-queued (or finished by another run) while it worked: its writes roll back."""


class Run(Generic[J]):
    """One run's hold on a job: the token its conditional writes carry."""

    def __init__(self, model: type[J], job: J, token: uuid.UUID) -> None:
        self.model, self.job, self.token = model, job, token
        self.progress = job.progress
        self._mine = model.objects.filter(pk=job.pk, run_token=token, status=JobStatus.RUNNING)

    def step(self, progress: int) -> None:
        """How far the run is (0–100). Written at once outside a transaction; inside one, the next beat
        carries it (so a loop may call this on every row)."""
        self.progress = progress
        if not connection.in_atomic_block:
            self._mine.update(progress=progress, heartbeat_at=timezone.now())

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """The transaction that writes the run's results and ends with ``finish``."""
        with transaction.atomic():
            if not connection.features.has_select_for_update:
                # SQLite locks the whole file at a transaction's first write; a beat committed between
                # this transaction's first read and its first write would make that write fail. Take the
                # lock now (the beats wait, as every other writer does).
                self._mine.update(heartbeat_at=timezone.now())
            yield

    def finish(self, *, status: str, report: dict[str, Any], **fields: Any) -> J:
        """End the run: inside ``atomic``, as its last write. Raises Superseded (rolling back the
        transaction) when the job is no longer this run's."""
        assert connection.in_atomic_block, "finish() belongs inside Run.atomic()"
        now = timezone.now()
        values = {
            "status": status,
            "progress": 100,
            "report": report,
            "finished_at": now,
            "heartbeat_at": now,
        }
        if not self._mine.update(**values, **fields):
            raise Superseded
        for name, value in {**values, **fields}.items():
            setattr(self.job, name, value)
        return self.job

    def conclude(self, *, status: str, report: dict[str, Any], **fields: Any) -> J:
        """``finish`` in its own ``atomic`` block: a run that writes nothing else at its end."""
        with self.atomic():
            return self.finish(status=status, report=report, **fields)

    def fail(self, report: dict[str, Any]) -> None:
        """The run raised: say so, unless the job has moved on to another run."""
        self._mine.update(status=JobStatus.FAILED, report=report, finished_at=timezone.now())

    @contextmanager
    def beating(self) -> Iterator[None]:
        stop = threading.Event()
        thread = threading.Thread(
            target=self._beat, args=(stop,), name=f"job-beat-{self.job.pk}", daemon=True
        )
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _beat(self, stop: threading.Event) -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    self._mine.update(heartbeat_at=timezone.now(), progress=self.progress)
                except DatabaseError as exc:  # SQLite busy while the run writes, a dropped connection …
                    logger.warning("job %s: heartbeat not written (%s)", self.job.pk, exc)
        finally:
            connections.close_all()  # this thread's own connections


def job_claim(model: type[J], pk: int) -> Run[J] | None:
    """Take the job for this run, if it is queued or stalled; None when another live run holds it, or
    it is finished."""
    now, token = timezone.now(), uuid.uuid4()
    claimable = Q(status=JobStatus.QUEUED) | _stalled_q(now)
    if not model.objects.filter(claimable, pk=pk).update(
        status=JobStatus.RUNNING, run_token=token, heartbeat_at=now, progress=0
    ):
        return None
    return Run(model, model.objects.get(pk=pk), token)


def job_execute(model: type[J], pk: int, work: Callable[[Run[J]], object]) -> J:
    """Claim the job and run ``work(run)`` while beating; ``work`` ends with ``run.finish`` inside
    ``run.atomic()``. An exception marks the job failed (its transaction wrote nothing) and propagates."""
    run = job_claim(model, pk)
    if run is not None:
        try:
            with run.beating():
                work(run)
        except Superseded:
            logger.info("job %s %s: superseded by another run, nothing written", model.__name__, pk)
        except Exception as exc:
            run.fail({"ok": False, "error": f"处理失败：{type(exc).__name__}"})
            raise
    return model.objects.get(pk=pk)


def job_dispatch(job: Job, task: Any) -> None:
    """Send the job's task once the surrounding transaction commits, through the outbox: the message is
    written with the job, so a broker that is down at that instant delays the job instead of losing it."""
    from kernel.outbox.services import outbox_enqueue

    outbox_enqueue(steps=[task.si(job.pk)])


def _requeue(job: Job, task: Any, where: Q, now: datetime, action: str) -> bool:
    changed = cast("type[Job]", job._meta.model).objects.filter(where, pk=job.pk).update(
        status=JobStatus.QUEUED, progress=0, report={}, run_token=None, heartbeat_at=now, finished_at=None,
        attempts=F("attempts") + 1,
    )  # fmt: skip
    if changed:
        audit_record(
            action=action,
            obj=job,
            before={"status": job.status, "progress": job.progress, "attempts": job.attempts},
            after={"status": JobStatus.QUEUED, "attempts": job.attempts + 1},
        )
        job_dispatch(job, task)
    return bool(changed)


@transaction.atomic
def job_retry(*, job: J, task: Any) -> J:
    """The owner's retry (scope is the caller's to check): a stalled or failed job is queued again.
    409 ``job_not_retryable`` for anything else — a job that is waiting, running, or finished."""
    retryable = Q(status=JobStatus.FAILED) | _stalled_q(timezone.now())
    if not _requeue(job, task, retryable, timezone.now(), "job.retry"):
        raise Conflict(
            "只有已中断（stalled）或处理失败的任务可以重试",
            code="job_not_retryable",
            details={"status": job.status, "stalled": job_stalled(job)},
        )
    job.refresh_from_db()
    return job


def job_requeue_stalled(model: type[Job], task: Any) -> dict[str, int]:
    """The beat sweep for one kind of job: each stalled job is queued again, or marked failed once it
    has been queued ``JOB_MAX_ATTEMPTS`` times. Each change is conditional on the job still being
    stalled, so a sweep racing a beat, a claim or another sweep changes nothing twice."""
    now = timezone.now()
    stalled = _stalled_q(now)
    requeued = failed = 0
    for job in model.objects.filter(stalled).order_by("pk"):
        with transaction.atomic():
            if job.attempts < settings.JOB_MAX_ATTEMPTS:
                requeued += _requeue(job, task, stalled, now, "job.requeue")
                continue
            report = {
                "ok": False,
                "code": "stalled",
                "error": f"处理多次中断（已尝试 {job.attempts} 次），没有写入任何结果；请重试或联系管理员",
            }
            if model.objects.filter(stalled, pk=job.pk).update(
                status=JobStatus.FAILED, run_token=None, report=report, finished_at=now
            ):
                failed += 1
                audit_record(
                    action="job.give_up", obj=job, before={"status": job.status}, after={"status": "failed"}
                )
    return {"requeued": requeued, "failed": failed}


# --- uploads: a job holding a file a user sent (``uuid``, ``file``, ``dry_run``, ``uploaded_by``)


def upload_get(model: type[J], *, import_uuid: Any, user_id: int | None, sees_all: bool) -> J:
    """The upload ``import_uuid``: its uploader's, or any for a caller who ``sees_all`` (the importer's
    rule: district roles, an admin …); 404 otherwise, the same as for one that does not exist."""
    record = model.objects.filter(uuid=import_uuid).first()
    if record is None or (cast("Any", record).uploaded_by_id != user_id and not sees_all):
        raise NotFound("导入记录不存在", details={"import_id": str(import_uuid)})
    return record


def uploads_recent(model: type[J], *, user_id: int | None, sees_all: bool, limit: int = 20) -> list[J]:
    """The latest uploads the caller may open (``upload_get``'s rule), newest first."""
    records = model.objects.order_by("-created_at", "-pk")
    if not sees_all:
        records = records.filter(uploaded_by_id=user_id)
    return list(records[:limit])


def dry_run_file(record: Job) -> bytes:
    """The file a finished dry run checked, to be imported as uploaded (a new job: the client never sends
    it twice). 409 ``import_not_applicable`` for anything but a finished dry run that found nothing to stop
    the import (or was asked for the valid rows only)."""
    upload = cast("Any", record)
    if not upload.dry_run or record.status != JobStatus.DONE:
        raise Conflict(
            "只有已完成且未发现阻止导入的错误的试运行可以导入", code="import_not_applicable",
            details={"status": record.status, "dry_run": upload.dry_run},
        )  # fmt: skip
    with upload.file.open("rb") as fh:
        return cast("bytes", fh.read())


class JobOut(Schema):
    """What every job's GET adds to its own fields: whether it is stalled, its last sign of life, how many
    times it was queued."""

    stalled: bool = Field(
        description="已中断：处理中却超过 JOB_STALL_SECONDS 没有心跳（处理它的进程已退出），或排队超过 "
        "JOB_QUEUED_STALL_SECONDS 无人处理。系统会自动重新排队（最多 JOB_MAX_ATTEMPTS 次），也可 POST …/retry"
    )
    heartbeat_at: datetime | None = Field(description="最近一次心跳（排队中时为排队时间）")
    attempts: int = Field(description="已排队次数（首次、自动重新排队与重试都计入）")
