from celery import shared_task


@shared_task(ignore_result=False)
def outbox_sweep() -> int:
    """Every minute (beat): send the outbox messages still undispatched (the broker was down at their
    commit) and forget the old dispatched ones. Returns how many were sent."""
    from .services import outbox_sweep as sweep

    return sweep()
