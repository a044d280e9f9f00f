"""A broker outage loses no notification: the caller's change commits at once, the delivery waits
in the outbox, the relay publishes it when Redis is back, and a real worker sends it."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import transaction

from logistics.common.models import OutboxMessage
from logistics.common.outbox import outbox_relay
from logistics.notifications.models import Delivery, DeliveryAttempt, Notification
from logistics.notifications.services import channel_create, notify
from tests.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.timeout(60)]


def test_notification_survives_a_broker_outage_and_is_delivered_later(
    transactional_db,
    make_user,
    make_staff,
    make_team,
    redis_server,
    celery_broker,
    celery_worker_factory,
    webhook_server,
):
    team = make_team()
    tech = make_user("tech")
    make_staff("Tech", team=team, user=tech)
    channel_create(name="HVAC group", kind="wecom", address=webhook_server.url(), team=team)

    with celery_broker(redis_server.url):
        redis_server.stop()
        started = time.monotonic()
        with transaction.atomic():
            notify(
                recipients=[team],
                verb="workorders.dispatched",
                title="WO-20261121-0007 AC broken in 5B",
                url="/workorders/7/",
            )
        elapsed = time.monotonic() - started
        assert elapsed < 5, f"the broker outage held the caller for {elapsed:.1f}s"

        # The change is committed and visible in the inbox; the send waits in the outbox.
        assert Notification.objects.filter(recipient=tech, title="WO-20261121-0007 AC broken in 5B").exists()
        delivery = Delivery.objects.get()
        message = OutboxMessage.objects.get(task_name="notifications.deliver")
        assert message.published_at is None and message.args == [delivery.pk]
        assert outbox_relay(grace_seconds=0) == 0  # still down

        redis_server.start()  # same port, empty
        assert outbox_relay(grace_seconds=0) == 1

    worker = celery_worker_factory(redis_server.url)
    sent = wait_for(lambda: Delivery.objects.filter(pk=delivery.pk, status="sent").first(), timeout=40)
    assert worker.poll() is None, "the worker process died"
    assert sent is not None, "the worker did not send the delivery within 40 s"

    assert webhook_server.wait_for(1, timeout=2)
    (request,) = webhook_server.received
    content = request["json"]["markdown"]["content"]
    assert "WO-20261121-0007 AC broken in 5B" in content
    assert f"{settings.PUBLIC_BASE_URL}/workorders/7/" in content
    assert sent.attempts == 1
    assert list(DeliveryAttempt.objects.filter(delivery=sent).values_list("ok", flat=True)) == [True]
