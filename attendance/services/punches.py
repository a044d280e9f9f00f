"""Storing punches, PIN mappings, terminal watermarks, filling the holiday calendar."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.bulk import copy_to_stage
from logistics.common.errors import DomainError

from ..models import CalendarDay, PinMapping, Punch, PunchSource, TerminalWatermark
from .results import punch_days_mark_dirty

logger = logging.getLogger(__name__)

INSERT_BATCH = 2000
COPY_BATCH = 50_000
# A terminal clock may run a little ahead; anything further in the future is a broken record.
FUTURE_TOLERANCE = dt.timedelta(days=1)
EARLIEST = dt.datetime(2000, 1, 2)  # noqa: DTZ001 - device-local wall clock; terminals reset to 2000-01-01


@dataclass(frozen=True)
class PunchIn:
    """One punch as a terminal (or a file) reported it: PIN string and device-local naive time."""

    pin: str
    local_time: dt.datetime
    status: int = 0
    verify_type: int = 0
    workcode: str = ""


@dataclass
class RecordResult:
    """What happened to a batch: read = given, new = stored now, duplicates = already stored,
    rejected = implausible records with the reason (kept by the caller for review)."""

    read: int = 0
    new: int = 0
    duplicates: int = 0
    rejected: list[tuple[PunchIn, str]] = field(default_factory=list)

    def add(self, other: RecordResult) -> None:
        self.read += other.read
        self.new += other.new
        self.duplicates += other.duplicates
        self.rejected.extend(other.rejected)


def _problem(punch: PunchIn, now_local: dt.datetime) -> str | None:
    pin = punch.pin
    if not pin or len(pin) > 24 or not pin.isprintable() or pin != pin.strip():
        return _("invalid PIN")
    t = punch.local_time
    if not isinstance(t, dt.datetime) or t.tzinfo is not None:
        return _("time is not a device-local date and time")
    if t < EARLIEST:
        return _("time before 2000-01-02 (terminal clock reset?)")
    if t > now_local + FUTURE_TOLERANCE:
        return _("time in the future")
    if (
        not (-32768 <= punch.status <= 32767 and -32768 <= punch.verify_type <= 32767)
        or len(punch.workcode) > 24
        or not punch.workcode.isprintable()
    ):
        return _("invalid state, verification or work code")
    return None


def punches_record(
    *, terminal_serial: str, tz: str | ZoneInfo, punches: Iterable[PunchIn], source: str, batch: str = ""
) -> RecordResult:
    """Store punches idempotently on (terminal serial, PIN, device-local time).

    Implausible records (empty PIN, clock reset, far future) are returned in ``rejected`` and not
    stored; the rest are inserted in bulk with ``ON CONFLICT DO NOTHING``, so a punch that arrives
    again (re-pull, push re-upload, the same USB file, pull and push of one punch) is counted as a
    duplicate and never stored twice. Safe to call concurrently for the same terminal.
    """
    if source not in {PunchSource.PULL, PunchSource.PUSH, PunchSource.FILE}:
        raise DomainError(_("Unknown punch source."))
    if not terminal_serial or len(terminal_serial) > 64:
        raise DomainError(_("A terminal serial is required."))
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    now_local = timezone.now().astimezone(zone).replace(tzinfo=None)
    received = timezone.now()
    result = RecordResult()
    seen: set[tuple[str, dt.datetime]] = set()
    rows: list[tuple] = []
    for punch in punches:
        result.read += 1
        problem = _problem(punch, now_local)
        if problem:
            result.rejected.append((punch, problem))
            continue
        local = punch.local_time.replace(microsecond=0)
        key = (punch.pin, local)
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        punched_at = _aware(local, zone)
        rows.append(
            (terminal_serial, punch.pin, local, punched_at, punch.status, punch.verify_type, punch.workcode,
             source, batch[:64], received, "")
        )  # fmt: skip
    batch_size = COPY_BATCH if connection.vendor == "postgresql" else INSERT_BATCH
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        with transaction.atomic():
            inserted, pin_days = _insert_ignoring_duplicates(chunk)
            # The days these new punches may change, queued in the same transaction.
            punch_days_mark_dirty(pin_days=pin_days)
        result.new += inserted
        result.duplicates += len(chunk) - inserted
    return result


def _aware(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Device-local wall clock → aware time. In a DST gap or fold the first reading wins (China has
    no DST; the rule only matters for terminals configured elsewhere)."""
    return local.replace(tzinfo=zone)


COLUMNS = (
    "terminal_serial", "pin", "local_time", "punched_at", "status", "verify_type", "workcode", "source", "batch",
    "received_at", "note",
)  # fmt: skip


def _insert_ignoring_duplicates(rows: list[tuple]) -> tuple[int, set[tuple[str, dt.date]]]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the number of rows really inserted, and the
    distinct (PIN, local date) of those rows."""
    if not rows:
        return 0, set()
    if connection.vendor == "postgresql":
        return _copy_insert_ignoring_duplicates(rows)
    fields = [Punch._meta.get_field(name) for name in COLUMNS]
    params: list = []
    for row in rows:
        params.extend(f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True))
    placeholders = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    # Table and column names come from the model, values are parameters: nothing user-controlled.
    sql = (
        f"INSERT INTO {Punch._meta.db_table} ({', '.join(COLUMNS)}) VALUES "  # noqa: S608
        + ", ".join([placeholders] * len(rows))
        + " ON CONFLICT DO NOTHING RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    zone = timezone.get_default_timezone()
    new = Punch.objects.filter(id__in=ids).values_list("pin", "punched_at")
    return len(ids), {(pin, at.astimezone(zone).date()) for pin, at in new}


def _copy_insert_ignoring_duplicates(rows: list[tuple]) -> tuple[int, set[tuple[str, dt.date]]]:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT ... SELECT ... ON CONFLICT
    DO NOTHING. Several times faster than a multi-row INSERT for a terminal's whole log. Values are
    validated (printable, no tabs or line breaks) before they get here; backslashes are escaped."""
    table = Punch._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        columns = copy_to_stage(cursor, stage="punch_stage", table=table, columns=COLUMNS, rows=rows)
        # Only the distinct (PIN, local date) of the new rows come back: a re-pull of a whole log
        # with nothing new returns nothing and queues no recomputation.
        cursor.execute(
            f"WITH new AS (INSERT INTO {table} ({columns}) SELECT {columns} FROM punch_stage "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING pin, punched_at) "
            "SELECT pin, (punched_at AT TIME ZONE %s)::date, count(*) FROM new GROUP BY 1, 2",
            [settings.TIME_ZONE],
        )
        returned = cursor.fetchall()
        cursor.execute("TRUNCATE punch_stage")
    return sum(count for _pin, _day, count in returned), {(pin, day) for pin, day, _count in returned}


def terminal_watermark_report(*, terminal_serial: str, synced_until: dt.datetime) -> None:
    """Record that every punch of this terminal up to ``synced_until`` is stored. Only ever moves
    forward (a slow run finishing after a newer one cannot move it back)."""
    with transaction.atomic():
        moved = TerminalWatermark.objects.filter(
            Q(synced_until__lt=synced_until), terminal_serial=terminal_serial
        ).update(synced_until=synced_until, updated_at=timezone.now())
        if not moved:
            TerminalWatermark.objects.get_or_create(
                terminal_serial=terminal_serial, defaults={"synced_until": synced_until}
            )


@transaction.atomic
def pin_mapping_create(*, pin: str, staff, valid_from: dt.date, valid_to: dt.date | None = None) -> PinMapping:
    """Say that ``pin`` belongs to ``staff`` from ``valid_from`` (to ``valid_to``). Refuses an
    overlap with another mapping of the same PIN. Punches already stored count for the staff
    member at once: nothing is rewritten."""
    pin = (pin or "").strip()
    if not pin or len(pin) > 24:
        raise DomainError(_("Enter a PIN of 1 to 24 characters."))
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("The end date is before the start date."))
    overlapping = PinMapping.objects.select_for_update().filter(pin=pin, valid_from__lte=valid_to or dt.date.max)
    overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if overlapping.exists():
        raise DomainError(_("This PIN is already mapped to someone for part of that period."))
    return PinMapping.objects.create(pin=pin, staff=staff, valid_from=valid_from, valid_to=valid_to)


# --- holiday calendar ------------------------------------------------------------------------------
@dataclass
class CalendarFill:
    year: int
    created: int = 0
    warning: str = ""


def calendar_fill(*, year: int) -> CalendarFill:
    """Fill the holiday table for ``year`` from the chinese-calendar package: statutory holidays
    and adjusted working days. Rows already there (entered by hand or filled before) are kept. A
    year the package does not know yet gives a warning, never an error: enter that year by hand."""
    import chinese_calendar

    result = CalendarFill(year=year)
    holidays = {d: name for d, name in chinese_calendar.holidays.items() if d.year == year}
    workdays = {d: name for d, name in chinese_calendar.workdays.items() if d.year == year}
    if not holidays:
        result.warning = _(
            "The chinese-calendar package has no holiday data for %(year)d yet: enter that year's holidays "
            "and adjusted working days in the holiday calendar."
        ) % {"year": year}
        return result
    existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
    rows = [
        CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=str(name)[:50], from_package=True)
        for d, name in holidays.items()
        if d not in existing
    ]
    rows += [
        CalendarDay(date=d, kind=CalendarDay.Kind.WORKDAY, name=str(name)[:50], from_package=True)
        for d, name in workdays.items()
        if d not in existing
    ]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    result.created = len(rows)
    return result
