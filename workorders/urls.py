from .views import board, detail, lists, report

app_name = "workorders"

urlpatterns = [
    *lists.urlpatterns,
    *report.urlpatterns,
    *board.urlpatterns,
    *detail.urlpatterns,
]
