"""Reads of the roster pages: which teams a user may see and edit, the month grid of a team (people
× days, with conflicts flagged per cell) from a handful of queries whatever the team's size, the
shift types and patterns a team uses, approved leave by day, and the audit trail of a month."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.org.models import Staff, Team

from .models import AttendanceRequest, CalendarDay, MonthClose, RosterEntry, RosterPattern, ShiftType
from .roster_checks import DANGER, INFO, WARNING, Issue, LeaveMark, cell_issues
from .rules import HOLIDAY, REST, day_type, scheduled_minutes
from .selectors import teams_managed_by, teams_visible_to

DAY = dt.timedelta(days=1)
LEVEL_ORDER = {DANGER: 3, WARNING: 2, INFO: 1}
WEEKDAYS = (
    gettext_lazy("Mo"), gettext_lazy("Tu"), gettext_lazy("We"), gettext_lazy("Th"), gettext_lazy("Fr"),
    gettext_lazy("Sa"), gettext_lazy("Su"),
)  # fmt: skip


# --- scoping --------------------------------------------------------------------------------------
def roster_teams_visible_to(user) -> QuerySet[Team]:
    """Teams whose roster the user may look at: every active team for those who see everyone's
    roster (managers, attendance and system administrators), the teams they lead for a team lead,
    none without ``attendance.view_rosterentry``. A team outside this set is a 404."""
    if not user.is_authenticated or not user.has_perm("attendance.view_rosterentry"):
        return Team.objects.none()
    return teams_visible_to(user)


def roster_teams_editable_by(user) -> QuerySet[Team]:
    """Teams whose roster the user may change: the attendance administrator every team, a team
    lead the teams they lead, and nobody without ``attendance.change_rosterentry``."""
    if not user.is_authenticated or not user.has_perm("attendance.change_rosterentry"):
        return Team.objects.none()
    return teams_managed_by(user)


# --- shift types, patterns, leave -----------------------------------------------------------------
def shifts_for_team(team: Team) -> list[ShiftType]:
    """Shift types in use that a team may be rostered on: its own and the shared ones."""
    return list(ShiftType.objects.filter(Q(team=team) | Q(team__isnull=True), is_active=True).order_by("start", "code"))


def patterns_for_team(team: Team) -> list[RosterPattern]:
    """Saved rotations offered to a team: its own and the shared ones."""
    return list(RosterPattern.objects.filter(Q(team=team) | Q(team__isnull=True)).order_by("name"))


@dataclass(frozen=True)
class PatternRow:
    """A saved rotation as the pattern page lists it: its steps as codes ("-" for rest)."""

    pattern: RosterPattern
    steps: str
    shared: bool


def pattern_rows(team: Team) -> list[PatternRow]:
    """The team's and the shared rotations with their steps spelled out; two queries."""
    patterns = patterns_for_team(team)
    ids = {step for p in patterns for step in p.sequence if step is not None}
    codes = dict(ShiftType.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [
        PatternRow(
            pattern=p,
            steps=" ".join(codes.get(step, "?") if step is not None else "-" for step in p.sequence),
            shared=p.team_id is None,
        )
        for p in patterns
    ]


def leave_by_day(*, staff_ids: Iterable[int] | QuerySet, start: dt.date, end: dt.date) -> dict:
    """Approved leave of these people touching ``start``…``end``, by (staff id, day); one query."""
    rows = (
        AttendanceRequest.objects.filter(
            kind=AttendanceRequest.Kind.LEAVE,
            status=AttendanceRequest.Status.APPROVED,
            staff_id__in=staff_ids,
            start_date__lte=end,
            end_date__gte=start,
        )
        .select_related("leave_type")
        .order_by("start_date", "pk")
    )
    marks: dict[tuple[int, dt.date], LeaveMark] = {}
    for request in rows:
        full = request.portion == AttendanceRequest.Portion.FULL
        mark = LeaveMark(name=request.leave_type.name, symbol=request.leave_type.symbol, full_day=full)
        day = max(request.start_date, start)
        while day <= min(request.end_date, end):
            if full or (request.staff_id, day) not in marks:
                marks[(request.staff_id, day)] = mark
            day += DAY
    return marks


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=pycalendar.monthrange(first.year, first.month)[1])


# --- the month grid -------------------------------------------------------------------------------
@dataclass(frozen=True)
class GridDay:
    """A column of the grid: the date, its kind (workday, rest, holiday) and calendar name."""

    date: dt.date
    kind: str
    name: str
    adjusted_workday: bool
    is_today: bool

    @property
    def shaded(self) -> bool:
        return self.kind in (REST, HOLIDAY)

    @property
    def weekday(self) -> str:
        return str(WEEKDAYS[self.date.weekday()])


@dataclass
class GridCell:
    """One person-day: their shifts, approved leave, and findings (worst first)."""

    staff_id: int
    day: GridDay
    shifts: list[ShiftType]
    leave: LeaveMark | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.staff_id}:{self.day.date.isoformat()}"

    @property
    def level(self) -> str:
        return max((i.level for i in self.issues), key=LEVEL_ORDER.get, default="")

    @property
    def issue_kinds(self) -> str:
        return " ".join(issue.kind for issue in self.issues)

    @property
    def codes(self) -> str:
        return "+".join(s.code for s in self.shifts)

    @property
    def title(self) -> str:
        """Tooltip: the shifts with their times, leave, then the findings."""
        lines = [f"{s.code} {s.name} {s.start:%H:%M}–{s.end:%H:%M}" for s in self.shifts] or [_("Rest day")]
        if self.leave:
            lines.append(_("Leave: %(leave)s") % {"leave": self.leave.name})
        lines += [f"⚠ {i.message}" if i.level != INFO else f"ⓘ {i.message}" for i in self.issues]
        return "\n".join(lines)


@dataclass
class GridRow:
    """One person's line: their cells and month totals."""

    staff: Staff
    cells: list[GridCell]
    editable: bool
    shift_count: int = 0
    minutes: int = 0
    nights: int = 0

    @property
    def hours(self) -> str:
        return f"{self.minutes / 60:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class DayCoverage:
    """How many people work a day, in total and per shift type (legend order)."""

    day: GridDay
    items: list[tuple[ShiftType, int]]
    total: int

    @property
    def title(self) -> str:
        return "\n".join(f"{shift.code} {shift.name}: {count}" for shift, count in self.items)


@dataclass
class RosterMonth:
    """A team's roster for one month, as the grid, the Excel export and the tests read it."""

    team: Team
    month: dt.date
    days: list[GridDay]
    rows: list[GridRow]
    shifts: list[ShiftType]  # the legend: shift types on the grid and those the team may use
    coverage: list[DayCoverage]
    close: MonthClose | None

    @property
    def previous(self) -> dt.date:
        return (self.month - DAY).replace(day=1)

    @property
    def next(self) -> dt.date:
        return month_bounds(self.month)[1] + DAY

    @property
    def issue_counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for row in self.rows:
            for cell in row.cells:
                counts.update({issue.kind for issue in cell.issues})
        return dict(counts)

    @property
    def conflicts(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.level in (DANGER, WARNING))


def roster_staff_rows(team: Team, start: dt.date, end: dt.date) -> QuerySet[Staff]:
    """The people on a team's grid: active attendance-tracked members, and members with shifts in
    the period even if they are no longer tracked or active (so that those can be cleared)."""
    return (
        Staff.objects.filter(team=team)
        .filter(Q(is_active=True, attendance_tracked=True) | Q(roster__date__range=(start, end)))
        .distinct()
        .order_by("employee_no", "pk")
    )


def roster_month(*, team: Team, month: dt.date, staff_ids: Iterable[int] | None = None) -> RosterMonth:
    """The month grid of ``team``: people × days with shifts, leave and findings per cell, day
    kinds from the holiday calendar, totals per person and coverage per day. Seven queries
    whatever the size (people, entries, shift types, calendar, leave, month close, team shifts);
    ``staff_ids`` limits the rows (one person's line after an edit)."""
    first, last = month_bounds(month)
    people_qs = roster_staff_rows(team, first, last)
    if staff_ids is not None:
        people_qs = people_qs.filter(pk__in=list(staff_ids))
    people = list(people_qs)
    ids = [p.pk for p in people]
    raw = list(
        RosterEntry.objects.filter(staff_id__in=ids, date__range=(first - DAY, last))
        .order_by("date", "shift__start", "pk")
        .values_list("staff_id", "date", "shift_id")
    )
    available = shifts_for_team(team)
    by_id = {s.pk: s for s in available}
    missing = {shift_id for _sid, _day, shift_id in raw} - by_id.keys()
    if missing:
        by_id.update(ShiftType.objects.in_bulk(missing))
    used = {shift_id for _sid, day, shift_id in raw if day >= first}
    legend = sorted((s for s in by_id.values() if s.pk in used or s in available), key=lambda s: (s.start, s.code))

    calendar = {c.date: c for c in CalendarDay.objects.filter(date__range=(first, last))}
    kinds = {d: c.kind for d, c in calendar.items()}
    today = timezone.localdate()
    days = []
    for n in range((last - first).days + 1):
        date = first + dt.timedelta(days=n)
        entry = calendar.get(date)
        days.append(
            GridDay(
                date=date,
                kind=day_type(date, kinds),
                name=entry.name if entry else "",
                adjusted_workday=bool(entry and entry.kind == CalendarDay.Kind.WORKDAY),
                is_today=date == today,
            )
        )
    leave = leave_by_day(staff_ids=ids, start=first, end=last)
    shifts_on: dict[int, dict[dt.date, list[ShiftType]]] = defaultdict(lambda: defaultdict(list))
    for sid, day, shift_id in raw:
        shifts_on[sid][day].append(by_id[shift_id])

    rows = []
    coverage: list[Counter[int]] = [Counter() for _ in days]
    on_duty = [0 for _ in days]
    for person in people:
        editable = person.is_active and person.attendance_tracked
        row = GridRow(staff=person, cells=[], editable=editable)
        mine = shifts_on[person.pk]
        for index, gd in enumerate(days):
            shifts = list(mine.get(gd.date, ()))
            holiday = calendar.get(gd.date)
            holiday_name = holiday.name if holiday and holiday.kind == CalendarDay.Kind.HOLIDAY else None
            issues = cell_issues(gd.date, mine, leave=leave.get((person.pk, gd.date)), holiday=holiday_name)
            issues.sort(key=lambda i: -LEVEL_ORDER[i.level])
            row.cells.append(GridCell(person.pk, gd, shifts, leave.get((person.pk, gd.date)), issues))
            row.shift_count += len(shifts)
            row.minutes += sum(scheduled_minutes(s, gd.date) for s in shifts)
            row.nights += sum(1 for s in shifts if s.rest_day_after)
            coverage[index].update(s.pk for s in shifts)
            on_duty[index] += 1 if shifts else 0
        rows.append(row)
    close = MonthClose.objects.filter(team=team, month=first).first()
    per_day = [
        DayCoverage(day=gd, items=[(s, counts[s.pk]) for s in legend if counts[s.pk]], total=people)
        for gd, counts, people in zip(days, coverage, on_duty, strict=True)
    ]
    return RosterMonth(team=team, month=first, days=days, rows=rows, shifts=legend, coverage=per_day, close=close)


# --- history --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RosterChangeRow:
    at: dt.datetime
    actor: str
    added: bool
    text: str
    operation: str


def roster_changes(*, team: Team, month: dt.date, limit: int = 30) -> list[RosterChangeRow]:
    """The latest audited roster changes of a team's month (who added or removed which shift of
    whom on which day, and through which operation); one query."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    rows = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(RosterEntry),
            additional_data__team=team.pk,
            additional_data__month=month.strftime("%Y-%m"),
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )
    return [
        RosterChangeRow(
            at=row.timestamp,
            actor=str(row.actor) if row.actor else "—",
            added=row.action == LogEntry.Action.CREATE,
            text=row.object_repr,
            operation=(row.additional_data or {}).get("operation", ""),
        )
        for row in rows
    ]
