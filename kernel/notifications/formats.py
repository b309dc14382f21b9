"""What goes on the wire, and what an answer means: pure functions (no Django), one per endpoint kind.

- DingTalk custom robot: ``markdown`` message; with 加签 the URL gets ``&timestamp=<ms>&sign=<s>`` where ``s``
  is the URL-encoded base64 of HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"). Answers
  ``{"errcode": 0, "errmsg": "ok"}`` on success.
- WeCom group robot: ``markdown`` message (``content`` at most 4096 bytes); the robot's key is in the URL,
  which is therefore the secret. Answers ``{"errcode": 0, ...}`` likewise.
- Generic webhook: the event as JSON; ``X-Fieldscore-Signature: sha256=<hex HMAC-SHA256 of the body>`` with
  the endpoint's secret, ``X-Fieldscore-Delivery: <delivery id>`` (the same on every attempt of one delivery:
  a receiver drops a repeat), ``X-Fieldscore-Event: <event>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DINGTALK, WECOM, WEBHOOK = "dingtalk", "wecom", "webhook"
MARKDOWN_LIMIT = 4000  # bytes of text: WeCom refuses markdown over 4096 bytes; DingTalk's limit is higher
SIGNATURE_HEADER = "X-Fieldscore-Signature"
DELIVERY_HEADER = "X-Fieldscore-Delivery"
EVENT_HEADER = "X-Fieldscore-Event"


@dataclass(frozen=True)
class Message:
    """One event as one endpoint receives it."""

    delivery_id: str
    event: str
    title: str
    text: str
    url: str = ""
    region_id: int | None = None
    occurred_at: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.delivery_id,
            "event": self.event,
            "occurred_at": self.occurred_at,
            "region_id": self.region_id,
            "title": self.title,
            "text": self.text,
            "url": self.url,
            "data": self.data,
        }


@dataclass(frozen=True)
class Outgoing:
    url: str
    body: bytes
    headers: dict[str, str]


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # worth trying again later: 5xx, 429, timeout, robot errcode != 0
    FAIL = "fail"  # the request itself is wrong (4xx): the same request will fail again


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: URL-encoded base64 of HMAC-SHA256(secret, "<timestamp>\\n<secret>")."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _clip(text: str, limit: int = MARKDOWN_LIMIT) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def markdown(message: Message) -> str:
    lines = [f"### {message.title}", "", message.text]
    if message.url:
        lines += ["", f"[查看详情]({message.url})"]
    return _clip("\n".join(lines))


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def build(kind: str, *, url: str, secret: str, message: Message, now_ms: int) -> Outgoing:
    """The HTTP POST for ``message`` to an endpoint of ``kind`` at ``url`` (secrets already decrypted)."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if kind == DINGTALK:
        body = _json({"msgtype": "markdown", "markdown": {"title": message.title, "text": markdown(message)}})
        if secret:
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}timestamp={now_ms}&sign={dingtalk_sign(secret, now_ms)}"
        return Outgoing(url, body, headers)
    if kind == WECOM:
        return Outgoing(
            url, _json({"msgtype": "markdown", "markdown": {"content": markdown(message)}}), headers
        )
    if kind == WEBHOOK:
        body = _json(message.as_json())
        headers |= {DELIVERY_HEADER: message.delivery_id, EVENT_HEADER: message.event}
        if secret:
            headers[SIGNATURE_HEADER] = webhook_signature(secret, body)
        return Outgoing(url, body, headers)
    raise ValueError(f"unknown endpoint kind {kind!r}")


def judge(kind: str, status: int | None, body: bytes) -> tuple[Verdict, str]:
    """What an answer means: ``status`` None is no answer (timeout, refused). Returns the verdict and why."""
    if status is None:
        return Verdict.RETRY, "无响应"
    if status >= 500 or status in (408, 429):
        return Verdict.RETRY, f"HTTP {status}"
    if status >= 400:
        return Verdict.FAIL, f"HTTP {status}"
    if status >= 300:
        return Verdict.FAIL, f"HTTP {status}（不跟随重定向）"
    if kind in (DINGTALK, WECOM):
        try:
            errcode = json.loads(body or b"{}").get("errcode")
        except (ValueError, AttributeError):
            return Verdict.RETRY, "机器人应答无法解析"
        if errcode != 0:
            return Verdict.RETRY, f"机器人应答 errcode={errcode}"
    return Verdict.DELIVERED, f"HTTP {status}"


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Wait before the next attempt after ``attempts`` attempts: base, 2·base, 4·base, … at most ``cap``."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))
