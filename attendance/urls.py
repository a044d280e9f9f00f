from .views import board, my, requests, roster, sheets

app_name = "attendance"

urlpatterns = [
    *my.urlpatterns,
    *roster.urlpatterns,
    *requests.urlpatterns,
    *board.urlpatterns,
    *sheets.urlpatterns,
]
