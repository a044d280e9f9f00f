"""Routes of the equipment API, collected under /api/v1/ by ``logistics.api_urls``."""

from django.urls import path

from .views import EquipmentKpisView, EquipmentViewSet, MaintenancePlanViewSet

# (prefix, viewset, basename) for the /api/v1/ router
ROUTES = (
    ("equipment/items", EquipmentViewSet, "equipment-item"),
    ("equipment/plans", MaintenancePlanViewSet, "equipment-plan"),
)
urlpatterns = [path("equipment/kpis/", EquipmentKpisView.as_view(), name="equipment-kpis")]
