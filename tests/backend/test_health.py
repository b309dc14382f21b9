"""Liveness and readiness."""

from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient, make_user


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


def _broker_down_readyz(settings, client) -> Any:  # type: ignore[no-untyped-def]
    from backend.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    try:
        return client.get("/readyz")
    finally:
        app.conf.broker_url = old


def test_readyz_tells_anonymous_callers_no_host_port_or_error_text(db, settings) -> None:  # type: ignore[no-untyped-def]
    response = _broker_down_readyz(settings, Client())
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "unavailable"}
    text = response.content.decode()
    assert "127.0.0.1" not in text and "Error" not in text


@pytest.mark.parametrize("role", ["inspector", "town_officer"])
def test_readyz_hides_the_detail_from_signed_in_non_admins(world, settings, role) -> None:  # type: ignore[no-untyped-def]
    response = _broker_down_readyz(settings, ApiClient(make_user(role, world.town_a)))
    assert response.json()["checks"]["broker"] == "unavailable"


def test_readyz_shows_an_admin_token_what_failed(world, settings) -> None:  # type: ignore[no-untyped-def]
    admin = ApiClient(make_user(None, None, is_superuser=True))
    body = _broker_down_readyz(settings, admin).json()
    assert body["checks"]["database"] == "ok"
    assert "127.0.0.1" in body["checks"]["broker"] or "Error" in body["checks"]["broker"], body


def test_readyz_shows_a_staff_session_what_failed(world, settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user(None, None, is_staff=True))
    body = _broker_down_readyz(settings, client).json()
    assert body["checks"]["broker"] not in {"ok", "unavailable"}, body
