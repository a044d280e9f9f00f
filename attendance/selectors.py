"""Reads of the attendance app used by other apps: who a PIN is, unknown PINs, watermarks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet

from logistics.org.models import Staff, Team

from .models import PinMapping, Punch, TerminalWatermark


def staff_for_pin(pin: str, on: dt.date) -> Staff | None:
    """The staff member a PIN belongs to on a date: an explicit mapping valid that day, else the
    staff member whose employee number it is."""
    mapping = (
        PinMapping.objects.select_related("staff")
        .filter(pin=pin, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .first()
    )
    if mapping:
        return mapping.staff
    return Staff.objects.filter(employee_no=pin).first()


@dataclass(frozen=True)
class UnknownPin:
    pin: str
    punches: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    terminals: int


def unknown_pins() -> list[UnknownPin]:
    """PINs with punches that belong to nobody: no staff with that employee number and no mapping.
    Kept, not dropped; they count as soon as a mapping exists. One aggregate query."""
    known_numbers = Staff.objects.values("employee_no")
    mapped = PinMapping.objects.values("pin")
    rows = (
        Punch.objects.exclude(pin__in=known_numbers)
        .exclude(pin__in=mapped)
        .values("pin")
        .annotate(
            punches=Count("id"),
            first_seen=Min("punched_at"),
            last_seen=Max("punched_at"),
            terminals=Count("terminal_serial", distinct=True),
        )
        .order_by("-last_seen")
    )
    return [UnknownPin(**row) for row in rows]


def watermark_of(terminal_serial: str) -> dt.datetime | None:
    return (
        TerminalWatermark.objects.filter(terminal_serial=terminal_serial).values_list("synced_until", flat=True).first()
    )


# --- scoping -------------------------------------------------------------------------------------
def teams_managed_by(user) -> QuerySet[Team]:
    """Teams whose rosters, requests and months the user manages: every team for the attendance
    administrator (and superusers), the teams they lead for a team lead, none for anyone else."""
    from logistics.common.registries import user_roles
    from logistics.org.roles import ATTENDANCE_ADMIN

    teams = Team.objects.filter(is_active=True).select_related("lead", "campus").order_by("code")
    if not user.is_authenticated:
        return teams.none()
    if user.is_superuser or ATTENDANCE_ADMIN in user_roles(user):
        return teams
    return teams.filter(lead__user=user)


def teams_visible_to(user) -> QuerySet[Team]:
    """Teams whose attendance (roster, month, close status) the user may look at: every active team
    for managers, finance, system and attendance administrators (and superusers), the teams they
    lead for a team lead, none for anyone else. Out of scope → 404."""
    from logistics.common.registries import user_roles
    from logistics.org.roles import ATTENDANCE_ADMIN, FINANCE, MANAGER, SYSADMIN

    teams = Team.objects.filter(is_active=True).select_related("lead", "campus").order_by("code")
    sees_all = {MANAGER, FINANCE, SYSADMIN, ATTENDANCE_ADMIN}
    if user.is_authenticated and (user.is_superuser or user_roles(user) & sees_all):
        return teams
    return teams_managed_by(user)


def tracked_staff_visible_to(user) -> QuerySet[Staff]:
    """Attendance-tracked staff whose attendance the user may see (the organization's scoping:
    managers and administrators everyone, a team lead their teams, anyone else themselves)."""
    from logistics.org.selectors import staff_visible_to

    return staff_visible_to(user).filter(attendance_tracked=True)


# --- requests ------------------------------------------------------------------------------------
def requests_pending_for(user):
    """The open requests ``user`` can decide now (the approval queue)."""
    from .models import AttendanceRequest, RequestStatus
    from .permissions import is_attendance_admin

    qs = AttendanceRequest.objects.filter(
        status__in=[RequestStatus.PENDING_LEAD, RequestStatus.PENDING_ADMIN]
    ).select_related("staff__team__lead", "staff__department", "leave_type")
    if is_attendance_admin(user):
        return qs
    return qs.filter(status=RequestStatus.PENDING_LEAD, staff__team__lead__user=user).exclude(staff__user=user)


def requests_visible_to(user):
    """Requests the user may open: their own (as the person or who entered it), their team
    members' for a team lead, all for the attendance administrator and managers (out of scope → 404)."""
    from logistics.common.registries import user_roles
    from logistics.org.roles import ATTENDANCE_ADMIN, MANAGER

    from .models import AttendanceRequest

    qs = AttendanceRequest.objects.select_related("staff__team__lead", "staff__department", "leave_type")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user_roles(user) & {ATTENDANCE_ADMIN, MANAGER}:
        return qs
    return qs.filter(Q(staff__user=user) | Q(created_by=user) | Q(staff__team__lead__user=user))


# --- schedule ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduledDay:
    pin: str
    date: dt.date
    shift: object  # ShiftType
    on_leave: bool


def scheduled_days(*, start: dt.date, end: dt.date) -> list[ScheduledDay]:
    """Roster entries of tracked staff between two dates with their PIN (employee number) and
    whether approved full-day leave covers the day (used by the terminals demo to punch along)."""
    from .models import AttendanceRequest, RequestKind, RequestStatus, RosterEntry, ShiftType

    leave = AttendanceRequest.objects.filter(
        kind=RequestKind.LEAVE, status=RequestStatus.APPROVED, portion="full", start_date__lte=end, end_date__gte=start
    ).values_list("staff_id", "start_date", "end_date")
    on_leave = {
        (staff_id, first + dt.timedelta(days=i))
        for staff_id, first, last in leave
        for i in range((last - first).days + 1)
    }
    entries = RosterEntry.objects.filter(
        date__range=(start, end), staff__attendance_tracked=True, staff__is_active=True
    ).values_list("staff_id", "staff__employee_no", "date", "shift")
    shifts = ShiftType.objects.in_bulk()
    return [
        ScheduledDay(pin, date, shifts[shift_id], (staff_id, date) in on_leave)
        for staff_id, pin, date, shift_id in entries.order_by("date", "staff_id")
    ]
