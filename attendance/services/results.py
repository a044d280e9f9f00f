"""Daily results: queueing person-days to recompute, and recomputing them in bulk.

Whatever changes a day (new punches, roster edits, approvals, presence evidence) marks the
(staff, date) pairs dirty in its own transaction; the ``attendance.results_recompute_dirty`` task
consumes the queue. A beat task rechecks results whose outcome was still open (shift not over, or a
terminal not yet synced). Recomputing is idempotent: the same inputs give the same row.
"""

from __future__ import annotations

import datetime as dt
import logging
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from logistics.common.bulk import copy_to_stage
from logistics.org.models import Staff

from ..compute import DayInput, DayOutcome, Leave, day_compute
from ..models import (
    AttendanceRequest,
    CalendarDay,
    DailyResult,
    DirtyDay,
    MonthClose,
    PinMapping,
    PresenceEvidence,
    Punch,
    RosterEntry,
    ShiftType,
    TerminalWatermark,
)
from ..rules import Segment, day_type, shift_segments

logger = logging.getLogger(__name__)

DAY = dt.timedelta(days=1)
STAFF_CHUNK = 400
# Terminals someone punched on in this many days before a day are the ones we wait for.
TERMINAL_LOOKBACK = dt.timedelta(days=35)
COMPARED = (
    "day_type", "status", "shift_codes", "scheduled_minutes", "worked_minutes", "late_minutes", "early_minutes",
    "absent", "missing_in", "missing_out", "leave_minutes", "leave_type_id", "leave_days", "overtime_workday_minutes",
    "overtime_rest_minutes", "overtime_holiday_minutes",
)  # fmt: skip
# Waiting for a terminal to sync: recheck this often.
RECHECK_WAITING = dt.timedelta(minutes=10)
OUTCOME_FIELDS = [*COMPARED, "night", "first_in", "last_out", "evidence_used", "awaiting_sync", "recheck_after"]


# --- queueing ------------------------------------------------------------------------------------
def days_mark_dirty(*, pairs: Iterable[tuple[int, dt.date]]) -> int:
    """Queue (staff id, date) pairs for recomputation, in the caller's transaction, and schedule
    the recompute task after commit. Idempotent: a pair already queued gets a new mark time."""
    from logistics.common.outbox import enqueue

    now = timezone.now()
    rows = [DirtyDay(staff_id=staff_id, date=day, marked_at=now) for staff_id, day in set(pairs)]
    if not rows:
        return 0
    with transaction.atomic():
        DirtyDay.objects.bulk_create(
            rows, batch_size=2000, update_conflicts=True, unique_fields=["staff", "date"], update_fields=["marked_at"]
        )
        enqueue("attendance.results_recompute_dirty")
    return len(rows)


def _owners(pins: set[str], lo: dt.date, hi: dt.date) -> dict[str, list[tuple[int, dt.date, dt.date]]]:
    """For each PIN, who it belongs to between which dates: explicit mappings first, then the staff
    member whose employee number it is (for the dates no mapping covers)."""
    owners: dict[str, list[tuple[int, dt.date, dt.date]]] = defaultdict(list)
    for pin, staff_id, start, end in (
        PinMapping.objects.filter(pin__in=pins, valid_from__lte=hi)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=lo))
        .values_list("pin", "staff_id", "valid_from", "valid_to")
    ):
        owners[pin].append((staff_id, start, end or dt.date.max))
    for pin, staff_id in Staff.objects.filter(employee_no__in=pins).values_list("employee_no", "id"):
        owners[pin].append((staff_id, dt.date.min, dt.date.max))
    return owners


def _owner_on(owners: dict[str, list[tuple[int, dt.date, dt.date]]], pin: str, day: dt.date) -> int | None:
    for staff_id, start, end in owners.get(pin, ()):
        if start <= day <= end:
            return staff_id
    return None


def punch_days_mark_dirty(*, pin_days: set[tuple[str, dt.date]]) -> int:
    """New punches (PIN, local date) → the tracked people and days they may change: the day itself
    and the day before (a night shift that started the evening before)."""
    if not pin_days:
        return 0
    days = [d for _pin, d in pin_days]
    owners = _owners({pin for pin, _d in pin_days}, min(days) - DAY, max(days))
    tracked = set(
        Staff.objects.filter(
            pk__in={s for rows in owners.values() for s, _a, _b in rows}, attendance_tracked=True
        ).values_list("pk", flat=True)
    )
    pairs = set()
    for pin, day in pin_days:
        for d in (day - DAY, day):
            staff_id = _owner_on(owners, pin, d)
            if staff_id in tracked:
                pairs.add((staff_id, d))
    return days_mark_dirty(pairs=pairs)


# --- recomputing ---------------------------------------------------------------------------------
@dataclass
class RecomputeStats:
    days: int = 0
    changed: int = 0
    after_close: int = 0


def _local(at: dt.datetime, zone) -> dt.datetime:
    return at.astimezone(zone).replace(tzinfo=None)


def results_recompute(*, pairs: Iterable[tuple[int, dt.date]], now: dt.datetime | None = None) -> RecomputeStats:
    """Recompute the results of these (staff id, date) pairs from the roster, punches, approved
    requests, calendar, evidence and terminal watermarks, and store them (one upsert per chunk).
    Untracked staff get no results (stale ones are removed). A result of a month already closed for
    payroll is updated too but flagged ``changed_after_close`` when it differs, so the sheet shows
    it as an adjustment; the closed sheet itself is read from its snapshot."""
    now = now or timezone.now()
    by_staff: dict[int, set[dt.date]] = defaultdict(set)
    for staff_id, day in pairs:
        by_staff[staff_id].add(day)
    stats = RecomputeStats()
    staff_ids = sorted(by_staff)
    for i in range(0, len(staff_ids), STAFF_CHUNK):
        chunk = {s: by_staff[s] for s in staff_ids[i : i + STAFF_CHUNK]}
        with transaction.atomic():  # the month-close locks below last until the rows are written
            _recompute_chunk(chunk, now, stats)
    return stats


def _recompute_chunk(chunk: dict[int, set[dt.date]], now: dt.datetime, stats: RecomputeStats) -> None:
    zone = timezone.get_default_timezone()
    now_local = _local(now, zone)
    all_days = [d for days in chunk.values() for d in days]
    lo, hi = min(all_days) - DAY, max(all_days) + DAY
    staff = {
        row["id"]: row
        for row in Staff.objects.filter(pk__in=chunk.keys()).values(
            "id", "employee_no", "team_id", "attendance_tracked"
        )
    }
    untracked = [s for s in chunk if s not in staff or not staff[s]["attendance_tracked"]]
    if untracked:
        DailyResult.objects.filter(staff_id__in=untracked).delete()
    chunk = {s: d for s, d in chunk.items() if s not in untracked}
    if not chunk:
        return
    ids = list(chunk)

    roster: dict[tuple[int, dt.date], list] = defaultdict(list)
    # Tuples and one instance per shift type: model instances per entry cost more than the rules.
    entries = list(
        RosterEntry.objects.filter(staff_id__in=ids, date__range=(lo, hi)).values_list("staff_id", "date", "shift_id")
    )
    shift_types = ShiftType.objects.in_bulk({shift_id for _s, _d, shift_id in entries})
    for staff_id, date, shift_id in entries:
        roster[(staff_id, date)].append(shift_types[shift_id])
    # First start and last end of each rostered day: where a neighbouring day's windows stop.
    edges = {key: _edges(shifts, key[1]) for key, shifts in roster.items()}

    mapped = set(PinMapping.objects.filter(staff_id__in=ids).values_list("pin", flat=True))
    pins = {staff[s]["employee_no"] for s in ids} | mapped
    owners = _owners(pins, lo - DAY, hi + DAY)
    start_at = dt.datetime.combine(lo - DAY, dt.time(), tzinfo=zone)
    end_at = dt.datetime.combine(hi + 2 * DAY, dt.time(), tzinfo=zone)
    punches: dict[int, list[dt.datetime]] = defaultdict(list)
    terminals: dict[int, set[str]] = defaultdict(set)
    for pin, local, serial in _punches_local(pins, start_at, end_at, zone):
        owner = _owner_on(owners, pin, local.date())
        if owner in chunk:
            punches[owner].append(local)
            if serial:
                terminals[owner].add(serial)
    without = [s for s in ids if not terminals.get(s)]
    if without:
        lookback = Punch.objects.filter(
            pin__in={staff[s]["employee_no"] for s in without} | mapped,
            punched_at__gte=start_at - TERMINAL_LOOKBACK,
            punched_at__lt=start_at,
        ).exclude(terminal_serial="")
        for pin, at, serial in lookback.values_list("pin", "punched_at", "terminal_serial").distinct():
            owner = _owner_on(owners, pin, _local(at, zone).date())
            if owner in chunk:
                terminals[owner].add(serial)
    for values in punches.values():
        values.sort()
    watermarks = {
        serial: _local(at, zone)
        for serial, at in TerminalWatermark.objects.values_list("terminal_serial", "synced_until")
    }

    leaves: dict[int, list[tuple[dt.date, dt.date, Leave]]] = defaultdict(list)
    overtime: dict[int, list[Segment]] = defaultdict(list)
    requests = AttendanceRequest.objects.filter(
        staff_id__in=ids,
        status=AttendanceRequest.Status.APPROVED,
        kind__in=[AttendanceRequest.Kind.LEAVE, AttendanceRequest.Kind.OVERTIME],
        start_date__lte=hi + DAY,
        end_date__gte=lo - DAY,
    )
    for req in requests:
        if req.kind == AttendanceRequest.Kind.OVERTIME:
            overtime[req.staff_id].append(Segment(req.start_at, req.end_at))
            continue
        interval = Segment(req.start_at, req.end_at) if req.portion == "hours" and req.start_at and req.end_at else None
        leaves[req.staff_id].append((req.start_date, req.end_date, Leave(req.leave_type_id, req.portion, interval)))

    evidence: dict[int, list[dt.datetime]] = defaultdict(list)
    for staff_id, at in PresenceEvidence.objects.filter(staff_id__in=ids, at__gte=start_at, at__lt=end_at).values_list(
        "staff_id", "at"
    ):
        evidence[staff_id].append(_local(at, zone))

    calendar = dict(CalendarDay.objects.filter(date__range=(lo, hi)).values_list("date", "kind"))
    closed = _closed_months(lo, hi)
    # (staff, date) → (changed_after_close, *OUTCOME_FIELDS): tuples, compared with the outcome's
    # values in the same form, so that unchanged days are not written again.
    existing = {
        (row[0], row[1]): row[2:]
        for row in DailyResult.objects.filter(staff_id__in=ids, date__range=(lo, hi)).values_list(
            "staff_id", "date", "changed_after_close", *OUTCOME_FIELDS
        )
    }
    recheck_floor = now + RECHECK_WAITING

    rows: list[tuple] = []
    # Punches that can matter for a day: local dates day - 1 … day + 2 (windows never reach further).
    bounds = {
        day: (dt.datetime.combine(day - DAY, dt.time()), dt.datetime.combine(day + 3 * DAY, dt.time()))
        for day in {d for days in chunk.values() for d in days}
    }
    kinds = {day: day_type(day, calendar) for day in bounds}
    for staff_id, days in chunk.items():
        # Terminals that never reported a watermark (USB file imports only) are not waited for.
        marks = [watermarks[t] for t in terminals.get(staff_id, ()) if t in watermarks]
        synced = min(marks) if marks else None
        own = punches.get(staff_id, [])  # sorted: the day's range is found by bisection
        for day in sorted(days):
            shifts = roster.get((staff_id, day), [])
            low, high = bounds[day]
            first = bisect_left(own, low)
            last = bisect_left(own, high, first)
            own_leaves = leaves.get(staff_id)
            own_overtime = overtime.get(staff_id)
            inp = DayInput(
                day=day,
                day_type=kinds[day],
                shifts=shifts,
                punches=own[first:last],  # local dates day - 1 … day + 2
                leaves=[lv for a, b, lv in own_leaves if a <= day <= b or lv.interval] if own_leaves else [],
                overtime=_overtime_of_day(own_overtime, day, shifts, roster, staff_id) if own_overtime else [],
                evidence=evidence.get(staff_id, []),
                prev_end=edges.get((staff_id, day - DAY), NO_EDGES)[1],
                next_start=edges.get((staff_id, day + DAY), NO_EDGES)[0],
                synced_until=synced,
                now=now_local,
            )
            outcome = day_compute(inp)
            values = _values(outcome, zone)
            if outcome.awaiting_sync and (values[-1] is None or values[-1] < recheck_floor):
                # Waiting for a terminal: look again in a while, not at every beat.
                values = (*values[:-1], recheck_floor)
            old = existing.get((staff_id, day))
            stats.days += 1
            if old is not None and old[1:] == values:
                continue
            compared_changed = old is None or old[1 : 1 + len(COMPARED)] != values[: len(COMPARED)]
            stats.changed += compared_changed
            after_close = bool(old and compared_changed and (staff[staff_id]["team_id"], day.replace(day=1)) in closed)
            stats.after_close += after_close
            rows.append((staff_id, day, *values, now, bool(old and old[0]) or after_close))
    _save(rows)


def _closed_months(lo: dt.date, hi: dt.date) -> set[tuple[int, dt.date]]:
    """(team, month) closed for payroll in the range. On PostgreSQL the month-close rows are read
    FOR SHARE: a final close that commits while this recompute runs either waits for it (and its
    snapshot then includes these results) or is seen here (and the changes are flagged), never
    neither. Recomputes do not block each other."""
    months = MonthClose.objects.filter(month__gte=lo.replace(day=1), month__lte=hi).order_by()
    if connection.vendor != "postgresql":
        return set(months.filter(status=MonthClose.Status.CLOSED).values_list("team_id", "month"))
    sql, params = months.values_list("team_id", "month", "status").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} FOR SHARE", params)
        return {(team_id, month) for team_id, month, status in cursor.fetchall() if status == MonthClose.Status.CLOSED}


_outcome_values = attrgetter(*OUTCOME_FIELDS)
_TIMES = tuple(i for i, name in enumerate(OUTCOME_FIELDS) if name in ("first_in", "last_out", "recheck_after"))


def _values(o: DayOutcome, zone) -> tuple:
    """The outcome in ``OUTCOME_FIELDS`` order, as the database returns it (aware times)."""
    values = list(_outcome_values(o))
    for i in _TIMES:
        if values[i] is not None:
            values[i] = values[i].replace(tzinfo=zone)
    return tuple(values)


SAVED_COLUMNS = ("staff_id", "date", *OUTCOME_FIELDS, "computed_at", "changed_after_close")


def _save(rows: list[tuple]) -> None:
    """Upsert result rows (``SAVED_COLUMNS`` order). PostgreSQL: COPY into a temporary table, then
    one INSERT ... ON CONFLICT DO UPDATE (several times faster than a multi-row INSERT for a month
    of a whole hospital); elsewhere bulk_create with update_conflicts."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        DailyResult.objects.bulk_create(
            [DailyResult(**dict(zip(SAVED_COLUMNS, row, strict=True))) for row in rows],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["staff", "date"],
            update_fields=[*OUTCOME_FIELDS, "computed_at", "changed_after_close"],
        )
        return
    table = DailyResult._meta.db_table
    columns = [DailyResult._meta.get_field(name.removesuffix("_id")).column for name in SAVED_COLUMNS]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[2:])
    with transaction.atomic(), connection.cursor() as cursor:
        names = copy_to_stage(cursor, stage="result_stage", table=table, columns=columns, rows=rows)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM result_stage "  # noqa: S608 - model names only
            f"ON CONFLICT (staff_id, date) DO UPDATE SET {updates}"
        )
        cursor.execute("TRUNCATE result_stage")


NO_EDGES = (None, None)


def _edges(shifts: list, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    segments = [seg for shift in shifts for seg in shift_segments(shift, day)]
    return min(s.start for s in segments), max(s.end for s in segments)


def _punches_local(pins: set[str], start_at: dt.datetime, end_at: dt.datetime, zone):
    """(PIN, local naive time, terminal serial) of the punches of ``pins`` in the range. On
    PostgreSQL the conversion to local wall-clock time happens in SQL and the rows bypass the ORM's
    converters (the biggest share of a month's recompute otherwise)."""
    if connection.vendor != "postgresql":
        rows = Punch.objects.filter(pin__in=pins, punched_at__gte=start_at, punched_at__lt=end_at).values_list(
            "pin", "punched_at", "terminal_serial"
        )
        for pin, at, serial in rows.iterator(chunk_size=20000):
            yield pin, _local(at, zone), serial
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pin, punched_at AT TIME ZONE %s, terminal_serial FROM {Punch._meta.db_table} "  # noqa: S608
            "WHERE pin = ANY(%s) AND punched_at >= %s AND punched_at < %s",
            [str(zone), list(pins), start_at, end_at],
        )
        while batch := cursor.fetchmany(20000):
            yield from batch


def _overtime_of_day(requests, day: dt.date, shifts: list, roster, staff_id: int) -> list[Segment]:
    """Approved overtime belongs to the day whose shift it follows (overtime after a night shift
    belongs to the night's day), else to the day it starts on."""
    mine = []
    for seg in requests:
        owner = seg.start.date()
        previous = roster.get((staff_id, owner - DAY), [])
        if previous and not roster.get((staff_id, owner)):
            ends = [s.end for shift in previous for s in shift_segments(shift, owner - DAY)]
            if any(e.date() == owner and e <= seg.start + dt.timedelta(hours=4) for e in ends):
                owner = owner - DAY
        if owner == day:
            mine.append(seg)
    return mine


BATCH = 5000


def results_recompute_dirty(*, max_batches: int = 100) -> int:
    """Consume the queue of dirty days, oldest first, in batches. On PostgreSQL two workers take
    different rows (``SKIP LOCKED``); a pair marked again while it was being computed stays queued
    (its newer mark time survives the delete), so nothing is lost."""
    done = 0
    for _ in range(max_batches):
        with transaction.atomic():
            queue = DirtyDay.objects.order_by("marked_at", "pk")
            if connection.vendor == "postgresql":
                queue = queue.select_for_update(skip_locked=True)
            batch = list(queue.values_list("pk", "staff_id", "date", "marked_at")[:BATCH])
            if not batch:
                break
            results_recompute(pairs=[(s, d) for _pk, s, d, _m in batch])
            newest = max(m for *_rest, m in batch)
            DirtyDay.objects.filter(pk__in=[pk for pk, *_rest in batch], marked_at__lte=newest).delete()
            done += len(batch)
    return done


def results_recheck_due(*, now: dt.datetime | None = None) -> int:
    """Recompute results whose outcome was still open and whose recheck time has come (a shift
    ended, a terminal may have synced)."""
    now = now or timezone.now()
    due = list(
        DailyResult.objects.filter(recheck_after__lte=now).values_list("staff_id", "date").order_by("date")[:20000]
    )
    if due:
        results_recompute(pairs=due, now=now)
    return len(due)


def results_recompute_range(*, start: dt.date, end: dt.date, staff_ids: Iterable[int] | None = None) -> int:
    """Recompute every tracked person (or the given ones) on every day of a range (admin action
    and command): queued as dirty days for the worker."""
    if end < start:
        from django.utils.translation import gettext as _

        from logistics.common.errors import DomainError

        raise DomainError(_("The end date is before the start date."))
    people = Staff.objects.filter(attendance_tracked=True, is_active=True)
    if staff_ids is not None:
        people = people.filter(pk__in=list(staff_ids))
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return days_mark_dirty(pairs=[(pk, d) for pk in people.values_list("pk", flat=True) for d in days])


# --- presence evidence ---------------------------------------------------------------------------
@transaction.atomic
def presence_evidence_record(*, staff, at: dt.datetime, source: str, reference: str, place: str = "") -> bool:
    """Record that ``staff`` was at work at ``at`` (aware), e.g. a technician's on-site check-in on
    a work order (source "workorder", reference its number). Idempotent on (staff, source,
    reference, time). It can turn a missing check-in into present; it never adds paid minutes.
    Returns whether a new row was stored. Untracked staff are ignored."""
    from ..models import PresenceEvidence

    if not staff.attendance_tracked:
        return False
    _obj, created = PresenceEvidence.objects.get_or_create(
        staff=staff, source=source[:30], reference=reference[:64], at=at, defaults={"place": place[:200]}
    )
    if created:
        day = timezone.localtime(at).date()
        days_mark_dirty(pairs=[(staff.pk, day - DAY), (staff.pk, day)])
    return created
