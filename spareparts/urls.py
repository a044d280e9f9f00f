"""The spare-parts app's URLconf: each page module contributes its own ``urlpatterns``."""

from .views import operations, reports, requisitions, stock, stocktakes

app_name = "spareparts"
urlpatterns = [
    *stock.urlpatterns,
    *operations.urlpatterns,
    *requisitions.urlpatterns,
    *stocktakes.urlpatterns,
    *reports.urlpatterns,
]
