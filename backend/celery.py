"""The Celery app. Eager (in-process) when no broker is configured: the embedded runtime."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("fieldscore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["backend.accounts", "backend.outbox", "geo", "scoring", "checklists", "media"])
