"""Loading what a chunk of person-days is computed from, in a few set-based queries: the roster,
the punches (as integer local times, ``compute.to_us``), the terminals each person uses and their
watermarks, approved requests, presence evidence and the calendar. ``results_recompute`` (in
``results.py``) computes and stores the days from these.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from logistics.org.models import Staff

from ..compute import DAY_US, EPOCH, Leave, to_us
from ..models import (
    AttendanceRequest,
    CalendarDay,
    PinMapping,
    PresenceEvidence,
    Punch,
    RosterEntry,
    ShiftType,
    TerminalWatermark,
)
from ..rules import Segment

DAY = dt.timedelta(days=1)
# Terminals someone punched on in this many days before a day are the ones we wait for.
TERMINAL_LOOKBACK = dt.timedelta(days=35)
EPOCH_DATE = EPOCH.date()
Owners = dict[str, list[tuple[int, dt.date, dt.date]]]


def local(at: dt.datetime, zone) -> dt.datetime:
    """An aware time as local naive wall-clock time."""
    return at.astimezone(zone).replace(tzinfo=None)


def owners_load(pins: set[str], lo: dt.date, hi: dt.date) -> Owners:
    """For each PIN, who it belongs to between which dates: explicit mappings first, then the staff
    member whose employee number it is (for the dates no mapping covers)."""
    owners: Owners = defaultdict(list)
    for pin, staff_id, start, end in (
        PinMapping.objects.filter(pin__in=pins, valid_from__lte=hi)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=lo))
        .values_list("pin", "staff_id", "valid_from", "valid_to")
    ):
        owners[pin].append((staff_id, start, end or dt.date.max))
    for pin, staff_id in Staff.objects.filter(employee_no__in=pins).values_list("employee_no", "id"):
        owners[pin].append((staff_id, dt.date.min, dt.date.max))
    return owners


def owner_on(owners: Owners, pin: str, day: dt.date) -> int | None:
    """Whose the PIN is on that day (None: nobody's)."""
    for staff_id, start, end in owners.get(pin, ()):
        if start <= day <= end:
            return staff_id
    return None


@dataclass
class ChunkInputs:
    """Everything the days of a chunk of people are computed from, keyed by staff id."""

    shift_types: dict[int, ShiftType]
    roster: dict[int, dict[dt.date, tuple[int, ...]]]  # staff → date → shift type ids
    punches: dict[int, list[int]]  # staff → local times (``to_us``), sorted
    synced_until: dict[int, int | None]  # staff → oldest watermark of their terminals (``to_us``; None: none)
    leaves: dict[int, list[tuple[dt.date, dt.date, Leave]]]
    overtime: dict[int, list[Segment]]
    evidence: dict[int, list[dt.datetime]]
    calendar: dict[dt.date, str]


def chunk_inputs_load(staff: dict[int, str], lo: dt.date, hi: dt.date, zone) -> ChunkInputs:
    """The inputs of the days ``lo`` … ``hi`` (neighbouring days included) of ``staff`` (id →
    ``employee_no``, tracked people only)."""
    ids = list(staff)
    roster: dict[int, dict[dt.date, tuple[int, ...]]] = defaultdict(dict)
    # Tuples of ids, and one instance per shift type: model instances per entry cost more than the rules.
    # Unsorted (the model's ordering would sort a month of a hospital's roster for nothing).
    entries = list(
        RosterEntry.objects.filter(staff_id__in=ids, date__range=(lo, hi))
        .order_by()
        .values_list("staff_id", "date", "shift_id")
    )
    for staff_id, date, shift_id in entries:
        # Two shifts of a day are named in (start, code) order by the rules, whatever their order here.
        days = roster[staff_id]
        days[date] = (*days.get(date, ()), shift_id)
    shift_types = ShiftType.objects.in_bulk({shift_id for _s, _d, shift_id in entries})

    start_at = dt.datetime.combine(lo - DAY, dt.time(), tzinfo=zone)
    end_at = dt.datetime.combine(hi + 2 * DAY, dt.time(), tzinfo=zone)
    punches, terminals = _punches_load(staff, lo, hi, start_at, end_at, zone)
    watermarks = {
        serial: to_us(local(at, zone))
        for serial, at in TerminalWatermark.objects.values_list("terminal_serial", "synced_until")
    }
    synced_until = {}
    for staff_id in ids:
        # Terminals that never reported a watermark (USB file imports only) are not waited for.
        marks = [watermarks[t] for t in terminals.get(staff_id, ()) if t in watermarks]
        synced_until[staff_id] = min(marks) if marks else None

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
        evidence[staff_id].append(local(at, zone))

    calendar = dict(CalendarDay.objects.filter(date__range=(lo, hi)).values_list("date", "kind"))
    return ChunkInputs(shift_types, roster, punches, synced_until, leaves, overtime, evidence, calendar)


def _punches_load(
    staff: dict[int, str], lo: dt.date, hi: dt.date, start_at: dt.datetime, end_at: dt.datetime, zone
) -> tuple[dict[int, list[int]], dict[int, set[str]]]:
    """The punches of ``staff`` between ``start_at`` and ``end_at`` (local times, sorted, by
    person) and the terminals each person used (looking further back for those without a punch
    in the range)."""
    mapped = set(PinMapping.objects.filter(staff_id__in=list(staff)).values_list("pin", flat=True))
    pins = set(staff.values()) | mapped
    owners = owners_load(pins, lo - DAY, hi + DAY)
    punches: dict[int, list[int]] = defaultdict(list)
    terminals: dict[int, set[str]] = defaultdict(set)
    for pin, serial, stamps in _punch_groups(pins, start_at, end_at, zone):
        owned = owners.get(pin, ())
        if len(owned) == 1 and owned[0][1] == dt.date.min and owned[0][2] == dt.date.max:
            by_owner = {owned[0][0]: stamps}  # the usual case: the PIN is one person's throughout
        else:
            by_owner = defaultdict(list)
            for stamp in stamps:
                owner = owner_on(owners, pin, EPOCH_DATE + dt.timedelta(days=stamp // DAY_US))
                if owner is not None:
                    by_owner[owner].append(stamp)
        for owner, mine in by_owner.items():
            if owner in staff:
                punches[owner] += mine
                if serial:
                    terminals[owner].add(serial)
    for stamps in punches.values():
        stamps.sort()
    without = [s for s in staff if not terminals.get(s)]
    if without:
        lookback = Punch.objects.filter(
            pin__in={staff[s] for s in without} | mapped,
            punched_at__gte=start_at - TERMINAL_LOOKBACK,
            punched_at__lt=start_at,
        ).exclude(terminal_serial="")
        for pin, at, serial in lookback.values_list("pin", "punched_at", "terminal_serial").distinct():
            owner = owner_on(owners, pin, local(at, zone).date())
            if owner in staff:
                terminals[owner].add(serial)
    return punches, terminals


def _punch_groups(pins: set[str], start_at: dt.datetime, end_at: dt.datetime, zone) -> Iterator[tuple]:
    """(PIN, terminal serial, [local time as ``to_us``, ...]) of the punches of ``pins`` in the
    range, one group per PIN and terminal (unsorted). On PostgreSQL the conversion to local time and
    the grouping happen in SQL: a few thousand rows of integer arrays instead of one row per punch
    (converting and grouping row by row was the biggest share of a month's recompute)."""
    if connection.vendor != "postgresql":
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        rows = Punch.objects.filter(pin__in=pins, punched_at__gte=start_at, punched_at__lt=end_at).values_list(
            "pin", "punched_at", "terminal_serial"
        )
        for pin, at, serial in rows.iterator(chunk_size=20000):
            groups[(pin, serial)].append(to_us(local(at, zone)))
        for (pin, serial), stamps in groups.items():
            yield pin, serial, stamps
        return
    # Per PIN (unnest + LATERAL): each PIN's punches come from the (pin, punched_at) index, grouped
    # by terminal without sorting the whole range. EXTRACT(EPOCH ...) of a local timestamp is an
    # exact numeric (PostgreSQL ≥ 14): × 1e6 is the microseconds since 1970-01-01 local, as ``to_us``
    # counts them.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.pin, t.serial, t.stamps FROM unnest(%s::varchar[]) AS p (pin) CROSS JOIN LATERAL ("  # noqa: S608
            "  SELECT terminal_serial AS serial,"
            "         array_agg((EXTRACT(EPOCH FROM punched_at AT TIME ZONE %s) * 1000000)::bigint) AS stamps"
            f"  FROM {Punch._meta.db_table} AS x"  # model metadata only
            "  WHERE x.pin = p.pin AND x.punched_at >= %s AND x.punched_at < %s"
            "  GROUP BY terminal_serial"
            ") AS t",
            [sorted(pins), str(zone), start_at, end_at],
        )
        while batch := cursor.fetchmany(2000):
            yield from batch
