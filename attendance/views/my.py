"""Pages of the attendance app: "My attendance" and the team view.

My attendance: a month calendar of my daily results (status, shifts, first in / last out, late and
early minutes, leave), the month's totals, my leave balances and my recent requests; a day opens a
panel (htmx) with that day's roster, punches, result and requests, and links to ask for a punch
correction, leave or overtime for it. The team view, for team leads, attendance administrators and
managers: people × days of a month with a symbol per day and each person's totals; a cell opens
the same day panel. Everything is read here (results are computed by the services); query counts
do not grow with the number of people or days.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from logistics.common.registries import MenuEntry, menu
from logistics.org.models import Staff

from ..forms_requests import days_label, format_days
from ..models import AttendanceRequest, CalendarDay, DailyResult, DayStatus, PinMapping, Punch, RosterEntry
from ..rules import HOLIDAY, REST, day_type, shift_segments
from ..selectors import teams_visible_to
from ..selectors_month import Totals, leave_type_map, totals_of_results
from .requests import decorate, leave_balances, own_staff, parse_date

RESULTS_PERMISSION = "attendance.view_dailyresult"
DAY = dt.timedelta(days=1)
# A night shift's check-out falls the next morning: the day panel shows punches until then.
NIGHT_MORNING = dt.timedelta(hours=12)
RECENT_REQUESTS = 5

STATUS_CSS = {
    DayStatus.PENDING: "text-bg-light border",
    DayStatus.ABSENT: "text-bg-danger",
    DayStatus.MISSING: "text-bg-warning",
    DayStatus.LATE_EARLY: "text-bg-warning",
    DayStatus.LATE: "text-bg-warning",
    DayStatus.EARLY: "text-bg-warning",
    DayStatus.LEAVE: "text-bg-info",
    DayStatus.PRESENT: "text-bg-success",
    DayStatus.REST: "text-bg-secondary",
    DayStatus.HOLIDAY: "text-bg-primary",
}
# One or two characters per day on the team grid (the monthly sheet's symbols in Chinese).
STATUS_SYMBOLS = {
    DayStatus.PENDING: "·",
    DayStatus.ABSENT: pgettext_lazy("attendance day symbol", "A"),
    DayStatus.MISSING: pgettext_lazy("attendance day symbol", "M"),
    DayStatus.LATE_EARLY: pgettext_lazy("attendance day symbol", "LE"),
    DayStatus.LATE: pgettext_lazy("attendance day symbol", "L"),
    DayStatus.EARLY: pgettext_lazy("attendance day symbol", "E"),
    DayStatus.LEAVE: pgettext_lazy("attendance day symbol", "V"),
    DayStatus.PRESENT: "✓",
    DayStatus.REST: pgettext_lazy("attendance day symbol", "R"),
    DayStatus.HOLIDAY: pgettext_lazy("attendance day symbol", "H"),
}


def _legend() -> list[tuple[str, str, str]]:
    return [(str(STATUS_SYMBOLS[s]), str(s.label), STATUS_CSS[s]) for s in DayStatus]


def _hm(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _hours(minutes: int) -> str:
    return format_days(Decimal(minutes) / 60)


def _decorate_result(result: DailyResult | None) -> DailyResult | None:
    """Display values of a result: colour, symbol (the leave type's own on leave), times as h:mm."""
    if result is not None:
        result.css = STATUS_CSS.get(result.status, "text-bg-light")
        symbol = result.leave_type.symbol if result.status == DayStatus.LEAVE and result.leave_type_id else ""
        result.symbol = symbol or STATUS_SYMBOLS.get(result.status, "?")
        result.worked_text = _hm(result.worked_minutes)
        result.scheduled_text = _hm(result.scheduled_minutes)
        result.overtime_text = _hm(result.overtime_minutes)
        result.leave_days_label = days_label(result.leave_days)
    return result


# --- months --------------------------------------------------------------------------------------
def _month_of(value: str | None) -> dt.date:
    """First day of the month ``YYYY-MM`` (this month when missing or malformed)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _month_nav(first: dt.date) -> dict:
    previous = (first - DAY).replace(day=1)
    following = _month_end(first) + DAY
    return {"month": first, "prev_month": f"{previous:%Y-%m}", "next_month": f"{following:%Y-%m}"}


def month_totals(results, leave_types=None) -> Totals:
    """A person's month in figures, counted as the monthly sheet counts them."""
    return totals_of_results(results, leave_types)


@dataclass(frozen=True)
class DayHead:
    date: dt.date
    weekday: str
    kind: str  # rules.WORKDAY / REST / HOLIDAY
    is_today: bool


def _day_heads(first: dt.date, last: dt.date) -> list[DayHead]:
    cal = dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind"))
    today = timezone.localdate()
    days = [first + DAY * i for i in range((last - first).days + 1)]
    return [DayHead(d, str(WEEKDAYS_ABBR[d.weekday()]), day_type(d, cal), d == today) for d in days]


# --- the day panel -------------------------------------------------------------------------------
def _pins_on(staff: Staff, day: dt.date) -> set[str]:
    """The PINs that are the person's around ``day``: mappings to them, and their employee number
    unless it is mapped to somebody else then (PINs are reused)."""
    mappings = PinMapping.objects.filter(Q(staff=staff) | Q(pin=staff.employee_no), valid_from__lte=day + DAY).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    pins, own_number_taken = {staff.employee_no}, False
    for pin, staff_id in mappings.values_list("pin", "staff_id"):
        if staff_id == staff.pk:
            pins.add(pin)
        elif pin == staff.employee_no:
            own_number_taken = True
    if own_number_taken:
        pins.discard(staff.employee_no)
    return pins


def _terminal_names(serials: set[str]) -> dict[str, str]:
    """Terminal names by serial, when the terminals app is installed (attendance does not import it)."""
    if not serials:
        return {}
    try:
        terminal = apps.get_model("devices", "Terminal")
    except LookupError:
        return {}
    return dict(terminal.objects.filter(serial__in=serials).values_list("serial", "name"))


def _correction_links(day: dt.date, result: DailyResult | None, shifts: list) -> list[tuple[str, str]]:
    """Links to the correction form: prefilled with the shift's start for a missing check-in and
    its end for a missing check-out (the next morning after a night)."""
    url = reverse("attendance:request_correction_create")
    links = []
    if result and shifts:
        segments = [seg for shift in shifts for seg in shift_segments(shift, day)]
        start, end = min(s.start for s in segments), max(s.end for s in segments)
        if result.missing_in or result.absent:
            links.append((_("Forgot to punch in at %(time)s") % {"time": f"{start:%H:%M}"}, start))
        if result.missing_out or result.absent:
            links.append((_("Forgot to punch out at %(time)s") % {"time": f"{end:%H:%M}"}, end))
    out = [(label, f"{url}?{urlencode({'date': f'{at:%Y-%m-%d}', 'time': f'{at:%H:%M}'})}") for label, at in links]
    out.append((_("Request a punch correction"), f"{url}?{urlencode({'date': day.isoformat()})}"))
    return out


def day_panel_context(staff: Staff, day: dt.date, *, own: bool) -> dict:
    """One person's day: roster, result, punches (with source and terminal), requests touching it,
    and for the person themself links to request a correction, leave or overtime for it."""
    result = _decorate_result(DailyResult.objects.filter(staff=staff, date=day).select_related("leave_type").first())
    roster = list(RosterEntry.objects.filter(staff=staff, date=day).select_related("shift").order_by("shift__start"))
    shifts = [entry.shift for entry in roster]
    night = (result and result.night) or any(seg.end.date() > day for s in shifts for seg in shift_segments(s, day))
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = start + DAY + (NIGHT_MORNING if night else dt.timedelta(0))
    punches = list(
        Punch.objects.filter(pin__in=_pins_on(staff, day), punched_at__gte=start, punched_at__lt=end).order_by(
            "punched_at", "pk"
        )
    )
    names = _terminal_names({p.terminal_serial for p in punches if p.terminal_serial})
    for punch in punches:
        punch.terminal_name = names.get(punch.terminal_serial, "")
        punch.next_day = timezone.localtime(punch.punched_at, zone).date() > day
    requests = AttendanceRequest.objects.filter(staff=staff, start_date__lte=day, end_date__gte=day)
    context = {
        "panel_staff": staff,
        "day": day,
        "result": result,
        "roster": [(entry.shift, shift_segments(entry.shift, day)) for entry in roster],
        "punches": punches,
        "day_requests": decorate(requests.select_related("leave_type").order_by("-created_at")),
        "own": own,
        "future": day > timezone.localdate(),
    }
    if own:
        query = urlencode({"date": day.isoformat()})
        too_old = day < timezone.localdate() - DAY * settings.ATTENDANCE_CORRECTION_MAX_DAYS
        context.update(
            correction_links=[] if context["future"] or too_old else _correction_links(day, result, shifts),
            leave_url=f"{reverse('attendance:request_leave_create')}?{query}",
            overtime_url=f"{reverse('attendance:request_overtime_create')}?{query}",
        )
    return context


# --- my attendance -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CalendarCell:
    date: dt.date
    in_month: bool
    is_today: bool
    kind: str
    result: DailyResult | None


class MyAttendanceView(LoginRequiredMixin, View):
    """My month: calendar, totals, balances, recent requests; ``?day=`` opens a day's panel
    (the calendar's links work without JavaScript too)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        staff = own_staff(request.user)
        first = _month_of(request.GET.get("month"))
        context = {"staff": staff, "legend": _legend(), **_month_nav(first)}
        if staff is None:
            return render(request, "attendance/my_attendance.html", context)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        lo, hi = weeks[0][0], weeks[-1][-1]
        results = {
            r.date: _decorate_result(r)
            for r in DailyResult.objects.filter(staff=staff, date__range=(lo, hi)).select_related("leave_type")
        }
        kinds = {head.date: head for head in _day_heads(lo, hi)}
        cells = [
            [CalendarCell(d, d.month == first.month, kinds[d].is_today, kinds[d].kind, results.get(d)) for d in week]
            for week in weeks
        ]
        in_month = [r for d, r in results.items() if d.month == first.month and d.year == first.year]
        requests = AttendanceRequest.objects.filter(staff=staff).select_related("leave_type")
        context.update(
            weeks=cells,
            weekdays=[str(WEEKDAYS_ABBR[i]) for i in range(7)],
            totals=month_totals(in_month),
            balances=[(t, {k: format_days(v) for k, v in b.items()}) for t, b in leave_balances(staff, first.year)],
            recent=decorate(requests.order_by("-created_at", "-pk")[:RECENT_REQUESTS]),
            year=first.year,
            REST=REST,
            HOLIDAY=HOLIDAY,
        )
        day = parse_date(request.GET.get("day"))
        if day is not None:
            context.update(day_panel_context(staff, day, own=True))
        return render(request, "attendance/my_attendance.html", context)


class MyDayView(LoginRequiredMixin, View):
    """htmx: the panel of one of my days; without htmx, the month page with that day open."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, day: str) -> HttpResponse:
        staff = own_staff(request.user)
        date = parse_date(day)
        if staff is None or date is None:
            raise Http404
        if not request.htmx:
            query = urlencode({"month": f"{date:%Y-%m}", "day": date.isoformat()})
            return HttpResponseRedirect(f"{reverse('attendance:my_attendance')}?{query}")
        return render(request, "attendance/partials/_day_panel.html", day_panel_context(staff, date, own=True))


# --- team view -----------------------------------------------------------------------------------
def team_staff_visible_to(user) -> QuerySet[Staff]:
    """Tracked members of the teams the user may look at (out of scope → 404)."""
    return Staff.objects.filter(team__in=teams_visible_to(user), attendance_tracked=True)


@dataclass
class TeamRow:
    staff: Staff
    cells: list[tuple[DayHead, DailyResult | None, str]]
    totals: Totals


class TeamAttendanceView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """People × days of one team's month, with each person's totals. ``?team=`` picks the team
    (out of scope → 404), ``?person=&day=`` opens a day's panel."""

    http_method_names = ["get"]
    permission_required = RESULTS_PERMISSION

    def get(self, request: HttpRequest) -> HttpResponse:
        teams = list(teams_visible_to(request.user))
        first = _month_of(request.GET.get("month"))
        last = _month_end(first)
        team = teams[0] if teams else None
        if request.GET.get("team"):
            team = next((t for t in teams if str(t.pk) == request.GET["team"]), None)
            if team is None:
                raise Http404
        context = {"teams": teams, "team": team, "legend": _legend(), **_month_nav(first)}
        if team is not None:
            people = list(
                Staff.objects.filter(team=team, attendance_tracked=True, is_active=True)
                .only("pk", "name", "employee_no", "position", "user_id")
                .order_by("employee_no")
            )
            results = {
                (r.staff_id, r.date): _decorate_result(r)
                for r in DailyResult.objects.filter(
                    staff_id__in=[p.pk for p in people], date__range=(first, last)
                ).select_related("leave_type")
            }
            heads = _day_heads(first, last)
            # One reverse for ~900 cells: the URL pattern with placeholders filled per cell.
            pattern = reverse("attendance:team_day", args=[987654321, "1111-11-11"])
            rows = []
            leave_types = leave_type_map()
            for person in people:
                url = pattern.replace("987654321", str(person.pk))
                cells = [(h, results.get((person.pk, h.date)), url.replace("1111-11-11", str(h.date))) for h in heads]
                rows.append(TeamRow(person, cells, month_totals((r for _h, r, _u in cells if r), leave_types)))
            context.update(heads=heads, rows=rows, HOLIDAY=HOLIDAY, REST=REST)
            person = _parse_int(request.GET.get("person"))
            day = parse_date(request.GET.get("day"))
            if person is not None and day is not None:
                staff = get_object_or_404(team_staff_visible_to(request.user), pk=person)
                context.update(day_panel_context(staff, day, own=staff.user_id == request.user.pk))
        return render(request, "attendance/team_attendance.html", context)


def _parse_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class TeamDayView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """htmx: the day panel of a member of a team the user may look at (else 404); without htmx,
    the team page with that day open."""

    http_method_names = ["get"]
    permission_required = RESULTS_PERMISSION

    def get(self, request: HttpRequest, staff_pk: int, day: str) -> HttpResponse:
        date = parse_date(day)
        if date is None:
            raise Http404
        staff = get_object_or_404(team_staff_visible_to(request.user), pk=staff_pk)
        if not request.htmx:
            query = urlencode({"team": staff.team_id, "month": f"{date:%Y-%m}", "person": staff.pk, "day": day})
            return HttpResponseRedirect(f"{reverse('attendance:team_attendance')}?{query}")
        context = day_panel_context(staff, date, own=staff.user_id == request.user.pk)
        return render(request, "attendance/partials/_day_panel.html", context)


urlpatterns: list = [
    path("my/", MyAttendanceView.as_view(), name="my_attendance"),
    path("my/day/<str:day>/", MyDayView.as_view(), name="my_day"),
    path("team/", TeamAttendanceView.as_view(), name="team_attendance"),
    path("team/day/<int:staff_pk>/<str:day>/", TeamDayView.as_view(), name="team_day"),
]


def register_menu() -> None:
    """Menu entries of these pages (called from AttendanceConfig.ready). "My attendance" is shown
    to every logged-in user: telling whether a user has a tracked staff record would cost a query
    on every page; the page itself explains when there is nothing to show."""
    section = gettext_lazy("Attendance")
    menu.register(
        MenuEntry(
            key="attendance.my_attendance",
            label=gettext_lazy("My attendance"),
            description=gettext_lazy("My days, punches, leave balances and requests"),
            url_name="attendance:my_attendance",
            section=section,
            icon="bi-calendar-check",
            order=200,
        )
    )
    menu.register(
        MenuEntry(
            key="attendance.team_attendance",
            label=gettext_lazy("Team attendance"),
            description=gettext_lazy("A team's month, person by person and day by day"),
            url_name="attendance:team_attendance",
            section=section,
            icon="bi-grid-3x3",
            order=220,
            permissions=(RESULTS_PERMISSION,),
        )
    )
