"""Date arithmetic of maintenance plans: pure functions, no database.

- Interval counted from the due date: the k-th due date is ``start_date + k × interval``, always
  computed from ``start_date`` so months never drift (monthly from 31 Jan: 28/29 Feb, 31 Mar, 30 Apr,
  31 May …; yearly from 29 Feb: 28 Feb in common years, 29 Feb again in leap years).
- Interval counted from the last completion: the next due date is ``completed on + interval`` (a
  month after 31 Jan is the end of February).
- Calendar: the listed weekdays and days of the month; a day the month does not have (29–31) falls
  on the month's last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from .models import Anchor, IntervalUnit, MaintenancePlan, ScheduleKind

ONE_DAY = dt.timedelta(days=1)


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` moved by whole months, on the same day of the month or the month's last day."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last))


def add_interval(start: dt.date, count: int, unit: str) -> dt.date:
    if unit == IntervalUnit.MONTH:
        return add_months(start, count)
    return start + dt.timedelta(days=count * (7 if unit == IntervalUnit.WEEK else 1))


def _calendar_match(plan: MaintenancePlan, day: dt.date) -> bool:
    if day.weekday() in plan.weekdays:
        return True
    if not plan.month_days:
        return False
    last = calendar.monthrange(day.year, day.month)[1]
    return day.day in plan.month_days or (day.day == last and any(d > last for d in plan.month_days))


def _interval_dates(plan: MaintenancePlan, start: dt.date) -> Iterator[dt.date]:
    """Due dates ≥ ``start`` of an interval plan counted from its due dates, in order."""
    first = plan.start_date
    if plan.interval_unit == IntervalUnit.MONTH:
        elapsed = (start.year - first.year) * 12 + start.month - first.month
    else:
        elapsed = (start - first).days // (7 if plan.interval_unit == IntervalUnit.WEEK else 1)
    k = max(0, elapsed // plan.interval - 1)
    while True:
        due = add_interval(first, k * plan.interval, plan.interval_unit)
        if due >= start:
            yield due
        k += 1


def due_dates(plan: MaintenancePlan, start: dt.date, end: dt.date) -> list[dt.date]:
    """The plan's due dates in [start, end] for plans whose dates do not depend on completions
    (calendar plans and interval plans counted from the due date), within the plan's own dates."""
    start, end = max(start, plan.start_date), min(end, plan.end_date or end)
    if start > end:
        return []
    if plan.schedule == ScheduleKind.CALENDAR:
        days, day = [], start
        while day <= end:
            if _calendar_match(plan, day):
                days.append(day)
            day += ONE_DAY
        return days
    days = []
    for due in _interval_dates(plan, start):
        if due > end:
            break
        days.append(due)
    return days


def next_due_after(plan: MaintenancePlan, day: dt.date) -> dt.date | None:
    """The first due date after ``day`` for date-driven plans (None past the plan's end). A calendar
    plan with no date in the next 400 days (weekdays and month days both empty) has none."""
    if plan.schedule == ScheduleKind.CALENDAR:
        found = due_dates(plan, day + ONE_DAY, day + dt.timedelta(days=400))
        return found[0] if found else None
    due = next(_interval_dates(plan, max(day + ONE_DAY, plan.start_date)))
    return None if plan.end_date and due > plan.end_date else due


def due_from_completion(plan: MaintenancePlan, completed_on: dt.date) -> dt.date:
    """The next due date of a plan counted from completions, after a completion on ``completed_on``."""
    return add_interval(completed_on, plan.interval, plan.interval_unit)


def counts_from_completion(plan: MaintenancePlan) -> bool:
    return plan.schedule == ScheduleKind.INTERVAL and plan.anchor == Anchor.COMPLETION


def describe(plan: MaintenancePlan) -> str:
    """The schedule in words: "every 2 weeks, counted from the due date", "Mon, Thu; days 15, 31"."""
    from django.utils.dates import WEEKDAYS_ABBR
    from django.utils.translation import gettext as _

    if plan.schedule == ScheduleKind.CALENDAR:
        parts = []
        if plan.weekdays:
            parts.append(", ".join(str(WEEKDAYS_ABBR[d]) for d in sorted(plan.weekdays)))
        if plan.month_days:
            parts.append(_("days %(days)s of the month") % {"days": ", ".join(str(d) for d in sorted(plan.month_days))})
        return "; ".join(parts)
    unit = IntervalUnit(plan.interval_unit).label
    anchor = Anchor(plan.anchor).label
    return _("every %(n)d %(unit)s, %(anchor)s") % {"n": plan.interval, "unit": unit, "anchor": anchor}
