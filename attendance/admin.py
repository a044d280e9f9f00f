from django.contrib import admin

from logistics.common.admin import ReadOnlyModelAdmin

from .models import PinMapping, Punch, TerminalWatermark


@admin.register(Punch)
class PunchAdmin(ReadOnlyModelAdmin):
    """Read-only: raw punches are never edited (a correction is a new punch)."""

    list_display = ("pin", "local_time", "punched_at", "terminal_serial", "source", "status", "verify_type", "batch")
    list_filter = ("source", "terminal_serial")
    search_fields = ("pin", "terminal_serial", "batch")
    date_hierarchy = "punched_at"
    show_full_result_count = False


@admin.register(PinMapping)
class PinMappingAdmin(admin.ModelAdmin):
    list_display = ("pin", "staff", "valid_from", "valid_to")
    search_fields = ("pin", "staff__name", "staff__employee_no")
    autocomplete_fields = ("staff",)


@admin.register(TerminalWatermark)
class TerminalWatermarkAdmin(admin.ModelAdmin):
    list_display = ("terminal_serial", "synced_until", "updated_at")

    def has_change_permission(self, request, obj=None):
        return False
