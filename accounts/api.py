"""Authentication and the caller's own account (tokens, devices, ``/me``); users and their roles for the
district administrator (``/accounts/users``)."""

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.throttling import AnonRateThrottle

from kernel.access import Principal, Role
from kernel.kit import Id, Page, PageNumber, page_of

from . import selectors, services
from .models import RoleGrant, User
from .schemas import (
    DeviceOut,
    GrantIn,
    GrantOut,
    MeOut,
    PasswordIn,
    ScopeOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
)

router = Router(tags=["账号与认证"])


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut},
    throttle=[AnonRateThrottle(settings.FIELDSCORE_LOGIN_RATE)],
    summary="登录并为本设备签发令牌",
)
def token_create(request: HttpRequest, payload: TokenIn) -> TokenOut:
    raw, token = services.token_issue(request=request, **payload.dict())
    return TokenOut(token=raw, expires_at=token.expires_at, device_token_id=token.pk)


@router.delete("/auth/token", response={204: None}, summary="退出登录：吊销本设备的令牌")
def token_delete(request: HttpRequest) -> Status[None]:
    principal: Principal = request.auth
    services.token_revoke(principal=principal, token_id=principal.device_token_id or 0, reason="logout")
    return Status(204, None)


@router.get("/auth/devices", response=list[DeviceOut], summary="设备列表（本人；管理员可指定 user_id）")
def device_list(request: HttpRequest, user_id: Id | None = None) -> list[DeviceOut]:
    principal: Principal = request.auth
    owner = services.devices_owner_for(principal=principal, user_id=user_id)
    return [
        DeviceOut.from_orm(t).model_copy(update={"is_current": t.pk == principal.device_token_id})
        for t in selectors.device_tokens_of(owner)
    ]


@router.delete("/auth/devices/{token_id}", response={204: None}, summary="吊销一台设备（例如手机丢失）")
def device_revoke(request: HttpRequest, token_id: Id) -> Status[None]:
    services.token_revoke(principal=request.auth, token_id=token_id)
    return Status(204, None)


@router.get("/me", response=MeOut, summary="当前用户、角色与管辖范围")
def me(request: HttpRequest) -> MeOut:
    principal: Principal = request.auth
    user = selectors.user_get(principal.user_id)
    scopes = [
        ScopeOut(
            role=g.role,
            role_label=g.get_role_display(),
            region_id=g.region_id,
            region_code=g.region.code,
            region_name=g.region.name,
            region_level=g.region.level,
        )
        for g in selectors.user_grants(principal.user_id)
    ]
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        is_admin=principal.is_admin,
        roles=sorted(principal.roles),
        scopes=scopes,
        device_token_id=principal.device_token_id,
    )


# --- users and roles (district administrator) ---------------------------------------------------------

_USERS = ["用户与角色管理"]


def _user_out(principal: Principal, user: User) -> UserOut:
    grants = [(g.role, g.region.path) for g in user.all_grants]  # type: ignore[attr-defined]
    return UserOut(
        id=user.pk, username=user.username, display_name=user.display_name, phone=user.phone,
        email=user.email, is_active=user.is_active, is_superuser=user.is_superuser,
        date_joined=user.date_joined, manageable=services.may_manage(principal, user, grants),
        grants=[_grant_out(g) for g in user.grants_in_scope],  # type: ignore[attr-defined]
    )  # fmt: skip


def _grant_out(g: RoleGrant) -> GrantOut:
    return GrantOut(
        id=g.pk, role=g.role, role_label=g.get_role_display(), region_id=g.region_id,
        region_code=g.region.code, region_name=g.region.name, region_level=g.region.level,
        created_at=g.created_at,
    )  # fmt: skip


def _managed(request: HttpRequest, user_id: Id) -> UserOut:
    paths = services.user_manager_paths(request.auth)
    return _user_out(request.auth, selectors.user_managed_get(paths=paths, user_id=user_id))


@router.post("/accounts/users", response={201: UserOut}, tags=_USERS, summary="新建用户（可同时授予角色）")
def user_create(request: HttpRequest, payload: UserIn) -> Status[UserOut]:
    user = services.user_create(principal=request.auth, **payload.dict())
    return Status(201, _managed(request, user.pk))


@router.get("/accounts/users", response=Page[UserOut], tags=_USERS, summary="用户列表（您管辖范围内的）")
def user_list(
    request: HttpRequest,
    q: str = Query("", description="按用户名、姓名或手机号查找"),
    role: Role | None = Query(None, description="只列出在您管辖范围内持有该角色的用户"),
    region_id: Id | None = Query(None, description="只列出在该区划（本级）持有角色的用户"),
    is_active: bool | None = Query(None, description="true 启用 / false 停用"),
    page: PageNumber = Query(1, description="页码（从 1 开始）"),
    page_size: int = Query(50, ge=1, le=500),
) -> Page[UserOut]:
    paths = services.user_manager_paths(request.auth)
    qs = selectors.users_managed(paths=paths, q=q, role=role, region_id=region_id, is_active=is_active)
    items, count = page_of(qs, page=page, page_size=page_size)
    out = [_user_out(request.auth, u) for u in items]
    return Page[UserOut](items=out, count=count, page=page, page_size=page_size)


@router.get("/accounts/users/{user_id}", response=UserOut, tags=_USERS, summary="用户详情")
def user_detail(request: HttpRequest, user_id: Id) -> UserOut:
    return _managed(request, user_id)


@router.post("/accounts/users/{user_id}/roles", response={201: GrantOut}, tags=_USERS,
             summary="在某区划授予角色（覆盖其全部下级）")  # fmt: skip
def grant_create(request: HttpRequest, user_id: Id, payload: GrantIn) -> Status[GrantOut]:
    grant = services.grant_create(principal=request.auth, user_id=user_id, **payload.dict())
    return Status(201, _grant_out(grant))


@router.delete("/accounts/users/{user_id}/roles/{grant_id}", response={204: None}, tags=_USERS,
               summary="撤销一个角色授权")  # fmt: skip
def grant_revoke(request: HttpRequest, user_id: Id, grant_id: Id) -> Status[None]:
    services.grant_revoke(principal=request.auth, user_id=user_id, grant_id=grant_id)
    return Status(204, None)


@router.post("/accounts/users/{user_id}/password", response={204: None}, tags=_USERS,
             summary="重置密码（该用户所有设备须重新登录）")  # fmt: skip
def user_password_reset(request: HttpRequest, user_id: Id, payload: PasswordIn) -> Status[None]:
    services.user_password_reset(principal=request.auth, user_id=user_id, password=payload.password)
    return Status(204, None)


@router.post("/accounts/users/{user_id}/deactivate", response=UserOut, tags=_USERS,
             summary="停用账号（不能再登录，所有设备令牌吊销）")  # fmt: skip
def user_deactivate(request: HttpRequest, user_id: Id) -> UserOut:
    services.user_deactivate(principal=request.auth, user_id=user_id)
    return _managed(request, user_id)


@router.post("/accounts/users/{user_id}/activate", response=UserOut, tags=_USERS, summary="重新启用账号")
def user_activate(request: HttpRequest, user_id: Id) -> UserOut:
    services.user_activate(principal=request.auth, user_id=user_id)
    return _managed(request, user_id)
