"""Demo accounts, one per role, bound to Haimen regions. Only for the embedded demo."""

from __future__ import annotations

from django.db import transaction

from kernel.access import Role

from .models import RoleGrant, User

# (username, display name, role, region name or None for the district, superuser)
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN, None, True),
    ("anweiban", "区安委办 演示账号", Role.DISTRICT_OFFICE, None, False),
    ("huanjing", "生态环境局 演示账号", Role.ENVIRONMENT_BUREAU, None, False),
    ("guihua", "规划 演示账号", Role.PLANNER, None, False),
    ("changle", "常乐镇安监局 演示账号", Role.TOWN_OFFICER, "常乐镇", False),
    ("sijia", "四甲镇安监局 演示账号", Role.TOWN_OFFICER, "四甲镇", False),
    ("jiancha1", "常乐镇检查员 演示账号", Role.INSPECTOR, "常乐镇", False),
    ("jiancha2", "四甲镇检查员 演示账号", Role.INSPECTOR, "四甲镇", False),
]


@transaction.atomic
def load_demo_users(*, password: str, district, towns: dict) -> list[str]:  # type: ignore[no-untyped-def]
    lines = []
    for username, display, role, region_name, superuser in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display, is_staff=superuser, is_superuser=superuser)
            user.set_password(password)
            user.save()
        region = district if region_name is None else towns[region_name]
        RoleGrant.objects.get_or_create(user=user, role=role, region=region)
        lines.append(f"  {username:<10} {role.label}（{region.name}）")
    return lines
