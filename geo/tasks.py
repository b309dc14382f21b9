from celery import shared_task
from django.conf import settings

# Jobs run longer than other tasks (backend/settings.py: the broker's visibility timeout is derived from it).
JOB_LIMITS = {"time_limit": settings.JOB_TIME_LIMIT, "soft_time_limit": settings.JOB_SOFT_TIME_LIMIT}


@shared_task(ignore_result=False, acks_late=True, **JOB_LIMITS)
def ledger_import_process(import_id: int) -> str:
    """A large facility ledger: parse, check and import it (or reject it whole) off the request. A run
    that raises marks the job failed (nothing was written: one transaction)."""
    from .ledger_import import facility_ledger_process

    return facility_ledger_process(import_id=import_id).status


@shared_task(ignore_result=False, acks_late=True, **JOB_LIMITS)
def ledger_export_process(export_id: int) -> str:
    """A large ledger export: write the file off the request."""
    from .ledger_export import facility_ledger_export_process

    return facility_ledger_export_process(export_id=export_id).status


@shared_task(ignore_result=False)
def ledger_jobs_requeue_stalled() -> dict[str, dict[str, int]]:
    """Beat (``jobs-requeue-stalled-ledger``): ledger imports and exports whose process died, queued again."""
    from .ledger_import import ledger_jobs_requeue_stalled as sweep

    return sweep()
