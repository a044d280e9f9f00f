"""Reads of the terminals app."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import PendingDevice, QuarantinedRecord, Terminal, TerminalRun


def terminals_visible_to(user) -> QuerySet[Terminal]:
    """Terminals with their campus and location (every terminal for those who may view them)."""
    if not user.has_perm("devices.view_terminal"):
        return Terminal.objects.none()
    return Terminal.objects.select_related("campus", "location").order_by("campus__sort_order", "name")


def runs_of(terminal: Terminal, *, limit: int = 50) -> list[TerminalRun]:
    return list(terminal.runs.select_related("started_by")[:limit])


def quarantined_of(terminal: Terminal, *, limit: int = 100) -> list[QuarantinedRecord]:
    return list(QuarantinedRecord.objects.filter(run__terminal=terminal).select_related("run").order_by("-id")[:limit])


def pending_devices() -> QuerySet[PendingDevice]:
    return PendingDevice.objects.all()


def commands_of(terminal: Terminal, *, limit: int = 20):
    return list(terminal.commands.order_by("-created_at")[:limit])
