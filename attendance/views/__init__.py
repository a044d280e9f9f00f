"""Pages of the attendance app, one module per area; each module has its ``urlpatterns`` and a
``register_menu()`` called from ``AttendanceConfig.ready``."""
