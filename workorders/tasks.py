"""Tasks of the work-orders app (queue ``default``)."""

from __future__ import annotations

from celery import shared_task

from .sla import auto_close_due, sla_check


@shared_task(name="workorders.sla_check", ignore_result=True, soft_time_limit=50, time_limit=60)
def sla_check_task() -> int:
    """Escalate overdue orders (once per level). Idempotent."""
    return sla_check()


@shared_task(name="workorders.auto_close_due", ignore_result=True, soft_time_limit=300, time_limit=360)
def auto_close_task() -> int:
    """Close completed orders nobody verified in time. Idempotent."""
    return auto_close_due()
