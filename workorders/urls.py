from .views import board, detail, kpis, lists, report

app_name = "workorders"

urlpatterns = [
    *lists.urlpatterns,
    *report.urlpatterns,
    *board.urlpatterns,
    *kpis.urlpatterns,
    *detail.urlpatterns,
]
