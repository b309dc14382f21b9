from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def shell(request: HttpRequest) -> HttpResponse:
    """The app's one page; the modules draw every screen in it, online or not."""
    return render(request, "fieldapp/shell.html")
