"""Reads of the monthly sheet (考勤表): one row per person and month with the day symbols, the
totals finance pays from, and the adjustments of earlier closed months carried into this one.

The HTML preview, the Excel sheet, the payroll CSV and the month close (which freezes the rows in
``MonthSnapshot``) all read ``month_rows``. A person whose month is closed is read from their
snapshot, never from the results: what finance was given does not change. For an open month, each
earlier closed month whose results changed after the close (``DailyResult.changed_after_close``)
gives an adjustment = its recomputed totals − its snapshot − what later closed months already
carried. It is carried into the first open month after it only, and recorded in that month's
snapshot when it closes, so it is paid once.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from logistics.org.models import Staff, Team

from .models import DailyResult, DirtyDay, LeaveType, MonthClose, MonthSnapshot

STAFF_CHUNK = 500  # people per results query: bounded memory for 3,000 people × 31 days
ADJUSTMENT_LOOKBACK_MONTHS = 12  # closed months older than this are no longer adjusted automatically
ZERO = Decimal("0")
ONE = Decimal("1")


# --- symbols -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Symbol:
    key: str
    char: str
    label: str


# The characters hospitals use on paper sheets; the labels are translated, the characters are not.
SYMBOLS: tuple[Symbol, ...] = (
    Symbol("present", "√", _("Present")),
    Symbol("night", "夜", _("Night shift, present")),
    Symbol("late", "迟", _("Late")),
    Symbol("early", "早", _("Left early")),
    Symbol("late_early", "迟早", _("Late and left early")),
    Symbol("absent", "旷", _("Absent")),
    Symbol("missing", "缺", _("Missing punch")),
    Symbol("leave", "假", _("On leave (kind without its own symbol)")),
    Symbol("rest", "休", _("Rest day")),
    Symbol("holiday", "节", _("Public holiday")),
    Symbol("pending", "?", _("Not yet known")),
    Symbol("overtime", "+", _("Suffix: overtime worked that day")),
    Symbol("part_leave", "/", _("Between two symbols: part of the day on leave")),
)
SYMBOL = {s.key: s.char for s in SYMBOLS}
PRESENTISH = frozenset({"present", "late", "early", "late_early"})  # statuses that count as attendance


def day_symbol(status: str, *, night: bool, leave_symbol: str, leave_days: Decimal, overtime: bool) -> str:
    """The sheet symbol of one day result: the status headline (night shift and the leave type's own
    symbol where they apply), ``/`` + the leave symbol for part of a day on leave, ``+`` for overtime."""
    if status == "leave":
        text = leave_symbol or SYMBOL["leave"]
    elif status == "present" and night:
        text = SYMBOL["night"]
    else:
        text = SYMBOL.get(status, "")
        if leave_symbol and leave_days and status in PRESENTISH | {"missing"}:
            text += SYMBOL["part_leave"] + leave_symbol
    return text + SYMBOL["overtime"] if overtime else text


# --- totals --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TotalColumn:
    """One total as the sheet and the payroll file show it. ``source`` is the stored key (minutes
    are stored, hours are shown)."""

    key: str
    label: str
    source: str
    hours: bool = False


TOTAL_COLUMNS: tuple[TotalColumn, ...] = (
    TotalColumn("attendance_days", _("Attendance (days)"), "attendance_days"),
    TotalColumn("night_shifts", _("Night shifts"), "night_shifts"),
    TotalColumn("worked_hours", _("Worked (hours)"), "worked_minutes", hours=True),
    TotalColumn("late_count", _("Late (times)"), "late_count"),
    TotalColumn("late_minutes", _("Late (minutes)"), "late_minutes"),
    TotalColumn("early_count", _("Left early (times)"), "early_count"),
    TotalColumn("early_minutes", _("Left early (minutes)"), "early_minutes"),
    TotalColumn("absent_days", _("Absent (days)"), "absent_days"),
    TotalColumn("missing_punches", _("Missing punches"), "missing_punches"),
)
OVERTIME_COLUMNS: tuple[TotalColumn, ...] = (
    TotalColumn("overtime_15", _("Overtime 1.5× (hours)"), "overtime_workday_minutes", hours=True),
    TotalColumn("overtime_20", _("Overtime 2× (hours)"), "overtime_rest_minutes", hours=True),
    TotalColumn("overtime_30", _("Overtime 3× (hours)"), "overtime_holiday_minutes", hours=True),
    TotalColumn("pending_days", _("Not yet known (days)"), "pending_days"),
)
COUNTERS = (
    "night_shifts", "worked_minutes", "late_count", "late_minutes", "early_count", "early_minutes", "absent_days",
    "missing_punches", "pending_days", "overtime_workday_minutes", "overtime_rest_minutes",
    "overtime_holiday_minutes",
)  # fmt: skip


def _plain(value: Decimal) -> str:
    """``Decimal("1.0")`` → ``"1"``, ``Decimal("0.50")`` → ``"0.5"`` (never ``"1E+1"``)."""
    return f"{value.normalize():f}" if value else "0"


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


@dataclass(slots=True)
class Totals:
    """A person's month in numbers. Minutes are kept as minutes (hours are derived), days as
    ``Decimal`` half days, leave days by leave type code."""

    attendance_days: Decimal = ZERO
    night_shifts: int = 0
    worked_minutes: int = 0
    late_count: int = 0
    late_minutes: int = 0
    early_count: int = 0
    early_minutes: int = 0
    absent_days: int = 0
    missing_punches: int = 0
    pending_days: int = 0
    overtime_workday_minutes: int = 0
    overtime_rest_minutes: int = 0
    overtime_holiday_minutes: int = 0
    leave: dict[str, Decimal] = field(default_factory=dict)

    @property
    def worked_hours(self) -> Decimal:
        return _hours(self.worked_minutes)

    @property
    def overtime_hours(self) -> Decimal:
        return _hours(self.overtime_workday_minutes + self.overtime_rest_minutes + self.overtime_holiday_minutes)

    @property
    def leave_days_total(self) -> Decimal:
        return sum(self.leave.values(), ZERO)

    @property
    def overtime_15(self) -> Decimal:
        return _hours(self.overtime_workday_minutes)

    @property
    def overtime_20(self) -> Decimal:
        return _hours(self.overtime_rest_minutes)

    @property
    def overtime_30(self) -> Decimal:
        return _hours(self.overtime_holiday_minutes)

    def value(self, column: TotalColumn) -> Decimal | int:
        raw = getattr(self, column.source)
        return _hours(raw) if column.hours else raw

    def leave_days(self, code: str) -> Decimal:
        return self.leave.get(code, ZERO)

    def minus(self, other: Totals) -> Totals:
        leave = {c: self.leave_days(c) - other.leave_days(c) for c in {*self.leave, *other.leave}}
        return Totals(
            attendance_days=self.attendance_days - other.attendance_days,
            leave={c: d for c, d in leave.items() if d},
            **{name: getattr(self, name) - getattr(other, name) for name in COUNTERS},
        )

    def is_zero(self) -> bool:
        return not self.attendance_days and not any(getattr(self, n) for n in COUNTERS) and not any(self.leave.values())

    def as_json(self) -> dict:
        data: dict = {name: getattr(self, name) for name in COUNTERS}
        data["attendance_days"] = _plain(self.attendance_days)
        data["leave"] = {code: _plain(days) for code, days in sorted(self.leave.items()) if days}
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> Totals:
        data = data or {}
        return cls(
            attendance_days=Decimal(str(data.get("attendance_days", "0"))),
            leave={code: Decimal(str(days)) for code, days in (data.get("leave") or {}).items()},
            **{name: int(data.get(name, 0)) for name in COUNTERS},
        )


# One DailyResult as month_rows reads it (values_list order).
RESULT_FIELDS = (
    "staff_id", "date", "status", "night", "worked_minutes", "late_minutes", "early_minutes", "absent", "missing_in",
    "missing_out", "leave_type_id", "leave_days", "overtime_workday_minutes", "overtime_rest_minutes",
    "overtime_holiday_minutes",
)  # fmt: skip


def totals_of_results(results: Iterable, leave_types: dict[int, tuple[str, str]] | None = None) -> Totals:
    """Totals of ``DailyResult`` rows (the web pages' month figures), counted as the sheet counts.
    Pass ``leave_types`` (``leave_type_map()``) when totalling many people: one query then."""
    get = attrgetter(*RESULT_FIELDS)
    return _accumulate((get(r) for r in results), leave_types if leave_types is not None else leave_type_map(), None)


def _accumulate(results: Iterable[tuple], leave_types: dict[int, tuple[str, str]], days: list[str] | None) -> Totals:
    """Totals of one person's results (tuples in ``RESULT_FIELDS`` order); fills ``days`` (symbols
    by day of month, index 0 = the 1st) when given. Local counters: this runs 93,000 times a sheet."""
    attendance = ZERO
    night = worked = late_n = late_m = early_n = early_m = absent_n = missing = pending = ot15 = ot20 = ot30 = 0
    leave: dict[str, Decimal] = {}
    for (_s, day, status, is_night, w, lm, em, absent, mi, mo, lt, ld, o15, o20, o30) in results:  # fmt: skip
        worked += w
        if lm:
            late_n += 1
            late_m += lm
        if em:
            early_n += 1
            early_m += em
        absent_n += absent
        missing += mi + mo
        ot15 += o15
        ot20 += o20
        ot30 += o30
        code, symbol = leave_types.get(lt, ("", "")) if lt else ("", "")
        if status in PRESENTISH:
            attendance += ONE - min(ld, ONE)
            night += is_night
        elif status == "pending":
            pending += 1
        if code and ld:
            leave[code] = leave.get(code, ZERO) + ld
        if days is not None:
            days[day.day - 1] = day_symbol(
                status, night=is_night, leave_symbol=symbol, leave_days=ld, overtime=bool(o15 or o20 or o30)
            )
    return Totals(
        attendance_days=attendance, night_shifts=night, worked_minutes=worked, late_count=late_n,
        late_minutes=late_m, early_count=early_n, early_minutes=early_m, absent_days=absent_n,
        missing_punches=missing, pending_days=pending, overtime_workday_minutes=ot15, overtime_rest_minutes=ot20,
        overtime_holiday_minutes=ot30, leave=leave,
    )  # fmt: skip


# --- rows ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Adjustment:
    """A change to an earlier closed month, paid with this one: ``delta`` = recomputed − paid."""

    month: dt.date
    delta: Totals

    def as_json(self) -> dict:
        return {"month": self.month.isoformat(), "delta": self.delta.as_json()}

    @classmethod
    def from_json(cls, data: dict) -> Adjustment:
        return cls(month=dt.date.fromisoformat(data["month"]), delta=Totals.from_json(data.get("delta")))

    def changes(self, leave_names: dict[str, str] | None = None) -> list[str]:
        """``["Absent (days) +1", "Late (minutes) −120", ...]`` in the active language."""
        parts = []
        for column in TOTAL_COLUMNS + OVERTIME_COLUMNS:
            value = self.delta.value(column)
            if value:
                parts.append(f"{column.label} {_signed(value)}")
        for code, days in sorted(self.delta.leave.items()):
            if days:
                name = (leave_names or {}).get(code, code)
                parts.append(gettext("%(leave)s (days)") % {"leave": name} + f" {_signed(days)}")
        return parts

    def describe(self, leave_names: dict[str, str] | None = None) -> str:
        """``"Adjustment for 2026-10: Absent (days) +1, Late (minutes) −120"``."""
        return gettext("Adjustment for %(month)s: %(changes)s") % {
            "month": f"{self.month:%Y-%m}",
            "changes": ", ".join(self.changes(leave_names)),
        }


def _signed(value: Decimal | int) -> str:
    text = _plain(value) if isinstance(value, Decimal) else str(value)
    return "+" + text if value > 0 else "−" + text.lstrip("-")  # a real minus sign: not a formula


@dataclass
class MonthRow:
    """One person's line of the monthly sheet. ``days`` has one symbol per day of the month ("" for
    a day without a result). ``closed``: read from the frozen snapshot of a closed month."""

    staff_id: int
    employee_no: str
    name: str
    department: str
    team: str
    team_id: int | None
    days: list[str]
    totals: Totals
    adjustments: list[Adjustment] = field(default_factory=list)
    closed: bool = False

    @property
    def flags(self) -> tuple[str, ...]:
        flags = []
        if self.closed:
            flags.append("closed")
        if self.adjustments:
            flags.append("adjusted")
        if self.totals.pending_days:
            flags.append("pending")
        return tuple(flags)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_days(month: dt.date) -> list[dt.date]:
    first = month_start(month)
    return [first + dt.timedelta(days=i) for i in range(month_end(first).day)]


def _months_back(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def leave_type_map() -> dict[int, tuple[str, str]]:
    """Leave type id → (code, sheet symbol). One query."""
    return {pk: (code, symbol) for pk, code, symbol in LeaveType.objects.values_list("pk", "code", "symbol")}


def leave_types_for_sheet() -> list[tuple[str, str, str]]:
    """(code, name, symbol) of every leave type in sheet order: the leave columns and the legend."""
    return list(LeaveType.objects.order_by("order", "code").values_list("code", "name", "symbol"))


def month_staff(
    *, month: dt.date, department=None, teams=None, staff_qs: QuerySet[Staff] | None = None
) -> QuerySet[Staff]:
    """The people on a month's sheet, in sheet order (department, team, employee number): tracked
    staff who are active or have results that month, and anyone with a snapshot of that month."""
    first, last = month_start(month), month_end(month)
    qs = staff_qs if staff_qs is not None else Staff.objects.all()
    results = DailyResult.objects.filter(staff=OuterRef("pk"), date__range=(first, last))
    snapshot = MonthSnapshot.objects.filter(staff=OuterRef("pk"), month=first)
    qs = qs.filter(Q(attendance_tracked=True) & (Q(is_active=True) | Exists(results)) | Exists(snapshot))
    if department is not None:
        qs = qs.filter(department=department)
    if teams is not None:
        qs = qs.filter(team__in=teams)
    return qs.order_by(
        F("department__sort_order").asc(nulls_last=True), "department__name", "team__code", "employee_no", "pk"
    )


def month_rows(
    *, month: dt.date, department=None, teams=None, staff_qs: QuerySet[Staff] | None = None
) -> Iterator[MonthRow]:
    """The sheet rows of ``month`` (any day of it), one per person of ``month_staff``, in sheet order.

    A generator that reads the results of ``STAFF_CHUNK`` people at a time (one query each), so a
    3,000-person hospital costs a handful of queries and a few MB. People with a snapshot of the
    month are read from it (``closed``); the others from their results, with the adjustments of
    earlier closed months carried in."""
    first, last = month_start(month), month_end(month)
    staff = list(
        month_staff(month=first, department=department, teams=teams, staff_qs=staff_qs).values_list(
            "pk", "employee_no", "name", "department__name", "team__name", "team_id"
        )
    )
    if not staff:
        return
    leave_types = leave_type_map()
    with_snapshots = MonthSnapshot.objects.filter(month=first).exists()
    adjustments = _adjustments(first, {row[0] for row in staff}, leave_types)
    ndays = last.day
    for i in range(0, len(staff), STAFF_CHUNK):
        chunk = staff[i : i + STAFF_CHUNK]
        ids = [row[0] for row in chunk]
        snapshots = {}
        if with_snapshots:
            snapshots = {
                s: (dept, days, totals, carried)
                for s, dept, days, totals, carried in MonthSnapshot.objects.filter(
                    month=first, staff_id__in=ids
                ).values_list("staff_id", "department_name", "days", "totals", "carried")
            }
        results: dict[int, list[tuple]] = defaultdict(list)
        live = [s for s in ids if s not in snapshots]
        if live:
            rows = (
                DailyResult.objects.filter(staff_id__in=live, date__range=(first, last))
                .order_by("staff_id", "date")
                .values_list(*RESULT_FIELDS)
            )
            for row in rows.iterator(chunk_size=5000):
                results[row[0]].append(row)
        for staff_id, number, name, dept, team, team_id in chunk:
            if staff_id in snapshots:
                dept_name, days_json, totals, carried = snapshots.pop(staff_id)
                days = [str((days_json or {}).get(str(d), "")) for d in range(1, ndays + 1)]
                yield MonthRow(
                    staff_id, number, name, dept_name or "", team or "", team_id, days, Totals.from_json(totals),
                    [Adjustment.from_json(a) for a in carried or []], closed=True,
                )  # fmt: skip
                continue
            days = [""] * ndays
            totals = _accumulate(results.pop(staff_id, ()), leave_types, days)
            yield MonthRow(
                staff_id, number, name, dept or "", team or "", team_id, days, totals, adjustments.get(staff_id, [])
            )


def _adjustments(
    month: dt.date, staff_ids: set[int], leave_types: dict[int, tuple[str, str]]
) -> dict[int, list[Adjustment]]:
    """Adjustments carried into the open ``month`` per person. Only (person, closed month) pairs with
    a result changed after the close are looked at; each is carried into the first month after it
    that has no snapshot for that person (so into exactly one open sheet)."""
    lookback = _months_back(month, ADJUSTMENT_LOOKBACK_MONTHS)
    flagged = {
        (s, m)
        for s, m in DailyResult.objects.filter(date__gte=lookback, date__lt=month, changed_after_close=True)
        .annotate(month=TruncMonth("date"))
        .values_list("staff_id", "month")
        .distinct()
        if s in staff_ids
    }
    if not flagged:
        return {}
    people = {s for s, _m in flagged}
    snapshot_months: dict[int, set[dt.date]] = defaultdict(set)
    paid: dict[tuple[int, dt.date], Totals] = {}
    carried: dict[tuple[int, dt.date], list[tuple[dt.date, Totals]]] = defaultdict(list)
    for s, m, totals, carried_json in MonthSnapshot.objects.filter(
        staff_id__in=people, month__gte=lookback, month__lt=month
    ).values_list("staff_id", "month", "totals", "carried"):
        snapshot_months[s].add(m)
        if (s, m) in flagged:
            paid[(s, m)] = Totals.from_json(totals)
        for item in carried_json or []:
            adjustment = Adjustment.from_json(item)
            carried[(s, adjustment.month)].append((m, adjustment.delta))
    due = set()
    for s, m in flagged:
        between, step = True, _months_back(m, -1)
        while step < month:
            between &= step in snapshot_months[s]
            step = _months_back(step, -1)
        if (s, m) in paid and between:
            due.add((s, m))
    if not due:
        return {}
    by_month: dict[dt.date, list[int]] = defaultdict(list)
    for s, m in due:
        by_month[m].append(s)
    where = Q()
    for m, people_of_month in by_month.items():
        where |= Q(date__range=(m, month_end(m)), staff_id__in=people_of_month)
    current: dict[tuple[int, dt.date], list[tuple]] = defaultdict(list)
    for row in DailyResult.objects.filter(where).order_by("staff_id", "date").values_list(*RESULT_FIELDS):
        current[(row[0], month_start(row[1]))].append(row)
    out: dict[int, list[Adjustment]] = defaultdict(list)
    for s, m in sorted(due, key=lambda pair: (pair[0], pair[1])):
        delta = _accumulate(current.get((s, m), ()), leave_types, None).minus(paid[(s, m)])
        for later, already in carried.get((s, m), ()):
            if m < later < month:
                delta = delta.minus(already)
        if not delta.is_zero():
            out[s].append(Adjustment(month=m, delta=delta))
    return dict(out)


def sheet_staff_visible_to(user) -> QuerySet[Staff]:
    """Whose sheet rows the user may see: everyone for finance, managers and the attendance
    administrator (holders of ``attendance.view_sheetexport``), else the attendance scoping (a team
    lead their teams)."""
    from .selectors import tracked_staff_visible_to

    if not user.is_authenticated:
        return Staff.objects.none()
    if user.is_superuser or user.has_perm("attendance.view_sheetexport"):
        return Staff.objects.all()
    return tracked_staff_visible_to(user)


# --- month close ---------------------------------------------------------------------------------
def month_pending_counts(*, month: dt.date, teams) -> dict[int, tuple[int, int]]:
    """Team id → (pending results, days queued for recomputation) of the team's tracked people in
    the month: a month with any of either cannot be closed. Two aggregate queries."""
    first, last = month_start(month), month_end(month)
    base = {"staff__attendance_tracked": True, "staff__team__in": teams}
    pending = dict(
        DailyResult.objects.filter(date__range=(first, last), status=DailyResult.Status.PENDING, **base)
        .values_list("staff__team_id")
        .annotate(n=Count("pk"))
        .values_list("staff__team_id", "n")
    )
    dirty = dict(
        DirtyDay.objects.filter(date__range=(first, last), **base)
        .values_list("staff__team_id")
        .annotate(n=Count("pk"))
        .values_list("staff__team_id", "n")
    )
    return {t: (pending.get(t, 0), dirty.get(t, 0)) for t in {*pending, *dirty}}


@dataclass(frozen=True)
class TeamMonth:
    """A team's month on the close page: status ("open", "lead_closed", "closed"), who closed it,
    how many tracked people and how many days are still pending."""

    team: Team
    status: str
    close: MonthClose | None
    people: int
    pending_days: int
    dirty_days: int

    @property
    def blocked(self) -> bool:
        return bool(self.pending_days or self.dirty_days)


def month_close_overview(*, month: dt.date, teams: QuerySet[Team]) -> list[TeamMonth]:
    """The close status of ``month`` for each of ``teams`` (four queries whatever the number)."""
    first = month_start(month)
    teams = list(teams)
    closes = {
        c.team_id: c
        for c in MonthClose.objects.filter(month=first, team__in=teams).select_related("lead_closed_by", "closed_by")
    }
    people = dict(
        Staff.objects.filter(team__in=teams, attendance_tracked=True, is_active=True)
        .values_list("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
    )
    counts = month_pending_counts(month=first, teams=teams)
    return [
        TeamMonth(
            team=team,
            status=closes[team.pk].status if team.pk in closes else "open",
            close=closes.get(team.pk),
            people=people.get(team.pk, 0),
            pending_days=counts.get(team.pk, (0, 0))[0],
            dirty_days=counts.get(team.pk, (0, 0))[1],
        )
        for team in teams
    ]


def can_close_month_lead(user, team: Team) -> bool:
    """The first close step: the team's lead, or the attendance administrator."""
    from .permissions import is_attendance_admin

    if not user.is_authenticated or not user.has_perm("attendance.close_month_lead"):
        return False
    if is_attendance_admin(user):
        return True
    return bool(team.lead_id and team.lead.user_id == user.pk)


def can_close_month_final(user) -> bool:
    """The final close for payroll: the attendance administrator only."""
    from .permissions import is_attendance_admin

    return bool(user.is_authenticated and is_attendance_admin(user) and user.has_perm("attendance.close_month_final"))
