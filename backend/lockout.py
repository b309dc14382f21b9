"""django-axes' one lockout callable: a page for the web console, the API's JSON error elsewhere."""

from django.http import HttpRequest, HttpResponse

from accounts.lockout import lockout_response as api_lockout
from console.views import lockout as console_lockout


def lockout_response(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    if request.path.startswith("/console/"):
        return console_lockout(request)
    return api_lockout(request, *args, **kwargs)
