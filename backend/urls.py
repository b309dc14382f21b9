from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api
from .health import healthz, readyz

# Errors that escape every handler (even from middleware) in the API's JSON error shape.
handler500 = "kernel.unavailable.server_error"

admin.site.site_header = "fieldscore 后台管理"
admin.site.site_title = "fieldscore"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="console:home", permanent=False)),
    path("console/", include("console.urls")),
    path("m/", include("fieldapp.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
