"""The wire formats and the meaning of answers (pure: no database)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.notifications import formats
from kernel.notifications.formats import Verdict

MESSAGE = formats.Message(
    delivery_id="6f1c7c2e-0000-4000-8000-000000000001", event="inspection.rejected", title="检查被退回",
    text="常乐镇 安全生产检查被退回：照片不清晰", url="https://example.org/i/1", region_id=5,
    occurred_at="2026-12-01T10:00:00+08:00", data={"inspection": 1},
)  # fmt: skip


def test_dingtalk_signature_is_the_documented_one() -> None:
    # DingTalk's documented example: HmacSHA256(key=secret, "timestamp\nsecret"), base64, then urlencode
    secret, ts = "SECthis-is-secret", 1700000000000
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert formats.dingtalk_sign(secret, ts) == urllib.parse.quote_plus(base64.b64encode(digest))
    out = formats.build(
        "dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=T", secret=secret, message=MESSAGE,
        now_ms=ts,
    )  # fmt: skip
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(out.url).query)
    assert query["access_token"] == ["T"] and query["timestamp"] == [str(ts)]
    assert query["sign"] == [base64.b64encode(digest).decode()]  # parse_qs undoes the urlencoding
    body = json.loads(out.body)
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "检查被退回"
    assert (
        "照片不清晰" in body["markdown"]["text"] and "(https://example.org/i/1)" in body["markdown"]["text"]
    )


def test_dingtalk_without_secret_leaves_the_url_alone() -> None:
    out = formats.build(
        "dingtalk", url="https://x/robot/send?access_token=T", secret="", message=MESSAGE, now_ms=1
    )
    assert out.url == "https://x/robot/send?access_token=T"


def test_wecom_markdown_in_the_url_key() -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"
    out = formats.build("wecom", url=url, secret="", message=MESSAGE, now_ms=1)
    assert out.url == url
    body = json.loads(out.body)
    assert body == {"msgtype": "markdown", "markdown": {"content": formats.markdown(MESSAGE)}}


def test_webhook_is_signed_json_with_delivery_and_event_headers() -> None:
    out = formats.build("webhook", url="https://r/hook", secret="s3", message=MESSAGE, now_ms=1)
    assert json.loads(out.body) == MESSAGE.as_json()
    assert out.headers["X-Fieldscore-Delivery"] == MESSAGE.delivery_id
    assert out.headers["X-Fieldscore-Event"] == "inspection.rejected"
    expected = "sha256=" + hmac.new(b"s3", out.body, hashlib.sha256).hexdigest()
    assert out.headers["X-Fieldscore-Signature"] == expected


@given(st.text(max_size=3000), st.text(max_size=200))
def test_markdown_fits_wecom_limit(text: str, title: str) -> None:
    message = formats.Message(delivery_id="d", event="e", title=title, text=text)
    assert len(formats.markdown(message).encode()) <= 4096


@given(st.binary(max_size=500), st.text(min_size=1, max_size=50))
def test_webhook_signature_verifies_only_the_same_body(body: bytes, secret: str) -> None:
    sig = formats.webhook_signature(secret, body)
    assert sig == formats.webhook_signature(secret, body)
    assert sig != formats.webhook_signature(secret, body + b"x")


@pytest.mark.parametrize(
    ("kind", "status", "body", "verdict"),
    [
        ("webhook", 200, b"", Verdict.DELIVERED),
        ("webhook", 204, b"", Verdict.DELIVERED),
        ("webhook", None, b"", Verdict.RETRY),
        ("webhook", 500, b"", Verdict.RETRY),
        ("webhook", 503, b"", Verdict.RETRY),
        ("webhook", 429, b"", Verdict.RETRY),
        ("webhook", 408, b"", Verdict.RETRY),
        ("webhook", 400, b"", Verdict.FAIL),
        ("webhook", 404, b"", Verdict.FAIL),
        ("webhook", 301, b"", Verdict.FAIL),
        ("dingtalk", 200, b'{"errcode":0,"errmsg":"ok"}', Verdict.DELIVERED),
        ("dingtalk", 200, b'{"errcode":130101,"errmsg":"send too fast"}', Verdict.RETRY),
        ("dingtalk", 200, b"<html>", Verdict.RETRY),
        ("wecom", 200, b'{"errcode":0,"errmsg":"ok"}', Verdict.DELIVERED),
        ("wecom", 200, b'{"errcode":45009}', Verdict.RETRY),
        ("wecom", 403, b"", Verdict.FAIL),
    ],
)
def test_what_an_answer_means(kind: str, status: int | None, body: bytes, verdict: Verdict) -> None:
    assert formats.judge(kind, status, body)[0] == verdict


@given(st.integers(min_value=1, max_value=60))
def test_backoff_doubles_up_to_the_cap(attempts: int) -> None:
    wait = formats.backoff_seconds(attempts, base=30, cap=600)
    assert wait == min(600, 30 * 2 ** (attempts - 1))
    assert formats.backoff_seconds(attempts + 1, base=30, cap=600) >= wait
