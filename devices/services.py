"""Writes of the terminals app: registering terminals and pulling their punches.

Punches are stored only through ``attendance.services.punches_record`` (idempotent on terminal
serial + PIN + device-local time); this app keeps the runs, the live state of each terminal and
the records it had to quarantine.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.services import PunchIn, RecordResult, punches_record, terminal_watermark_report
from logistics.common.errors import DomainError
from logistics.common.leases import lease_acquire, lease_release

from .models import QuarantinedRecord, Terminal, TerminalRun
from .zkclient import NETWORK_ERRORS, RobustZK, parse_attendance

logger = logging.getLogger(__name__)


def _validate_terminal(*, name: str, host: str | None, port: int, time_zone: str, comm_password: str) -> None:
    if not name or len(name) > 100:
        raise DomainError(_("Enter a name of at most 100 characters."))
    if host:
        try:
            validate_ipv46_address(host)
        except ValidationError as exc:
            raise DomainError(_("The host must be an IP address, e.g. 10.20.1.15.")) from exc
    if not 1 <= int(port) <= 65535:
        raise DomainError(_("The port must be between 1 and 65535."))
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(_("Unknown time zone “%(zone)s”.") % {"zone": time_zone}) from exc
    if comm_password and (not comm_password.isdigit() or len(comm_password) > 9):
        raise DomainError(_("The comm password of a ZKTeco terminal is a number of up to 9 digits."))


@transaction.atomic
def terminal_register(
    *,
    name: str,
    host: str | None,
    port: int = 4370,
    comm_password: str = "",
    campus=None,
    location=None,
    time_zone: str = "Asia/Shanghai",
    mode: str = Terminal.Mode.PULL,
    poll_interval_minutes: int = 5,
    serial: str | None = None,
) -> Terminal:
    """Add a terminal to the registry (its serial is read from the device at the first contact
    unless given). Refuses a host that is not an IP address: it is never passed to a shell, but
    a name would also make the registry ambiguous."""
    _validate_terminal(name=name, host=host, port=port, time_zone=time_zone, comm_password=comm_password)
    if mode != Terminal.Mode.PUSH and not host:
        raise DomainError(_("A terminal that is pulled needs an IP address."))
    if Terminal.objects.filter(name=name).exists():
        raise DomainError(_("A terminal with this name already exists."))
    if serial and Terminal.objects.filter(serial=serial).exists():
        raise DomainError(_("A terminal with this serial number already exists."))
    return Terminal.objects.create(
        name=name,
        host=host or None,
        port=port,
        comm_password=comm_password,
        campus=campus,
        location=location,
        time_zone=time_zone,
        mode=mode,
        poll_interval_minutes=poll_interval_minutes,
        serial=serial or None,
    )


@transaction.atomic
def pending_device_approve(*, device) -> Terminal:
    """Register a device that pushed with an unknown serial as a pushing terminal (named after its
    serial until someone renames it); from its next request on its punches are accepted."""
    terminal = terminal_register(name=device.serial, host=None, serial=device.serial, mode=Terminal.Mode.PUSH)
    device.delete()
    return terminal


@dataclass
class PullOutcome:
    run: TerminalRun
    ok: bool

    def line(self) -> str:
        run = self.run
        if run.status == TerminalRun.Status.SKIPPED:
            return f"{run.terminal}: skipped, another pull is running"
        if not self.ok:
            return f"{run.terminal}: FAILED {run.error}"
        return f"{run.terminal}: read {run.read}, new {run.new}, duplicates {run.duplicates}"


def _lease_name(terminal: Terminal) -> str:
    return f"devices.pull.{terminal.pk}"


def _timeout() -> float:
    return float(getattr(settings, "TERMINAL_TIMEOUT_SECONDS", 10))


def terminal_pull(*, terminal: Terminal, actor=None) -> PullOutcome:
    """Read a terminal's users count and whole attendance log and store the punches.

    One pull per terminal at a time (a database lease, valid across processes). The device is
    re-enabled first (a failed earlier run may have left it disabled), disabled while reading and
    always re-enabled. The parsed count is checked against the count the device reports; records
    with impossible dates or empty PINs are quarantined, the rest stored. The device log is cleared
    only when the terminal allows it and every record read was accounted for. Every run is recorded.
    """
    holder = uuid.uuid4().hex
    lease_ttl = dt.timedelta(seconds=getattr(settings, "TERMINAL_PULL_LEASE_SECONDS", 600))
    if not lease_acquire(name=_lease_name(terminal), holder=holder, ttl=lease_ttl):
        run = TerminalRun.objects.create(
            terminal=terminal,
            kind=TerminalRun.Kind.PULL,
            status=TerminalRun.Status.SKIPPED,
            finished_at=timezone.now(),
            started_by=actor,
        )
        return PullOutcome(run, ok=False)
    run = TerminalRun.objects.create(terminal=terminal, kind=TerminalRun.Kind.PULL, started_by=actor)
    try:
        return _pull(terminal, run)
    finally:
        lease_release(name=_lease_name(terminal), holder=holder)


def _pull(terminal: Terminal, run: TerminalRun) -> PullOutcome:
    zone = ZoneInfo(terminal.time_zone)
    conn = RobustZK(
        terminal.host,
        terminal.port,
        timeout=_timeout(),
        password=int(terminal.comm_password or 0),
        force_udp=terminal.transport == Terminal.Transport.UDP,
    )
    info: dict = {}
    stage = "connect"
    try:
        conn.connect()
        stage = "identify"
        conn.enable_device()  # recover a device an earlier failed run left disabled
        serial = (conn.get_serialnumber() or "").strip()
        if not serial:
            raise DomainError(_("The terminal did not report a serial number."))
        if terminal.serial and terminal.serial != serial:
            raise DomainError(
                _("The device at this address has serial %(found)s, not %(expected)s: check the address.")
                % {"found": serial, "expected": terminal.serial}
            )
        info.update(
            serial=serial,
            firmware=conn.get_firmware_version() or "",
            platform=conn.get_platform() or "",
            device_name=conn.get_device_name() or "",
        )
        device_time = conn.get_time()
        now_local = timezone.now().astimezone(zone).replace(tzinfo=None)
        drift = int((device_time - now_local).total_seconds())
        info["drift"] = drift
        if abs(drift) > terminal.max_clock_drift_seconds and terminal.correct_clock:
            conn.set_time(now_local)
            info["clock_corrected"] = True
        stage = "read"
        conn.disable_device()
        synced_until = timezone.now()
        conn.read_sizes()
        info.update(records=conn.records, users=conn.users)
        buffer = conn.read_attendance_buffer() if conn.records else b""
        records, record_size = parse_attendance(buffer, conn.records)
        info["record_size"] = record_size
        clear = terminal.clear_log_after_pull
        if not clear:
            _safe(conn.enable_device)
        stage = "store"
        result = _store(terminal, run, serial, zone, records)
        complete = len(records) == conn.records and result.read == len(records)
        if clear and complete and conn.records:
            conn.clear_attendance()
            run.cleared = True
        if clear:
            _safe(conn.enable_device)
    except NETWORK_ERRORS as exc:
        return _fail(terminal, run, info, stage, exc)
    except DomainError as exc:
        return _fail(terminal, run, info, stage, exc)
    finally:
        if conn.is_connect:
            if not conn.is_enabled:
                _safe(conn.enable_device)  # never leave a terminal nobody can punch on
            _safe(conn.disconnect)

    return _finish(terminal, run, info, records, result, synced_until)


def _store(terminal: Terminal, run: TerminalRun, serial: str, zone: ZoneInfo, records) -> RecordResult:
    with transaction.atomic():
        if not terminal.serial:
            Terminal.objects.filter(pk=terminal.pk).update(serial=serial)
            terminal.serial = serial
        good = [
            PunchIn(pin=r.pin, local_time=r.local_time, status=r.status, verify_type=r.verify_type)
            for r in records
            if not r.problem
        ]
        result = punches_record(terminal_serial=serial, tz=zone, punches=good, source="pull", batch=run.batch)
        bad = [QuarantinedRecord(run=run, line=r.index + 1, raw=r.raw, reason=r.problem) for r in records if r.problem]
        bad += [
            QuarantinedRecord(run=run, line=None, raw=f"{p.pin}\t{p.local_time:%Y-%m-%d %H:%M:%S}", reason=reason[:200])
            for p, reason in result.rejected
        ]
        QuarantinedRecord.objects.bulk_create(bad)
        result.read += sum(1 for r in records if r.problem)
        result.rejected.extend((None, r.problem) for r in records if r.problem)
    return result


def _finish(terminal, run, info, records, result: RecordResult, synced_until) -> PullOutcome:
    now = timezone.now()
    mismatch = len(records) != info.get("records", 0)
    run.read, run.new, run.duplicates = result.read, result.new, result.duplicates
    run.rejected = len(result.rejected)
    run.device_count = info.get("records")
    run.finished_at = now
    run.detail = {k: v for k, v in info.items() if k in ("record_size", "drift", "users", "clock_corrected")}
    if mismatch:
        run.status = TerminalRun.Status.FAILED
        run.error = _("The terminal reported %(device)d records but %(read)d were read; the next pull reads again.") % {
            "device": info.get("records", 0),
            "read": len(records),
        }
    else:
        run.status = TerminalRun.Status.OK
    run.save()
    state = {
        "state": Terminal.State.ONLINE,
        "last_contact_at": now,
        "records_on_device": info.get("records"),
        "users_on_device": info.get("users"),
        "clock_drift_seconds": info.get("drift"),
        "firmware": info.get("firmware", "")[:100],
        "platform": info.get("platform", "")[:100],
        "device_name": info.get("device_name", "")[:100],
        "last_error": run.error,
    }
    if not mismatch:
        state["last_pull_at"] = now
        terminal_watermark_report(terminal_serial=info["serial"], synced_until=synced_until)
    drift = info.get("drift")
    if drift is not None and abs(drift) > terminal.max_clock_drift_seconds and not info.get("clock_corrected"):
        state["last_error"] = (run.error + " " if run.error else "") + _(
            "The terminal clock is off by %(seconds)d seconds."
        ) % {"seconds": drift}
    Terminal.objects.filter(pk=terminal.pk).update(**state)
    return PullOutcome(run, ok=not mismatch)


def _fail(terminal, run, info, stage, exc) -> PullOutcome:
    message = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    if stage == "connect" and not isinstance(exc, DomainError) and "Unauth" not in message:
        text = _("Cannot reach the terminal at %(host)s:%(port)s (%(error)s).") % {
            "host": terminal.host, "port": terminal.port, "error": message,
        }  # fmt: skip
    elif "Unauth" in message:
        text = _("The terminal refused the comm password.")
    else:
        text = _("%(stage)s failed: %(error)s") % {"stage": stage, "error": message}
    logger.warning("terminal %s: %s", terminal, text)
    now = timezone.now()
    run.status, run.error, run.finished_at = TerminalRun.Status.FAILED, text[:2000], now
    run.detail = {"stage": stage}
    run.save()
    unreachable = stage == "connect" and not isinstance(exc, DomainError)
    Terminal.objects.filter(pk=terminal.pk).update(
        state=Terminal.State.OFFLINE if unreachable else Terminal.State.ERROR,
        last_error=text[:2000],
        **({"last_contact_at": now} if not unreachable else {}),
    )
    return PullOutcome(run, ok=False)


def _safe(call) -> None:
    """Run a cleanup call whose failure must not hide the original error."""
    try:
        call()
    except NETWORK_ERRORS as exc:
        logger.info("terminal cleanup %s failed: %s", getattr(call, "__name__", call), exc)
