"""Writes of the platform: worker heartbeats. (The outbox and leases have their own modules.)"""

from __future__ import annotations

from django.utils import timezone

from .models import WorkerHeartbeat
from .outbox import outbox_relay

__all__ = ["outbox_relay", "worker_heartbeat_record"]


def worker_heartbeat_record(*, hostname: str, token: str = "") -> WorkerHeartbeat:
    """Record that worker ``hostname`` is alive now (and which ping token it answered)."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname[:200], defaults={"seen_at": timezone.now(), "token": token[:100]}
    )
    return heartbeat
