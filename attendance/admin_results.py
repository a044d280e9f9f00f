"""Admin of leave configuration, requests, results and month closing (imported by admin.py).
Requests and results are read-only here: they change through the services (approval workflow,
recomputation), which the admin actions call."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.common.admin import ReadOnlyModelAdmin
from logistics.common.errors import DomainError

from .models import (
    AttendanceRequest,
    DailyResult,
    LeaveBalance,
    LeaveType,
    MonthClose,
    PresenceEvidence,
    RequestEvent,
    SheetExport,
)
from .services import results_recompute_range


@admin.register(LeaveType)
class LeaveTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "symbol", "paid", "has_balance", "default_days", "admin_approval_from_days",
                    "order", "is_active")  # fmt: skip
    list_editable = ("order",)
    search_fields = ("code", "name")


@admin.register(LeaveBalance)
class LeaveBalanceAdmin(admin.ModelAdmin):
    list_display = ("staff", "year", "leave_type", "entitled_days", "carried_days")
    list_filter = ("year", "leave_type")
    search_fields = ("staff__name", "staff__employee_no")
    autocomplete_fields = ("staff",)


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ("kind", "actor", "at", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AttendanceRequest)
class AttendanceRequestAdmin(ReadOnlyModelAdmin):
    list_display = ("staff", "kind", "status", "leave_type", "start_date", "end_date", "days", "created_at")
    list_filter = ("kind", "status", "leave_type")
    search_fields = ("staff__name", "staff__employee_no", "reason")
    date_hierarchy = "start_date"
    inlines = [RequestEventInline]


class RecomputeForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))


@admin.register(DailyResult)
class DailyResultAdmin(ReadOnlyModelAdmin):
    """Results are computed, never typed in. "Recompute a date range" queues every tracked person
    (or the selected results' people) for the worker."""

    list_display = ("date", "staff", "status", "shift_codes", "worked_minutes", "late_minutes", "early_minutes",
                    "overtime_workday_minutes", "leave_type", "awaiting_sync", "changed_after_close")  # fmt: skip
    list_filter = ("status", "day_type", "awaiting_sync", "changed_after_close")
    search_fields = ("staff__name", "staff__employee_no")
    date_hierarchy = "date"
    show_full_result_count = False
    actions = ["recompute_range"]

    @admin.action(description=gettext_lazy("Recompute a date range"), permissions=["recompute"])
    def recompute_range(self, request, queryset):
        if "apply" in request.POST:
            form = RecomputeForm(request.POST)
            if form.is_valid():
                start, end = form.cleaned_data["start"], form.cleaned_data["end"]
                try:
                    if end - start > dt.timedelta(days=92):
                        raise DomainError(_("Recompute at most three months at a time."))
                    people = None if request.POST.get("everyone") else set(queryset.values_list("staff_id", flat=True))
                    queued = results_recompute_range(start=start, end=end, staff_ids=people)
                except DomainError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                    return None
                self.message_user(request, _("%(n)d person-days queued for recomputation.") % {"n": queued})
                return None
        else:
            dates = queryset.values_list("date", flat=True)
            form = RecomputeForm(initial={"start": min(dates, default=None), "end": max(dates, default=None)})
        context = {**self.admin_site.each_context(request), "form": form, "queryset": queryset,
                   "opts": self.model._meta, "action": "recompute_range"}  # fmt: skip
        return render(request, "admin/attendance/recompute_range.html", context)

    def has_recompute_permission(self, request) -> bool:
        return request.user.has_perm("attendance.recompute_dailyresult")


@admin.register(PresenceEvidence)
class PresenceEvidenceAdmin(ReadOnlyModelAdmin):
    list_display = ("at", "staff", "source", "reference", "place")
    list_filter = ("source",)
    search_fields = ("staff__name", "staff__employee_no", "reference")
    date_hierarchy = "at"


@admin.register(MonthClose)
class MonthCloseAdmin(ReadOnlyModelAdmin):
    list_display = ("month", "team", "status", "lead_closed_by", "lead_closed_at", "closed_by", "closed_at")
    list_filter = ("status", "team")


@admin.register(SheetExport)
class SheetExportAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "month", "format", "department", "status", "requested_by", "finished_at")
    list_filter = ("status", "format")
