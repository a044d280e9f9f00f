"""Services of the ADMS ("PUSH SDK") protocol: what a terminal that pushes over HTTP may do, and the
commands queued for it. No HTTP objects in here; ``devices.views_iclock`` turns requests into calls.

Identity is the serial number only. A serial that is not registered is recorded as a
``PendingDevice`` for approval and refused; a registered terminal that is disabled or set to pull
only is refused as well. A refused device keeps its data and sends it again later, so refusing
never loses a punch.

Uploads are idempotent: punches are stored through ``attendance.services.punches_record``, whose
natural key (serial, PIN, device-local time) makes a re-upload, or a punch already pulled, a
duplicate. A malformed line never fails an upload: it is kept as a ``QuarantinedRecord`` with its
line number and the good lines of the same body are stored. Biometric templates (``FP``, ``FACE``,
``BIODATA`` ... lines) are never stored, not even in a run's detail.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.services import PunchIn, punches_record, terminal_watermark_report
from logistics.common.errors import DomainError

from .attlog import attlog_line_parse
from .models import PendingDevice, QuarantinedRecord, Terminal, TerminalRun

logger = logging.getLogger(__name__)

# Refuse bodies over this size (override with the DEVICES_PUSH_MAX_BODY_BYTES setting). Terminals
# upload in batches far below it; anything larger is broken or hostile.
MAX_BODY_BYTES = 10 * 1024 * 1024
# Commands handed out per poll: a terminal works through them before it polls again.
COMMANDS_PER_POLL = 10
# Users named in an OPERLOG upload that are kept in the run's detail (the rest are counted).
DETAIL_USERS_MAX = 1000
RAW_MAX_CHARS = 1000

ATTLOG = "ATTLOG"
OPERLOG = "OPERLOG"
# OPERLOG line kinds that carry biometric data (fingerprint, face, finger vein, palm, user photos).
# They are counted and dropped: templates are never stored anywhere.
BIOMETRIC_KINDS = frozenset({"FP", "FACE", "FVEIN", "BIODATA", "BIOPHOTO", "USERPIC", "PALM", "ATTPHOTO"})
TIME_SET_PREFIX = "SET OPTION DateTime="

_SERIAL_RE = re.compile(r"[!-~]{1,64}")  # visible ASCII: real serials are letters and digits
_TABLE_RE = re.compile(r"[A-Za-z0-9_]{1,32}")
_STAMP_RE = re.compile(r"\d{1,20}")
_PUSH_MODES = (Terminal.Mode.PUSH, Terminal.Mode.BOTH)


# --- errors -----------------------------------------------------------------------------------
class PushRefused(DomainError):
    """The request is refused; the device keeps its data. ``status_code`` is the HTTP answer."""

    status_code = 403


class UnknownTerminal(PushRefused):
    """The serial is not registered, or the terminal is disabled or does not push."""

    status_code = 403


class BadPushRequest(PushRefused):
    """The request itself is unusable (no or invalid serial)."""

    status_code = 400


class BodyTooLarge(PushRefused):
    """The body is over the size cap."""

    status_code = 413


class TerminalMisconfigured(PushRefused):
    """The terminal's settings make storing impossible (unknown time zone): retry after a fix."""

    status_code = 503


# --- results ----------------------------------------------------------------------------------
@dataclass
class PushResult:
    """What one upload did. ``accepted`` is the number in the ``OK: n`` reply: for ATTLOG the lines
    whose punch is now stored (new or already there), for OPERLOG every line handled."""

    table: str
    run_id: int
    read: int = 0
    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    accepted: int = 0
    synced_until: dt.datetime | None = None


@dataclass
class _Outcome:
    read: int = 0
    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    accepted: int = 0
    quarantine: list[tuple[int, str, str]] = field(default_factory=list)  # (line, raw, reason)
    detail: dict = field(default_factory=dict)
    newest_local: dt.datetime | None = None


# --- identity ---------------------------------------------------------------------------------
def max_body_bytes() -> int:
    """The body size cap in bytes."""
    return int(getattr(settings, "DEVICES_PUSH_MAX_BODY_BYTES", MAX_BODY_BYTES))


def serial_clean(serial: str | None) -> str:
    """The serial of a request, or ``BadPushRequest`` when it is missing or not a plausible serial."""
    serial = (serial or "").strip()
    if not serial:
        raise BadPushRequest(_("The SN parameter is missing."))
    if not _SERIAL_RE.fullmatch(serial):
        raise BadPushRequest(_("The SN parameter is not a valid serial number."))
    return serial


def _address(remote_addr: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((remote_addr or "").strip()))
    except ValueError:
        return None


def pending_device_note(*, serial: str, remote_addr: str | None) -> PendingDevice:
    """Count a request from an unregistered serial (created on the first one) and remember the
    address it came from. Atomic on concurrent requests of the same serial."""
    now = timezone.now()
    address = _address(remote_addr)
    values = {"requests": F("requests") + 1, "last_seen_at": now, "last_address": address}
    if not PendingDevice.objects.filter(serial=serial).update(**values):
        try:
            with transaction.atomic():
                return PendingDevice.objects.create(
                    serial=serial, first_seen_at=now, last_seen_at=now, last_address=address, requests=1
                )
        except IntegrityError:  # created by a concurrent request in between
            PendingDevice.objects.filter(serial=serial).update(**values)
    return PendingDevice.objects.get(serial=serial)


def _push_terminal(serial: str, remote_addr: str | None) -> Terminal:
    """The registered, enabled, pushing terminal with this serial, or ``UnknownTerminal``. An
    unregistered serial is noted as a pending device first."""
    terminal = Terminal.objects.filter(serial=serial).first()
    if terminal is None:
        pending_device_note(serial=serial, remote_addr=remote_addr)
        raise UnknownTerminal(_("Unknown terminal: register and approve this serial number first."))
    if not terminal.enabled or terminal.mode not in _PUSH_MODES:
        raise UnknownTerminal(_("This terminal is disabled or not set to push."))
    return terminal


def _zone(terminal: Terminal) -> ZoneInfo:
    try:
        return ZoneInfo(terminal.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TerminalMisconfigured(_("The terminal's time zone is not valid.")) from exc


def _contact(terminal: Terminal) -> None:
    Terminal.objects.filter(pk=terminal.pk).update(state=Terminal.State.ONLINE, last_contact_at=timezone.now())


# --- handshake --------------------------------------------------------------------------------
def push_handshake(*, serial: str, remote_addr: str | None) -> str | None:
    """``GET /iclock/cdata``: the options a registered pushing terminal works with, or None when
    the terminal is refused (unregistered: noted as a pending device; disabled; pull only).

    Marks the contact (online, last contact time). The upload cursors (``ATTLOGStamp``,
    ``OPERLOGStamp``) are the stamps of the last uploads stored; 0 asks for everything, which is
    harmless since uploads deduplicate. ``TimeZone`` is the terminal zone's offset in whole
    hours; for a zone off by a fraction of an hour the line is left out (firmware reads whole hours
    only) and the device keeps its own setting.
    """
    serial = serial_clean(serial)
    try:
        terminal = _push_terminal(serial, remote_addr)
        zone = _zone(terminal)
    except PushRefused:
        return None
    _contact(terminal)
    stamps = terminal.push_stamps or {}
    lines = [
        f"GET OPTION FROM: {serial}",
        f"ATTLOGStamp={stamps.get(ATTLOG) or 0}",
        f"OPERLOGStamp={stamps.get(OPERLOG) or 0}",
        "ATTPHOTOStamp=None",
        "ErrorDelay=30",
        "Delay=10",
        "TransTimes=00:00;14:05",
        "TransInterval=1",
        "TransFlag=TransData AttLog OpLog EnrollUser ChgUser",
    ]
    offset = timezone.now().astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes % 60 == 0:
        lines.append(f"TimeZone={minutes // 60}")
    lines += ["Realtime=1", "Encrypt=None"]
    return "\n".join(lines) + "\n"


# --- uploads ----------------------------------------------------------------------------------
def _printable(text: str, limit: int = RAW_MAX_CHARS) -> str:
    """``text`` safe to store and show: control characters (NUL included, which PostgreSQL
    refuses in text) escaped, tabs kept, cut to ``limit`` characters."""
    out = "".join(c if c == "\t" or c.isprintable() else f"\\x{ord(c):02x}" for c in text[: limit + 1])
    return out if len(out) <= limit else out[:limit] + "…"


def _decode_lines(body: bytes) -> tuple[list[tuple[int, str | None, bytes]], list[str]]:
    """Split a body into (line number, text or None when undecodable, raw bytes), blank lines
    left out, and the encodings seen. Each line is read as UTF-8, else GB18030 (firmware of the
    Chinese market), so one corrupt line does not spoil the decoding of the others."""
    lines: list[tuple[int, str | None, bytes]] = []
    encodings: set[str] = set()
    for number, raw in enumerate(body.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        text: str | None = None
        for encoding in ("utf-8", "gb18030"):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            encodings.add(encoding)
            break
        lines.append((number, text, raw))
    return lines, sorted(encodings)


def _raw_text(text: str | None, raw: bytes) -> str:
    return _printable(text if text is not None else raw.decode("utf-8", "backslashreplace"))


def _attlog_store(
    terminal: Terminal, zone: ZoneInfo, run: TerminalRun, lines: list[tuple[int, str | None, bytes]]
) -> _Outcome:
    outcome = _Outcome(read=len(lines))
    punches: list[PunchIn] = []
    origin: dict[int, tuple[int, str]] = {}  # id(punch) → (line, raw) for the records the service rejects
    for number, text, raw in lines:
        parsed = attlog_line_parse(text) if text is not None else _("undecodable bytes")
        if isinstance(parsed, str):
            outcome.quarantine.append((number, _raw_text(text, raw), parsed))
            continue
        punches.append(parsed)
        origin[id(parsed)] = (number, _printable(text or ""))
    result = punches_record(terminal_serial=terminal.serial, tz=zone, punches=punches, source="push", batch=run.batch)
    rejected_ids = set()
    for punch, reason in result.rejected:
        rejected_ids.add(id(punch))
        number, raw_text = origin[id(punch)]
        outcome.quarantine.append((number, raw_text, reason))
    stored = [p.local_time for p in punches if id(p) not in rejected_ids]
    outcome.newest_local = max(stored, default=None)
    outcome.new, outcome.duplicates = result.new, result.duplicates
    outcome.rejected = len(outcome.quarantine)
    outcome.accepted = result.new + result.duplicates
    outcome.quarantine.sort()
    return outcome


def _user_fields(rest: str) -> dict[str, str]:
    parts = rest.split("\t") if "\t" in rest else rest.split()
    values: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def _operlog_read(lines: list[tuple[int, str | None, bytes]]) -> _Outcome:
    """OPERLOG: user records (PIN, name, privilege: never passwords or card numbers) go to the
    run's detail, operation records are counted, biometric templates are counted and dropped."""
    outcome = _Outcome(read=len(lines))
    users: list[dict[str, str]] = []
    users_total = oplog = templates = other = malformed = 0
    for _number, text, _raw in lines:
        if text is None:
            malformed += 1
            continue
        kind, _sep, rest = text.strip().partition(" ")
        kind = kind.upper()
        if kind in BIOMETRIC_KINDS:
            templates += 1
        elif kind == "OPLOG":
            oplog += 1
        elif kind == "USER":
            values = _user_fields(rest)
            pin = _printable(values.get("pin", ""), 24)
            if not pin:
                malformed += 1
                continue
            users_total += 1
            if len(users) < DETAIL_USERS_MAX:
                users.append(
                    {
                        "pin": pin,
                        "name": _printable(values.get("name", ""), 100),
                        "privilege": _printable(values.get("pri", ""), 8),
                    }
                )
        else:
            other += 1
    outcome.accepted = outcome.read - malformed
    outcome.rejected = malformed
    outcome.detail = {
        "users": users,
        "users_total": users_total,
        "oplog": oplog,
        "templates_ignored": templates,
        "other_ignored": other,
        "malformed": malformed,
    }
    return outcome


def push_upload(
    *, serial: str, table: str | None, stamp: str | None, body: bytes, remote_addr: str | None
) -> tuple[str, PushResult]:
    """``POST /iclock/cdata?table=..&Stamp=..``: store an upload and give the reply text.

    Preconditions: a registered, enabled, pushing terminal (else ``UnknownTerminal``; an unknown
    serial is noted as pending); a body within ``max_body_bytes()`` (else ``BodyTooLarge``).
    ATTLOG lines are stored in one ``punches_record`` call (batch ``run:<run id>``, like pulls and files); malformed
    lines and records the service rejects become ``QuarantinedRecord`` rows. OPERLOG user names
    go to the run's detail; templates are dropped. Other tables are acknowledged with ``OK: 0``
    and only noted in the run's detail (nothing of their content is kept).

    One ``TerminalRun(kind="push")`` per upload. Punches are stored first (each insert batch
    commits on its own; a retry deduplicates), then one transaction locks the terminal row, sets
    ``push_stamps[table]`` (known tables only: a stamp tells the device what we hold), marks the
    contact, writes the quarantined lines and the run's counts, and moves the attendance
    watermark to the newest punch stored by this body (never past now). On an unexpected error the
    run is marked failed and the error propagates (the device gets no OK and sends again).
    """
    serial = serial_clean(serial)
    terminal = _push_terminal(serial, remote_addr)
    if len(body) > max_body_bytes():
        push_upload_too_large(serial=serial, table=table, size=len(body), remote_addr=remote_addr)
        raise BodyTooLarge(_("The upload is too large."))
    zone = _zone(terminal)
    table_name = (table or "").strip().upper()
    table_name = table_name if _TABLE_RE.fullmatch(table_name) else _printable(table_name, 32)
    stamp_value = (stamp or "").strip()
    lines, encodings = _decode_lines(body)
    run = TerminalRun.objects.create(
        terminal=terminal, kind=TerminalRun.Kind.PUSH, detail={"table": table_name, "bytes": len(body)}
    )
    try:
        if table_name == ATTLOG:
            outcome = _attlog_store(terminal, zone, run, lines)
        elif table_name == OPERLOG:
            outcome = _operlog_read(lines)
        else:
            outcome = _Outcome(read=len(lines), detail={"ignored": True})
        outcome.detail |= {
            "table": table_name,
            "bytes": len(body),
            "lines": len(lines),
            "encodings": encodings,
            "stamp": _printable(stamp_value, 32),
            "accepted": outcome.accepted,
        }
        synced_until = _upload_finish(terminal, zone, run, table_name, stamp_value, outcome)
    except Exception as exc:
        TerminalRun.objects.filter(pk=run.pk).update(
            status=TerminalRun.Status.FAILED, finished_at=timezone.now(), error=_printable(repr(exc), 2000)
        )
        raise
    result = PushResult(
        table=table_name,
        run_id=run.pk,
        read=outcome.read,
        new=outcome.new,
        duplicates=outcome.duplicates,
        rejected=outcome.rejected,
        accepted=outcome.accepted,
        synced_until=synced_until,
    )
    return f"OK: {outcome.accepted}", result


@transaction.atomic
def _upload_finish(
    terminal: Terminal, zone: ZoneInfo, run: TerminalRun, table: str, stamp: str, outcome: _Outcome
) -> dt.datetime | None:
    QuarantinedRecord.objects.bulk_create(
        QuarantinedRecord(run=run, line=number, raw=raw, reason=reason[:200])
        for number, raw, reason in outcome.quarantine
    )
    locked = Terminal.objects.select_for_update().get(pk=terminal.pk)
    now = timezone.now()
    if table in (ATTLOG, OPERLOG) and _STAMP_RE.fullmatch(stamp):
        locked.push_stamps = {**(locked.push_stamps or {}), table: stamp}
    locked.state, locked.last_contact_at = Terminal.State.ONLINE, now
    locked.save(update_fields=["push_stamps", "state", "last_contact_at"])
    synced_until = None
    if outcome.newest_local is not None:
        synced_until = min(outcome.newest_local.replace(tzinfo=zone), now)
        terminal_watermark_report(terminal_serial=locked.serial, synced_until=synced_until)
        outcome.detail["synced_until"] = synced_until.isoformat()
    run.read, run.new, run.duplicates, run.rejected = outcome.read, outcome.new, outcome.duplicates, outcome.rejected
    run.status, run.finished_at, run.detail = TerminalRun.Status.OK, now, outcome.detail
    run.save(update_fields=["read", "new", "duplicates", "rejected", "status", "finished_at", "detail"])
    return synced_until


def push_upload_too_large(*, serial: str, table: str | None, size: int, remote_addr: str | None = None) -> None:
    """Note an upload refused for its size (the caller answers 413) as a failed run, so the
    refusal shows on the terminal's page; the device keeps its data and tries again. Raises
    ``UnknownTerminal`` for a serial that may not push at all (its answer is 403)."""
    terminal = _push_terminal(serial_clean(serial), remote_addr)
    now = timezone.now()
    TerminalRun.objects.create(
        terminal=terminal,
        kind=TerminalRun.Kind.PUSH,
        status=TerminalRun.Status.FAILED,
        started_at=now,
        finished_at=now,
        error=_("The upload is too large."),
        detail={"table": _printable((table or "").strip(), 32), "bytes": size, "limit": max_body_bytes()},
    )


def push_ping(*, serial: str, remote_addr: str | None = None) -> None:
    """``GET /iclock/ping``: mark the contact of a pushing terminal (``UnknownTerminal`` otherwise)."""
    _contact(_push_terminal(serial_clean(serial), remote_addr))


# --- commands ---------------------------------------------------------------------------------
