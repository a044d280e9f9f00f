"""Who is on duty now: the live board of the attendance app ("On duty now") and the selector that
work-order dispatch uses to choose among the people at work.

Everything is read in a fixed number of queries whatever the number of people (staff, roster,
approved leave, PIN mappings, punches, presence evidence) and judged in Python with the same
definitions as the daily results (``attendance.compute``): wall-clock times in ``TIME_ZONE``, shift
segments from ``rules.shift_segments``, each segment owning the punches of its window (check-in
window before its start to check-out window after its end, cut half-way between neighbouring
segments), punches within a minute of each other counted once, half-day leave splitting the shift
at its middle.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.org.models import Staff, Team

from .compute import dedupe
from .models import (
    AttendanceRequest,
    LeavePortion,
    Pairing,
    PinMapping,
    PresenceEvidence,
    Punch,
    RequestKind,
    RequestStatus,
    RosterEntry,
    ShiftType,
)
from .rules import DAY, Segment, shift_segments

EPSILON = dt.timedelta(microseconds=1)


class DutyState(models.TextChoices):
    """Where a person stands at one moment (see ``duty_board`` for the definitions)."""

    PRESENT = "present", _("Present")
    NOT_ARRIVED = "not_arrived", _("Not arrived")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Checked out")
    OFF = "off", _("Off duty")


STATE_ORDER = [
    DutyState.PRESENT,
    DutyState.NOT_ARRIVED,
    DutyState.ON_LEAVE,
    DutyState.LEFT,
    DutyState.OFF,
]  # fmt: skip
_RANK = {state: i for i, state in enumerate(STATE_ORDER)}


@dataclass(frozen=True)
class DutyRow:
    """One person on the board. Times are aware; ``shift_start``/``shift_end`` span the whole shift
    (first segment start to last segment end), ``segment_*`` the segment that matters now.
    ``due``: a segment of the shift covers the moment; ``on_duty``: due and present."""

    staff: Staff
    state: str
    shift: ShiftType | None = None
    shift_date: dt.date | None = None
    shift_start: dt.datetime | None = None
    shift_end: dt.datetime | None = None
    segment_start: dt.datetime | None = None
    segment_end: dt.datetime | None = None
    due: bool = False
    first_punch: dt.datetime | None = None
    last_punch: dt.datetime | None = None
    leave: AttendanceRequest | None = None
    evidence_used: bool = False

    @property
    def team(self) -> Team | None:
        return self.staff.team

    @property
    def department(self):
        return self.staff.department

    @property
    def on_duty(self) -> bool:
        return self.due and self.state == DutyState.PRESENT

    @property
    def state_label(self) -> str:
        return DutyState(self.state).label


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


@dataclass
class TeamGroup:
    """The rows of one team (``team`` None: people without a team) with their counts."""

    team: Team | None
    rows: list[DutyRow] = field(default_factory=list)

    @property
    def counts(self) -> list[StateCount]:
        return _counts(self.rows, skip_empty=True)


@dataclass
class DutyBoard:
    """The board at ``at``: rows ordered by team, state, shift start and employee number. Iterating
    the board iterates its rows; ``cards`` are the counts per state, ``groups`` the rows by team."""

    at: dt.datetime
    rows: list[DutyRow]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @cached_property
    def counts(self) -> dict[str, int]:
        return {c.state: c.count for c in self.cards}

    @cached_property
    def cards(self) -> list[StateCount]:
        return _counts(self.rows)

    @cached_property
    def groups(self) -> list[TeamGroup]:
        groups: dict[int | None, TeamGroup] = {}
        for row in self.rows:
            key = row.staff.team_id
            if key not in groups:
                groups[key] = TeamGroup(row.team)
            groups[key].rows.append(row)
        return list(groups.values())


def _counts(rows: list[DutyRow], *, skip_empty: bool = False) -> list[StateCount]:
    tally = dict.fromkeys(STATE_ORDER, 0)
    for row in rows:
        tally[row.state] += 1
    return [StateCount(s, DutyState(s).label, n) for s, n in tally.items() if n or not skip_empty]


# --- the rules -------------------------------------------------------------------------------------
@dataclass
class _Slot:
    """One segment of one rostered shift, with the window of punches it owns."""

    entry: RosterEntry
    seg: Segment
    window: Segment
    span: Segment  # the whole shift: first segment start → last segment end
    first_window_start: dt.datetime = dt.datetime.min  # noqa: DTZ901 - local wall clock


def _midpoint(a: dt.datetime, b: dt.datetime) -> dt.datetime:
    return a + (b - a) / 2


def _slots(entries: list[RosterEntry]) -> list[_Slot]:
    """The segments of a person's shifts in start order, windows cut half-way between neighbours
    so that one punch never belongs to two segments (as the daily results cut them)."""
    slots: list[_Slot] = []
    for entry in entries:
        shift = entry.shift
        segments = shift_segments(shift, entry.date)
        span = Segment(segments[0].start, segments[-1].end)
        for seg in segments:
            window = Segment(
                seg.start - dt.timedelta(minutes=shift.checkin_window_minutes),
                seg.end + dt.timedelta(minutes=shift.checkout_window_minutes),
            )
            slots.append(_Slot(entry, seg, window, span))
    slots.sort(key=lambda s: s.seg.start)
    for i, slot in enumerate(slots):
        start, end = slot.window.start, slot.window.end
        if i > 0 and slots[i - 1].seg.end <= slot.seg.start:
            start = max(start, _midpoint(slots[i - 1].seg.end, slot.seg.start))
        if i + 1 < len(slots) and slots[i + 1].seg.start >= slot.seg.end:
            end = min(end, _midpoint(slot.seg.end, slots[i + 1].seg.start))
        slot.window = Segment(start, end)
    first_windows: dict[int, dt.datetime] = {}
    for slot in slots:
        first_windows.setdefault(id(slot.entry), slot.window.start)
        slot.first_window_start = first_windows[id(slot.entry)]
    return slots


def _slot_at(slots: list[_Slot], t: dt.datetime) -> _Slot | None:
    """The segment that matters at ``t``: one covering it, else the one whose window holds it
    (about to start, or just over)."""
    covering = [s for s in slots if s.seg.start <= t < s.seg.end]
    if covering:
        return covering[-1]
    return next((s for s in slots if s.window.start <= t < s.window.end), None)


def _leave_at(leaves: list[AttendanceRequest], slot: _Slot | None, t: dt.datetime) -> AttendanceRequest | None:
    """Approved leave covering the moment of the shift that matters now (``t`` clamped into the
    segment): full days cover the shifts starting on their dates, am / pm the first / second half
    of such a shift, hours their interval. Without a shift: full days covering today, hours ``t``."""
    moment = t if slot is None else min(max(t, slot.seg.start), slot.seg.end - EPSILON)
    for leave in leaves:
        if leave.portion == LeavePortion.HOURS:
            if leave.start_at and leave.end_at and leave.start_at <= moment < leave.end_at:
                return leave
            continue
        day = t.date() if slot is None else slot.entry.date
        if not leave.start_date <= day <= leave.end_date:
            continue
        if leave.portion == LeavePortion.FULL:
            return leave
        if slot is None:
            continue
        middle = _midpoint(slot.span.start, slot.span.end)
        if (leave.portion == LeavePortion.AM and moment < middle) or (
            leave.portion == LeavePortion.PM and moment >= middle
        ):
            return leave
    return None


def _punched_in(slot: _Slot, mine: list[dt.datetime], t: dt.datetime) -> bool | None:
    """From the segment's punches up to ``t``: True checked in, False checked out, None no punch.
    Alternating pairing: an odd number of punches is in. First in / last out: punches in the middle
    are ignored (as in the daily result); the person is out once a punch falls in the early-leave
    grace before the segment end or later, or once the segment is over and it has two punches."""
    if not mine:
        return None
    shift = slot.entry.shift
    if shift.pairing == Pairing.ALTERNATING:
        return len(mine) % 2 == 1
    at_end = mine[-1] >= slot.seg.end - dt.timedelta(minutes=shift.early_grace_minutes)
    return not (at_end or (len(mine) > 1 and t >= slot.seg.end))


def _row(
    staff: Staff,
    slots: list[_Slot],
    t: dt.datetime,
    punches: list[dt.datetime],
    evidence: list[dt.datetime],
    leaves: list[AttendanceRequest],
    zone: ZoneInfo,
) -> DutyRow:
    slot = _slot_at(slots, t)
    leave = _leave_at(leaves, slot, t)
    since = slot.first_window_start if slot else dt.datetime.combine(t.date(), dt.time())
    today = [p for p in punches if since <= p <= t]

    def aware(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.replace(tzinfo=zone) if moment is not None else None

    first, last = aware(min(today, default=None)), aware(max(today, default=None))
    if slot is None:
        state = DutyState.ON_LEAVE if leave else DutyState.OFF
        return DutyRow(staff, state, first_punch=first, last_punch=last, leave=leave)

    due = slot.seg.start <= t < slot.seg.end
    mine = [p for p in punches if slot.window.start <= p <= t and p < slot.window.end]
    seen = [e for e in evidence if slot.window.start <= e <= t and e < slot.window.end]
    status = _punched_in(slot, mine, t)
    evidence_used = bool(seen) and (status is None or (status is False and seen[-1] > mine[-1]))
    if evidence_used:
        status = True
    if leave:
        state = DutyState.ON_LEAVE
    elif status is True:
        state = DutyState.PRESENT
    elif status is False:
        state = DutyState.LEFT
    else:
        state = DutyState.NOT_ARRIVED if due else DutyState.OFF
    return DutyRow(
        staff,
        state,
        shift=slot.entry.shift,
        shift_date=slot.entry.date,
        shift_start=aware(slot.span.start),
        shift_end=aware(slot.span.end),
        segment_start=aware(slot.seg.start),
        segment_end=aware(slot.seg.end),
        due=due,
        first_punch=first,
        last_punch=last,
        leave=leave,
        evidence_used=evidence_used,
    )


# --- loading -----------------------------------------------------------------------------------------
def _pk(value) -> int | None:
    if value in (None, ""):
        return None
    return value.pk if isinstance(value, models.Model) else int(value)


def _candidates(staff_qs, campus, department, team) -> list[Staff]:
    qs = Staff.objects.all() if staff_qs is None else staff_qs
    qs = qs.filter(is_active=True, attendance_tracked=True).select_related("team", "department")
    if (campus := _pk(campus)) is not None:
        qs = qs.filter(Q(department__campus_id=campus) | Q(team__campus_id=campus))
    if (department := _pk(department)) is not None:
        qs = qs.filter(department_id=department)
    if (team := _pk(team)) is not None:
        qs = qs.filter(team_id=team)
    return list(qs)


def _punches_by_staff(
    people: list[Staff], start: dt.datetime, end: dt.datetime, zone: ZoneInfo
) -> dict[int, list[dt.datetime]]:
    """Local naive punch times per staff id between two aware moments, in two queries: a punch
    belongs to whoever the PIN is mapped to on its date, else to the staff member whose employee
    number it is (as ``selectors.staff_for_pin`` decides for one punch)."""
    ids = {p.pk for p in people}
    by_number = {p.employee_no: p.pk for p in people}
    first_day, last_day = start.astimezone(zone).date(), end.astimezone(zone).date()
    mappings: dict[str, list[tuple[dt.date, dt.date, int]]] = defaultdict(list)
    for pin, valid_from, valid_to, staff_id in (
        PinMapping.objects.filter(Q(staff_id__in=ids) | Q(pin__in=by_number), valid_from__lte=last_day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first_day))
        .values_list("pin", "valid_from", "valid_to", "staff_id")
    ):
        mappings[pin].append((valid_from, valid_to or dt.date.max, staff_id))
    pins = set(by_number) | set(mappings)
    out: dict[int, list[dt.datetime]] = defaultdict(list)
    rows = Punch.objects.filter(pin__in=pins, punched_at__gte=start, punched_at__lte=end).values_list(
        "pin", "punched_at"
    )
    for pin, punched_at in rows.order_by("punched_at"):
        local = punched_at.astimezone(zone).replace(tzinfo=None)
        day = local.date()
        owner = next((s for f, u, s in mappings.get(pin, ()) if f <= day <= u), by_number.get(pin))
        if owner in ids:
            out[owner].append(local)
    return {staff_id: dedupe(times) for staff_id, times in out.items()}


def duty_board(
    *,
    at: dt.datetime | None = None,
    staff_qs: QuerySet[Staff] | None = None,
    campus=None,
    department=None,
    team=None,
) -> DutyBoard:
    """Everyone active and attendance-tracked in ``staff_qs`` (default: all staff; narrowed by
    campus of their department or team, department, team: instances or primary keys) and where
    they stand at ``at`` (aware; default now). Six queries whatever the number of people.

    Wall-clock time ``t`` is ``at`` in ``settings.TIME_ZONE``. The shift that matters is the roster
    entry (of the day before yesterday to tomorrow) with a segment covering ``t``, else the one
    whose punch window holds ``t`` (check-in window before a segment, check-out window after it).
    A night shift that started yesterday therefore counts at 02:00 today; a split shift's gap
    belongs to the segments on either side of its middle.

    - ``on_leave``: approved leave covers the shift at ``t`` (full days the shift's date, am / pm
      that half of the shift, hours their interval; clamped to the segment when ``t`` is before or
      after it). Without a shift: full-day leave on today's date, or hours leave covering ``t``.
    - ``present``: the segment's punches up to ``t`` say checked in (see ``_punched_in``), or
      presence evidence (an on-site check-in) in the segment's window after the last punch.
    - ``left``: the punches say checked out.
    - ``not_arrived``: a segment covers ``t`` and there is no punch or evidence yet.
    - ``off``: nothing of the above: no shift now, or a shift about to start or just over without
      punches. Punches without a shift (a rest day) leave the person ``off``; ``first_punch``
      shows them.

    ``first_punch``/``last_punch`` are the first/last punch from the start of the shift's punch
    window (without a shift: local midnight) up to ``t``.
    """
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("duty_board needs an aware datetime")
    zone = ZoneInfo(settings.TIME_ZONE)
    t = at.astimezone(zone).replace(tzinfo=None)
    people = _candidates(staff_qs, campus, department, team)
    if not people:
        return DutyBoard(at, [])
    ids = [p.pk for p in people]
    today = t.date()

    entries: dict[int, list[RosterEntry]] = defaultdict(list)
    for entry in RosterEntry.objects.filter(
        staff_id__in=ids, date__range=(today - 2 * DAY, today + DAY)
    ).select_related("shift"):
        entries[entry.staff_id].append(entry)
    slots = {p.pk: _slots(entries.get(p.pk, [])) for p in people}

    leaves: dict[int, list[AttendanceRequest]] = defaultdict(list)
    for leave in AttendanceRequest.objects.filter(
        staff_id__in=ids,
        kind=RequestKind.LEAVE,
        status=RequestStatus.APPROVED,
        start_date__lte=today + DAY,
        end_date__gte=today - 2 * DAY,
    ).select_related("leave_type"):
        leaves[leave.staff_id].append(leave)

    # Punches and evidence are needed from the earliest window that matters now (or midnight).
    since = dt.datetime.combine(today, dt.time())
    for person_slots in slots.values():
        slot = _slot_at(person_slots, t)
        if slot is not None:
            since = min(since, slot.first_window_start)
    start = since.replace(tzinfo=zone)
    punches = _punches_by_staff(people, start, at, zone)
    evidence: dict[int, list[dt.datetime]] = defaultdict(list)
    for staff_id, moment in (
        PresenceEvidence.objects.filter(staff_id__in=ids, at__gte=start, at__lte=at)
        .order_by("at")
        .values_list("staff_id", "at")
    ):
        evidence[staff_id].append(moment.astimezone(zone).replace(tzinfo=None))

    rows = [
        _row(p, slots[p.pk], t, punches.get(p.pk, []), evidence.get(p.pk, []), leaves.get(p.pk, []), zone)
        for p in people
    ]
    rows.sort(
        key=lambda r: (
            r.team is None,
            r.team.code if r.team else "",
            _RANK[r.state],
            r.shift_start or at,
            r.staff.employee_no,
        )
    )
    return DutyBoard(at, rows)


def staff_on_duty(
    *,
    at: dt.datetime | None = None,
    team=None,
    include_not_arrived: bool = False,
    staff_qs: QuerySet[Staff] | None = None,
) -> QuerySet[Staff]:
    """Staff on duty at ``at`` (aware; default now), optionally of one ``team`` (instance or pk)
    and within ``staff_qs``: for work-order dispatch to pick the least-loaded of them.

    On duty = active and attendance-tracked, a segment of one of their rostered shifts covers
    ``at`` (yesterday's night shift included, a split shift's gap excluded), no approved leave
    covers that moment (full day, the half of the shift, or hours), and they have checked in for
    that segment: a punch since the segment's start less the shift's check-in window (cut half-way
    to the previous segment) up to ``at`` that the shift's pairing reads as "in" (or presence
    evidence after their last punch). PINs are resolved through ``PinMapping`` on the punch's date,
    else the employee number. ``include_not_arrived`` adds those due now without a punch yet
    (the fallback when nobody has checked in). See ``duty_board`` for the full definitions.

    Six queries to decide; the returned queryset (by employee number) is one more when read, and
    may be annotated with the caller's load figures.
    """
    board = duty_board(at=at, team=team, staff_qs=staff_qs)
    wanted = {DutyState.PRESENT, DutyState.NOT_ARRIVED} if include_not_arrived else {DutyState.PRESENT}
    ids = [row.staff.pk for row in board if row.due and row.state in wanted]
    return Staff.objects.filter(pk__in=ids).select_related("team", "department").order_by("employee_no")
