from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    bind=True,
    ignore_result=True,
    time_limit=settings.NOTIFY_TIMEOUT_SECONDS + 10,  # == services.lease_seconds(): a claim older is dead
    soft_time_limit=settings.NOTIFY_TIMEOUT_SECONDS + 5,
)
def delivery_send(self, delivery_id: int) -> None:  # type: ignore[no-untyped-def]
    """One attempt at a delivery; a retryable answer comes back after the backoff (on a worker; the
    embedded runtime leaves the row ``retrying`` for the sweep or a replay)."""
    wait = services.delivery_attempt(delivery_id=delivery_id)
    if wait is not None and not self.request.is_eager:
        raise self.retry(countdown=wait, max_retries=None)


@shared_task(ignore_result=False)
def deliveries_resend_due() -> int:
    """Every few minutes (beat): queue again the deliveries whose attempt is overdue."""
    return services.deliveries_resend_due()
