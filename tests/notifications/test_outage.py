"""A broker outage loses no notification: the caller's change commits at once, the delivery waits
in the outbox, the relay publishes it when Redis is back, and a real worker sends it."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from logistics.common.models import OutboxMessage
from logistics.common.outbox import outbox_relay
from logistics.notifications.models import Delivery, DeliveryAttempt, Notification
from logistics.notifications.services import channel_create, notify

pytestmark = [pytest.mark.worker, pytest.mark.timeout(60)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_worker(subprocess_env, tmp_path):
    """``start_worker(redis_url)``: a real Celery worker (solo pool) on that Redis and the test
    database, like ``celery_worker_process`` but on the test's private Redis, started when the
    test says so."""
    processes: list[tuple[subprocess.Popen, Path]] = []

    def _start(redis_url: str) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(processes)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "logistics",
                    "worker",
                    "--pool",
                    "solo",
                    "--without-mingle",
                    "--without-gossip",
                    "-Q",
                    "default,devices,reports",
                    "--hostname",
                    f"ntest-{uuid.uuid4().hex[:6]}@%h",
                    "--loglevel",
                    "INFO",
                ],
                cwd=ROOT,
                env=subprocess_env | {"REDIS_URL": redis_url},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append((process, log))
        return process

    yield _start
    for process, log in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        print(log.read_text()[-3000:])


def _wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


def test_notification_survives_a_broker_outage_and_is_delivered_later(
    transactional_db, make_user, make_staff, make_team, redis_server, celery_broker, start_worker, webhook_server
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

    worker = start_worker(redis_server.url)
    sent = _wait_for(lambda: Delivery.objects.filter(pk=delivery.pk, status="sent").first(), timeout=40)
    assert worker.poll() is None, "the worker process died"
    assert sent is not None, "the worker did not send the delivery within 40 s"

    assert webhook_server.wait_for(1, timeout=2)
    (request,) = webhook_server.received
    content = request["json"]["markdown"]["content"]
    assert "WO-20261121-0007 AC broken in 5B" in content
    assert f"{settings.PUBLIC_BASE_URL}/workorders/7/" in content
    assert sent.attempts == 1
    assert list(DeliveryAttempt.objects.filter(delivery=sent).values_list("ok", flat=True)) == [True]
