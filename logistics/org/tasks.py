"""Tasks of the organization app."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="org.audit_prune", ignore_result=True, soft_time_limit=600, time_limit=660)
def audit_prune() -> dict[str, int]:
    """Daily: drop audit rows past the retention period."""
    return services.audit_prune()
