"""Pages of the equipment app, one module per area; each module lists its own ``urlpatterns``."""
