"""Admin: channels are configured here; notifications and deliveries are shown read-only (they
are written by ``services.notify`` and the delivery task, never by hand)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Channel, Delivery, DeliveryAttempt, Notification


class ReadOnlyAdminMixin:
    """Rows that record what happened: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "team", "user", "enabled", "created_at")
    list_filter = ("kind", "enabled", "team")
    search_fields = ("name", "address", "team__name", "team__code", "user__username", "user__display_name")
    list_select_related = ("team", "user")
    raw_id_fields = ("user",)
    fieldsets = (
        (None, {"fields": ("name", "kind", "enabled")}),
        (_("For"), {"fields": ("team", "user"), "description": _("Exactly one: a team or a user.")}),
        (_("Where"), {"fields": ("address", "secret")}),
    )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "recipient", "verb", "level", "created_at", "read_at")
    list_filter = ("level", "verb", "created_at")
    search_fields = ("title", "body", "verb", "recipient__username", "recipient__display_name", "target_id")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    show_full_result_count = False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("attempted_at", "ok", "http_status", "duration_ms", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "channel", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "channel__kind", "created_at")
    search_fields = ("title", "verb", "channel__name", "last_error")
    list_select_related = ("channel",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [DeliveryAttemptInline]
