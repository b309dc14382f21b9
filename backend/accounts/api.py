"""Authentication and the caller's own account: tokens, devices, ``/me``."""

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status
from ninja.throttling import AnonRateThrottle

from backend.access import Principal

from . import selectors, services
from .schemas import DeviceOut, MeOut, ScopeOut, TokenIn, TokenOut

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
def device_list(request: HttpRequest, user_id: int | None = None) -> list[DeviceOut]:
    principal: Principal = request.auth
    owner = services.devices_owner_for(principal=principal, user_id=user_id)
    return [
        DeviceOut.from_orm(t).model_copy(update={"is_current": t.pk == principal.device_token_id})
        for t in selectors.device_tokens_of(owner)
    ]


@router.delete("/auth/devices/{token_id}", response={204: None}, summary="吊销一台设备（例如手机丢失）")
def device_revoke(request: HttpRequest, token_id: int) -> Status[None]:
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
