"""Reads of the attendance app used by other apps: who a PIN is, unknown PINs, watermarks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q

from logistics.org.models import Staff

from .models import PinMapping, Punch, TerminalWatermark


def staff_for_pin(pin: str, on: dt.date) -> Staff | None:
    """The staff member a PIN belongs to on a date: an explicit mapping valid that day, else the
    staff member whose employee number it is."""
    mapping = (
        PinMapping.objects.select_related("staff")
        .filter(pin=pin, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .first()
    )
    if mapping:
        return mapping.staff
    return Staff.objects.filter(employee_no=pin).first()


@dataclass(frozen=True)
class UnknownPin:
    pin: str
    punches: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    terminals: int


def unknown_pins() -> list[UnknownPin]:
    """PINs with punches that belong to nobody: no staff with that employee number and no mapping.
    Kept, not dropped; they count as soon as a mapping exists. One aggregate query."""
    known_numbers = Staff.objects.values("employee_no")
    mapped = PinMapping.objects.values("pin")
    rows = (
        Punch.objects.exclude(pin__in=known_numbers)
        .exclude(pin__in=mapped)
        .values("pin")
        .annotate(
            punches=Count("id"),
            first_seen=Min("punched_at"),
            last_seen=Max("punched_at"),
            terminals=Count("terminal_serial", distinct=True),
        )
        .order_by("-last_seen")
    )
    return [UnknownPin(**row) for row in rows]


def watermark_of(terminal_serial: str) -> dt.datetime | None:
    return (
        TerminalWatermark.objects.filter(terminal_serial=terminal_serial).values_list("synced_until", flat=True).first()
    )
