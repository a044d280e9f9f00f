"""The task outbox: the only way code schedules background work.

``enqueue(task, *args, **kwargs)`` writes an ``OutboxMessage`` in the caller's transaction and
publishes it to the broker once that transaction commits. A broker that is down costs the caller
nothing: the publish fails fast (short connect timeout, no retries), the error is logged, the row
stays unpublished, and ``outbox_relay()`` (run by beat and at worker start) sends it later. The row
id is the Celery task id, so a message the relay sends twice carries the same id; tasks are written
to be idempotent anyway.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# Retry policy for one publish attempt: connect once, give up quickly, leave the rest to the relay.
PUBLISH_RETRY_POLICY = {"max_retries": 0}


def enqueue(task: Task | str, *args: Any, **kwargs: Any) -> OutboxMessage:
    """Schedule ``task(*args, **kwargs)`` to run after the current transaction commits.

    Arguments must be JSON-serialisable (ids, not model instances). Never raises because the
    broker is unreachable; raises ``TypeError`` at once for arguments that could never be sent.
    """
    name = task if isinstance(task, str) else task.name
    try:
        json.dumps([args, kwargs])
    except TypeError as exc:
        raise TypeError(f"enqueue({name}): arguments must be JSON-serialisable: {exc}") from exc
    message = OutboxMessage.objects.create(task_name=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: publish(message.pk))
    return message


def publish(message_id: Any) -> bool:
    """Send one outbox row to the broker; True when it is (or already was) published."""
    from logistics.celery import app

    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None:  # its transaction was rolled back after all
        return False
    if message.published_at is not None:
        return True
    try:
        app.send_task(
            message.task_name,
            args=message.args,
            kwargs=message.kwargs,
            task_id=str(message.pk),
            retry=False,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except Exception as exc:
        logger.warning("outbox: could not publish %s (%s): %s", message.task_name, message.pk, exc)
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk, published_at__isnull=True).update(
        published_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def outbox_relay(*, limit: int = 500, grace_seconds: int | None = None) -> int:
    """Publish unpublished rows older than the grace period (younger ones are still on their way
    through their own on-commit publish). Stops at the first failure: the broker is still down.
    Returns how many rows were published."""
    grace = settings.OUTBOX_RELAY_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = timezone.now() - timedelta(seconds=grace)
    pending = list(
        OutboxMessage.objects.filter(published_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pending:
        if not publish(pk):
            break
        sent += 1
    if sent:
        logger.info("outbox relay: published %d of %d pending message(s)", sent, len(pending))
    return sent


def outbox_backlog() -> dict[str, Any]:
    """Unpublished rows: how many and the age in seconds of the oldest (for /healthz)."""
    pending = OutboxMessage.objects.filter(published_at__isnull=True)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    age = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    return {"pending": pending.count(), "oldest_age_seconds": age}
