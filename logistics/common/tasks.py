"""Platform tasks: the worker heartbeat (``logistics.ping``) and the outbox relay."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="logistics.ping", bind=True, ignore_result=True, soft_time_limit=20, time_limit=30)
def ping(self, token: str = "") -> None:
    """Answer a ping: record this worker's heartbeat with ``token``. Beat sends one every 30 s."""
    services.worker_heartbeat_record(hostname=self.request.hostname or "unknown", token=token)


@shared_task(name="logistics.outbox_relay", ignore_result=True, soft_time_limit=60, time_limit=90)
def outbox_relay() -> int:
    """Publish outbox rows whose on-commit publish failed (broker was down)."""
    return services.outbox_relay()
