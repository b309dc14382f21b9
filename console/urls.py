"""``/console/…``: one line per page; a page family may ``include`` its own module of paths."""

from django.urls import include, path, re_path

from . import views
from .views import (
    bulletins,
    imports,
    notifications,
    photos,
    rankings,
    review,
    scoreboards,
    sewage,
    towns,
    water,
    water_plan,
)
from .views import map as maps

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("logout/", views.ConsoleLogoutView.as_view(), name="logout"),
    path("scoreboards/", scoreboards.catalogue, name="scoreboards"),
    path("scoreboards/<str:scheme_key>/", include(scoreboards.urlpatterns)),
    path("imports/", imports.imports, name="imports"),
    path("imports/<slug:kind>/<uuid:import_id>/", imports.import_detail, name="import"),
    path("imports/<slug:kind>/<uuid:import_id>/status/", imports.import_status, name="import_status"),
    path("imports/<slug:kind>/<uuid:import_id>/apply/", imports.import_apply, name="import_apply"),
    path("imports/<slug:kind>/<uuid:import_id>/retry/", imports.import_retry, name="import_retry"),
    path("review/", review.queue, name="review"),
    path("review/<uuid:client_uuid>/", review.detail, name="review_detail"),
    path("water/", water.water_page, name="water"),
    path("water/sections/<int:section_id>/", water.water_section, name="water-section"),
    path("water/sections/<int:section_id>/work-plan/", water_plan.work_plan_panel, name="water-work-plan"),
    path(
        "water/sections/<int:section_id>/work-plan.docx",
        water_plan.work_plan_download,
        name="water-work-plan-docx",
    ),
    path("sewage/", include(sewage.urls)),
    path("towns/", towns.town_index, name="towns"),
    path("towns/<int:region_id>/", towns.town_dashboard, name="town"),
    path("map/", maps.map_page, name="map"),
    path("rankings/dekad/", rankings.dekad_page, name="rankings-dekad"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("bulletins/", bulletins.bulletins, name="bulletins"),
    path("bulletins/<int:bulletin_id>/file/", bulletins.bulletin_file, name="bulletin-file"),
    path("map/search/", maps.map_search, name="map-search"),
    re_path(
        r"^map/tiles/(?P<layer>[a-z_]{1,32})/(?P<z>\d{1,10})/(?P<x>\d{1,19})/(?P<y>\d{1,19})\.pbf$",
        maps.map_tile,
    ),
    re_path(r"^photos/(?P<sha256>[0-9A-Fa-f]{64})/$", photos.photo, name="photo"),
]
