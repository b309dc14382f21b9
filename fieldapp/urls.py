"""``/m/…``: the phone app's shell, manifest and service worker."""

from django.urls import path

from . import views

app_name = "fieldapp"

urlpatterns = [
    path("", views.shell, name="shell"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
]
