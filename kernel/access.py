"""Who is asking, and what they may see: the principal every API handler receives.

Pure Python (no ORM) so every app can take a ``Principal`` without importing the accounts app.
Scopes are region *paths* (``/1/5/``, see ``geo.Region.path``): a grant on a region covers that region
and everything below it. ``None`` from :meth:`Principal.region_paths` means "unrestricted" (admins).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    INSPECTOR = "inspector"
    TOWN_OFFICER = "town_officer"
    DISTRICT_OFFICE = "district_office"
    ENVIRONMENT_BUREAU = "environment_bureau"
    PLANNER = "planner"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.INSPECTOR: "检查员",
    Role.TOWN_OFFICER: "区镇安监局 / 消委办",
    Role.DISTRICT_OFFICE: "区安委办 / 区消委办",
    Role.ENVIRONMENT_BUREAU: "生态环境局",
    Role.PLANNER: "规划人员（只读地图）",
    Role.ADMIN: "系统管理员",
}

# Roles that may change registry data (regions, sections, facilities) inside their scope.
REGISTRY_EDITORS = frozenset({Role.TOWN_OFFICER, Role.DISTRICT_OFFICE, Role.ENVIRONMENT_BUREAU, Role.ADMIN})
# Roles that may change a region's identity (name, division code and its source, parent): the district's
# registry, which names the towns on every scoreboard and export. Other registry editors keep the rest.
REGION_IDENTITY_EDITORS = frozenset({Role.DISTRICT_OFFICE, Role.ADMIN})
# Roles that may fill inspections inside their scope (anyone may when assigned).
INSPECTING_ROLES = frozenset(
    {Role.INSPECTOR, Role.TOWN_OFFICER, Role.DISTRICT_OFFICE, Role.ENVIRONMENT_BUREAU, Role.ADMIN}
)
# Roles that approve or reject submitted inspections and act on rectifications in their scope.
REVIEWING_ROLES = frozenset({Role.TOWN_OFFICER, Role.DISTRICT_OFFICE, Role.ENVIRONMENT_BUREAU, Role.ADMIN})
# Roles that verify (close) rectifications, decide on beyond-repair plans and draw spot checks.
DISTRICT_ROLES = frozenset({Role.DISTRICT_OFFICE, Role.ENVIRONMENT_BUREAU, Role.ADMIN})
# Roles that may read the audit log of their scope.
AUDIT_READERS = frozenset({Role.DISTRICT_OFFICE, Role.ADMIN})


@dataclass(frozen=True)
class Grant:
    role: Role
    region_id: int
    region_path: str


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    grants: tuple[Grant, ...] = ()
    is_superuser: bool = False
    device_token_id: int | None = None
    roles: frozenset[Role] = field(init=False)

    def __post_init__(self) -> None:
        roles = {g.role for g in self.grants}
        if self.is_superuser:
            roles.add(Role.ADMIN)
        object.__setattr__(self, "roles", frozenset(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def has_any(self, roles: Iterable[Role]) -> bool:
        return self.is_admin or bool(self.roles & frozenset(roles))

    def region_paths(self, roles: Iterable[Role] | None = None) -> tuple[str, ...] | None:
        """Scope paths of the grants (optionally only those of ``roles``); ``None`` = unrestricted."""
        if self.is_admin:
            return None
        wanted = None if roles is None else frozenset(roles)
        paths = {g.region_path for g in self.grants if wanted is None or g.role in wanted}
        # Drop paths already covered by a shorter one: fewer OR terms in every scoped query.
        return tuple(sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths)))

    def covers(self, region_path: str, roles: Iterable[Role] | None = None) -> bool:
        paths = self.region_paths(roles)
        return paths is None or any(region_path.startswith(p) for p in paths)
