"""``/console/…``: one line per page; a page family may ``include`` its own module of paths."""

from django.urls import path

from . import views
from .views import water

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("logout/", views.ConsoleLogoutView.as_view(), name="logout"),
    path("scoreboards/", views.scoreboards, name="scoreboards"),
    path("water/", water.water_page, name="water"),
    path("water/sections/<int:section_id>/", water.water_section, name="water-section"),
]
