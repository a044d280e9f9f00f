from .views import app_name, urlpatterns  # noqa: F401 - the app's URLconf
