"""Pages of the attendance app: reports with filters and trend charts (lateness and absence by
department and month)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from logistics.common.registries import MenuEntry, menu
from logistics.org.models import Department

from ..selectors import teams_visible_to, tracked_staff_visible_to
from ..selectors_reports import attendance_trends

MAX_MONTHS = 24
CHART_DEPARTMENTS = 8  # lines on a chart; the table lists every department


def _month(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{value}-01") if value else default
    except ValueError:
        return default


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class AttendanceReportView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Lateness, absence, missing punches, leave and overtime by department and month, for the
    people the user may see. Filters: month range (at most 24 months), department, team."""

    permission_required = "attendance.view_dailyresult"
    template_name = "attendance/report_trends.html"

    def get_context_data(self, **kwargs):
        user, params = self.request.user, self.request.GET
        this_month = timezone.localdate().replace(day=1)
        default_first = (this_month - dt.timedelta(days=150)).replace(day=1)
        first, last = _month(params.get("from"), default_first), _month(params.get("to"), this_month)
        if last < first:
            first, last = last, first
        if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
            first = (last - dt.timedelta(days=31 * (MAX_MONTHS - 1))).replace(day=1)
        staff = tracked_staff_visible_to(user)
        teams = teams_visible_to(user)
        departments = Department.objects.filter(pk__in=staff.values("department")).order_by("code")
        team = teams.filter(pk=_int(params.get("team"))).first()
        department = departments.filter(pk=_int(params.get("department"))).first()
        trends = attendance_trends(staff_qs=staff, first_month=first, last_month=last, team=team, department=department)
        shown = trends.departments[:CHART_DEPARTMENTS]
        chart = {
            "labels": [f"{m:%Y-%m}" for m in trends.months],
            "late": {d: v for d, v in trends.series("late_count").items() if d in shown},
            "absent": {d: v for d, v in trends.series("absences").items() if d in shown},
            "late_label": str(_("Late arrivals")),
            "absent_label": str(_("Absences")),
        }
        return super().get_context_data(
            **kwargs,
            trends=trends,
            chart=chart,
            first=first,
            last=last,
            teams=teams,
            departments=departments,
            team=team,
            department=department,
        )


urlpatterns = [path("reports/", AttendanceReportView.as_view(), name="report_trends")]


def register_menu() -> None:
    menu.register(
        MenuEntry(
            key="attendance.reports",
            label=_("Attendance reports"),
            description=_("Lateness and absence by department and month"),
            url_name="attendance:report_trends",
            section=_("Attendance"),
            icon="bi-graph-up",
            order=260,
            permissions=("attendance.view_dailyresult",),
        )
    )
