"""/api/v1/: each app adds its viewsets to this router in its ``api/urls.py``."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
