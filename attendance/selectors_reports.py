"""Attendance reports: lateness, absence, leave and overtime by department and month, from one
aggregate query over the daily results the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from .models import DailyResult


@dataclass
class TrendRow:
    month: dt.date
    department: str
    people: int = 0
    late_count: int = 0
    late_minutes: int = 0
    absences: int = 0
    missing: int = 0
    leave_days: float = 0.0
    overtime_hours: float = 0.0


@dataclass
class Trends:
    months: list[dt.date]
    departments: list[str]
    rows: list[TrendRow] = field(default_factory=list)

    def series(self, key: str) -> dict[str, list[float | None]]:
        """Department → one value per month, for the charts: None where the department has no
        results that month (no data is a gap on the chart, not a month without lateness)."""
        index = {(r.department, r.month): getattr(r, key) for r in self.rows}
        return {d: [index.get((d, m)) for m in self.months] for d in self.departments}


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def attendance_trends(*, staff_qs, first_month: dt.date, last_month: dt.date, team=None, department=None) -> Trends:
    """Per month and department: people with results, late arrivals (count and minutes), absences,
    missing punches, leave days and overtime hours, for the people in ``staff_qs`` (the caller's
    scope). One aggregate query; departments ordered by lateness over the whole range."""
    months = month_starts(first_month, last_month)
    end = (months[-1] + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    results = DailyResult.objects.filter(staff__in=staff_qs.values("pk"), date__range=(months[0], end))
    if team is not None:
        results = results.filter(staff__team=team)
    if department is not None:
        results = results.filter(staff__department=department)
    rows = (
        results.annotate(month=TruncMonth("date"))
        .values("month", "staff__department__name")
        .annotate(
            people=Count("staff", distinct=True),
            late_count=Count("pk", filter=Q(late_minutes__gt=0)),
            late_minutes=Sum("late_minutes"),
            absences=Count("pk", filter=Q(absent=True)),
            missing=Sum("missing_in") + Sum("missing_out"),
            leave_days=Sum("leave_days"),
            overtime=Sum("overtime_workday_minutes") + Sum("overtime_rest_minutes") + Sum("overtime_holiday_minutes"),
        )
        .order_by("month", "staff__department__name")
    )
    trends = Trends(months=months, departments=[])
    lateness: dict[str, int] = {}
    for row in rows:
        name = row["staff__department__name"] or "—"
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        trends.rows.append(
            TrendRow(
                month=month,
                department=name,
                people=row["people"],
                late_count=row["late_count"],
                late_minutes=row["late_minutes"] or 0,
                absences=row["absences"],
                missing=row["missing"] or 0,
                leave_days=float(row["leave_days"] or 0),
                overtime_hours=round((row["overtime"] or 0) / 60, 1),
            )
        )
        lateness[name] = lateness.get(name, 0) + row["late_count"]
    trends.departments = sorted(lateness, key=lambda d: (-lateness[d], d))
    return trends
