"""A real Celery worker process on the test Redis answers ``logistics.ping``."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from logistics.common.models import OutboxMessage, WorkerHeartbeat
from logistics.common.outbox import enqueue
from logistics.common.tasks import ping
from tests.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.timeout(120)]


def test_real_worker_answers_ping(celery_worker_process):
    token = uuid.uuid4().hex
    with transaction.atomic():
        message = enqueue(ping, token)
    assert OutboxMessage.objects.get(pk=message.pk).published_at is not None

    heartbeat = wait_for(lambda: WorkerHeartbeat.objects.filter(token=token).first())
    assert celery_worker_process.poll() is None, "the worker process died"
    assert heartbeat is not None, "no worker answered logistics.ping within 45 s"
    assert heartbeat.hostname.startswith("itest-")


def test_worker_consumes_the_devices_and_reports_queues(celery_worker_process):
    from logistics.celery import app

    # One at a time: the heartbeat row keeps only the last token a worker answered.
    for queue in ("devices", "reports"):
        token = uuid.uuid4().hex
        app.send_task("logistics.ping", args=[token], queue=queue)
        assert wait_for(lambda t=token: WorkerHeartbeat.objects.filter(token=t).exists()), f"{queue} not consumed"


def test_tasks_are_routed_by_name():
    from logistics.celery import app

    def queue_of(name: str) -> str:
        return app.amqp.router.route({}, name)["queue"].name

    assert queue_of("devices.pull_terminal") == "devices"
    assert queue_of("attendance.export_monthly") == "reports"
    assert queue_of("workorders.notify_assignee") == "default"
