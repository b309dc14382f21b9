"""Emitting events, sending deliveries (one attempt at a time), replaying them, managing endpoints.

What is guaranteed about sending (also in the README):

- A delivery is written in the transaction of the change it reports and sent after the commit through the
  outbox: rolled back with the change, and still sent when the broker was down at the commit.
- Before the request goes out the attempt is *claimed* in its own committed transaction (status
  ``sending``, ``attempts + 1``, ``claimed_at``). A delivered, failed or interrupted (``unknown``) row is
  never sent again by the system; a task arriving while another attempt's claim is younger than the lease
  (the send task's hard time limit) does nothing.
- A worker killed while its request was out leaves the row ``sending``; the task comes back (late ack). Past
  the lease a webhook delivery is sent again **with the same** ``X-Fieldscore-Delivery`` id, so a receiver
  that drops ids it has seen processes it once; a robot message (no id a group chat could drop) is marked
  ``unknown`` instead and not re-sent by itself: the administrator may replay it.
- A replay is a new delivery with a new id (the old row is never re-sent).
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kernel.access import Principal
from kernel.audit.services import audit_record
from kernel.errors import InvalidInput, NotFound
from kernel.outbox.services import outbox_enqueue

from . import formats, secrets
from .events import EVENT_LABELS
from .models import FINAL, Delivery, DeliveryStatus, Endpoint, Event, Subscription

log = logging.getLogger(__name__)


def link(path: str) -> str:
    """An absolute link for a message (robots need one): ``FIELDSCORE_PUBLIC_URL`` + path, or "" unset."""
    base = settings.FIELDSCORE_PUBLIC_URL.rstrip("/")
    return f"{base}{path}" if base and path else ""


def emitted(*, once_keys: list[str]) -> set[str]:
    """Which of these once-keys have been emitted already (one query for a periodic pass)."""
    keys = Event.objects.filter(once_key__in=once_keys).values_list("once_key", flat=True)
    return {key for key in keys if key}


def lease_seconds() -> float:
    """How long a claimed attempt may still be running: the send task's hard time limit."""
    return float(settings.NOTIFY_TIMEOUT_SECONDS + 10)


def _region_ids(region_id: int | None) -> list[int]:
    """The region and every region above it (a subscription on any of them hears the event)."""
    if region_id is None:
        return []
    region_model = Subscription._meta.get_field("region").related_model
    path = region_model._default_manager.filter(pk=region_id).values_list("path", flat=True).first()  # type: ignore[union-attr]
    if path is None:
        raise ValueError(f"notify: no region {region_id}")
    return [int(part) for part in path.strip("/").split("/") if part]


def notify(
    event: str,
    *,
    region_id: int | None,
    title: str,
    text: str,
    url: str = "",
    data: dict[str, Any] | None = None,
    once_key: str | None = None,
) -> Event | None:
    """Record ``event`` and one delivery per enabled endpoint subscribed to it for this region (or one
    above it, or the whole district), in the caller's transaction; each is sent after the commit.
    With ``once_key`` an event already recorded under that key is not emitted again (returns None)."""
    if event not in EVENT_LABELS:
        raise ValueError(f"notify: unknown event {event!r}")
    ancestors = _region_ids(region_id)
    try:
        with transaction.atomic():
            if once_key and Event.objects.filter(once_key=once_key).exists():
                return None
            row = Event.objects.create(
                event=event, region_id=region_id, title=title[:200], text=text, url=url[:500],
                data=data or {}, once_key=once_key,
            )  # fmt: skip
    except IntegrityError:
        return None  # the same once_key committed meanwhile by another process
    heard_here = Q(subscriptions__region__isnull=True) | Q(subscriptions__region_id__in=ancestors)
    endpoints = (
        Endpoint.objects.filter(heard_here, enabled=True, subscriptions__event=event)
        .distinct()
        .order_by("pk")
    )
    for endpoint in endpoints:
        _deliver(row, endpoint)
    return row


def _deliver(event: Event, endpoint: Endpoint) -> Delivery:
    delivery = Delivery(event=event, endpoint=endpoint, payload={})
    message = formats.Message(
        delivery_id=str(delivery.uid), event=event.event, title=event.title, text=event.text, url=event.url,
        region_id=event.region_id, occurred_at=timezone.localtime(event.occurred_at).isoformat(),
        data=event.data,
    )  # fmt: skip
    delivery.payload = message.as_json()
    delivery.save()
    _enqueue(delivery.pk)
    return delivery


def _enqueue(delivery_id: int) -> None:
    from .tasks import delivery_send  # the task module imports this one

    outbox_enqueue(steps=[delivery_send.si(delivery_id)])


@dataclass(frozen=True)
class _Claim:
    kind: str
    url: str
    secret: str
    message: formats.Message
    claimed_at: Any


def _message(payload: dict[str, Any]) -> formats.Message:
    return formats.Message(
        delivery_id=payload["id"], event=payload["event"], title=payload["title"], text=payload["text"],
        url=payload.get("url", ""), region_id=payload.get("region_id"),
        occurred_at=payload.get("occurred_at", ""), data=payload.get("data") or {},
    )  # fmt: skip


def _log(delivery: Delivery, **entry: Any) -> None:
    entry = {"at": timezone.localtime().isoformat(timespec="seconds"), **entry}
    delivery.log = [*delivery.log, entry][-20:]


@transaction.atomic
def _claim(delivery_id: int) -> _Claim | None:
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or delivery.status in FINAL:
        return None
    endpoint = Endpoint.objects.get(pk=delivery.endpoint_id)
    now = timezone.now()
    if delivery.status == DeliveryStatus.SENDING:
        if delivery.claimed_at and delivery.claimed_at > now - timedelta(seconds=lease_seconds()):
            return None  # another worker's attempt may still be running
        if endpoint.kind != formats.WEBHOOK:
            delivery.status = DeliveryStatus.UNKNOWN
            delivery.last_error = (
                "发送中断（进程退出），消息可能已送达；为避免重复，系统不自动重发，可手动重新发送"
            )
            _log(delivery, verdict="interrupted", reason="发送中断")
            delivery.save()
            return None
        _log(delivery, verdict="interrupted", reason="发送中断，以同一投递编号重发")
    if not endpoint.enabled:
        _give_up(delivery, "端点已停用")
        return None
    try:
        url, secret = secrets.decrypt(endpoint.url_encrypted), secrets.decrypt(endpoint.secret_encrypted)
    except secrets.SecretUnreadable as exc:
        _give_up(delivery, str(exc))
        return None
    delivery.status, delivery.claimed_at = DeliveryStatus.SENDING, now
    delivery.attempts += 1
    delivery.save()
    return _Claim(endpoint.kind, url, secret, _message(delivery.payload), now)


def _give_up(delivery: Delivery, reason: str) -> None:
    delivery.status, delivery.last_error = DeliveryStatus.FAILED, reason[:300]
    _log(delivery, verdict="fail", reason=reason)
    delivery.save()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(outgoing: formats.Outgoing) -> tuple[int | None, bytes, str]:
    """POST it: (status or None when no answer, the first 2 kB of the body, the error if no answer)."""
    if not outgoing.url.startswith(("https://", "http://")):
        return None, b"", "UnsupportedScheme"
    url, body, headers = outgoing.url, outgoing.body, outgoing.headers
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only
    try:
        with _OPENER.open(request, timeout=settings.NOTIFY_TIMEOUT_SECONDS) as response:
            return response.status, response.read(2048), ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(2048), ""
    except (OSError, ValueError) as exc:  # refused, reset, timeout, DNS; a URL urllib cannot use
        return None, b"", type(exc).__name__  # never the message: it may quote the URL and its token


def delivery_attempt(*, delivery_id: int) -> float | None:
    """One attempt at a delivery: claim it, send it, record the answer. Returns the seconds to wait
    before the next attempt when it should be retried, else None (delivered, failed, nothing to do)."""
    claim = _claim(delivery_id)
    if claim is None:
        return None
    now_ms = int(timezone.now().timestamp() * 1000)
    outgoing = formats.build(
        claim.kind, url=claim.url, secret=claim.secret, message=claim.message, now_ms=now_ms
    )
    status, body, error = _post(outgoing)
    verdict, reason = formats.judge(claim.kind, status, body)
    log.info("notify: delivery %s → %s (%s)", claim.message.delivery_id, verdict, reason)
    return _record(delivery_id, claim, status, body, f"{reason}（{error}）" if error else reason, verdict)


@transaction.atomic
def _record(
    delivery_id: int, claim: _Claim, status: int | None, body: bytes, reason: str, verdict: formats.Verdict
) -> float | None:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    _log(delivery, status_code=status, verdict=str(verdict), reason=reason)
    delivery.last_status_code, delivery.last_response = status, body.decode(errors="replace")[:500]
    delivery.last_error = "" if verdict == formats.Verdict.DELIVERED else reason[:300]
    if delivery.status != DeliveryStatus.SENDING or delivery.claimed_at != claim.claimed_at:
        delivery.save()  # taken over meanwhile (this attempt outlived its lease): only the log is ours
        return None
    wait = None
    if verdict == formats.Verdict.DELIVERED:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, timezone.now()
    elif verdict == formats.Verdict.FAIL or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        wait = formats.backoff_seconds(
            delivery.attempts, base=settings.NOTIFY_RETRY_BASE_SECONDS, cap=settings.NOTIFY_RETRY_MAX_SECONDS
        )
        delivery.status, delivery.next_attempt_at = (
            DeliveryStatus.RETRYING,
            timezone.now() + timedelta(seconds=wait),
        )
    delivery.save()
    return wait


@transaction.atomic
def delivery_replay(*, delivery_id: int, principal: Principal | None = None) -> Delivery:
    """Send a delivery's message again as a new delivery (new id), e.g. after a failure or an interruption.
    ``principal``: the console's caller (the delivery must be in its log); None: the Django admin."""
    from .selectors import deliveries

    rows = Delivery.objects.all() if principal is None else deliveries(principal=principal)
    old = rows.select_related("event", "endpoint").filter(pk=delivery_id).first()
    if old is None:
        raise NotFound()
    if not old.endpoint.enabled:
        raise InvalidInput(
            "端点已停用，无法重新发送", code="endpoint_disabled", details={"fields": ["endpoint"]}
        )
    new = _deliver(old.event, old.endpoint)
    audit_record(
        action="notifications.delivery.replay", obj=new, before={"delivery": str(old.uid)},
        after={"delivery": str(new.uid)},
    )  # fmt: skip
    return new


def deliveries_resend_due(*, batch: int = 200) -> int:
    """Queue again what should have been attempted by now and was not (a retry lost with its worker, or
    the embedded runtime, which has no delayed tasks): retries past their time, pending rows and claims
    past the lease, older than ``NOTIFY_SWEEP_GRACE_SECONDS``. The claim makes a duplicate harmless."""
    now = timezone.now()
    grace = timedelta(seconds=settings.NOTIFY_SWEEP_GRACE_SECONDS)
    late = now - grace
    ids = list(
        Delivery.objects.filter(
            _due(DeliveryStatus.RETRYING, "next_attempt_at", late)
            | _due(DeliveryStatus.PENDING, "created_at", late)
            | _due(DeliveryStatus.SENDING, "claimed_at", late - timedelta(seconds=lease_seconds()))
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in ids:
        with transaction.atomic():
            _enqueue(pk)
    return len(ids)


def _due(status: str, field: str, before: Any) -> Q:
    return Q(status=status, **{f"{field}__lt": before})


@transaction.atomic
def endpoint_save(
    *,
    endpoint: Endpoint,
    url: str | None = None,
    secret: str | None = None,
) -> Endpoint:
    """Create or change an endpoint; ``url`` / ``secret`` None keep the stored ones (the admin shows
    neither, so an empty field means "unchanged"); secrets are encrypted before they reach the row."""
    before = (
        None
        if endpoint.pk is None
        else {"name": endpoint.name, "kind": endpoint.kind, "enabled": endpoint.enabled}
    )
    if url is not None:
        url = url.strip()
        if not url.startswith(("https://", "http://")):
            raise InvalidInput(
                "地址须以 https:// 或 http:// 开头", code="invalid_url", details={"fields": ["url"]}
            )
        endpoint.url_encrypted, endpoint.url_hint = secrets.encrypt(url), secrets.mask_url(url)
    if not endpoint.url_encrypted:
        raise InvalidInput("请填写地址", code="invalid_url", details={"fields": ["url"]})
    if secret is not None:
        endpoint.secret_encrypted = secrets.encrypt(secret.strip())
    endpoint.save()
    audit_record(
        action="notifications.endpoint.save", obj=endpoint, before=before,
        after={"name": endpoint.name, "kind": endpoint.kind, "enabled": endpoint.enabled,
               "url": endpoint.url_hint, "secret_changed": secret is not None},
    )  # fmt: skip
    return endpoint
