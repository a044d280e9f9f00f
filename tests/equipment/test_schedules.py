"""When maintenance falls due: intervals counted from the due date never drift across month ends
and leap years; intervals counted from a completion start again from that day; calendar plans fall on
their weekdays and days of the month (a day the month lacks falls on its last day)."""

from __future__ import annotations

import datetime as dt

import pytest

from equipment.models import MaintenancePlan
from equipment.schedules import add_months, due_dates, due_from_completion, next_due_after

D = dt.date


def plan(**kw) -> MaintenancePlan:
    defaults = dict(schedule="interval", interval=1, interval_unit="month", anchor="due", start_date=D(2024, 1, 31))
    return MaintenancePlan(**{**defaults, **kw})


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap February
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2024, 12, 15), 1, D(2025, 1, 15)),  # over the year end
        (D(2024, 3, 31), -1, D(2024, 2, 29)),
        (D(2024, 8, 31), 3, D(2024, 11, 30)),
    ],
)
def test_adding_months_keeps_the_day_or_the_months_last_day(start, months, expected):
    assert add_months(start, months) == expected


def test_monthly_from_the_31st_comes_back_to_the_31st_after_short_months():
    monthly = plan(start_date=D(2025, 1, 31))
    assert due_dates(monthly, D(2025, 1, 1), D(2025, 7, 31)) == [
        D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31), D(2025, 4, 30), D(2025, 5, 31), D(2025, 6, 30), D(2025, 7, 31),
    ]  # fmt: skip


def test_yearly_from_leap_day_is_the_28th_in_common_years_and_the_29th_in_leap_years():
    yearly = plan(interval=12, start_date=D(2024, 2, 29))
    assert due_dates(yearly, D(2024, 1, 1), D(2028, 12, 31)) == [
        D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28), D(2027, 2, 28), D(2028, 2, 29),
    ]  # fmt: skip


def test_quarterly_asked_from_the_middle_of_the_schedule_finds_the_same_dates():
    quarterly = plan(interval=3, start_date=D(2023, 11, 30))
    everything = due_dates(quarterly, D(2023, 1, 1), D(2026, 12, 31))
    assert everything[:4] == [D(2023, 11, 30), D(2024, 2, 29), D(2024, 5, 30), D(2024, 8, 30)]
    later = [d for d in everything if D(2025, 6, 1) <= d <= D(2026, 6, 1)]
    assert due_dates(quarterly, D(2025, 6, 1), D(2026, 6, 1)) == later
    assert next_due_after(quarterly, D(2024, 2, 29)) == D(2024, 5, 30)


def test_every_two_weeks_and_every_ten_days_count_from_the_first_due_date():
    fortnightly = plan(interval=2, interval_unit="week", start_date=D(2026, 1, 5))
    assert due_dates(fortnightly, D(2026, 11, 1), D(2026, 12, 10)) == [D(2026, 11, 9), D(2026, 11, 23), D(2026, 12, 7)]
    ten_days = plan(interval=10, interval_unit="day", start_date=D(2024, 2, 20))
    assert due_dates(ten_days, D(2024, 2, 1), D(2024, 3, 12)) == [D(2024, 2, 20), D(2024, 3, 1), D(2024, 3, 11)]


def test_a_plans_first_and_last_due_dates_bound_its_schedule():
    bounded = plan(interval=1, interval_unit="day", start_date=D(2026, 3, 10), end_date=D(2026, 3, 12))
    assert due_dates(bounded, D(2026, 3, 1), D(2026, 3, 31)) == [D(2026, 3, 10), D(2026, 3, 11), D(2026, 3, 12)]
    assert next_due_after(bounded, D(2026, 3, 12)) is None


@pytest.mark.parametrize(
    ("completed", "unit", "interval", "expected"),
    [
        (D(2025, 1, 31), "month", 1, D(2025, 2, 28)),
        (D(2024, 1, 31), "month", 1, D(2024, 2, 29)),
        (D(2024, 2, 29), "month", 12, D(2025, 2, 28)),
        (D(2025, 12, 27), "week", 1, D(2026, 1, 3)),
        (D(2024, 2, 28), "day", 1, D(2024, 2, 29)),
    ],
)
def test_counted_from_completion_the_next_is_one_interval_after_the_work_was_done(completed, unit, interval, expected):
    assert due_from_completion(plan(anchor="completion", interval=interval, interval_unit=unit), completed) == expected


def test_calendar_plans_fall_on_their_weekdays_and_days_of_the_month():
    mondays_thursdays = plan(schedule="calendar", weekdays=[0, 3], month_days=[], start_date=D(2026, 1, 1))
    assert due_dates(mondays_thursdays, D(2026, 11, 23), D(2026, 11, 30)) == [D(2026, 11, 23), D(2026, 11, 26),
                                                                              D(2026, 11, 30)]  # fmt: skip
    month_end = plan(schedule="calendar", weekdays=[], month_days=[15, 31], start_date=D(2024, 1, 1))
    assert due_dates(month_end, D(2024, 1, 1), D(2024, 4, 30)) == [
        D(2024, 1, 15), D(2024, 1, 31), D(2024, 2, 15), D(2024, 2, 29), D(2024, 3, 15), D(2024, 3, 31),
        D(2024, 4, 15), D(2024, 4, 30),
    ]  # fmt: skip
    # the 30th and 31st both listed: February has its last day once, not twice
    assert due_dates(plan(schedule="calendar", weekdays=[], month_days=[30, 31], start_date=D(2025, 1, 1)),
                     D(2025, 2, 1), D(2025, 3, 1)) == [D(2025, 2, 28)]  # fmt: skip
    assert next_due_after(month_end, D(2024, 2, 15)) == D(2024, 2, 29)
