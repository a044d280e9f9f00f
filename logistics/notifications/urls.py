"""Inbox URLs, mounted at ``/notifications/`` by the project's urls."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notification_list"),
    path("<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("<int:pk>/open/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("read-all/", views.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("unread-count/", views.UnreadCountView.as_view(), name="unread_count"),
]
