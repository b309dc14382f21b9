"""Reads for accounts: principals, devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from kernel.access import Grant, Principal, Role
from kernel.errors import NotFound
from kernel.queries import CompiledOnce
from kernel.scope import scope_q

from .models import DeviceToken, RoleGrant, User


def principal_for(user: User, *, device_token_id: int | None = None) -> Principal:
    # Only the path: loading regions whole would parse their boundary polygons on every request.
    rows = (
        RoleGrant.objects.filter(user=user)
        .order_by("region__path", "role")
        .values_list("role", "region_id", "region__path")
    )
    grants = tuple(
        Grant(role=Role(role), region_id=region_id, region_path=path) for role, region_id, path in rows
    )
    return Principal(
        user_id=user.pk,
        username=user.get_username(),
        grants=grants,
        is_superuser=user.is_superuser,
        device_token_id=device_token_id,
    )


@dataclass(frozen=True)
class TokenHolder:
    """A device token with its user and the user's role grants, as one query reads them."""

    token_id: int
    device_id: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    last_ip: str | None
    principal: Principal
    is_active: bool


_TOKEN_HOLDER = CompiledOnce(
    lambda key_hash: DeviceToken.objects.filter(key_hash=key_hash)
    .order_by("user__grants__region__path", "user__grants__role")
    .values_list(
        "id", "device_id", "expires_at", "revoked_at", "last_used_at", "last_ip",
        "user_id", "user__username", "user__is_active", "user__is_superuser",
        "user__grants__role", "user__grants__region_id", "user__grants__region__path",
    )
)  # fmt: skip


def token_holder(key_hash: str) -> TokenHolder | None:
    """The token with this digest, its user and grants in one round trip (a row per grant), or ``None``.

    Every request reads it afresh — nothing is cached but the statement's text (compiled once per
    process: compiling it cost more than running it) — so a revoked token, a deactivated user or a
    withdrawn grant takes effect at the very next request."""
    rows = _TOKEN_HOLDER.rows(key_hash)
    if not rows:
        return None
    token_id, device_id, expires_at, revoked_at, last_used_at, last_ip = rows[0][:6]
    user_id, username, is_active, is_superuser = rows[0][6:10]
    grants = tuple(
        Grant(role=Role(role), region_id=region_id, region_path=path)
        for *_, role, region_id, path in rows
        if role is not None
    )
    principal = Principal(
        user_id=user_id,
        username=username,
        grants=grants,
        is_superuser=is_superuser,
        device_token_id=token_id,
    )
    return TokenHolder(
        token_id, device_id, expires_at, revoked_at, last_used_at, last_ip, principal, is_active
    )


def user_grants(user_id: int) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(user_id=user_id).select_related("region").order_by("region__path", "role")


def device_tokens_of(user_id: int) -> QuerySet[DeviceToken]:
    return DeviceToken.objects.filter(user_id=user_id).select_related("user").order_by("-created_at")


def user_get(user_id: int) -> User:
    return User.objects.get(pk=user_id)


def inspector_pool(*, district_path: str) -> dict[int, frozenset[int]]:
    """Active inspectors of a district → the towns each is bound to (a grant on a town or below it).

    A district-level grant binds to no particular town. Spot checks send inspectors only to towns
    they are not bound to.
    """
    pool: dict[int, set[int]] = {}
    grants = RoleGrant.objects.filter(
        role=Role.INSPECTOR, user__is_active=True, region__path__startswith=district_path
    ).values_list("user_id", "region__path")
    for user_id, path in grants:
        ids = [int(x) for x in path.strip("/").split("/")]
        towns = pool.setdefault(user_id, set())
        if len(ids) >= 2:
            towns.add(ids[1])
    return {u: frozenset(t) for u, t in pool.items()}


def users_managed(
    *,
    paths: tuple[str, ...] | None,
    q: str = "",
    role: str | None = None,
    region_id: int | None = None,
    is_active: bool | None = None,
) -> QuerySet[User]:
    """Users holding a role inside ``paths`` (every user for None), each with ``grants_in_scope`` (its
    grants inside ``paths``, regions loaded without their boundaries) and ``all_grants`` (role and region
    path of every grant, to tell whether the caller may manage it)."""
    in_scope = RoleGrant.objects.filter(scope_q(paths, "region__path"))
    qs = User.objects.all() if paths is None else User.objects.filter(pk__in=in_scope.values("user_id"))
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(phone__icontains=q))
    if role or region_id is not None:
        wanted = in_scope
        if role:
            wanted = wanted.filter(role=role)
        if region_id is not None:
            wanted = wanted.filter(region_id=region_id)
        qs = qs.filter(pk__in=wanted.values("user_id"))
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    shown = in_scope.select_related("region").defer("region__boundary", "region__centroid")
    return qs.prefetch_related(
        Prefetch("grants", queryset=shown.order_by("region__path", "role"), to_attr="grants_in_scope"),
        Prefetch("grants", queryset=RoleGrant.objects.select_related("region").only(
            "id", "user_id", "role", "region__path"), to_attr="all_grants"),
    ).order_by("username")  # fmt: skip


def user_managed_get(*, paths: tuple[str, ...] | None, user_id: int) -> User:
    user = users_managed(paths=paths).filter(pk=user_id).first()
    if user is None:
        raise NotFound("用户不存在或不在您的管辖范围内", details={"user_id": user_id})
    return user


def user_names(user_ids: set[int]) -> dict[int, str]:
    """Display names (else usernames) of these users, in one query: for lists that hold bare user ids
    (the registry's ledger imports keep ``uploaded_by_id`` without a foreign key into accounts)."""
    return {
        pk: display or username
        for pk, display, username in User.objects.filter(pk__in=user_ids).values_list(
            "pk", "display_name", "username"
        )
    }
