"""Tasks of the terminals app (queue ``devices``; per campus ``devices.<campus>`` when enabled)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db.models import Max, Q
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


def dispatch_pulls_due() -> list[Terminal]:
    """Enabled pull terminals whose interval has passed since their last pull attempt (one query)."""
    now = timezone.now()
    slack = dt.timedelta(seconds=5)  # beat ticks are not exact
    candidates = (
        Terminal.objects.filter(enabled=True, mode__in=[Terminal.Mode.PULL, Terminal.Mode.BOTH])
        .select_related("campus")
        .annotate(last_pull=Max("runs__started_at", filter=Q(runs__kind=TerminalRun.Kind.PULL)))
    )
    return [
        t
        for t in candidates
        if t.last_pull is None or now - t.last_pull >= dt.timedelta(minutes=t.poll_interval_minutes) - slack
    ]


@shared_task(name="devices.dispatch_pulls", ignore_result=True, soft_time_limit=30, time_limit=60)
def dispatch_pulls() -> int:
    """Every 10 s (beat): queue a pull for each terminal that is due. Each terminal keeps its own
    interval, so a punch is stored at most about interval + 10 s after it was made. Sent from a
    beat task, not a request: if the broker is down, this task does not run either."""
    due = dispatch_pulls_due()
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
