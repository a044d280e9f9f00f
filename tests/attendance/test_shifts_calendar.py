"""Shift segments, the holiday calendar, roster conflicts. Expected minutes are written out."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance.models import CalendarDay, RosterEntry, ShiftType
from attendance.rules import HOLIDAY, REST, WORKDAY, day_type, punch_window, scheduled_minutes, shift_segments
from attendance.services import calendar_fill, roster_assign
from logistics.common.errors import DomainError
from logistics.org.models import Campus, Department, Staff

D = dt.date(2026, 11, 20)  # a Friday
T = dt.time


def shift(**fields) -> ShiftType:
    defaults = {"code": "X", "name": "X", "start": T(8), "end": T(17, 30)}
    return ShiftType(**(defaults | fields))


@pytest.mark.parametrize(
    ("fields", "segments", "minutes"),
    [
        ({"start": T(8), "end": T(17, 30), "break_minutes": 60}, [("11-20 08:00", "11-20 17:30")], 510),
        ({"start": T(20), "end": T(8)}, [("11-20 20:00", "11-21 08:00")], 720),
        ({"start": T(20), "end": T(8), "break_minutes": 60}, [("11-20 20:00", "11-21 08:00")], 660),
        ({"start": T(8), "end": T(8), "is_24h": True}, [("11-20 08:00", "11-21 08:00")], 1440),
        (
            {"start": T(8), "end": T(12), "second_start": T(14), "second_end": T(18)},
            [("11-20 08:00", "11-20 12:00"), ("11-20 14:00", "11-20 18:00")],
            480,
        ),
        (
            {"start": T(18), "end": T(22), "second_start": T(2), "second_end": T(6)},
            [("11-20 18:00", "11-20 22:00"), ("11-21 02:00", "11-21 06:00")],
            480,
        ),
    ],
)
def test_shift_segments_and_minutes(fields, segments, minutes):
    s = shift(**fields)
    got = [(seg.start.strftime("%m-%d %H:%M"), seg.end.strftime("%m-%d %H:%M")) for seg in shift_segments(s, D)]
    assert got == segments
    assert scheduled_minutes(s, D) == minutes


def test_punch_window_of_a_night_shift():
    s = shift(start=T(20), end=T(8), checkin_window_minutes=120, checkout_window_minutes=240)
    window = punch_window(s, D)
    assert (window.start, window.end) == (dt.datetime(2026, 11, 20, 18), dt.datetime(2026, 11, 21, 12))


def test_day_types_follow_the_calendar_then_the_week():
    calendar = {dt.date(2026, 10, 1): "holiday", dt.date(2026, 10, 10): "workday", dt.date(2026, 11, 18): "hospital"}
    assert day_type(dt.date(2026, 10, 1), calendar) == HOLIDAY  # National Day, a Thursday
    assert day_type(dt.date(2026, 10, 10), calendar) == WORKDAY  # adjusted working Saturday
    assert day_type(dt.date(2026, 11, 18), calendar) == HOLIDAY  # hospital-defined day off
    assert day_type(dt.date(2026, 11, 21), calendar) == REST  # an ordinary Saturday
    assert day_type(D, calendar) == WORKDAY


def test_calendar_fill_from_the_package_keeps_manual_rows(db):
    CalendarDay.objects.create(date=dt.date(2026, 10, 1), kind="holiday", name="国庆节（院定）")
    result = calendar_fill(year=2026)
    assert result.created > 20 and not result.warning
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).name == "国庆节（院定）"
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == "workday"
    again = calendar_fill(year=2026)
    assert again.created == 0


def test_a_year_without_package_data_warns_and_does_not_crash(db):
    result = calendar_fill(year=2031)
    assert result.created == 0 and "2031" in result.warning
    assert not CalendarDay.objects.filter(date__year=2031).exists()


def test_impossible_shift_definitions_are_refused_by_the_database(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftType.objects.create(code="BAD", name="bad", start=T(8), end=T(8))  # zero length, not 24 h
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftType.objects.create(code="BAD2", name="bad", start=T(8), end=T(12), second_start=T(14))


# --- roster --------------------------------------------------------------------------------------
@pytest.fixture
def people(db):
    campus = Campus.objects.create(code="M", name="本部")
    dept = Department.objects.create(code="L", name="后勤", campus=campus, kind="logistics")
    worker = Staff.objects.create(employee_no="200001", name="王建国", department=dept, attendance_tracked=True)
    nurse = Staff.objects.create(employee_no="100001", name="林晓雯", department=dept)
    shifts = {
        "day": ShiftType.objects.create(code="D", name="白班", start=T(8), end=T(17, 30)),
        "night": ShiftType.objects.create(code="N", name="夜班", start=T(20), end=T(8), rest_day_after=True),
        "evening": ShiftType.objects.create(code="E", name="中班", start=T(16), end=T(0)),
        "early": ShiftType.objects.create(code="A", name="早班", start=T(7), end=T(15)),
    }
    return worker, nurse, shifts


def test_night_shift_then_an_early_shift_next_morning_overlaps(people):
    worker, _, shifts = people
    roster_assign(staff=worker, day=D, shift=shifts["night"])  # 20:00 → 08:00 next day
    with pytest.raises(DomainError, match="夜班"):
        roster_assign(staff=worker, day=D + dt.timedelta(days=1), shift=shifts["early"])  # 07:00 → overlap
    assert RosterEntry.objects.count() == 1
    # 08:00 start touches the night shift's end without overlapping: allowed, flagged (no rest after a night)
    result = roster_assign(staff=worker, day=D + dt.timedelta(days=1), shift=shifts["day"])
    assert result.warnings


def test_day_and_evening_overlap_on_one_day(people):
    worker, _, shifts = people
    roster_assign(staff=worker, day=D, shift=shifts["day"])
    with pytest.raises(DomainError):
        roster_assign(staff=worker, day=D, shift=shifts["evening"])


def test_working_the_day_after_a_night_is_flagged_not_refused(people):
    worker, _, shifts = people
    roster_assign(staff=worker, day=D, shift=shifts["night"])
    result = roster_assign(staff=worker, day=D + dt.timedelta(days=1), shift=shifts["night"])
    assert result.warnings and "夜班" in result.warnings[0]


def test_only_attendance_tracked_staff_are_rostered(people):
    _, nurse, shifts = people
    with pytest.raises(DomainError):
        roster_assign(staff=nurse, day=D, shift=shifts["day"])
    assert not RosterEntry.objects.exists()
