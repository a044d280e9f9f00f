"""Demo data of the attendance app: the holiday calendar (from chinese-calendar), shift types for
every team (day, evening, night, 24-hour duty), rotating rosters for the past and current month,
leave balances, and leave / overtime / correction requests in every state. The terminals demo then
punches along these rosters and computes the results, so the month sheet is full. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from logistics.common.errors import DomainError
from logistics.org.models import Staff, Team, TeamKind

from .models import AttendanceRequest, CalendarDay, LeaveBalance, LeaveType, RosterEntry, ShiftType
from .rules import WORKDAY, day_type
from .services import (
    calendar_fill,
    correction_request_submit,
    leave_request_submit,
    overtime_request_submit,
    request_approve,
    request_cancel,
    request_reject,
)

T = dt.time
DAY = dt.timedelta(days=1)
SHIFTS = (
    # code suffix, name, start, end, 24 h, rest after
    ("D", "白班", T(8), T(17, 30), False, False),
    ("E", "中班", T(16), T(0), False, False),
    ("N", "夜班", T(20), T(8), False, True),
    ("H", "24小时值班", T(8), T(8), True, True),
)
# Teams that work around the clock rotate; the others work office days per the holiday calendar.
ROTATIONS = {
    TeamKind.WATER_ELECTRIC: ("D", "E", "N", None, None),
    TeamKind.SECURITY: ("D", "E", "N", None, None),
    TeamKind.ELEVATOR: ("D", "D", "E", "E", None, None),
    TeamKind.TRANSPORT: ("D", "D", "E", "E", None, None),
    TeamKind.MEDICAL_GAS: ("H", None, None),
}
GENERAL_SHIFT = "DAY"
REQUEST_REASON = "演示："


def seed(scale: str, rng: random.Random) -> dict[str, int]:
    today = timezone.localdate()
    days = sum(calendar_fill(year=y).created for y in (today.year - 1, today.year, today.year + 1))
    shift_types = _shift_types()
    start = (today.replace(day=1) - DAY).replace(day=1)  # first day of last month
    end = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - DAY  # last day of this month
    entries = _rosters(start, end)
    balances = _balances(today.year)
    requests = _requests(today, random.Random(rng.getrandbits(64)))
    return {
        "calendar_days": days,
        "shift_types": shift_types,
        "roster_entries": entries,
        "leave_balances": balances,
        "requests": requests,
    }


def _shift_types() -> int:
    existing = set(ShiftType.objects.values_list("code", flat=True))
    new = []
    for team in Team.objects.filter(is_active=True).order_by("code"):
        for suffix, name, start, end, is_24h, rest_after in SHIFTS:
            code = f"{team.code}-{suffix}"[:20]
            if code in existing:
                continue
            new.append(
                ShiftType(
                    code=code,
                    name=f"{team.name}{name}"[:50],
                    team=team,
                    start=start,
                    end=end,
                    is_24h=is_24h,
                    rest_day_after=rest_after,
                    break_minutes=0 if is_24h else 60 if suffix == "D" else 30,
                    full_day_minutes=420,
                )
            )
    if GENERAL_SHIFT not in existing:
        new.append(ShiftType(code=GENERAL_SHIFT, name="行政白班", start=T(8), end=T(17, 30), break_minutes=60))
    ShiftType.objects.bulk_create(new)
    return len(new)


def _rosters(start: dt.date, end: dt.date) -> int:
    """Rotations for round-the-clock teams (each member offset by one step), office days for the
    rest (adjusted working Saturdays included, holidays off). Loaded in bulk; days that already
    have entries are left alone."""
    shifts = {s.code: s for s in ShiftType.objects.all()}
    calendar = dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"))
    taken = set(RosterEntry.objects.filter(date__range=(start, end)).values_list("staff_id", "date"))
    rows = []
    people = Staff.objects.filter(attendance_tracked=True, is_active=True).select_related("team").order_by("pk")
    for index, person in enumerate(people):
        team = person.team
        rotation = ROTATIONS.get(team.kind) if team else None
        lead = team is not None and team.lead_id == person.pk
        day = start
        while day <= end:
            if (person.pk, day) not in taken:
                if rotation and not lead:
                    step = rotation[(day.toordinal() + index) % len(rotation)]
                    shift = shifts.get(f"{team.code}-{step}"[:20]) if step else None
                elif day_type(day, calendar) == WORKDAY:
                    shift = shifts.get(f"{team.code}-D"[:20]) if team else shifts.get(GENERAL_SHIFT)
                else:
                    shift = None
                if shift is not None:
                    rows.append(RosterEntry(staff=person, date=day, shift=shift))
            day += DAY
    RosterEntry.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


def _balances(year: int) -> int:
    types = {t.code: t for t in LeaveType.objects.filter(has_balance=True)}
    have = set(LeaveBalance.objects.filter(year=year).values_list("staff_id", "leave_type_id"))
    rows = []
    for person in Staff.objects.filter(attendance_tracked=True, is_active=True).only("pk"):
        for code, leave_type in types.items():
            if (person.pk, leave_type.pk) in have:
                continue
            entitled = Decimal(5 + person.pk % 11) if code == "annual" else Decimal(2)
            rows.append(LeaveBalance(staff=person, year=year, leave_type=leave_type, entitled_days=entitled))
    LeaveBalance.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


def _requests(today: dt.date, rng: random.Random) -> int:
    """A few dozen requests through the real services, in every state: approved (full, half day
    and hours leave, overtime, corrections), waiting for the lead, waiting for the administrator,
    rejected and cancelled. Skipped when demo requests exist."""
    if AttendanceRequest.objects.filter(reason__startswith=REQUEST_REASON).exists():
        return 0
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        return 0
    types = {t.code: t for t in LeaveType.objects.all()}
    people = list(
        Staff.objects.filter(attendance_tracked=True, is_active=True, team__lead__isnull=False)
        .exclude(team__lead=F("pk"))
        .select_related("team__lead__user")
        .order_by("pk")[:400]
    )
    rng.shuffle(people)
    # Members of teams whose lead has a demo login first: their approval queue is not empty.
    people.sort(key=lambda p: p.team.lead.user_id is None)
    done = 0
    start = (today.replace(day=1) - DAY).replace(day=1)
    rostered = {}
    for staff_id, date in RosterEntry.objects.filter(
        staff__in=people, date__range=(start, today + dt.timedelta(days=20))
    ).values_list("staff_id", "date"):
        rostered.setdefault(staff_id, []).append(date)
    # Waiting ones first: the demo team lead's own team then has requests in the approval queue.
    plans = ["lead", "overtime_wait", "correction_wait", "admin", "leave_ok", "half_ok", "hours_ok", "sick_ok",
             "rejected", "cancelled", "overtime_ok", "correction_ok"] * 4  # fmt: skip
    for plan, person in zip(plans, people, strict=False):
        days = sorted(d for d in rostered.get(person.pk, []) if d < today - DAY)
        future = sorted(d for d in rostered.get(person.pk, []) if d > today + DAY)
        if not days or not future:
            continue
        day = rng.choice(days[-25:])
        lead_user = person.team.lead.user if person.team and person.team.lead else None
        approver = lead_user or admin
        try:
            if plan in ("leave_ok", "sick_ok", "half_ok", "hours_ok"):
                kind = {"leave_ok": "annual", "sick_ok": "sick", "half_ok": "personal", "hours_ok": "personal"}[plan]
                portion = {"half_ok": "am", "hours_ok": "hours"}.get(plan, "full")
                span = (day, day + DAY) if plan == "sick_ok" else (day, day)
                times = (None, None)
                if portion == "hours":
                    times = (dt.datetime.combine(day, T(14)), dt.datetime.combine(day, T(16)))
                request = leave_request_submit(
                    staff=person, leave_type=types[kind], start_date=span[0], end_date=span[1], portion=portion,
                    start_at=times[0], end_at=times[1], reason=REQUEST_REASON + "家中有事", actor=admin,
                )  # fmt: skip
                request_approve(request=request, actor=admin, comment="同意")
            elif plan in ("lead", "admin", "rejected", "cancelled"):
                first = future[0]
                last = future[min(3, len(future) - 1)] if plan == "admin" else first
                request = leave_request_submit(
                    staff=person, leave_type=types["annual"], start_date=first, end_date=last,
                    reason=REQUEST_REASON + "休年假", actor=admin,
                )  # fmt: skip
                if plan == "admin" and lead_user and request.needs_admin:
                    request_approve(request=request, actor=lead_user, comment="同意，请考勤管理员审批")
                elif plan == "rejected":
                    request_reject(request=request, actor=approver, comment="该周人手不足，请改期")
                elif plan == "cancelled":
                    request_cancel(request=request, actor=admin, comment="计划有变")
            elif plan.startswith("overtime"):
                begin = dt.datetime.combine(day, T(17, 30))
                request = overtime_request_submit(
                    staff=person, start_at=begin, end_at=begin + dt.timedelta(hours=2),
                    reason=REQUEST_REASON + "抢修配电柜", actor=admin,
                )  # fmt: skip
                if plan == "overtime_ok":
                    request_approve(request=request, actor=admin, comment="同意")
            else:
                recent = [d for d in days if d >= today - dt.timedelta(days=20)] or days
                request = correction_request_submit(
                    staff=person, punch_at=dt.datetime.combine(rng.choice(recent), T(7, 55)),
                    reason=REQUEST_REASON + "忘记打卡", actor=admin,
                )  # fmt: skip
                if plan == "correction_ok":
                    request_approve(request=request, actor=admin, comment="情况属实")
            done += 1
        except DomainError:
            continue  # e.g. an overlap with a request from an earlier run: skip this one
    return done
