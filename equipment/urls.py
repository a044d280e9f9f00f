"""The equipment app's URLconf: each page module contributes its own ``urlpatterns``."""

from .views import item, kpis, ledger, plans

app_name = "equipment"
urlpatterns = [*item.urlpatterns, *ledger.urlpatterns, *plans.urlpatterns, *kpis.urlpatterns]
