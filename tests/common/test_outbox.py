"""The outbox: side effects are written with the change and survive a broker outage."""

from __future__ import annotations

import json
import time

import pytest
from django.db import transaction

from logistics.common.models import OutboxMessage
from logistics.common.outbox import enqueue, outbox_backlog, outbox_relay
from logistics.common.tasks import ping


def _queued_task_ids(redis_client, queue: str = "default") -> list[str]:
    return [json.loads(raw)["headers"]["id"] for raw in redis_client.lrange(queue, 0, -1)]


def test_enqueue_publishes_only_after_commit(db, django_capture_on_commit_callbacks, celery_broker, redis_server):
    with celery_broker(redis_server.url):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message = enqueue(ping, "token-1")
        assert OutboxMessage.objects.get(pk=message.pk).published_at is None
        assert _queued_task_ids(redis_server.client()) == []  # nothing leaves before the commit

        for callback in callbacks:
            callback()

    message.refresh_from_db()
    assert message.published_at is not None
    assert message.attempts == 1
    assert _queued_task_ids(redis_server.client()) == [str(message.pk)]


def test_rolled_back_change_sends_nothing(transactional_db, celery_broker, redis_server):
    with celery_broker(redis_server.url), pytest.raises(RuntimeError), transaction.atomic():
        enqueue(ping, "never")
        raise RuntimeError("the change fails")
    assert OutboxMessage.objects.count() == 0
    assert _queued_task_ids(redis_server.client()) == []


def test_unserialisable_arguments_are_refused_and_nothing_is_written(db):
    with pytest.raises(TypeError, match="JSON-serialisable"):
        enqueue(ping, object())
    assert OutboxMessage.objects.count() == 0


def test_broker_outage_loses_nothing(transactional_db, celery_broker, redis_server):
    """Redis stops mid-test: the saved change still commits quickly, its task waits in the
    outbox, and the relay publishes it once Redis is back."""
    with celery_broker(redis_server.url):
        with transaction.atomic():
            first = enqueue(ping, "before-outage")
        first.refresh_from_db()
        assert first.published_at is not None

        redis_server.stop()
        started = time.monotonic()
        with transaction.atomic():
            second = enqueue(ping, "during-outage")
        elapsed = time.monotonic() - started
        assert elapsed < 5, f"a broker outage held the request for {elapsed:.1f}s"

        second.refresh_from_db()
        assert second.published_at is None
        assert "OperationalError" in second.last_error or "Connection" in second.last_error
        assert outbox_backlog()["pending"] == 1
        assert outbox_relay(grace_seconds=0) == 0  # still down: nothing published, nothing lost
        assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 1

        redis_server.start()  # same port, empty (no persistence)
        assert outbox_relay(grace_seconds=0) == 1

    second.refresh_from_db()
    assert second.published_at is not None
    assert outbox_backlog()["pending"] == 0
    assert _queued_task_ids(redis_server.client()) == [str(second.pk)]


def test_relay_leaves_young_messages_to_their_own_publish(db):
    message = OutboxMessage.objects.create(task_name="logistics.ping", args=["x"])
    assert outbox_relay(grace_seconds=3600) == 0
    message.refresh_from_db()
    assert message.published_at is None
