"""The Celery app. Eager (in-process) when no broker is configured: the embedded runtime."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("fieldscore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["accounts", "kernel.outbox", "kernel.notifications", "geo", "scoring", "checklists", "media"]
)


def check_time_limits(celery: Celery) -> None:
    """Every task must end (its hard time limit) before Redis would hand its message to another worker
    (the visibility timeout): otherwise a task still running is delivered twice. The settings derive the
    timeout from the default limit; this catches a task declaring a longer limit of its own."""
    from django.core.exceptions import ImproperlyConfigured

    celery.loader.import_default_modules()  # the autodiscovered task modules
    visibility = celery.conf.broker_transport_options.get("visibility_timeout")
    if visibility is None:
        return  # not Redis / SQS: nothing is redelivered on a timer
    default = celery.conf.task_time_limit
    too_long = sorted(
        name
        for name, task in celery.tasks.items()
        if (limit := task.time_limit or default) is None or limit >= visibility
    )
    if too_long:
        raise ImproperlyConfigured(
            f"以下任务的硬时限不短于 CELERY_VISIBILITY_TIMEOUT（{visibility} 秒），"
            f"运行中会被 Redis 重复分发：{', '.join(too_long)}"
        )


@worker_init.connect
def _check_time_limits(sender: Any = None, **kwargs: Any) -> None:
    check_time_limits(app)
