"""``/console/…``: one line per page; a page family may ``include`` its own module of paths."""

from django.urls import include, path

from . import views
from .views import sewage

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("logout/", views.ConsoleLogoutView.as_view(), name="logout"),
    path("scoreboards/", views.scoreboards, name="scoreboards"),
    path("sewage/", include(sewage.urls)),
]
