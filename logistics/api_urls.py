"""/api/v1/: the open API. Each app's read and command endpoints are registered here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from attendance.api.requests import AttendanceRequestViewSet
from attendance.api.results import DailyResultViewSet, MonthlyTotalsView
from attendance.api.views import PunchViewSet
from devices.api.views import TerminalRunViewSet, TerminalViewSet
from equipment.api import urls as equipment_api
from spareparts.api import urls as spareparts_api
from workorders.api.views import WorkOrderKpisView, WorkOrderViewSet

router = DefaultRouter()
router.register("terminals", TerminalViewSet, basename="terminal")
router.register("terminal-runs", TerminalRunViewSet, basename="terminal-run")
router.register("punches", PunchViewSet, basename="punch")
router.register("attendance/daily-results", DailyResultViewSet, basename="daily-result")
router.register("attendance/requests", AttendanceRequestViewSet, basename="attendance-request")
router.register("workorders", WorkOrderViewSet, basename="workorder")
for prefix, viewset, basename in (*equipment_api.ROUTES, *spareparts_api.ROUTES):
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("attendance/monthly-totals/", MonthlyTotalsView.as_view(), name="monthly-totals"),
    path("workorders/kpis/", WorkOrderKpisView.as_view(), name="workorder-kpis"),
    *equipment_api.urlpatterns,
    *router.urls,
]
