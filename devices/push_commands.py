"""Commands for pushing terminals (``/iclock/getrequest`` and ``/iclock/devicecmd``): queueing
them, handing them out once, and recording their results."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.errors import DomainError

from .models import DeviceCommand, Terminal
from .push import (
    _PUSH_MODES,
    COMMANDS_PER_POLL,
    TIME_SET_PREFIX,
    _contact,
    _decode_lines,
    _printable,
    _push_terminal,
    _zone,
    serial_clean,
)

logger = logging.getLogger(__name__)


def _encode_device_time(local: dt.datetime) -> int:
    """The terminals' packed time (``SET OPTION DateTime=``): seconds in months of 31 days."""
    return (
        ((local.year % 100) * 12 * 31 + (local.month - 1) * 31 + local.day - 1) * 86400
        + local.hour * 3600
        + local.minute * 60
        + local.second
    )


def push_poll_commands(*, serial: str, remote_addr: str | None = None) -> str:
    """``GET /iclock/getrequest``: ``OK`` when nothing is queued, else up to ``COMMANDS_PER_POLL``
    queued commands as ``C:<id>:<command>`` lines, oldest first, marked sent. Rows are taken with
    ``SKIP LOCKED`` so two overlapping polls never hand out one command twice. A time-setting
    command gets the terminal's local time at the moment it is sent, not when it was queued.
    Marks the contact (this is the terminal's heartbeat)."""
    # Identity first, outside the transaction: the note of an unknown serial must survive the refusal.
    terminal = _push_terminal(serial_clean(serial), remote_addr)
    _contact(terminal)
    with transaction.atomic():
        commands = list(
            DeviceCommand.objects.select_for_update(skip_locked=True)
            .filter(terminal=terminal, status=DeviceCommand.Status.QUEUED)
            .order_by("created_at", "pk")[:COMMANDS_PER_POLL]
        )
        if not commands:
            return "OK"
        now = timezone.now()
        for command in commands:
            if command.command.startswith(TIME_SET_PREFIX):
                command.command = f"{TIME_SET_PREFIX}{_encode_device_time(now.astimezone(_zone(terminal)))}"
            command.status, command.sent_at = DeviceCommand.Status.SENT, now
        DeviceCommand.objects.bulk_update(commands, ["command", "status", "sent_at"])
    return "".join(f"C:{command.pk}:{command.command}\n" for command in commands)


INFO_FIELDS = {
    "~devicename": "device_name",
    "devicename": "device_name",
    "fwversion": "firmware",
    "firmver": "firmware",
    "~platform": "platform",
    "platform": "platform",
    "usercount": "users_on_device",
    "transactioncount": "records_on_device",
}


def _info_values(pairs: Iterable[tuple[str, str]]) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, value in pairs:
        name = INFO_FIELDS.get(key.strip().lower())
        value = value.strip()
        if not name or not value:
            continue
        if name in ("users_on_device", "records_on_device"):
            if value.isdigit() and int(value) < 2**31:
                values[name] = int(value)
        else:
            values[name] = _printable(value, 100)
    return values


def _command_results(text: str) -> list[tuple[dict[str, str], list[tuple[str, str]]]]:
    """``ID=..&Return=..&CMD=..`` lines, each with the ``key=value`` lines that follow it (the
    answer of ``INFO``)."""
    results: list[tuple[dict[str, str], list[tuple[str, str]]]] = []
    for line in text.replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.upper().startswith("ID="):
            pairs = parse_qsl(line, keep_blank_values=True)
            head = {key.strip().lower(): value.strip() for key, value in pairs}
            results.append((head, list(pairs)))
        elif results and "=" in line:
            key, _sep, value = line.partition("=")
            results[-1][1].append((key, value))
    return results


def push_command_result(*, serial: str, body: bytes | str, remote_addr: str | None = None) -> str:
    """``POST /iclock/devicecmd``: record the results the terminal reports (several per body
    possible). Return code 0 → done, anything else → failed, with the code kept. Only this
    terminal's commands that are still open change (a result posted twice changes nothing); ids
    that are not numbers or not ours are ignored. A successful ``INFO`` answer updates the
    terminal's firmware, model, platform and user/record counts. Always ``OK``."""
    terminal = _push_terminal(serial_clean(serial), remote_addr)
    if isinstance(body, bytes):
        lines, _encodings = _decode_lines(body)
        text = "\n".join(line_text for _number, line_text, _raw in lines if line_text is not None)
    else:
        text = body
    now = timezone.now()
    open_statuses = (DeviceCommand.Status.QUEUED, DeviceCommand.Status.SENT)
    for head, pairs in _command_results(text):
        try:
            command_id, code = int(head.get("id", "")), int(head.get("return", ""))
        except ValueError:
            continue
        if not -(2**31) <= code < 2**31 or not 0 < command_id < 2**63:
            continue
        status = DeviceCommand.Status.DONE if code == 0 else DeviceCommand.Status.FAILED
        changed = DeviceCommand.objects.filter(pk=command_id, terminal=terminal, status__in=open_statuses).update(
            status=status, return_code=code, finished_at=now
        )
        if changed and code == 0 and head.get("cmd", "").upper() == "INFO":
            values = _info_values(pairs)
            if values:
                Terminal.objects.filter(pk=terminal.pk).update(**values)
    _contact(terminal)
    return "OK"


PIN_MAX, NAME_MAX = 24, 40


def _command_pin(pin: str) -> str:
    pin = (pin or "").strip()
    if not pin or len(pin) > PIN_MAX or not pin.isprintable() or "=" in pin:
        raise DomainError(_("Enter a PIN of 1 to 24 characters without tabs, line breaks or “=”."))
    return pin


def _command_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX or not name.isprintable():
        raise DomainError(_("Enter a name of 1 to 40 characters without tabs or line breaks."))
    return name


def command_queue(*, terminal: Terminal, command: str, actor=None) -> DeviceCommand:
    """Queue a command for a pushing terminal; it is handed out at the terminal's next poll.
    Refused for a terminal that does not push, and for a command that is empty, longer than 500
    characters or holds a line break (it would split into two commands on the device)."""
    if terminal.mode not in _PUSH_MODES:
        raise DomainError(_("Commands reach only terminals that push."))
    command = (command or "").strip(" ")
    if not command or len(command) > 500 or any(c != "\t" and not c.isprintable() for c in command):
        raise DomainError(_("A command is one line of at most 500 characters."))
    queued = DeviceCommand.objects.create(terminal=terminal, command=command, created_by=actor)
    logger.info("device command %s queued for %s by %s: %s", queued.pk, terminal.serial, actor, command[:60])
    return queued


def _device_local(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """An aware time as the terminal's wall clock; a naive one is taken as that already."""
    return value.astimezone(zone).replace(tzinfo=None) if timezone.is_aware(value) else value


def command_queue_attlog_query(
    *, terminal: Terminal, start: dt.datetime, end: dt.datetime, actor=None
) -> DeviceCommand:
    """Ask the terminal to upload again its punches between ``start`` and ``end`` (aware times
    are converted to the terminal's wall clock). What it sends comes through the normal upload
    and deduplicates."""
    zone = _zone(terminal)
    start_local, end_local = _device_local(start, zone), _device_local(end, zone)
    if end_local <= start_local:
        raise DomainError(_("The end of the period is not after its start."))
    command = f"DATA QUERY ATTLOG StartTime={start_local:%Y-%m-%d %H:%M:%S}\tEndTime={end_local:%Y-%m-%d %H:%M:%S}"
    return command_queue(terminal=terminal, command=command, actor=actor)


def command_queue_time_set(*, terminal: Terminal, actor=None) -> DeviceCommand:
    """Set the terminal's clock. The time is filled in when the command is sent (a terminal that
    is offline would otherwise get a stale time). Terminals also follow the ``Date`` header of
    every reply; this is for firmware that does not."""
    _zone(terminal)
    return command_queue(terminal=terminal, command=f"{TIME_SET_PREFIX}0", actor=actor)


def command_queue_user_update(
    *, terminal: Terminal, pin: str, name: str, privilege: int = 0, actor=None
) -> DeviceCommand:
    """Create or update a user on the terminal (PIN, name, privilege: 0 = user, 14 = admin)."""
    pin, name = _command_pin(pin), _command_name(name)
    if privilege not in (0, 2, 6, 14):
        raise DomainError(_("Unknown privilege level."))
    command = f"DATA UPDATE USERINFO PIN={pin}\tName={name}\tPri={privilege}"
    return command_queue(terminal=terminal, command=command, actor=actor)


def command_queue_user_delete(*, terminal: Terminal, pin: str, actor=None) -> DeviceCommand:
    """Delete a user (and the device's own templates of that user) from the terminal."""
    pin = _command_pin(pin)
    return command_queue(terminal=terminal, command=f"DATA DELETE USERINFO PIN={pin}", actor=actor)


def command_queue_info(*, terminal: Terminal, actor=None) -> DeviceCommand:
    """Ask the terminal for its firmware, model and counts (the answer updates the terminal)."""
    return command_queue(terminal=terminal, command="INFO", actor=actor)
