"""Tasks of the terminals app (queue ``devices``; per campus ``devices.<campus>`` when enabled)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from .models import Terminal, TerminalRun
from .services import terminal_pull


@shared_task(name="devices.pull_terminal", acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def pull_terminal(terminal_id: int) -> str:
    """Pull one terminal. Idempotent (punches dedupe on their natural key; the lease prevents two
    pulls at once). On the soft time limit the run is marked failed; the lease expires by itself."""
    terminal = Terminal.objects.filter(pk=terminal_id, enabled=True).first()
    if terminal is None:
        return "terminal gone or disabled"
    try:
        return terminal_pull(terminal=terminal).line()
    except SoftTimeLimitExceeded:
        TerminalRun.objects.filter(terminal=terminal, status=TerminalRun.Status.RUNNING).update(
            status=TerminalRun.Status.FAILED, error="time limit exceeded", finished_at=timezone.now()
        )
        Terminal.objects.filter(pk=terminal.pk).update(state=Terminal.State.ERROR, last_error="time limit exceeded")
        raise


def queue_for(terminal: Terminal) -> str:
    """The queue a terminal's pull goes to: ``devices``, or ``devices.<campus code>`` when each campus
    network has its own worker (setting TERMINAL_QUEUE_PER_CAMPUS)."""
    from django.conf import settings

    if getattr(settings, "TERMINAL_QUEUE_PER_CAMPUS", False) and terminal.campus_id:
        return f"devices.{terminal.campus.code.lower()}"
    return "devices"


@shared_task(name="devices.dispatch_pulls", ignore_result=True, soft_time_limit=30, time_limit=60)
def dispatch_pulls() -> int:
    """Every minute (beat): queue a pull for each enabled pull terminal whose interval has passed
    since its last pull attempt. Each terminal keeps its own interval."""
    now = timezone.now()
    due = []
    candidates = Terminal.objects.filter(
        enabled=True, mode__in=[Terminal.Mode.PULL, Terminal.Mode.BOTH]
    ).select_related("campus")
    for terminal in candidates:
        last = terminal.runs.filter(kind=TerminalRun.Kind.PULL).values_list("started_at", flat=True).first()
        if last is None or now - last >= dt.timedelta(minutes=terminal.poll_interval_minutes) - dt.timedelta(seconds=5):
            due.append(terminal)
    for terminal in due:
        pull_terminal.apply_async(
            args=[terminal.pk], queue=queue_for(terminal), expires=terminal.poll_interval_minutes * 60
        )
    return len(due)


@shared_task(name="devices.sync_users", acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def sync_users(terminal_id: int) -> str:
    """Enrol staff on a terminal and remove leavers (after a pull); idempotent."""
    from .services_users import terminal_users_sync

    terminal = Terminal.objects.filter(pk=terminal_id, enabled=True).first()
    if terminal is None or not terminal.pulls:
        return "terminal gone, disabled or push only"
    return terminal_users_sync(terminal=terminal).status
