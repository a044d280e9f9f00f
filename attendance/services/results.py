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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from logistics.common.bulk import copy_to_stage
from logistics.org.models import Staff

from ..compute import (
    EPOCH,
    OUTCOME_FIELDS,
    TIME_FIELDS,
    DayInput,
    DayOutcome,
    SimpleShiftDay,
    day_compute,
    from_us,
    outcome_values,
    to_us,
)
from ..models import DailyResult, DirtyDay, MonthClose
from ..rules import Segment, day_type, shift_segments
from .results_inputs import ChunkInputs, chunk_inputs_load, local, owner_on, owners_load
from .results_write import results_write

logger = logging.getLogger(__name__)

DAY = dt.timedelta(days=1)
STAFF_CHUNK = 400
# The fields the sheet and payroll read (those before ``night``): a change here after a close is flagged.
COMPARED = OUTCOME_FIELDS[: OUTCOME_FIELDS.index("night")]
# Waiting for a terminal to sync: recheck this often.
RECHECK_WAITING = dt.timedelta(minutes=10)
_AWAITING_SYNC = OUTCOME_FIELDS.index("awaiting_sync")


# --- queueing ------------------------------------------------------------------------------------
def days_mark_dirty(*, pairs: Iterable[tuple[int, dt.date]]) -> int:
    """Queue (staff id, date) pairs for recomputation, in the caller's transaction, and schedule
    the recompute task after commit. Idempotent: a pair already queued gets a new mark time."""
    from logistics.common.outbox import enqueue

    now = timezone.now()
    # In (staff, date) order: the queue is consumed in insertion order, so a batch holds whole
    # stretches of few people (one input load each), and two marks never lock rows crosswise.
    ordered = sorted(set(pairs))
    if not ordered:
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql" and len(ordered) >= COPY_MARKS_FROM:
            _marks_copy(ordered, now)
        else:
            DirtyDay.objects.bulk_create(
                [DirtyDay(staff_id=staff_id, date=day, marked_at=now) for staff_id, day in ordered],
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["staff", "date"],
                update_fields=["marked_at"],
            )
        enqueue("attendance.results_recompute_dirty")
    return len(ordered)


# Marking a range (a month of a hospital: ~100,000 pairs) goes through COPY: bulk_create took 4 s.
COPY_MARKS_FROM = 1000


def _marks_copy(ordered: list[tuple[int, dt.date]], now: dt.datetime) -> None:
    table = DirtyDay._meta.db_table
    with connection.cursor() as cursor:
        names = copy_to_stage(
            cursor,
            stage="dirty_stage",
            table=table,
            columns=["staff_id", "date", "marked_at"],
            rows=((staff_id, day, now) for staff_id, day in ordered),
        )
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM dirty_stage ORDER BY staff_id, date "  # noqa: S608
            "ON CONFLICT (staff_id, date) DO UPDATE SET marked_at = EXCLUDED.marked_at"
        )
        cursor.execute("TRUNCATE dirty_stage")


def punch_days_mark_dirty(*, pin_days: set[tuple[str, dt.date]]) -> int:
    """New punches (PIN, local date) → the tracked people and days they may change: the day itself
    and the day before (a night shift that started the evening before)."""
    if not pin_days:
        return 0
    days = [d for _pin, d in pin_days]
    owners = owners_load({pin for pin, _d in pin_days}, min(days) - DAY, max(days))
    tracked = set(
        Staff.objects.filter(
            pk__in={s for rows in owners.values() for s, _a, _b in rows}, attendance_tracked=True
        ).values_list("pk", flat=True)
    )
    pairs = set()
    for pin, day in pin_days:
        for d in (day - DAY, day):
            staff_id = owner_on(owners, pin, d)
            if staff_id in tracked:
                pairs.add((staff_id, d))
    return days_mark_dirty(pairs=pairs)


# --- recomputing ---------------------------------------------------------------------------------
@dataclass
class RecomputeStats:
    days: int = 0
    changed: int = 0
    after_close: int = 0


def results_recompute(*, pairs: Iterable[tuple[int, dt.date]], now: dt.datetime | None = None) -> RecomputeStats:
    """Recompute the results of these (staff id, date) pairs from the roster, punches, approved
    requests, calendar, evidence and terminal watermarks, and store them (one write per chunk).
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
    """Load the chunk's inputs, compute its days, and write those whose result is new or changed
    (unchanged days are compared, not written)."""
    zone = timezone.get_default_timezone()
    all_days = {d for days in chunk.values() for d in days}
    lo, hi = min(all_days) - DAY, max(all_days) + DAY
    staff = {
        row["id"]: row
        for row in Staff.objects.filter(pk__in=list(chunk)).values("id", "employee_no", "team_id", "attendance_tracked")
    }
    untracked = [s for s in chunk if s not in staff or not staff[s]["attendance_tracked"]]
    if untracked:
        DailyResult.objects.filter(staff_id__in=untracked).delete()
    chunk = {s: d for s, d in chunk.items() if s not in untracked}
    if not chunk:
        return
    inputs = chunk_inputs_load({s: staff[s]["employee_no"] for s in chunk}, lo, hi, zone)
    closed = _closed_months(lo, hi)
    # (staff, date) → (changed_after_close, *OUTCOME_FIELDS): tuples, compared with the outcome's
    # values in the same form, so that unchanged days are not written again.
    existing = {
        (row[0], row[1]): row[2:]
        for row in DailyResult.objects.filter(staff_id__in=list(chunk), date__range=(lo, hi))
        .order_by()
        .values_list("staff_id", "date", "changed_after_close", *OUTCOME_FIELDS)
    }
    results_write(_rows_to_write(chunk, staff, _ChunkDays(inputs, all_days, now, zone), existing, closed, now, stats))


def _rows_to_write(
    chunk: dict[int, set[dt.date]],
    staff: dict[int, dict],
    days: _ChunkDays,
    existing: dict[tuple[int, dt.date], tuple],
    closed: set[tuple[int, dt.date]],
    now: dt.datetime,
    stats: RecomputeStats,
) -> Iterator[tuple[bool, tuple]]:
    """(new, row in ``SAVED_COLUMNS`` order) for each of the chunk's days without a result yet
    (new) or whose result changed; unchanged days are counted, not written. Consumed while the rows
    are copied to the database: no queries here."""
    recheck_floor = now + RECHECK_WAITING
    for staff_id, own_days in chunk.items():
        team_id = staff[staff_id]["team_id"]
        stats.days += len(own_days)
        for day, values in days.compute(staff_id, sorted(own_days)):
            if values[_AWAITING_SYNC] and (values[-1] is None or values[-1] < recheck_floor):
                # Waiting for a terminal: look again in a while, not at every beat.
                values = (*values[:-1], recheck_floor)
            old = existing.get((staff_id, day))
            if old is None:
                stats.changed += 1
                yield True, (staff_id, day, *values, now, False)
                continue
            if old[1:] == values:
                continue
            compared_changed = old[1 : 1 + len(COMPARED)] != values[: len(COMPARED)]
            stats.changed += compared_changed
            after_close = compared_changed and (team_id, day.replace(day=1)) in closed
            stats.after_close += after_close
            yield False, (staff_id, day, *values, now, old[0] or after_close)


class _ChunkDays:
    """Computing the days of a chunk's people from its inputs. The common day (one plain shift, no
    leave, overtime request or evidence) is judged by a ``SimpleShiftDay`` shared by everyone with
    the same shift, day and neighbouring shifts; any other day goes through ``day_compute``."""

    def __init__(self, inputs: ChunkInputs, days: set[dt.date], now: dt.datetime, zone) -> None:
        self.inputs = inputs
        self.zone = zone
        self.now_local = local(now, zone)
        self.now = to_us(self.now_local)
        self.kinds = {day: day_type(day, inputs.calendar) for day in days}
        # Punches that can matter for a day: local dates day - 1 … day + 2 (windows never reach further).
        self.within = {day: (_midnight_us(day - DAY), _midnight_us(day + 3 * DAY)) for day in days}
        self.epoch = EPOCH.replace(tzinfo=zone)
        self.plans: dict[tuple, SimpleShiftDay] = {}
        self.edges: dict[tuple, tuple[dt.datetime, dt.datetime]] = {}
        # Shift types the short path can judge: one segment, first in / last out.
        self.plain = {pk for pk, shift in inputs.shift_types.items() if _plain(shift)}

    def compute(self, staff_id: int, days: list[dt.date]):
        """(day, outcome values in ``OUTCOME_FIELDS`` order, aware times) for each of ``days``."""
        inputs = self.inputs
        roster = inputs.roster.get(staff_id, {})
        punches = inputs.punches.get(staff_id, [])
        synced = inputs.synced_until.get(staff_id)
        own_leaves = inputs.leaves.get(staff_id)
        own_overtime = inputs.overtime.get(staff_id)
        evidence = inputs.evidence.get(staff_id, [])
        plans, kinds, plain, now, epoch = self.plans, self.kinds, self.plain, self.now, self.epoch
        for day in days:
            shift_ids = roster.get(day, ())
            leaves = [lv for a, b, lv in own_leaves if a <= day <= b or lv.interval] if own_leaves else []
            overtime = _overtime_of_day(own_overtime, day, roster, inputs.shift_types) if own_overtime else []
            if len(shift_ids) == 1 and shift_ids[0] in plain and not (leaves or overtime or evidence):
                key = (day, shift_ids[0], roster.get(day - DAY), roster.get(day + DAY))
                plan = plans.get(key) or self._plan(key)
                yield day, plan.judge(punches, kinds[day], synced, now, epoch)
                continue
            low, high = self.within[day]
            first = bisect_left(punches, low)
            inp = DayInput(
                day=day,
                day_type=kinds[day],
                shifts=[inputs.shift_types[pk] for pk in shift_ids],
                punches=[from_us(p) for p in punches[first : bisect_left(punches, high, first)]],
                leaves=leaves,
                overtime=overtime,
                evidence=evidence,
                prev_end=self._edges(roster.get(day - DAY), day - DAY)[1],
                next_start=self._edges(roster.get(day + DAY), day + DAY)[0],
                synced_until=None if synced is None else from_us(synced),
                now=self.now_local,
            )
            yield day, _values(day_compute(inp), self.zone)

    def _plan(self, key: tuple) -> SimpleShiftDay:
        """The shared ``SimpleShiftDay`` of (day, shift type id, shift ids of the day before and after)."""
        day, shift_id, before, after = key
        self.plans[key] = SimpleShiftDay(
            self.inputs.shift_types[shift_id],
            day,
            prev_end=self._edges(before, day - DAY)[1],
            next_start=self._edges(after, day + DAY)[0],
            within=self.within[day],
        )
        return self.plans[key]

    def _edges(self, shift_ids: tuple[int, ...] | None, day: dt.date) -> tuple:
        """First start and last end of a rostered day: where a neighbouring day's windows stop."""
        if not shift_ids:
            return NO_EDGES
        key = (shift_ids, day)
        if key not in self.edges:
            segments = [seg for pk in shift_ids for seg in shift_segments(self.inputs.shift_types[pk], day)]
            self.edges[key] = (min(s.start for s in segments), max(s.end for s in segments))
        return self.edges[key]


NO_EDGES = (None, None)


def _plain(shift) -> bool:
    return shift.second_start is None and shift.pairing == "first_last"


def _midnight_us(day: dt.date) -> int:
    return to_us(dt.datetime.combine(day, dt.time()))


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


def _values(o: DayOutcome, zone) -> tuple:
    """The outcome in ``OUTCOME_FIELDS`` order, as the database returns it (aware times)."""
    values = list(outcome_values(o))
    for i in TIME_FIELDS:
        if values[i] is not None:
            values[i] = values[i].replace(tzinfo=zone)
    return tuple(values)


def _overtime_of_day(requests, day: dt.date, roster: dict, shift_types: dict) -> list[Segment]:
    """Approved overtime belongs to the day whose shift it follows (overtime after a night shift
    belongs to the night's day), else to the day it starts on."""
    mine = []
    for seg in requests:
        owner = seg.start.date()
        previous = roster.get(owner - DAY, ())
        if previous and not roster.get(owner):
            ends = [s.end for pk in previous for s in shift_segments(shift_types[pk], owner - DAY)]
            if any(e.date() == owner and e <= seg.start + dt.timedelta(hours=4) for e in ends):
                owner = owner - DAY
        if owner == day:
            mine.append(seg)
    return mine


# A month of 400 people: one input load per batch when the queue holds whole months (marks are
# inserted in (staff, date) order).
BATCH = STAFF_CHUNK * 31


def results_recompute_dirty(*, max_batches: int = 100) -> int:
    """Consume the queue of dirty days, oldest first, in batches, each in one transaction that
    takes its rows off the queue and stores their results: if it fails, the rows are still
    queued. On PostgreSQL workers take different rows (``SKIP LOCKED``), and a pair marked again
    while it is being computed stays queued (the new mark waits for the batch to commit and is then
    inserted anew), so nothing is lost."""
    from logistics.common.outbox import enqueue

    done = 0
    for i in range(max_batches):
        with transaction.atomic():
            batch = _batch_claim(BATCH)
            if not batch:
                break
            if i == 0 and len(batch) == BATCH:
                # More than a batch waits (a range recomputed, a terminal's backlog): one more run,
                # published when this batch commits, lets an idle worker share the queue. It asks
                # for another only if it too starts on a full batch.
                enqueue("attendance.results_recompute_dirty")
            results_recompute(pairs=batch)
            done += len(batch)
    return done


def _batch_claim(size: int) -> list[tuple[int, dt.date]]:
    """Take the oldest ``size`` pairs off the queue (in the caller's transaction)."""
    if connection.vendor == "postgresql":
        table = DirtyDay._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ("  # noqa: S608 - model metadata only
                f"  SELECT id FROM {table} ORDER BY marked_at, id LIMIT %s FOR UPDATE SKIP LOCKED"
                ") RETURNING staff_id, date",
                [size],
            )
            return cursor.fetchall()
    rows = list(DirtyDay.objects.order_by("marked_at", "pk").values_list("pk", "staff_id", "date")[:size])
    DirtyDay.objects.filter(pk__in=[pk for pk, _s, _d in rows]).delete()
    return [(staff_id, day) for _pk, staff_id, day in rows]


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
