"""Scenario tables of the daily result rules (attendance/compute.py), expected minutes written out.

Times are device-local wall clock (Asia/Shanghai, no DST). Shift types are unsaved model
instances: the rules never touch the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attendance.compute import DayInput, Leave, day_compute
from attendance.models import ShiftType
from attendance.rules import HOLIDAY, REST, WORKDAY, Segment, day_type

D = dt.date(2026, 11, 18)  # a Wednesday
T = dt.time


def at(hhmm: str, day: dt.date = D, plus_days: int = 0) -> dt.datetime:
    h, m = hhmm.split(":")[:2]
    s = int(hhmm.split(":")[2]) if hhmm.count(":") == 2 else 0
    return dt.datetime.combine(day + dt.timedelta(days=plus_days), dt.time(int(h), int(m), s))


def shift(code="D", start=None, end=None, **kw) -> ShiftType:
    defaults = dict(
        break_minutes=60, checkin_window_minutes=120, checkout_window_minutes=240, late_grace_minutes=5,
        early_grace_minutes=5, overtime_after_minutes=30, overtime_rounding_minutes=30, pairing="first_last",
        is_24h=False, second_start=None, second_end=None,
    )  # fmt: skip
    defaults.update(kw)
    return ShiftType(code=code, name=code, start=start or T(8), end=end or T(17, 30), **defaults)


DAY = shift()
NIGHT = shift("N", T(20), T(8), break_minutes=30)
DUTY = shift("H", T(8), T(8), is_24h=True, break_minutes=0)
SPLIT = shift("S", T(8), T(12), second_start=T(14), second_end=T(18), break_minutes=0)
ALTERNATING = shift("A", pairing="alternating")
LATER = at("23:59", plus_days=3)  # long after every window: the day is judged


def compute(shifts, punches, **kw):
    kw.setdefault("now", LATER)
    kw.setdefault("day_type", WORKDAY)
    return day_compute(DayInput(day=kw.pop("day", D), shifts=shifts, punches=sorted(punches), **kw))


@pytest.mark.parametrize(
    ("case", "shifts", "punches", "expected"),
    [
        (
            "day shift on time",
            [DAY],
            [at("07:55"), at("17:35")],
            dict(status="present", scheduled_minutes=510, worked_minutes=510, late_minutes=0, early_minutes=0),
        ),
        (
            "late just inside grace",
            [DAY],
            [at("08:05"), at("17:31")],
            dict(status="present", late_minutes=0, worked_minutes=505),
        ),
        (
            "late just outside grace",
            [DAY],
            [at("08:06"), at("17:31")],
            dict(status="late", late_minutes=6, worked_minutes=504),
        ),
        (
            "early just inside grace",
            [DAY],
            [at("07:59"), at("17:25")],
            dict(status="present", early_minutes=0, worked_minutes=505),
        ),
        (
            "early just outside grace",
            [DAY],
            [at("07:59"), at("17:24")],
            dict(status="early", early_minutes=6, worked_minutes=504),
        ),
        (
            "late and early",
            [DAY],
            [at("08:30"), at("17:00")],
            dict(status="late_early", late_minutes=30, early_minutes=30, worked_minutes=450),
        ),
        (
            "night 20:00-08:00 across midnight",
            [NIGHT],
            [at("19:50"), at("08:02", plus_days=1)],
            dict(status="present", night=True, scheduled_minutes=690, worked_minutes=690),
        ),
        (
            "night: punch before the check-in window is ignored",
            [NIGHT],
            [at("17:30"), at("08:02", plus_days=1)],
            dict(status="missing", missing_in=1, missing_out=0, worked_minutes=0),
        ),
        (
            "missing check-out",
            [DAY],
            [at("07:58")],
            dict(status="missing", missing_out=1, missing_in=0, worked_minutes=0, late_minutes=0),
        ),
        (
            "missing check-in (late lone punch after the middle)",
            [DAY],
            [at("17:40")],
            dict(status="missing", missing_in=1, worked_minutes=0),
        ),
        (
            "24-hour duty",
            [DUTY],
            [at("07:50"), at("08:10", plus_days=1)],
            dict(status="present", scheduled_minutes=1440, worked_minutes=1440, night=True),
        ),
        (
            "split shift, four punches",
            [SPLIT],
            [at("07:55"), at("12:02"), at("13:58"), at("18:01")],
            dict(status="present", scheduled_minutes=480, worked_minutes=480),
        ),
        (
            "split shift, second check-out missing",
            [SPLIT],
            [at("07:55"), at("12:02"), at("13:58")],
            dict(status="missing", missing_out=1, worked_minutes=240),
        ),
        (
            "split shift, second segment not attended",
            [SPLIT],
            [at("07:55"), at("12:02")],
            dict(status="present", absent=False, worked_minutes=240),
        ),
        (
            "duplicate punches seconds apart (alternating)",
            [ALTERNATING],
            [at("07:58:00"), at("07:58:20"), at("12:00"), at("13:00"), at("17:31")],
            dict(status="present", worked_minutes=510, missing_out=0),
        ),
        (
            "alternating, odd punches: last check-out missing",
            [ALTERNATING],
            [at("07:58"), at("12:00"), at("13:00")],
            dict(status="missing", missing_out=1, worked_minutes=240, early_minutes=0),
        ),
        (
            "overtime after the end, rounded down to 30",
            [DAY],
            [at("07:58"), at("19:10")],
            dict(status="present", worked_minutes=510, overtime_workday_minutes=90),
        ),
        (
            "no overtime within the 30-minute threshold",
            [DAY],
            [at("07:58"), at("17:59")],
            dict(overtime_workday_minutes=0),
        ),
        ("absent", [DAY], [], dict(status="absent", absent=True, worked_minutes=0)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_scenarios(case, shifts, punches, expected):
    outcome = day_compute(DayInput(day=D, day_type=WORKDAY, shifts=shifts, punches=punches, now=LATER))
    assert {key: getattr(outcome, key) for key in expected} == expected, case


def test_half_day_leave_moves_the_expected_start():
    # Day shift 08:00-17:30 (middle 12:45); morning leave: arriving 12:40 is on time.
    leave = Leave(leave_type_id=7, portion="am")
    out = compute([DAY], [at("12:40"), at("17:31")], leaves=[leave])
    assert out.status == "present"
    assert out.late_minutes == 0
    assert out.leave_minutes == 285  # 08:00-12:45
    assert out.leave_days == Decimal("0.5")
    assert out.leave_type_id == 7
    assert out.worked_minutes == 225  # 12:45-17:30 = 285, less the 60-minute break


def test_afternoon_leave_moves_the_expected_end():
    out = compute([DAY], [at("07:58"), at("12:50")], leaves=[Leave(7, "pm")])
    assert (out.status, out.early_minutes, out.leave_days) == ("present", 0, Decimal("0.5"))


def test_hours_leave_in_the_middle_is_not_paid_and_not_late():
    leave = Leave(8, "hours", Segment(at("10:00"), at("12:00")))
    out = compute([DAY], [at("07:58"), at("17:31")], leaves=[leave])
    assert out.status == "present"
    assert out.leave_minutes == 120
    assert out.worked_minutes == 570 - 120 - 60


def test_full_day_leave_is_not_absence():
    out = compute([DAY], [], leaves=[Leave(3, "full")])
    assert (out.status, out.absent, out.leave_minutes, out.leave_days) == ("leave", False, 570, Decimal("1"))


def test_rostered_shift_on_a_public_holiday_is_holiday_overtime():
    out = compute([DAY], [at("07:55"), at("17:35")], day_type=HOLIDAY)
    assert (out.day_type, out.worked_minutes, out.overtime_holiday_minutes) == (HOLIDAY, 510, 510)
    assert out.overtime_workday_minutes == 0


def test_holiday_without_roster_and_adjusted_working_saturday():
    saturday = dt.date(2026, 11, 21)
    assert day_type(saturday, {}) == REST
    assert day_type(saturday, {saturday: "workday"}) == WORKDAY
    assert day_type(D, {D: "holiday"}) == HOLIDAY
    assert compute([], [], day_type=HOLIDAY).status == "holiday"
    # On the adjusted Saturday the roster applies as on any working day: no holiday overtime.
    out = compute([DAY], [at("07:55", saturday), at("17:35", saturday)], day=saturday,
                  day_type=day_type(saturday, {saturday: "workday"}))  # fmt: skip
    assert (out.status, out.worked_minutes, out.overtime_holiday_minutes, out.overtime_rest_minutes) == (
        "present",
        510,
        0,
        0,
    )


def test_overtime_on_a_rest_day_counts_where_present():
    request = Segment(at("09:00"), at("15:00"))
    out = compute([], [at("08:55"), at("15:10")], day_type=REST, overtime=[request])
    assert (out.status, out.overtime_rest_minutes, out.worked_minutes) == ("rest", 360, 360)
    # Left at 13:20: only the time present counts, rounded down to 30 minutes.
    out = compute([], [at("08:55"), at("13:20")], day_type=REST, overtime=[request])
    assert out.overtime_rest_minutes == 240
    # Approved but never came: nothing.
    assert compute([], [], day_type=REST, overtime=[request]).overtime_rest_minutes == 0


def test_approved_overtime_after_a_shift_adds_to_automatic():
    request = Segment(at("17:30"), at("20:00"))
    out = compute([DAY], [at("07:58"), at("20:05")], overtime=[request])
    assert out.overtime_workday_minutes == 150


def test_absence_waits_for_the_terminal_and_the_window():
    # Shift window closes at 21:30 (17:30 + 240 min).
    running = compute([DAY], [], now=at("12:00"))
    assert (running.status, running.absent, running.recheck_after) == ("pending", False, at("21:30"))
    not_synced = compute([DAY], [], now=at("23:00"), synced_until=at("17:00"))
    assert (not_synced.status, not_synced.awaiting_sync) == ("pending", True)
    synced = compute([DAY], [], now=at("23:00"), synced_until=at("22:00"))
    assert (synced.status, synced.absent, synced.recheck_after) == ("absent", True, None)


def test_missing_checkout_is_pending_until_the_window_closes():
    out = compute([DAY], [at("07:58")], now=at("17:40"))
    assert out.status == "pending"
    assert out.missing_out == 0


def test_evidence_stands_for_a_missing_checkin_but_pays_nothing():
    out = compute([DAY], [at("17:31")], evidence=[at("09:12")])
    assert (out.status, out.missing_in, out.evidence_used, out.worked_minutes) == ("present", 0, True, 0)
    out = compute([DAY], [], evidence=[at("09:12")])
    assert (out.status, out.absent, out.worked_minutes) == ("present", False, 0)
    # Evidence cannot say when someone left: a missing check-out stays missing.
    out = compute([DAY], [at("07:58")], evidence=[at("09:12")])
    assert (out.status, out.missing_out) == ("missing", 1)


def test_night_then_day_shift_punches_are_not_shared():
    # Night shift on D-1 ended 08:00 today; today's night starts at 20:00: the 08:03 punch is the
    # night's check-out, not today's check-in.
    out = compute([NIGHT], [at("08:03"), at("19:55"), at("08:01", plus_days=1)], prev_end=at("08:00"))
    assert (out.status, out.worked_minutes, out.first_in) == ("present", 690, at("19:55"))


def test_the_short_path_agrees_with_the_general_rules_on_random_days():
    """The common day takes a shorter path; on a few thousand random days (shift kinds, punch
    counts, neighbours, unsynced terminals, unfinished windows) both give the same outcome."""
    import random
    from dataclasses import asdict

    rng = random.Random(20261121)
    kinds = [DAY, NIGHT, DUTY, shift("E", T(16), T(0), break_minutes=30), shift("G", T(8), T(17), break_minutes=0,
             late_grace_minutes=0, overtime_after_minutes=0, overtime_rounding_minutes=15)]  # fmt: skip
    checked = 0
    for _ in range(4000):
        chosen = rng.choice(kinds)
        base = dt.datetime.combine(D, chosen.start)
        punches = sorted(
            base + dt.timedelta(minutes=rng.randint(-300, 1800)) for _ in range(rng.choice([0, 1, 2, 2, 3, 5]))
        )
        inp = dict(
            day=D, shifts=[chosen], punches=punches, day_type=rng.choice([WORKDAY, REST, HOLIDAY]),
            prev_end=rng.choice([None, at("08:00"), at("00:00")]),
            next_start=rng.choice([None, at("08:00", plus_days=1)]),
            synced_until=rng.choice([None, at("12:00"), at("23:00", plus_days=1)]),
            now=rng.choice([LATER, at("13:00"), at("09:30", plus_days=1)]),
        )  # fmt: skip
        fast, general = day_compute(DayInput(**inp)), day_compute(DayInput(**inp), fast=False)
        assert asdict(fast) == asdict(general), inp
        checked += 1
    assert checked == 4000
