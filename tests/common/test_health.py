"""/healthz: JSON per part, 200 only when every required part is up."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from logistics.common.models import OutboxMessage, WorkerHeartbeat
from logistics.common.services import worker_heartbeat_record


def test_all_parts_up(client, db):
    worker_heartbeat_record(hostname="worker@test")
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database",
        "cache",
        "broker",
        "worker",
        "outbox",
    }
    assert body["checks"]["database"]["vendor"] == "postgresql"
    assert body["checks"]["broker"]["transport"] == "redis"
    assert response["Cache-Control"].startswith("max-age=0")


def test_no_worker_heartbeat_is_503(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


def test_stale_worker_heartbeat_is_503(client, db, settings):
    WorkerHeartbeat.objects.create(
        hostname="w", seen_at=timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE + 5)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["age_seconds"] > settings.WORKER_HEARTBEAT_MAX_AGE


def test_broker_down_is_503(client, db, celery_broker, redis_server):
    worker_heartbeat_record(hostname="worker@test")
    redis_server.stop()
    with celery_broker(redis_server.url):
        response = client.get("/healthz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False and broker["error"]


def test_outbox_backlog_is_reported_but_not_required(client, db):
    worker_heartbeat_record(hostname="worker@test")
    OutboxMessage.objects.create(task_name="logistics.ping", created_at=timezone.now() - timedelta(minutes=3))
    response = client.get("/healthz")
    assert response.status_code == 200
    outbox = response.json()["checks"]["outbox"]
    assert outbox["pending"] == 1
    assert outbox["oldest_age_seconds"] >= 180
