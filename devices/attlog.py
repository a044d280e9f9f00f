"""The ATTLOG line format shared by pushing terminals and USB files: PIN, device-local
``YYYY-MM-DD HH:MM:SS``, state, verification, work code, reserved... (5, 7 or 10+ fields; only PIN
and time are required). Tab-separated, or space-separated on some firmware."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from attendance.services import PunchIn

_DATE_RE = re.compile(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}")
_TIME_RE = re.compile(r"\d{1,2}:\d{1,2}(:\d{1,2})?")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S")


def attlog_fields(text: str) -> list[str]:
    """Fields of an ATTLOG line: tab-separated, or space-separated on some firmware (then the date
    and the time are two fields and are joined again)."""
    fields = [f.strip() for f in text.split("\t")] if "\t" in text else text.split()
    if len(fields) >= 3 and _DATE_RE.fullmatch(fields[1]) and _TIME_RE.fullmatch(fields[2]):
        fields[1:3] = [f"{fields[1]} {fields[2]}"]
    return fields


def _int_field(fields: list[str], index: int) -> int:
    value = fields[index].strip() if len(fields) > index else ""
    return int(float(value)) if value else 0


def _local_time(text: str) -> dt.datetime | None:
    text = text.strip()
    if len(text) in (15, 16) and text.count(":") == 1:  # no seconds
        text += ":00"
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - device-local wall clock
        except ValueError:
            continue
    return None


def punch_from_fields(fields: list[str]) -> PunchIn | str:
    """Fields of one line → a ``PunchIn``, or the (translated) reason it cannot be one."""
    fields = [f.strip() for f in fields]
    if not fields or not fields[0] or _DATE_RE.fullmatch(fields[0]):
        return _("empty PIN")
    if len(fields) < 2 or not fields[1]:
        return _("missing time")
    local_time = _local_time(fields[1])
    if local_time is None:
        return _("invalid date or time")
    try:
        status, verify_type = _int_field(fields, 2), _int_field(fields, 3)
    except ValueError:
        return _("invalid state or verification code")
    workcode = fields[4] if len(fields) > 4 and fields[4] != "0" else ""  # "0": none
    if not workcode.isprintable() or len(workcode) > 24:
        return _("invalid work code")
    return PunchIn(pin=fields[0], local_time=local_time, status=status, verify_type=verify_type, workcode=workcode)


def attlog_line_parse(text: str) -> PunchIn | str:
    """One ATTLOG line → a ``PunchIn``, or the reason it cannot be one."""
    return punch_from_fields(attlog_fields(text))
