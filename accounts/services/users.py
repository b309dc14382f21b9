"""User accounts, for the district administrator: create (with initial roles), reset the password,
deactivate and reactivate; each revokes what it must and leaves an audit event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.access import Principal
from kernel.audit.services import audit_record, snapshot
from kernel.errors import Conflict, InvalidInput

from ..models import DeviceToken, User
from .grants import _grant_add, _grant_region
from .scope import _managed_user, _scope_path, _user_path, user_manager_paths
from .tokens import _revoke

_AUDITED_USER_FIELDS = ["id", "username", "display_name", "phone", "email", "is_active", "is_superuser"]


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
