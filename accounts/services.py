"""Issuing, checking and revoking per-device bearer tokens.

Tokens are ``fs_`` + 43 URL-safe random characters (256 bits). The database keeps only their SHA-256,
so a leaked database dump does not leak usable tokens. One live token per (user, device): logging in
again from the same phone replaces the old token; a lost phone is revoked on its own.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from geo.models import Region
from geo.selectors import region_get
from kernel.access import Principal, Role
from kernel.audit import context as audit_context
from kernel.audit.services import audit_record, snapshot
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited, Unauthenticated

from .models import DeviceToken, RoleGrant, User
from .selectors import principal_for

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
    now = timezone.now()
    if token.revoked_at is not None:
        raise Unauthenticated("令牌已被吊销，请重新登录", code="token_revoked")
    if token.expires_at <= now:
        raise Unauthenticated("令牌已过期，请重新登录", code="token_expired")
    if not token.user.is_active:
        raise Unauthenticated("账号已停用", code="account_disabled")
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY or token.last_ip != ip:
        # Coarse-grained on purpose: a write per request would double the load of every read.
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now, last_ip=ip)
    return token.user, token


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
    user, token = token_authenticate(raw=raw, ip=ip)
    audit_context.set_actor(
        user_id=user.pk, username=user.get_username(), device_token_id=token.pk, device_id=token.device_id
    )
    return principal_for(user, device_token_id=token.pk)


# --- users and roles, for the district administrator ------------------------------------------------
#
# Who manages users: administrators (Role.ADMIN, superusers) everywhere, and the district office
# (区安委办 / 消委办) inside the scope of its district_office grants. The office is the one that sends
# inspectors out and reviews the towns, so it should not have to ask IT for each new inspector; but it
# grants only the roles working under it (OFFICE_GRANTABLE) and only in its own regions, and it manages
# only users who hold nothing else. Its own role, the environment bureau's and the administrator's are
# granted by administrators: a compromised or careless office account cannot mint further office or
# bureau accounts, nor reach anybody outside its district. Superusers are managed by superusers only.

USER_MANAGERS = frozenset({Role.DISTRICT_OFFICE, Role.ADMIN})
OFFICE_GRANTABLE = frozenset({Role.INSPECTOR, Role.TOWN_OFFICER, Role.PLANNER})
_AUDITED_USER_FIELDS = ["id", "username", "display_name", "phone", "email", "is_active", "is_superuser"]


def user_manager_paths(principal: Principal) -> tuple[str, ...] | None:
    """The scope in which ``principal`` manages users (None: everywhere); 403 for anybody else."""
    if not principal.has_any(USER_MANAGERS):
        raise PermissionDenied("只有系统管理员和区安委办可以管理用户")
    return principal.region_paths(USER_MANAGERS)


def may_manage(principal: Principal, user: User, grants: list[tuple[str, str]]) -> bool:
    """Whether ``principal`` may change ``user``, who holds ``grants`` (role, region path) in all."""
    if user.is_superuser:
        return principal.is_superuser
    if principal.is_admin:
        return True
    paths = principal.region_paths(USER_MANAGERS) or ()
    return bool(grants) and all(
        Role(role) in OFFICE_GRANTABLE and any(path.startswith(p) for p in paths) for role, path in grants
    )


def _scope_path(paths: list[str]) -> str:
    """The deepest region path above all of ``paths`` (where an event about a user belongs)."""
    if not paths:
        return ""
    parts = [p.strip("/").split("/") for p in paths]
    common = []
    for ids in zip(*parts, strict=False):
        if len(set(ids)) > 1:
            break
        common.append(ids[0])
    return "/" + "".join(f"{i}/" for i in common) if common else ""


def _user_path(user: User) -> str:
    return _scope_path(list(RoleGrant.objects.filter(user=user).values_list("region__path", flat=True)))


def _managed_user(principal: Principal, user_id: int) -> User:
    """The user, locked for the change: 404 outside the manager's scope, 403 when visible but holding
    something the manager may not manage."""
    paths = user_manager_paths(principal)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    grants = list(RoleGrant.objects.filter(user_id=user_id).values_list("role", "region__path"))
    visible = paths is None or any(path.startswith(p) for _, path in grants for p in paths)
    if user is None or not visible:
        raise NotFound("用户不存在或不在您的管辖范围内", details={"user_id": user_id})
    if not may_manage(principal, user, grants):
        raise PermissionDenied(
            "该用户持有您无权管理的角色或管辖区划", code="user_not_manageable", details={"user_id": user_id}
        )
    return user


def _grant_region(principal: Principal, role: str, region_id: int, *, field: str = "") -> Region:
    prefix = f"{field}." if field else ""
    if not principal.is_admin and Role(role) not in OFFICE_GRANTABLE:
        allowed = "、".join(r.label for r in sorted(OFFICE_GRANTABLE))
        raise PermissionDenied(
            f"您只能授予以下角色：{allowed}",
            code="role_not_grantable",
            details={"fields": {f"{prefix}role": ["无权授予该角色"]}},
        )
    try:
        return region_get(paths=user_manager_paths(principal), region_id=region_id)
    except NotFound as exc:
        message = "区划不存在或不在您的管辖范围内"
        raise InvalidInput(
            message, code="region_out_of_scope", details={"fields": {f"{prefix}region_id": [message]}}
        ) from exc


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidInput(
            "密码强度不足", code="weak_password", details={"fields": {"password": list(exc.messages)}}
        ) from exc


def _revoke_devices(user: User, reason: str) -> int:
    now = timezone.now()
    tokens = list(DeviceToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        _revoke(token, reason=reason, now=now)
    return len(tokens)


def _grant_add(user: User, role: str, region: Region) -> RoleGrant:
    if RoleGrant.objects.filter(user=user, role=role, region=region).exists():
        raise Conflict(
            "该用户已在此区划拥有该角色",
            code="duplicate_grant",
            details={"fields": {"region_id": ["授权重复"]}},
        )
    grant = RoleGrant.objects.create(user=user, role=role, region=region)
    audit_record(
        action="accounts.grant.create",
        obj=grant,
        region_path=region.path,
        after={"user_id": user.pk, "role": role, "region_id": region.pk},
    )
    return grant


@transaction.atomic
def user_create(
    *,
    principal: Principal,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    grants: list[dict[str, Any]] | None = None,
) -> User:
    """Create an account with its initial password (Django's validators) and roles. A district office
    must grant at least one role in its scope: an account without one would be out of its sight."""
    grants = grants or []
    paths = user_manager_paths(principal)
    if paths is not None and not grants:
        raise InvalidInput(
            "请至少授予一个您管辖范围内的角色",
            code="grants_required",
            details={"fields": {"grants": ["不能为空"]}},
        )
    regions = [
        (g["role"], _grant_region(principal, g["role"], g["region_id"], field=f"grants.{i}"))
        for i, g in enumerate(grants)
    ]
    if len({(role, region.pk) for role, region in regions}) < len(regions):
        raise InvalidInput(details={"fields": {"grants": ["授权重复"]}})
    duplicate = Conflict(
        "用户名已存在", code="duplicate_username", details={"fields": {"username": ["用户名已存在"]}}
    )
    if User.objects.filter(username__iexact=username).exists():  # 'LiSi' beside 'lisi' invites mistakes
        raise duplicate
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except DjangoValidationError as exc:
        raise InvalidInput(details={"fields": {k: list(v) for k, v in exc.message_dict.items()}}) from exc
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent create of the same name
        raise duplicate from exc
    audit_record(
        action="accounts.user.create",
        obj=user,
        region_path=_scope_path([region.path for _, region in regions]),
        after=snapshot(user, _AUDITED_USER_FIELDS) | {"grants": [[r, g.pk] for r, g in regions]},
    )
    for role, region in regions:
        _grant_add(user, role, region)
    return user


@transaction.atomic
def grant_create(*, principal: Principal, user_id: int, role: str, region_id: int) -> RoleGrant:
    """Grant ``role`` in ``region_id`` (and so in its subtree) to a user the principal manages."""
    user = _managed_user(principal, user_id)
    region = _grant_region(principal, role, region_id)
    return _grant_add(user, role, region)


@transaction.atomic
def grant_revoke(*, principal: Principal, user_id: int, grant_id: int) -> None:
    """Withdraw one grant. A district office may not withdraw a user's last one: the account would
    leave its sight while staying usable — deactivate it instead."""
    user = _managed_user(principal, user_id)
    grant = RoleGrant.objects.select_related("region").filter(pk=grant_id, user=user).first()
    if grant is None:
        raise NotFound("授权不存在", details={"grant_id": grant_id})
    if not principal.is_admin and not RoleGrant.objects.filter(user=user).exclude(pk=grant.pk).exists():
        raise Conflict(
            "这是该用户的最后一个角色：撤销后将无法再管理该账号，请改为停用账号", code="last_grant"
        )
    before = {"user_id": user.pk, "role": grant.role, "region_id": grant.region_id}
    audit_record(action="accounts.grant.revoke", obj=grant, region_path=grant.region.path, before=before)
    grant.delete()


@transaction.atomic
def user_password_reset(*, principal: Principal, user_id: int, password: str) -> User:
    """Set a new password (Django's validators) and revoke every device token: whoever held the old
    password or a phone logged in with it must log in again."""
    user = _managed_user(principal, user_id)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    revoked = _revoke_devices(user, "password_reset")
    audit_record(
        action="accounts.user.password_reset",
        obj=user,
        region_path=_user_path(user),
        after={"tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def user_deactivate(*, principal: Principal, user_id: int) -> User:
    """Close an account: no login (Django refuses inactive users), every device token revoked."""
    user = _managed_user(principal, user_id)
    if user.pk == principal.user_id:
        raise Conflict("不能停用自己的账号", code="cannot_deactivate_self")
    before = snapshot(user, _AUDITED_USER_FIELDS)
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = _revoke_devices(user, "deactivated")
    audit_record(
        action="accounts.user.deactivate",
        obj=user,
        region_path=_user_path(user),
        before=before,
        after=snapshot(user, _AUDITED_USER_FIELDS) | {"tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def user_activate(*, principal: Principal, user_id: int) -> User:
    """Reopen a deactivated account (its devices log in again)."""
    user = _managed_user(principal, user_id)
    if not user.is_active:
        before = snapshot(user, _AUDITED_USER_FIELDS)
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(action="accounts.user.activate", obj=user, region_path=_user_path(user), before=before,
                     after=snapshot(user, _AUDITED_USER_FIELDS))  # fmt: skip
    return user
