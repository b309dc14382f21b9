"""Liveness and readiness."""

from django.test import Client


def test_healthz_needs_nothing() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_broker(db) -> None:  # type: ignore[no-untyped-def]
    body = Client().get("/readyz").json()
    assert body["status"] == "ok" and body["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_is_503_when_the_broker_is_down(db, settings) -> None:  # type: ignore[no-untyped-def]
    from backend.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    try:
        response = Client().get("/readyz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"
