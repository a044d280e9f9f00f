"""URLs of the organization app. /l/<token> and /scan/ are mounted at the root (printed codes)."""

from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("locations/", views.LocationListView.as_view(), name="location_list"),
    path("locations/labels/", views.LocationLabelsView.as_view(), name="location_labels"),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff_detail"),
]

# Mounted at the root by logistics/urls.py: the URLs printed in QR codes must stay short and stable.
root_urlpatterns = [
    path("l/<str:token>", views.LocationLandingView.as_view(), name="location_landing"),
    path("scan/", views.ScanView.as_view(), name="scan"),
]
