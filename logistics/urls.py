"""Root URLs. The platform owns /, /accounts/, /healthz, /api/; each app mounts its own urls."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from equipment.views.item import root_urlpatterns as equipment_root
from logistics.common.views import HealthView, HomeView
from logistics.org.urls import root_urlpatterns as org_root

from .api_urls import urlpatterns as api_v1

admin.site.site_header = admin.site.site_title = _("Hospital logistics")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("accounts/", include("logistics.org.urls_account")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("org/", include("logistics.org.urls")),
    path("notifications/", include("logistics.notifications.urls")),
    path("attendance/", include("attendance.urls")),
    path("workorders/", include("workorders.urls")),
    path("equipment/", include("equipment.urls")),
    path("spareparts/", include("spareparts.urls")),
    path("terminals/", include("devices.urls")),
    # Terminals push over plain HTTP to /iclock/ (exempt from the HTTPS redirect in production).
    path("iclock/", include("devices.urls_iclock")),
    *org_root,
    *equipment_root,
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

# Uploaded files (sheets, photos) are never served from a public URL, not even with DEBUG: each
# app serves its files through a view that checks who may see them.
