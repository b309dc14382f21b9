"""The assessment's Celery task (registered through ``scoring/tasks.py``, which Celery discovers)."""

from celery import shared_task


# The name it was queued under when it lived in ``checklists/tasks.py``: outbox rows and broker messages
# written before the move still reach it.
@shared_task(name="checklists.tasks.assessment_recompute", ignore_result=False, acks_late=True)
def assessment_recompute(scheme_key: str) -> int:
    """Recompute a scheme's draft scoreboard after an inspection it uses was approved or rejected."""
    from .services.recompute import assessment_recompute as recompute

    return len(recompute(scheme_key=scheme_key).rows)
