"""The kernel every app stands on, imported by all and importing none of them: the error family
(``errors``), the principal and its scope (``access``, ``scope``), API conventions (``kit``), the CSV /
XLSX reader and the one Excel / CSV writer (``tables``, ``sheets``), polled jobs (``jobs``), outage
handling (``unavailable``), the audit log (``audit``) and the transactional outbox (``outbox``).

``backend`` is only the composition root (settings, URLs, the one NinjaAPI, Celery, health, wiring)."""
