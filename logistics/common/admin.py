from django.contrib import admin

from .models import Lease, OutboxMessage, WorkerHeartbeat


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """For records that are never edited by hand (raw punches, runs, the outbox): view only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyModelAdmin):
    list_display = ("task_name", "created_at", "published_at", "attempts", "last_error")
    list_filter = ("task_name",)
    search_fields = ("task_name", "id")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "seen_at", "token")

    def has_add_permission(self, request):
        return False


@admin.register(Lease)
class LeaseAdmin(admin.ModelAdmin):
    list_display = ("name", "holder", "acquired_at", "expires_at")
