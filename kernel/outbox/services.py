"""Writing outbox messages, and sending them to Celery (after the commit, and again from the sweep)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from celery import chain, current_app, signature
from celery.canvas import Signature
from django.conf import settings
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)

# After a commit the request is waiting: one quick retry (a pooled connection gone stale when Redis
# restarted) and then leave the message to the sweep rather than hold the phone for kombu's full policy.
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def outbox_enqueue(*, steps: Sequence[Signature]) -> OutboxMessage:
    """Queue ``steps`` (Celery signatures of tasks taking ids, run one after the other) to follow the
    caller's transaction: the message is written in that transaction, so it is rolled back with it, and
    sent to the broker after the commit. Call it inside the service's ``transaction.atomic`` block."""
    if not steps:
        raise ValueError("outbox_enqueue needs at least one task")
    payload = [{"task": s.task, "args": list(s.args), "kwargs": dict(s.kwargs)} for s in steps]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = hashlib.sha256(canonical.encode()).hexdigest()
    message = OutboxMessage.objects.create(key=key, steps=payload)
    transaction.on_commit(lambda: _dispatch_after_commit(key))
    return message


def _dispatch_after_commit(key: str) -> None:
    # The caller's change is committed: whatever happens now (broker down, even the database gone) must
    # not turn its success into an error. The message stays pending and the sweep sends it later.
    try:
        outbox_dispatch(keys=[key])
    except BrokerUnavailable as exc:
        log.warning("outbox: broker unavailable after commit, the sweep will send it (key %s): %s", key, exc)
    except Exception:
        log.exception("outbox: dispatch after commit failed, the sweep will send it (key %s)", key)


class BrokerUnavailable(Exception):
    pass


def outbox_dispatch(*, keys: Iterable[str]) -> int:
    """Send the pending work under each key once, and mark every message pending under it as dispatched.

    Messages committed after the pending ones were read are not marked, and will be sent on their own:
    a recompute queued by a change the worker could not yet see is never swallowed. Raises
    ``BrokerUnavailable`` when the broker refuses (the messages stay pending). Returns how many were sent.
    """
    eager = bool(current_app.conf.task_always_eager)
    sent = 0
    for key in keys:
        pending = list(
            OutboxMessage.objects.filter(key=key, dispatched_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "steps")
        )
        if not pending:
            continue  # sent meanwhile (by the sweep, or by another commit of the same work)
        ids = [pk for pk, _ in pending]
        try:
            _send(pending[0][1])
        except Exception as exc:
            _record_failure(ids, exc)
            if not eager:
                raise BrokerUnavailable(str(exc)) from exc
            # Eager (the embedded runtime): the task ran in-process and failed, as it may on a worker.
            log.exception("outbox: task failed in-process (key %s)", key)
        now = timezone.now()
        OutboxMessage.objects.filter(pk__in=ids, dispatched_at__isnull=True).update(dispatched_at=now)
        sent += 1
    return sent


def _send(steps: list[dict[str, Any]]) -> None:
    # Nobody waits for these results: ignoring them keeps the sender off the result backend entirely.
    sigs = [
        signature(s["task"], args=s["args"], kwargs=s["kwargs"], immutable=True, ignore_result=True)
        for s in steps
    ]
    work = sigs[0] if len(sigs) == 1 else chain(*sigs)
    work.apply_async(retry=True, retry_policy=_PUBLISH_RETRY)


def _record_failure(ids: list[int], exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:500]
    OutboxMessage.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, last_error=error)


def outbox_sweep(*, batch: int = 500) -> int:
    """Send what is still pending ``OUTBOX_SWEEP_AFTER_SECONDS`` after its commit (the broker was down
    then), oldest first, one send per distinct piece of work; stop at the first broker error. Then delete
    dispatched messages older than ``OUTBOX_RETENTION_DAYS``. Returns how many were sent."""
    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    keys = list(
        OutboxMessage.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff)
        .values("key")
        .annotate(first=Min("pk"))
        .order_by("first")
        .values_list("key", flat=True)[:batch]
    )
    sent = 0
    for key in keys:
        try:
            sent += outbox_dispatch(keys=[key])
        except BrokerUnavailable as exc:
            log.warning("outbox: broker unavailable, %d sent, the rest wait: %s", sent, exc)
            break
    if sent:
        log.info("outbox: sent %d pending piece(s) of work", sent)
    forget = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    OutboxMessage.objects.filter(dispatched_at__lt=forget).delete()
    return sent
