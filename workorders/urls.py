from .views import board, checklist, detail, kpis, lists, report

app_name = "workorders"

urlpatterns = [
    *lists.urlpatterns,
    *report.urlpatterns,
    *board.urlpatterns,
    *kpis.urlpatterns,
    *detail.urlpatterns,
    *checklist.urlpatterns,
]
