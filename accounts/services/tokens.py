"""Issuing, checking and revoking per-device bearer tokens.

Tokens are ``fs_`` + 43 URL-safe random characters (256 bits). The database keeps only their SHA-256,
so a leaked database dump does not leak usable tokens. One live token per (user, device): logging in
again from the same phone replaces the old token; a lost phone is revoked on its own.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kernel.access import Principal
from kernel.audit import context as audit_context
from kernel.audit.services import audit_record, snapshot
from kernel.errors import NotFound, PermissionDenied, RateLimited, Unauthenticated

from ..models import DeviceToken, User
from ..selectors import token_holder

TOKEN_PREFIX = "fs_"  # noqa: S105 - a public marker, not a secret
_LAST_USED_GRANULARITY = timedelta(minutes=5)
_AUDITED_TOKEN_FIELDS = [
    "id",
    "user_id",
    "device_id",
    "device_name",
    "key_prefix",
    "expires_at",
    "revoked_at",
]


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(
    *, request: HttpRequest, username: str, password: str, device_id: str, device_name: str = ""
) -> tuple[str, DeviceToken]:
    """Check the password (with Axes' lockout) and issue a token for this device."""
    # Outside any transaction: Axes must be able to record the failed attempt that we then refuse.
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False) or AxesProxyHandler.is_locked(
            request, {"username": username}
        ):
            raise RateLimited("登录失败次数过多，账号已临时锁定，请稍后再试", code="login_locked")
        raise Unauthenticated("用户名或密码错误", code="invalid_credentials")
    assert isinstance(user, User)
    return _token_create(user=user, device_id=device_id, device_name=device_name)


@transaction.atomic
def _token_create(*, user: User, device_id: str, device_name: str) -> tuple[str, DeviceToken]:
    now = timezone.now()
    audit_context.set_actor(user_id=user.pk, username=user.get_username(), device_id=device_id)
    for old in DeviceToken.objects.select_for_update().filter(
        user=user, device_id=device_id, revoked_at__isnull=True
    ):
        _revoke(old, reason="replaced", now=now)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = DeviceToken.objects.create(
        user=user,
        device_id=device_id,
        device_name=device_name,
        key_hash=_digest(raw),
        key_prefix=raw[:10],
        expires_at=now + settings.FIELDSCORE_TOKEN_TTL,
    )
    audit_context.set_actor(
        user_id=user.pk, username=user.get_username(), device_token_id=token.pk, device_id=device_id
    )
    audit_record(action="auth.token.issue", obj=token, after=snapshot(token, _AUDITED_TOKEN_FIELDS))
    return raw, token


def token_authenticate(*, raw: str, ip: str | None = None) -> tuple[User, DeviceToken]:
    """The user and token behind a bearer token; raises ``Unauthenticated`` with a precise code."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        raise Unauthenticated("令牌无效", code="token_invalid")
    token = DeviceToken.objects.select_related("user").filter(key_hash=_digest(raw)).first()
    if token is None:
        raise Unauthenticated("令牌无效", code="token_invalid")
    _check_and_touch(
        token_id=token.pk, revoked_at=token.revoked_at, expires_at=token.expires_at,
        is_active=token.user.is_active, last_used_at=token.last_used_at, last_ip=token.last_ip, ip=ip,
    )  # fmt: skip
    return token.user, token


def _check_and_touch(
    *,
    token_id: int,
    revoked_at: datetime | None,
    expires_at: datetime,
    is_active: bool,
    last_used_at: datetime | None,
    last_ip: str | None,
    ip: str | None,
) -> None:
    now = timezone.now()
    if revoked_at is not None:
        raise Unauthenticated("令牌已被吊销，请重新登录", code="token_revoked")
    if expires_at <= now:
        raise Unauthenticated("令牌已过期，请重新登录", code="token_expired")
    if not is_active:
        raise Unauthenticated("账号已停用", code="account_disabled")
    if last_used_at is None or now - last_used_at > _LAST_USED_GRANULARITY or last_ip != ip:
        # Coarse-grained on purpose: a write per request would double the load of every read.
        DeviceToken.objects.filter(pk=token_id).update(last_used_at=now, last_ip=ip)


def _revoke(token: DeviceToken, *, reason: str, now: object) -> None:
    before = snapshot(token, _AUDITED_TOKEN_FIELDS)
    token.revoked_at = now
    token.revoked_reason = reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        action="auth.token.revoke", obj=token, before=before, after=snapshot(token, _AUDITED_TOKEN_FIELDS)
    )


@transaction.atomic
def token_revoke(*, principal: Principal, token_id: int, reason: str = "revoked") -> DeviceToken:
    """Revoke one device token: your own, or anybody's if you are an admin."""
    token = DeviceToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or (token.user_id != principal.user_id and not principal.is_admin):
        raise NotFound("设备令牌不存在", details={"token_id": token_id})
    if token.revoked_at is None:
        _revoke(token, reason=reason, now=timezone.now())
    return token


def devices_owner_for(*, principal: Principal, user_id: int | None) -> int:
    """Whose devices ``principal`` may list: their own, or any user's for an admin."""
    if user_id is None or user_id == principal.user_id:
        return principal.user_id
    if not principal.is_admin:
        raise PermissionDenied("只有管理员可以查看其他用户的设备", details={"user_id": user_id})
    if not User.objects.filter(pk=user_id).exists():
        raise NotFound("用户不存在", details={"user_id": user_id})
    return user_id


def device_tokens_purge() -> int:
    """Delete tokens that expired or were revoked longer ago than the retention period."""
    cutoff = timezone.now() - settings.FIELDSCORE_TOKEN_RETENTION
    stale = DeviceToken.objects.filter(expires_at__lt=cutoff) | DeviceToken.objects.filter(
        revoked_at__lt=cutoff
    )
    deleted, _ = stale.delete()
    return deleted


def principal_from_token(*, raw: str, ip: str | None) -> Principal:
    """The principal behind a bearer token: token, user and grants read in one query, checked as
    :func:`token_authenticate` checks them (same codes)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        raise Unauthenticated("令牌无效", code="token_invalid")
    holder = token_holder(_digest(raw))
    if holder is None:
        raise Unauthenticated("令牌无效", code="token_invalid")
    _check_and_touch(
        token_id=holder.token_id, revoked_at=holder.revoked_at, expires_at=holder.expires_at,
        is_active=holder.is_active, last_used_at=holder.last_used_at, last_ip=holder.last_ip, ip=ip,
    )  # fmt: skip
    principal = holder.principal
    audit_context.set_actor(
        user_id=principal.user_id,
        username=principal.username,
        device_token_id=holder.token_id,
        device_id=holder.device_id,
    )
    return principal
