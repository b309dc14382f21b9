"""Reads for accounts: principals, devices."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.access import Grant, Principal, Role

from .models import DeviceToken, RoleGrant, User


def principal_for(user: User, *, device_token_id: int | None = None) -> Principal:
    grants = tuple(
        Grant(role=Role(g.role), region_id=g.region_id, region_path=g.region.path)
        for g in RoleGrant.objects.filter(user=user).select_related("region").order_by("region__path", "role")
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
