from .views import board, my, reports, requests, roster, sheets

app_name = "attendance"

urlpatterns = [
    *my.urlpatterns,
    *roster.urlpatterns,
    *requests.urlpatterns,
    *board.urlpatterns,
    *sheets.urlpatterns,
    *reports.urlpatterns,
]
