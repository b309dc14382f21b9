from celery import shared_task


@shared_task(
    bind=True,
    acks_late=True,  # a worker killed mid-task leaves the message unacknowledged: it is redelivered
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def photo_derivatives(self, photo_id: int) -> str:  # type: ignore[no-untyped-def]
    """Make a photo's thumbnails and perceptual hash (idempotent)."""
    from .services import photo_make_derivatives

    return photo_make_derivatives(photo_id=photo_id).phash
