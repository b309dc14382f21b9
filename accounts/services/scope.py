"""Who manages which users: the managers' scope, whether a manager may change a user, and the region
path an event about a user belongs to."""

from __future__ import annotations

from kernel.access import Principal, Role
from kernel.errors import NotFound, PermissionDenied

from ..models import RoleGrant, User

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
