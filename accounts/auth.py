"""ninja authentication: ``Authorization: Bearer fs_…`` → a :class:`kernel.access.Principal`."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from kernel.access import Principal
from kernel.errors import Unauthenticated

from .services import principal_from_token


class DeviceTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        principal = principal_from_token(raw=token.strip(), ip=request.META.get("REMOTE_ADDR"))
        return principal

    def __call__(self, request: HttpRequest) -> Principal | None:
        header = request.headers.get(self.header)
        if header and not header.lower().startswith("bearer "):
            raise Unauthenticated("仅支持 Bearer 令牌", code="token_invalid")
        return super().__call__(request)
