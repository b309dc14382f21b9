"""Principal scope arithmetic (pure)."""

from kernel.access import Grant, Principal, Role


def principal(*grants: tuple[Role, str], superuser: bool = False) -> Principal:
    return Principal(
        user_id=1,
        username="u",
        grants=tuple(Grant(role=r, region_id=i, region_path=p) for i, (r, p) in enumerate(grants)),
        is_superuser=superuser,
    )


def test_superuser_is_admin_and_unrestricted() -> None:
    p = principal(superuser=True)
    assert p.is_admin and Role.ADMIN in p.roles
    assert p.region_paths() is None
    assert p.covers("/1/99/")


def test_admin_role_grant_is_unrestricted() -> None:
    assert principal((Role.ADMIN, "/1/")).region_paths() is None


def test_nested_paths_collapse_to_the_widest() -> None:
    p = principal((Role.TOWN_OFFICER, "/1/5/"), (Role.INSPECTOR, "/1/5/9/"), (Role.INSPECTOR, "/1/7/"))
    assert p.region_paths() == ("/1/5/", "/1/7/")
    assert p.region_paths([Role.INSPECTOR]) == ("/1/5/9/", "/1/7/")


def test_sibling_prefix_is_not_containment() -> None:
    # /1/5/ must not cover /1/55/: paths end in "/" exactly for this.
    p = principal((Role.TOWN_OFFICER, "/1/5/"))
    assert p.covers("/1/5/12/")
    assert not p.covers("/1/55/")
    assert not p.covers("/1/")


def test_roles_filter_and_no_grants() -> None:
    p = principal((Role.PLANNER, "/1/"))
    assert p.has_any([Role.PLANNER]) and not p.has_any([Role.TOWN_OFFICER])
    assert p.region_paths([Role.TOWN_OFFICER]) == ()
    assert not p.covers("/1/2/", [Role.TOWN_OFFICER])
    assert principal().region_paths() == ()
