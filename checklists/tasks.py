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


@shared_task(ignore_result=False, acks_late=True, autoretry_for=(OSError,), max_retries=5)
def evidence_duplicates(kind: str, link_id: int) -> int:
    """After a photo's hash is known: flag reuse of the same or a near-identical photo elsewhere."""
    from .services.evidence import evidence_check_duplicates

    return len(evidence_check_duplicates(kind=kind, link_id=link_id))
