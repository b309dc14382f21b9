"""The response django-axes gives a locked-out login, in the API's error shape."""

from django.http import HttpRequest, JsonResponse

from kernel.errors import RateLimited


def lockout_response(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    error = RateLimited("登录失败次数过多，账号已临时锁定，请稍后再试", code="login_locked")
    return JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
