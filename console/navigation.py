"""The console's navigation: one entry per page family, in the order the header shows them.

A new page family adds its entry here (label, path, and the roles that see it; ``None`` = everyone
signed in). Paths are the issue's contract, so an entry may point at a page another change adds.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel.access import DISTRICT_ROLES, REGISTRY_EDITORS, REVIEWING_ROLES, Principal, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    roles: frozenset[Role] | None = None  # None: everyone signed in
    coming: bool = False  # shown, but not a link yet (another issue builds it)


NAV: tuple[NavItem, ...] = (
    NavItem("考核结果", "/console/scoreboards/"),
    NavItem("区镇", "/console/towns/"),
    NavItem("审核", "/console/review/", REVIEWING_ROLES),
    NavItem("水质", "/console/water/"),
    NavItem("逆序排名", "/console/rankings/dekad/"),
    NavItem("污水设施", "/console/sewage/"),
    NavItem("导入", "/console/imports/", REGISTRY_EDITORS),
    NavItem("地图", "/console/map/"),
    NavItem("通报", "/console/bulletins/", DISTRICT_ROLES),
    NavItem("通知", "/console/notifications/", frozenset({Role.DISTRICT_OFFICE, Role.ADMIN})),
)


def nav_for(principal: Principal, path: str) -> list[dict[str, object]]:
    """The entries this principal sees, the one whose path prefixes ``path`` marked current."""
    return [
        {"label": item.label, "path": item.path, "coming": item.coming, "current": path.startswith(item.path)}
        for item in NAV
        if item.roles is None or principal.has_any(item.roles)
    ]
