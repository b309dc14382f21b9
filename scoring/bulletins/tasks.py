"""The bulletins' Celery tasks (registered through ``scoring/tasks.py``, which Celery discovers)."""

from celery import shared_task
from django.conf import settings


@shared_task(
    name="scoring.bulletins.tasks.bulletin_generate",
    ignore_result=False,
    acks_late=True,
    time_limit=settings.JOB_TIME_LIMIT,
    soft_time_limit=settings.JOB_SOFT_TIME_LIMIT,
)
def bulletin_generate(bulletin_id: int) -> str:
    """Build, render and store a queued bulletin (idempotent: a finished one is left alone)."""
    from .services import bulletin_generate as generate

    return generate(bulletin_id=bulletin_id).status


@shared_task(name="scoring.bulletins.tasks.bulletins_requeue_stalled", ignore_result=False)
def bulletins_requeue_stalled() -> dict[str, int]:
    """Beat (``jobs-requeue-stalled-bulletins``): bulletins whose process died, queued again."""
    from .services import bulletins_requeue_stalled as sweep

    return sweep()
