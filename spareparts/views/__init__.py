"""Pages of the spare-parts app, one module per area, each with its own ``urlpatterns``."""
