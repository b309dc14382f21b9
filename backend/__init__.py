"""fieldscore's Django project: the composition root (settings, URLs, the API, Celery, accounts, audit)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
