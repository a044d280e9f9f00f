"""The project's URLs with the ADMS endpoints mounted at /iclock/ (until the project's urls mount
them themselves; then this adds nothing)."""

from django.urls import include, path

from logistics.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(getattr(p, "namespace", None) == "iclock" for p in urlpatterns):
    urlpatterns.append(path("iclock/", include("devices.urls_iclock")))
