from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.common.admin import ReadOnlyModelAdmin

from .forms_roster import RosterPatternAdminForm
from .models import CalendarDay, PinMapping, Punch, RosterEntry, RosterPattern, ShiftType, TerminalWatermark
from .services import calendar_fill


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


@admin.register(ShiftType)
class ShiftTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "team", "start", "end", "is_24h", "second_start", "second_end", "rest_day_after",
                    "is_active")  # fmt: skip
    list_filter = ("is_active", "is_24h", "team")
    search_fields = ("code", "name")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The holiday calendar the rules read; filled from chinese-calendar, editable by hand."""

    list_display = ("date", "kind", "name", "from_package")
    list_filter = ("kind", "from_package")
    date_hierarchy = "date"
    actions = ["fill_this_and_next_year"]

    def changelist_view(self, request, extra_context=None):
        year = timezone.localdate().year
        for y in (year, year + 1):
            if not CalendarDay.objects.filter(date__year=y, kind=CalendarDay.Kind.HOLIDAY).exists():
                messages.warning(
                    request,
                    _("No holidays are entered for %(year)d: attendance treats every weekday as a working day.")
                    % {"year": y},
                )
        return super().changelist_view(request, extra_context)

    @admin.action(description=gettext_lazy("Fill this year and next from chinese-calendar"))
    def fill_this_and_next_year(self, request, queryset):
        year = timezone.localdate().year
        for y in (year, year + 1):
            result = calendar_fill(year=y)
            if result.warning:
                self.message_user(request, result.warning, messages.WARNING)
            else:
                self.message_user(request, _("%(year)d: %(n)d days added.") % {"year": y, "n": result.created})


@admin.register(RosterEntry)
class RosterEntryAdmin(ReadOnlyModelAdmin):
    """Read-only here: roster changes go through the roster service (overlap checks, audit)."""

    list_display = ("date", "staff", "shift", "created_by", "updated_at")
    list_filter = ("shift",)
    search_fields = ("staff__name", "staff__employee_no")
    date_hierarchy = "date"


@admin.register(RosterPattern)
class RosterPatternAdmin(admin.ModelAdmin):
    """Saved rotations team leads apply on the roster page; without a team, every team sees one."""

    form = RosterPatternAdminForm
    list_display = ("name", "team", "length", "updated_at")
    list_filter = ("team",)
    search_fields = ("name",)


from . import admin_results  # noqa: E402, F401  (leave, requests, results, month closing)
