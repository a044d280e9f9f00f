"""Checks behind ``/healthz``: database, cache, broker, worker heartbeat, outbox backlog."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat
from .outbox import outbox_backlog


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_cache() -> dict[str, Any]:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    ok = cache.get(key) == value
    cache.delete(key)
    return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _check_broker() -> dict[str, Any]:
    from logistics.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return {"ok": True, "transport": conn.transport_cls}


def _check_worker() -> dict[str, Any]:
    last = WorkerHeartbeat.objects.order_by("-seen_at").values("hostname", "seen_at").first()
    if last is None:
        return {"ok": False, "error": "no heartbeat recorded yet"}
    age = int((timezone.now() - last["seen_at"]).total_seconds())
    return {
        "ok": age <= settings.WORKER_HEARTBEAT_MAX_AGE,
        "hostname": last["hostname"],
        "last_heartbeat": last["seen_at"].isoformat(),
        "age_seconds": age,
        "max_age_seconds": settings.WORKER_HEARTBEAT_MAX_AGE,
    }


def _check_outbox() -> dict[str, Any]:
    return {"ok": True, **outbox_backlog()}


CHECKS: dict[str, tuple[Callable[[], dict[str, Any]], bool]] = {
    # name: (check, required for HTTP 200)
    "database": (_check_database, True),
    "cache": (_check_cache, True),
    "broker": (_check_broker, True),
    "worker": (_check_worker, True),
    "outbox": (_check_outbox, False),
}


def run_checks() -> tuple[bool, dict[str, Any]]:
    """Run every check; a check that raises is reported as down with its error."""
    results: dict[str, Any] = {}
    healthy = True
    for name, (check, required) in CHECKS.items():
        try:
            result = check()
        except Exception as exc:
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
        result["required"] = required
        results[name] = result
        if required and not result["ok"]:
            healthy = False
    return healthy, results
