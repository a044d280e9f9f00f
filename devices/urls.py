from django.urls import path

from . import views

app_name = "devices"

urlpatterns = [
    path("", views.TerminalListView.as_view(), name="terminal_list"),
    path("<int:pk>/", views.TerminalDetailView.as_view(), name="terminal_detail"),
    path("<int:pk>/sync/", views.TerminalSyncView.as_view(), name="terminal_sync"),
    path("<int:pk>/sync-users/", views.TerminalUsersSyncView.as_view(), name="terminal_users_sync"),
    path("<int:pk>/command/", views.TerminalCommandView.as_view(), name="terminal_command"),
    path("import/", views.FileImportView.as_view(), name="file_import"),
    path("unknown-pins/", views.UnknownPinsView.as_view(), name="unknown_pins"),
]
