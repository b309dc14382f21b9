import random
import time

from celery import shared_task


@shared_task(ignore_result=False)
def rectifications_mark_overdue() -> int:
    """Hourly: flag rectifications whose deadline has passed (idempotent)."""
    from .services.rectifications import rectifications_mark_overdue as mark

    return mark()


@shared_task(ignore_result=False)
def rectification_deadline_notices() -> int:
    """Hourly: 整改即将到期 / 已逾期 notices, each once per rectification and kind."""
    from .services.rectifications import rectification_deadline_notices as notices

    return notices()


BUSY_TRIES = 3  # tries of a duplicate check in the same process when the database is busy


@shared_task(bind=True, ignore_result=False, acks_late=True, autoretry_for=(OSError,), max_retries=5)
def evidence_duplicates(self, kind: str, link_id: int) -> int:  # type: ignore[no-untyped-def]
    """After a photo's hash is known: flag reuse of the same or a near-identical photo elsewhere.

    A busy database (deadlock victim, serialization failure, lock or statement timeout) rolled the whole
    check back: it is tried again here after a short jittered pause (which also works where tasks run
    in-process), then handed back to the queue for later, so that the flags are never lost."""
    from django.db import DatabaseError

    from kernel.unavailable import unavailable_error

    from .services.evidence import evidence_check_duplicates

    tries = 0
    while True:
        try:
            return len(evidence_check_duplicates(kind=kind, link_id=link_id))
        except DatabaseError as exc:
            answer = unavailable_error(exc)
            if answer is None or answer.code != "database_busy":
                raise
            tries += 1
            if tries == BUSY_TRIES:
                raise self.retry(exc=exc, countdown=_jitter(1.0) * 2**self.request.retries) from exc
            time.sleep(_jitter(0.1) * 2 ** (tries - 1))


def _jitter(seconds: float) -> float:
    """About ``seconds``: two checks that deadlocked do not come back in step."""
    return seconds * random.uniform(0.5, 1.5)  # noqa: S311 (not a secret)
