"""The equipment app's URLconf: each page module contributes its own ``urlpatterns``."""

from .views import item

app_name = "equipment"
urlpatterns = [*item.urlpatterns]
