from celery import shared_task


@shared_task(ignore_result=False)
def device_tokens_purge() -> int:
    """Daily: delete device tokens expired or revoked longer ago than the retention period."""
    from .services import device_tokens_purge as purge

    return purge()
