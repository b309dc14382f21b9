from celery import shared_task


@shared_task(ignore_result=False)
def rectifications_mark_overdue() -> int:
    """Hourly: flag rectifications whose deadline has passed (idempotent)."""
    from .services.rectifications import rectifications_mark_overdue as mark

    return mark()
