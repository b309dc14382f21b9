from celery import shared_task
from django.conf import settings

from .assessment.tasks import assessment_recompute
from .bulletins.tasks import bulletin_generate, bulletins_requeue_stalled

__all__ = [
    "air_import_task",
    "air_imports_requeue_stalled",
    "assessment_recompute",
    "bulletin_generate",
    "bulletins_requeue_stalled",
    "water_import_process",
    "water_imports_requeue_stalled",
]

# Jobs run longer than other tasks (backend/settings.py: the broker's visibility timeout is derived from it).
JOB_LIMITS = {"time_limit": settings.JOB_TIME_LIMIT, "soft_time_limit": settings.JOB_SOFT_TIME_LIMIT}


@shared_task(ignore_result=False, acks_late=True, **JOB_LIMITS)
def water_import_process(import_id: int) -> str:
    """A large measurement file: parse, check and import it (or reject it whole) off the request. A run
    that raises marks the job failed (nothing was written: one transaction)."""
    from .water.services import measurement_import_process

    return measurement_import_process(import_id=import_id).status


@shared_task(ignore_result=False)
def water_imports_requeue_stalled() -> dict[str, dict[str, int]]:
    """Beat (``jobs-requeue-stalled-water``): measurement imports whose process died, queued again."""
    from .water.services import measurement_imports_requeue_stalled

    return {"water_imports": measurement_imports_requeue_stalled()}


@shared_task(ignore_result=False)
def air_imports_requeue_stalled() -> dict[str, dict[str, int]]:
    """Beat (``jobs-requeue-stalled-air``): air and dust-fall imports whose process died, queued again."""
    from .air.imports import air_imports_requeue_stalled as sweep

    return {"air_imports": sweep()}


@shared_task(ignore_result=False, acks_late=True, **JOB_LIMITS)
def air_import_task(import_id: int) -> str:
    """A large air or dust-fall file, imported off the request (``scoring.air.imports``)."""
    from .air.imports import air_import_process

    return air_import_process(import_id=import_id).status
