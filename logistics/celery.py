"""The Celery application.

Queues: ``default`` (notifications, small side effects), ``devices`` (talking to attendance
terminals; one worker per campus network may consume ``devices.<campus>``) and ``reports``
(exports and heavy aggregates). The worker consumes all three. Beat uses django-celery-beat's
database scheduler; the schedules below are declared in code and synced into its tables.
Liveness is the heartbeat the worker records (``logistics.ping``), not a result backend.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "logistics.settings.base")

app = Celery("logistics")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    timezone="Asia/Shanghai",
    enable_utc=True,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    result_backend=None,
    task_default_queue="default",
    # Each queue bound to its own routing key, so a route to "devices" really lands there.
    task_queues=[
        Queue(name, Exchange(name, type="direct"), routing_key=name) for name in ("default", "devices", "reports")
    ],
    task_default_exchange="default",
    task_default_routing_key="default",
    task_routes=[
        {"devices.*": {"queue": "devices"}},
        {"*.export_*": {"queue": "reports"}, "*.report_*": {"queue": "reports"}},
    ],
    # One message at a time per process: device pulls and reports are long, and late acks
    # (declared per task where the task is idempotent) must not strand prefetched messages.
    worker_prefetch_multiplier=1,
    task_reject_on_worker_lost=True,
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=2,
    beat_scheduler="django_celery_beat.schedulers:DatabaseScheduler",
    beat_schedule={
        "logistics-heartbeat": {
            "task": "logistics.ping",
            "schedule": 30.0,
            "options": {"expires": 60},
        },
        # Every 10 s: a terminal is pulled at most ~10 s after its interval has passed.
        "devices-dispatch-pulls": {
            "task": "devices.dispatch_pulls",
            "schedule": 10.0,
            "options": {"expires": 9},
        },
        "org-audit-prune": {
            "task": "org.audit_prune",
            "schedule": crontab(hour=3, minute=30),
            "options": {"expires": 3600},
        },
        # Attendance results whose outcome was still open (a shift ended, a terminal synced).
        "attendance-results-recheck": {
            "task": "attendance.results_recheck_due",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        # Work orders: overdue escalation every minute, unverified completed orders closed hourly.
        "workorders-sla-check": {
            "task": "workorders.sla_check",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        "workorders-auto-close": {
            "task": "workorders.auto_close_due",
            "schedule": crontab(minute=17),
            "options": {"expires": 3000},
        },
        # Preventive maintenance: due plans become orders early each morning (idempotent, so the
        # second run at noon only catches plans edited or items added since).
        "workorders-plans-generate": {
            "task": "workorders.plans_generate",
            "schedule": crontab(hour="5,12", minute=10),
            "options": {"expires": 3 * 3600},
        },
        "equipment-certificate-reminders": {
            "task": "equipment.certificate_reminders",
            "schedule": crontab(hour=8, minute=0),
            "options": {"expires": 6 * 3600},
        },
        "logistics-outbox-relay": {
            "task": "logistics.outbox_relay",
            "schedule": 20.0,
            "options": {"expires": 60},
        },
    },
)
app.autodiscover_tasks()
app.autodiscover_tasks(["logistics.common", "logistics.org", "logistics.notifications", "logistics.dashboard"])


@worker_ready.connect
def _worker_ready(sender, **kwargs) -> None:  # pragma: no cover - exercised by the real-worker test
    """Record liveness at once and publish whatever the outbox kept while the broker was down."""
    from django.db import connection

    from logistics.common import services

    try:
        services.worker_heartbeat_record(hostname=sender.hostname, token="")
        services.outbox_relay()
    finally:
        connection.close()
