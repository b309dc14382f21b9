"""``/console/…``: one line per page; a page family may ``include`` its own module of paths."""

from django.urls import path

from . import views
from .views import photos, review

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("logout/", views.ConsoleLogoutView.as_view(), name="logout"),
    path("scoreboards/", views.scoreboards, name="scoreboards"),
    path("review/", review.queue, name="review"),
    path("review/<uuid:client_uuid>/", review.detail, name="review_detail"),
    path("photos/<str:sha256>/", photos.photo, name="photo"),
]
