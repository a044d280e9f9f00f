"""Punches from a file: the attendance log a ZKTeco terminal writes to a USB stick (``*_attlog.dat``:
tab-separated ``PIN, YYYY-MM-DD HH:MM:SS, status, verify, workcode, ...``), or a CSV / Excel export
with the same columns. Used during roll-out and when a terminal's network is down.

Preview parses and reports without storing; import stores through ``punches_record`` (so a file
imported twice, or punches that also came by pull or push, are not doubled) and reports every line:
new, duplicate or invalid with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import Punch
from attendance.services import PunchIn, punches_record
from logistics.common.errors import DomainError

from .attlog import punch_from_fields
from .models import QuarantinedRecord, Terminal, TerminalRun

MAX_BYTES = 20 * 1024 * 1024
MAX_LINES = 500_000


@dataclass
class FileLine:
    line: int
    raw: str
    punch: PunchIn | None = None
    error: str = ""
    outcome: str = ""  # new / duplicate / invalid, after import


@dataclass
class FileReport:
    lines: list[FileLine] = field(default_factory=list)
    run: TerminalRun | None = None

    @property
    def valid(self) -> list[FileLine]:
        return [line for line in self.lines if line.punch is not None]

    @property
    def invalid(self) -> list[FileLine]:
        return [line for line in self.lines if line.punch is None]

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)


def _line_from_fields(number: int, fields: list[str], raw: str) -> FileLine:
    parsed = punch_from_fields(fields)
    if isinstance(parsed, str):
        return FileLine(number, raw, error=parsed)
    return FileLine(number, raw, parsed)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file is neither UTF-8 nor GB18030 text."))


def parse_file(*, name: str, data: bytes) -> FileReport:
    """Parse without storing. Raises DomainError for a file that cannot be read at all."""
    if not data:
        raise DomainError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    report = FileReport()
    if name.lower().endswith(".xlsx"):
        report.lines = list(_xlsx_lines(data))
    else:
        text = _decode(data)
        dialect_tab = "\t" in text.split("\n", 1)[0] or name.lower().endswith(".dat")
        for number, raw in enumerate(text.splitlines(), start=1):
            if number > MAX_LINES:
                raise DomainError(_("The file has more than %(max)d lines.") % {"max": MAX_LINES})
            if not raw.strip():
                continue
            fields = raw.split("\t") if dialect_tab else next(csv.reader([raw]))
            if number == 1 and fields and not any(ch.isdigit() for ch in fields[0]):
                continue  # a header row
            report.lines.append(_line_from_fields(number, fields, raw))
    if not report.lines:
        raise DomainError(_("The file has no punch lines."))
    return report


def _xlsx_lines(data: bytes):
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:
        raise DomainError(_("The file is not a readable Excel workbook.")) from exc
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = ["" if c is None else (c.strftime("%Y-%m-%d %H:%M:%S") if isinstance(c, dt.datetime) else str(c))
                 for c in row]  # fmt: skip
        if not any(cells):
            continue
        if number == 1 and not any(ch.isdigit() for ch in cells[0]):
            continue
        yield _line_from_fields(number, cells, "\t".join(cells))


def file_import(*, terminal: Terminal, name: str, data: bytes, actor=None) -> FileReport:
    """Store the punches of a file as coming from ``terminal`` (whose serial is their key)."""
    if not terminal.serial:
        raise DomainError(_("This terminal has no serial number yet: pull it once or enter its serial first."))
    report = parse_file(name=name, data=data)
    zone = ZoneInfo(terminal.time_zone)
    with transaction.atomic():
        run = TerminalRun.objects.create(
            terminal=terminal, kind=TerminalRun.Kind.FILE, started_by=actor, file_name=name[:200]
        )
        valid = report.valid
        keys = {(line.punch.pin, line.punch.local_time) for line in valid}
        existing = _existing_keys(terminal.serial, keys)
        result = punches_record(
            terminal_serial=terminal.serial, tz=zone, punches=[line.punch for line in valid], source="file",
            batch=run.batch,
        )  # fmt: skip
        rejected = {(p.pin, p.local_time): reason for p, reason in result.rejected}
        seen: set = set()
        for line in report.lines:
            if line.punch is None:
                line.outcome = "invalid"
                continue
            key = (line.punch.pin, line.punch.local_time)
            if key in rejected:
                line.outcome, line.error, line.punch = "invalid", rejected[key], None
            elif key in existing or key in seen:
                line.outcome = "duplicate"
            else:
                line.outcome = "new"
            seen.add(key)
        QuarantinedRecord.objects.bulk_create(
            QuarantinedRecord(run=run, line=line.line, raw=line.raw[:2000], reason=line.error[:200])
            for line in report.lines
            if line.outcome == "invalid"
        )
        run.read = len(report.lines)
        run.new, run.duplicates, run.rejected = result.new, report.count("duplicate"), report.count("invalid")
        run.status, run.finished_at = TerminalRun.Status.OK, timezone.now()
        run.save()
    report.run = run
    return report


def _existing_keys(serial: str, keys: set) -> set:
    if not keys:
        return set()
    pins = {pin for pin, _ in keys}
    times = [t for _, t in keys]
    rows = Punch.objects.filter(
        terminal_serial=serial, pin__in=pins, local_time__gte=min(times), local_time__lte=max(times)
    ).values_list("pin", "local_time")
    return set(rows) & keys
