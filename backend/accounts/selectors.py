"""Reads for accounts: principals, devices."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.access import Grant, Principal, Role

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
