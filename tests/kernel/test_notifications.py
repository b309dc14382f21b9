"""Notifications: who hears an event, secrets at rest, one attempt at a time, retries, replays, the log.

Sending runs in-process here (Celery eager after the commit) against a local receiver; the worker tests
(``test_notifications_worker.py``) do the same through Redis with a real worker."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from kernel.notifications import events, services
from kernel.notifications.models import Delivery, DeliveryStatus, Endpoint, Event, Subscription
from tests.conftest import ApiClient, assert_error, make_user
from tests.kernel.receiver import receiver

SECRET = "webhook-secret-123"


def endpoint(
    kind: str = "webhook", url: str = "http://127.0.0.1:9/hook", secret: str = SECRET, **kw
) -> Endpoint:  # type: ignore[no-untyped-def]
    return services.endpoint_save(
        endpoint=Endpoint(kind=kind, name=kw.pop("name", f"{kind}-{Endpoint.objects.count()}"), **kw),
        url=url,
        secret=secret,
    )


def subscribe(ep: Endpoint, event: str = events.INSPECTION_REJECTED, region=None) -> None:  # type: ignore[no-untyped-def]
    Subscription.objects.create(endpoint=ep, event=event, region=region)


def emit(region_id: int | None, event: str = events.INSPECTION_REJECTED, **kw) -> Event | None:  # type: ignore[no-untyped-def]
    return services.notify(
        event, region_id=region_id, title="检查被退回", text="照片不清晰", data={"n": 1}, **kw
    )


def test_a_town_subscription_hears_its_town_and_below_not_its_neighbour(world) -> None:  # type: ignore[no-untyped-def]
    town, district_wide, other_event = endpoint(name="town"), endpoint(name="all"), endpoint(name="other")
    subscribe(town, region=world.town_a)
    subscribe(district_wide)
    subscribe(other_event, event=events.APPEAL_FILED)
    emit(world.natural_a.pk)  # 一组 lies in 甲村 in 常乐镇
    emit(world.town_b.pk)
    emit(None)
    rows = Delivery.objects.select_related("endpoint", "event")
    heard = sorted((d.endpoint.name, d.event.region_id or 0) for d in rows)
    assert heard == sorted(
        [("town", world.natural_a.pk), ("all", world.natural_a.pk), ("all", world.town_b.pk), ("all", 0)]
    )


def test_a_disabled_endpoint_gets_no_delivery_and_an_event_rolled_back_leaves_nothing(world) -> None:  # type: ignore[no-untyped-def]
    subscribe(endpoint(name="off", enabled=False))
    emit(world.town_a.pk)
    assert not Delivery.objects.exists()
    subscribe(endpoint(name="on"))
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(world.town_a.pk)
        raise RuntimeError
    assert not Delivery.objects.filter(endpoint__name="on").exists()


def test_once_key_emits_once(world) -> None:  # type: ignore[no-untyped-def]
    subscribe(endpoint())
    assert emit(world.town_a.pk, once_key="rect:1:due") is not None
    assert emit(world.town_a.pk, once_key="rect:1:due") is None
    assert Delivery.objects.count() == 1


def test_secrets_are_encrypted_at_rest_and_never_shown(world, admin_client) -> None:  # type: ignore[no-untyped-def]
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-777"
    ep = endpoint("wecom", url=url, secret="")
    hook = endpoint("webhook", url="https://receiver.example/hook", secret=SECRET)
    with connection.cursor() as cursor:
        cursor.execute("SELECT url_encrypted, url_hint, secret_encrypted FROM notifications_endpoint")
        stored = " ".join(" ".join(row) for row in cursor.fetchall())
    assert "wecom-key-777" not in stored and SECRET not in stored and "receiver.example/hook" not in stored
    assert Endpoint.objects.get(pk=ep.pk).url_hint == "https://qyapi.weixin.qq.com/…"
    for page in (f"/admin/notifications/endpoint/{hook.pk}/change/", "/admin/notifications/endpoint/"):
        html = admin_client.get(page).content.decode()
        assert SECRET not in html and "wecom-key-777" not in html and "/hook" not in html


@override_settings(FIELDSCORE_NOTIFY_KEY="")
def test_a_changed_key_fails_the_delivery_with_a_clear_reason(
    world, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    subscribe(endpoint())
    settings.SECRET_KEY = "rotated"
    with django_capture_on_commit_callbacks(execute=True):
        emit(world.town_a.pk)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "FIELDSCORE_NOTIFY_KEY" in delivery.last_error


def test_a_webhook_is_signed_retried_after_a_500_and_logged(
    world, django_capture_on_commit_callbacks, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    with receiver(script=[(500, b"oops"), (200, b"ok")]) as r:
        subscribe(endpoint(url=f"{r.url}/hook"), region=world.town_a)
        with django_capture_on_commit_callbacks(execute=True):
            emit(world.village_a.pk)
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code == 500
        assert delivery.next_attempt_at > timezone.now()
        assert services.delivery_attempt(delivery_id=delivery.pk) is None  # the retry
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert [e["status_code"] for e in delivery.log] == [500, 200]
    assert len(r.requests) == 2 and all(req.signature_ok(SECRET) for req in r.requests)
    assert {req.headers["x-fieldscore-delivery"] for req in r.requests} == {str(delivery.uid)}
    assert r.requests[0].headers["x-fieldscore-event"] == "inspection.rejected"
    assert (
        r.requests[0].json()["data"] == {"n": 1} and r.requests[0].json()["region_id"] == world.village_a.pk
    )
    # delivered: never sent again
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert len(r.requests) == 2
    assert SECRET not in caplog.text and "/hook" not in caplog.text


def test_a_4xx_is_not_retried_and_retries_stop_at_the_cap(
    world, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_MAX_ATTEMPTS = 3
    with receiver(script=[(404, b"no")]) as r:
        subscribe(endpoint(url=r.url, name="gone"))
        with django_capture_on_commit_callbacks(execute=True):
            emit(world.town_a.pk)
        assert Delivery.objects.get().status == DeliveryStatus.FAILED and len(r.requests) == 1
    with receiver(script=[(200, b'{"errcode":310000,"errmsg":"sign not match"}')]) as r:
        Delivery.objects.all().delete()
        Endpoint.objects.all().delete()
        subscribe(endpoint("dingtalk", url=f"{r.url}/robot/send?access_token=T", secret="SECx"))
        with django_capture_on_commit_callbacks(execute=True):
            emit(world.town_a.pk)
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.RETRYING  # DingTalk errcode != 0 is retried
        services.delivery_attempt(delivery_id=delivery.pk)
        services.delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3 and len(r.requests) == 3
        assert "sign=" in r.requests[0].path and "timestamp=" in r.requests[0].path


def test_no_answer_is_retried(world, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    subscribe(endpoint(url="http://127.0.0.1:9/closed"))
    with django_capture_on_commit_callbacks(execute=True):
        emit(world.town_a.pk)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code is None


def _interrupted(delivery: Delivery, seconds_ago: float) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_an_interrupted_attempt(world) -> None:  # type: ignore[no-untyped-def]
    """A claim younger than the lease is left alone; past it a webhook goes again with the same id and a
    robot message is marked unknown, never re-sent by itself."""
    with receiver() as r:
        subscribe(endpoint(url=r.url, name="hook"))
        subscribe(endpoint("wecom", url=f"{r.url}/cgi-bin/webhook/send?key=K", name="robot"))
        emit(world.town_a.pk)  # no commit callbacks: nothing sent yet
        hook, robot = (
            Delivery.objects.get(endpoint__name="hook"),
            Delivery.objects.get(endpoint__name="robot"),
        )
        for d in (hook, robot):
            _interrupted(d, 1)
            assert services.delivery_attempt(delivery_id=d.pk) is None
        assert r.requests == []
        for d in (hook, robot):
            _interrupted(d, services.lease_seconds() + 1)
            services.delivery_attempt(delivery_id=d.pk)
    hook.refresh_from_db()
    robot.refresh_from_db()
    assert hook.status == DeliveryStatus.DELIVERED and hook.attempts == 2
    assert [q.headers.get("x-fieldscore-delivery") for q in r.requests] == [str(hook.uid)]
    assert robot.status == DeliveryStatus.UNKNOWN and "不自动重发" in robot.last_error


def test_replay_is_a_new_delivery(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with receiver() as r:
        subscribe(endpoint(url=r.url))
        with django_capture_on_commit_callbacks(execute=True):
            emit(world.town_a.pk)
            first = Delivery.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            again = services.delivery_replay(delivery_id=first.pk)
    again.refresh_from_db()
    assert (
        again.status == DeliveryStatus.DELIVERED
        and again.uid != first.uid
        and again.event_id == first.event_id
    )
    assert [q.headers["x-fieldscore-delivery"] for q in r.requests] == [str(first.uid), str(again.uid)]
    assert r.requests[1].json()["id"] == str(again.uid)


def test_the_admin_replay_action(world, admin_client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    subscribe(endpoint())
    emit(world.town_a.pk)
    first = Delivery.objects.get()
    response = admin_client.post(
        "/admin/notifications/delivery/", {"action": "replay", "_selected_action": [first.pk]}
    )
    assert response.status_code == 302
    assert Delivery.objects.count() == 2


def test_the_sweep_queues_overdue_attempts(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with receiver() as r:
        subscribe(endpoint(url=r.url))
        emit(world.town_a.pk)
        delivery = Delivery.objects.get()
        assert services.deliveries_resend_due() == 0  # just created: its own send is under way
        Delivery.objects.update(
            status=DeliveryStatus.RETRYING, next_attempt_at=timezone.now() - timedelta(hours=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert services.deliveries_resend_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(r.requests) == 1


def test_the_delivery_log_api(world) -> None:  # type: ignore[no-untyped-def]
    subscribe(endpoint())
    emit(world.town_a.pk)
    emit(world.town_b.pk)
    emit(None)
    admin = ApiClient(make_user("admin", world.district))
    office = ApiClient(make_user("district_office", world.district))
    town_office = ApiClient(make_user("district_office", world.town_a))
    officer = ApiClient(make_user("town_officer", world.town_a))
    rows = admin.get("/api/v1/notifications/deliveries").json()["results"]
    assert len(rows) == 3 and rows[0]["status"] == "pending" and rows[0]["endpoint_kind"] == "webhook"
    assert rows[0]["event"] == "inspection.rejected" and rows[0]["event_label"] == "检查被退回"
    assert "url" not in rows[0] and SECRET not in str(rows)
    assert len(office.get("/api/v1/notifications/deliveries").json()["results"]) == 3
    scoped = town_office.get("/api/v1/notifications/deliveries").json()["results"]
    assert [row["region_id"] for row in scoped] == [world.town_a.pk]
    assert_error(officer.get("/api/v1/notifications/deliveries"), 403, "permission_denied")
    body = assert_error(admin.get("/api/v1/notifications/deliveries", status="nope"), 422, "invalid_status")
    assert body["details"]["fields"] == ["status"]
    assert_error(admin.get("/api/v1/notifications/deliveries", event="nope"), 422, "invalid_event")
    assert len(admin.get("/api/v1/notifications/deliveries", event="appeal.filed").json()["results"]) == 0


def test_endpoint_url_must_be_http(world) -> None:  # type: ignore[no-untyped-def]
    from kernel.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        services.endpoint_save(endpoint=Endpoint(kind="webhook", name="x"), url="file:///etc/passwd")
    assert exc.value.details == {"fields": ["url"]}


def test_the_admin_form_encrypts_and_keeps_a_secret_left_empty(world, admin_client) -> None:  # type: ignore[no-untyped-def]
    form = {
        "kind": "dingtalk",
        "name": "常乐镇安监群",
        "enabled": "on",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=tok-42",
        "secret": "SECabc",
        "subscriptions-TOTAL_FORMS": "1",
        "subscriptions-INITIAL_FORMS": "0",
        "subscriptions-0-event": "inspection.rejected",
        "subscriptions-0-region": str(world.town_a.pk),
    }
    assert admin_client.post("/admin/notifications/endpoint/add/", form).status_code == 302
    ep = Endpoint.objects.get()
    assert "tok-42" not in ep.url_encrypted and "SECabc" not in ep.secret_encrypted
    assert ep.subscriptions.get().region_id == world.town_a.pk
    stored = ep.secret_encrypted
    change = {
        **form,
        "url": "",
        "secret": "",
        "subscriptions-INITIAL_FORMS": "1",
        "subscriptions-0-id": str(ep.subscriptions.get().pk),
        "subscriptions-0-endpoint": str(ep.pk),
    }
    assert admin_client.post(f"/admin/notifications/endpoint/{ep.pk}/change/", change).status_code == 302
    ep.refresh_from_db()
    assert ep.secret_encrypted == stored and ep.url_hint == "https://oapi.dingtalk.com/…"
    from kernel.notifications import secrets

    assert (
        secrets.decrypt(ep.url_encrypted).endswith("tok-42")
        and secrets.decrypt(ep.secret_encrypted) == "SECabc"
    )
    empty = {**form, "name": "无地址", "url": ""}
    assert admin_client.post("/admin/notifications/endpoint/add/", empty).status_code == 200  # form error
    assert Endpoint.objects.count() == 1
