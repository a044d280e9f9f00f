"""The project's URLs with the inbox mounted at /notifications/ (until the project's urls mount
it themselves; then this adds nothing)."""

from django.urls import include, path

from logistics.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(getattr(p, "namespace", None) == "notifications" for p in urlpatterns):
    urlpatterns.append(path("notifications/", include("logistics.notifications.urls")))
