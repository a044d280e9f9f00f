from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from logistics.common.admin import ReadOnlyModelAdmin
from logistics.common.errors import DomainError

from .models import DeviceCommand, PendingDevice, QuarantinedRecord, Terminal, TerminalRun
from .services import pending_device_approve


class TerminalForm(forms.ModelForm):
    comm_password = forms.CharField(
        label=_("comm password"), required=False, max_length=9, widget=forms.PasswordInput(render_value=True),
        help_text=_("A number of up to 9 digits; stored encrypted."),
    )  # fmt: skip

    class Meta:
        model = Terminal
        fields = (
            "name", "serial", "host", "port", "transport", "comm_password", "campus", "location", "time_zone", "mode",
            "poll_interval_minutes", "enabled", "clear_log_after_pull", "correct_clock", "max_clock_drift_seconds",
        )  # fmt: skip

    def clean_comm_password(self):
        value = self.cleaned_data["comm_password"]
        if value and not value.isdigit():
            raise forms.ValidationError(_("The comm password of a ZKTeco terminal is a number of up to 9 digits."))
        return value


@admin.register(Terminal)
class TerminalAdmin(admin.ModelAdmin):
    form = TerminalForm
    list_display = ("name", "serial", "host", "port", "mode", "campus", "enabled", "state", "last_pull_at")
    list_filter = ("mode", "state", "enabled", "campus")
    search_fields = ("name", "serial", "host")
    readonly_fields = (
        "state", "last_contact_at", "last_pull_at", "last_error", "records_on_device", "users_on_device",
        "clock_drift_seconds", "firmware", "platform", "device_name", "push_stamps",
    )  # fmt: skip
    autocomplete_fields = ("location",)


@admin.register(TerminalRun)
class TerminalRunAdmin(ReadOnlyModelAdmin):
    list_display = ("started_at", "terminal", "kind", "status", "read", "new", "duplicates", "rejected", "error")
    list_filter = ("kind", "status", "terminal")
    date_hierarchy = "started_at"


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(ReadOnlyModelAdmin):
    list_display = ("run", "line", "reason", "raw")
    search_fields = ("raw", "reason")


@admin.register(PendingDevice)
class PendingDeviceAdmin(admin.ModelAdmin):
    list_display = ("serial", "last_address", "requests", "first_seen_at", "last_seen_at")
    readonly_fields = ("serial", "last_address", "requests", "first_seen_at", "last_seen_at")
    actions = ["approve"]

    @admin.action(description=_("Register as pushing terminals (approve)"), permissions=["approve"])
    def approve(self, request, queryset):
        approved = 0
        for device in queryset:
            try:
                pending_device_approve(device=device)
            except DomainError as exc:
                self.message_user(request, f"{device.serial}: {exc.message}", messages.ERROR)
                continue
            approved += 1
        if approved:
            self.message_user(
                request, _("%(n)d terminal(s) registered; rename them and set their campus.") % {"n": approved}
            )

    def has_add_permission(self, request):
        return False

    def has_approve_permission(self, request):
        return request.user.has_perm("devices.add_terminal")


@admin.register(DeviceCommand)
class DeviceCommandAdmin(admin.ModelAdmin):
    list_display = ("terminal", "command", "status", "created_at", "sent_at", "return_code")
    list_filter = ("status", "terminal")
    readonly_fields = ("status", "sent_at", "finished_at", "return_code")
