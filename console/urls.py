"""``/console/…``: one line per page; a page family may ``include`` its own module of paths."""

from django.urls import path, re_path

from . import views
from .views import towns

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("logout/", views.ConsoleLogoutView.as_view(), name="logout"),
    path("scoreboards/", views.scoreboards, name="scoreboards"),
    path("towns/", towns.town_index, name="towns"),
    path("towns/<int:region_id>/", towns.town_dashboard, name="town"),
    re_path(r"^photos/(?P<sha256>[0-9A-Fa-f]{64})/$", towns.photo, name="photo"),
]
