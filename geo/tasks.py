from celery import shared_task


@shared_task(ignore_result=False, acks_late=True)
def ledger_import_process(import_id: int) -> str:
    """A large facility ledger: parse, check and import it (or reject it whole) off the request."""
    from .ledger_import import facility_ledger_process
    from .models import LedgerImport

    try:
        return facility_ledger_process(import_id=import_id).status
    except Exception as exc:  # nothing was written (one transaction); tell the polling client
        LedgerImport.objects.filter(pk=import_id).update(
            status=LedgerImport.Status.FAILED,
            report={"ok": False, "error": f"处理失败：{type(exc).__name__}"},
        )
        raise
