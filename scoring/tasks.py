from celery import shared_task


@shared_task(ignore_result=False, acks_late=True)
def water_import_process(import_id: int) -> str:
    """A large measurement file: parse, check and import it (or reject it whole) off the request."""
    from .models import ImportStatus, MeasurementImport
    from .water.services import measurement_import_process

    try:
        return measurement_import_process(import_id=import_id).status
    except Exception as exc:  # the import wrote nothing (one transaction); tell the polling client
        MeasurementImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED, report={"ok": False, "error": f"处理失败：{type(exc).__name__}"}
        )
        raise
