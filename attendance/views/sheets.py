"""Pages of the attendance app: the monthly sheet (考勤表) with its Excel and payroll exports, and
closing months for payroll.

- ``sheets/``: finance, managers, the attendance administrator (everyone) and team leads (their
  teams) preview a month, one department at a time; holders of ``attendance.add_sheetexport``
  export it (Excel or CSV): a task builds the file while the page polls its progress every 2 s.
- ``months/``: the close status of a month per team; the team lead closes it, the attendance
  administrator closes it for payroll; a lead close can be reopened with a reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import islice

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from logistics.common.errors import DomainError
from logistics.common.registries import MenuEntry, menu
from logistics.org.models import Department

from .. import services
from ..exports import total_headers, total_values
from ..models import SheetExport
from ..selectors import teams_managed_by, teams_visible_to
from ..selectors_month import (
    SYMBOLS,
    Adjustment,
    MonthRow,
    TeamMonth,
    can_close_month_final,
    can_close_month_lead,
    leave_types_for_sheet,
    month_close_overview,
    month_days,
    month_end,
    month_rows,
    month_staff,
    sheet_staff_visible_to,
)

SHEET_PERMISSIONS = ("attendance.view_sheetexport", "attendance.view_dailyresult")
CLOSE_PERMISSIONS = ("attendance.view_monthclose", "attendance.close_month_lead", "attendance.close_month_final")
PREVIEW_LIMIT = 200  # people shown on the page; the files have everyone
RECENT_EXPORTS = 10


def _default_month() -> dt.date:
    """The month finance works on: the previous one."""
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _month_of(value: str | None) -> dt.date:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 - a calendar month
    except ValueError:
        return _default_month()


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


class _AnyPermission(LoginRequiredMixin, PermissionRequiredMixin):
    """Allowed with any one of ``permission_required`` (a plain PermissionRequiredMixin needs all)."""

    def has_permission(self) -> bool:
        user = self.request.user
        return any(user.has_perm(p) for p in self.get_permission_required())


def sheet_exports_visible_to(user) -> QuerySet[SheetExport]:
    """Exports the user may see and download: all with ``attendance.view_sheetexport``, else their own."""
    qs = SheetExport.objects.select_related("department", "requested_by")
    if user.is_superuser or user.has_perm("attendance.view_sheetexport"):
        return qs
    return qs.filter(requested_by=user)


# --- monthly sheet -------------------------------------------------------------------------------
@dataclass
class PreviewRow:
    row: MonthRow
    totals: list
    adjustments: list[tuple[Adjustment, list, str]] = field(default_factory=list)


class MonthSheetView(_AnyPermission, TemplateView):
    """A month's sheet for one department (or all), the first ``PREVIEW_LIMIT`` people, with the
    export buttons and the user's recent exports."""

    permission_required = SHEET_PERMISSIONS
    template_name = "attendance/sheet_month.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        month = _month_of(self.request.GET.get("month"))
        scope = sheet_staff_visible_to(user)
        departments = list(
            Department.objects.filter(pk__in=month_staff(month=month, staff_qs=scope).values("department"))
            .only("pk", "name", "code", "sort_order")
            .order_by("sort_order", "name")
        )
        wanted = _int(self.request.GET.get("department"))
        department = next((d for d in departments if d.pk == wanted), None)
        if department is None and self.request.GET.get("department") != "all" and departments:
            department = departments[0]
        leave_types = leave_types_for_sheet()
        leave_names = {code: name for code, name, _symbol in leave_types}
        rows = list(islice(month_rows(month=month, department=department, staff_qs=scope), PREVIEW_LIMIT + 1))
        more = len(rows) > PREVIEW_LIMIT
        rows = rows[:PREVIEW_LIMIT]
        preview = [
            PreviewRow(
                row,
                total_values(row.totals, leave_types),
                [(a, total_values(a.delta, leave_types), ", ".join(a.changes(leave_names))) for a in row.adjustments],
            )
            for row in rows
        ]
        closed = sum(row.closed for row in rows)
        context.update(
            month=month,
            month_param=f"{month:%Y-%m}",
            departments=departments,
            department=department,
            days=month_days(month),
            headers=total_headers(leave_types),
            preview=preview,
            more=more,
            total=month_staff(month=month, department=department, staff_qs=scope).count() if more else len(rows),
            closed=closed,
            all_closed=bool(rows) and closed == len(rows),
            symbols=SYMBOLS,
            leave_types=leave_types,
            can_export=user.has_perm("attendance.add_sheetexport"),
            formats=SheetExport.Format.choices,
            exports=sheet_exports_visible_to(user)[:RECENT_EXPORTS],
        )
        return context


class SheetExportForm(forms.Form):
    month = forms.CharField(max_length=7)
    format = forms.ChoiceField(choices=SheetExport.Format.choices)
    department = forms.ModelChoiceField(queryset=Department.objects.all(), required=False)

    def clean_month(self) -> dt.date:
        try:
            return dt.datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()  # noqa: DTZ007
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None


class SheetExportCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Request an export: the row is created and the task queued; with htmx the progress card is
    returned (it polls itself), without htmx back to the sheet page."""

    permission_required = "attendance.add_sheetexport"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SheetExportForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The export could not be requested: choose a month and a format."))
            return redirect("attendance:sheet_month")
        data = form.cleaned_data
        try:
            export = services.sheet_export_request(
                month=data["month"], format=data["format"], department=data["department"], actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("attendance:sheet_month")
        if request.htmx:
            return render(request, "attendance/partials/_sheet_export.html", {"export": export})
        messages.success(request, _("The export is being prepared; the download appears below when it is ready."))
        query = {
            "month": f"{data['month']:%Y-%m}",
            "department": data["department"].pk if data["department"] else "all",
        }
        return redirect(f"{reverse('attendance:sheet_month')}?{urlencode(query)}")


class SheetExportDetailView(LoginRequiredMixin, View):
    """The progress of one export: the card alone for the htmx poll, else a small page."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        export = get_object_or_404(sheet_exports_visible_to(request.user), pk=pk)
        template = "attendance/partials/_sheet_export.html" if request.htmx else "attendance/sheet_export_detail.html"
        response = render(request, template, {"export": export})
        patch_vary_headers(response, ("HX-Request",))
        return response


class SheetExportDownloadView(LoginRequiredMixin, View):
    """The file of a finished export: for the person who asked for it and for holders of
    ``attendance.view_sheetexport`` (others get 404)."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        export = get_object_or_404(sheet_exports_visible_to(request.user), pk=pk, status=SheetExport.Status.DONE)
        if not export.file:
            raise Http404
        where = export.department.name if export.department else _("All departments")
        kind = _("Attendance sheet") if export.format == SheetExport.Format.XLSX else _("Payroll")
        name = f"{kind} {export.month:%Y-%m} {where}.{export.format}"
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)


# --- month close ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CloseRow:
    item: TeamMonth
    can_lead: bool
    can_final: bool
    can_reopen: bool


def _close_context(request: HttpRequest, month: dt.date) -> dict:
    user = request.user
    final = can_close_month_final(user)
    rows = []
    for item in month_close_overview(month=month, teams=teams_visible_to(user)):
        lead = can_close_month_lead(user, item.team)
        rows.append(
            CloseRow(
                item,
                can_lead=lead and item.status == "open",
                can_final=final and item.status == "lead_closed",
                can_reopen=lead and item.status == "lead_closed",
            )
        )
    return {
        "month": month,
        "month_param": f"{month:%Y-%m}",
        "rows": rows,
        "month_over": month_end(month) < timezone.localdate(),
    }


class MonthCloseListView(_AnyPermission, TemplateView):
    """The close status of a month for each team the user may see, with the buttons they may use."""

    permission_required = CLOSE_PERMISSIONS
    template_name = "attendance/month_close_list.html"

    def get_template_names(self) -> list[str]:
        return ["attendance/partials/_month_close_table.html" if self.request.htmx else self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_close_context(self.request, _month_of(self.request.GET.get("month"))))
        return context


class _MonthCloseActionView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST one close step for a team the user manages (others: 404). A refusal becomes an error
    message; with htmx the updated table is returned (``HX-Trigger: monthCloseChanged``)."""

    success = ""

    def act(self, *, team, month: dt.date, request: HttpRequest) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, team: int, year: int, month: int) -> HttpResponse:
        team_obj = get_object_or_404(teams_managed_by(request.user), pk=team)
        try:
            first = dt.date(year, month, 1)
        except ValueError:
            raise Http404 from None
        try:
            self.act(team=team_obj, month=first, request=request)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.success % {"team": team_obj.name, "month": f"{first:%Y-%m}"})
        if request.htmx:
            response = render(request, "attendance/partials/_month_close_table.html", _close_context(request, first))
            response["HX-Trigger"] = "monthCloseChanged"
            return response
        return redirect(f"{reverse('attendance:monthclose_list')}?month={first:%Y-%m}")


class MonthCloseLeadView(_MonthCloseActionView):
    permission_required = "attendance.close_month_lead"
    success = gettext_lazy("%(team)s: %(month)s closed by the team lead.")

    def act(self, *, team, month, request):
        services.month_close_lead(team=team, month=month, actor=request.user)


class MonthCloseFinalView(_MonthCloseActionView):
    permission_required = "attendance.close_month_final"
    success = gettext_lazy("%(team)s: %(month)s closed for payroll.")

    def act(self, *, team, month, request):
        services.month_close_final(team=team, month=month, actor=request.user)


class MonthReopenView(_MonthCloseActionView):
    permission_required = "attendance.close_month_lead"
    success = gettext_lazy("%(team)s: %(month)s reopened.")

    def act(self, *, team, month, request):
        services.month_reopen(team=team, month=month, actor=request.user, reason=request.POST.get("reason", ""))


_TEAM_MONTH = "months/<int:team>/<int:year>/<int:month>"
urlpatterns: list = [
    path("sheets/", MonthSheetView.as_view(), name="sheet_month"),
    path("sheets/exports/", SheetExportCreateView.as_view(), name="sheetexport_create"),
    path("sheets/exports/<int:pk>/", SheetExportDetailView.as_view(), name="sheetexport_detail"),
    path("sheets/exports/<int:pk>/download/", SheetExportDownloadView.as_view(), name="sheetexport_download"),
    path("months/", MonthCloseListView.as_view(), name="monthclose_list"),
    path(f"{_TEAM_MONTH}/close-lead/", MonthCloseLeadView.as_view(), name="monthclose_lead"),
    path(f"{_TEAM_MONTH}/close-final/", MonthCloseFinalView.as_view(), name="monthclose_final"),
    path(f"{_TEAM_MONTH}/reopen/", MonthReopenView.as_view(), name="monthclose_reopen"),
]


def register_menu() -> None:
    """Menu entries of these pages (called from AttendanceConfig.ready)."""
    menu.register(
        MenuEntry(
            key="attendance.sheet_month",
            label=gettext_lazy("Monthly sheet"),
            description=gettext_lazy("The month per person and day, exported to Excel and for payroll"),
            url_name="attendance:sheet_month",
            section=gettext_lazy("Attendance"),
            icon="bi-table",
            order=340,
            permissions=SHEET_PERMISSIONS,
        )
    )
    menu.register(
        MenuEntry(
            key="attendance.monthclose_list",
            label=gettext_lazy("Month close"),
            description=gettext_lazy("Close a team's month: team lead first, then for payroll"),
            url_name="attendance:monthclose_list",
            section=gettext_lazy("Attendance"),
            icon="bi-lock",
            order=345,
            permissions=CLOSE_PERMISSIONS,
        )
    )
