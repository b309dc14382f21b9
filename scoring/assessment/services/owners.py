"""Who may act on an assessment scheme: the roles that own it."""

from __future__ import annotations

from kernel.access import DISTRICT_ROLES, Principal
from kernel.errors import PermissionDenied

from .. import schemes


def scheme_owner_check(
    *, principal: Principal, scheme_key: str, region_path: str | None = None
) -> schemes.SchemeDefinition:
    """The scheme, if the principal may act on it: hold one of the roles that own it (scheme data,
    ``owners``; administrators always may), over ``region_path`` when the action concerns one unit.

    Roles that are not district-level get 403 as before; an unknown scheme is a 404; a district role
    that may see the scheme but does not own it (the environment bureau on the 安全生产 / 消防 boards)
    gets 403 ``permission_denied`` naming the owners."""
    if not principal.has_any(DISTRICT_ROLES):
        raise PermissionDenied("只有区级部门可以发布考核结果")
    # An unknown scheme is a 404 ``scheme_not_found``, a broken office file a 409 ``scheme_invalid``.
    definition = schemes.load(scheme_key)
    owners = definition.owners
    may = principal.has_any(owners) if region_path is None else principal.covers(region_path, owners)
    if not may:
        names = "、".join(r.label for r in sorted(owners))
        raise PermissionDenied(
            f"考核方案「{definition.title}」由{names}负责，您的角色只能查看",
            details={"scheme_key": scheme_key, "owners": sorted(r.value for r in owners)},
        )
    return definition
