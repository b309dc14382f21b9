"""Role grants: granting a role in a region (and so in its subtree) and withdrawing it, within the
manager's scope and the roles it may grant."""

from __future__ import annotations

from django.db import transaction

from geo.models import Region
from geo.selectors import region_get
from kernel.access import Principal, Role
from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from ..models import RoleGrant, User
from .scope import OFFICE_GRANTABLE, _managed_user, user_manager_paths


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
