"""Tasks of the equipment app (queue ``default``)."""

from __future__ import annotations

from celery import shared_task

from .services import certificate_reminders_send


@shared_task(name="equipment.certificate_reminders", ignore_result=True, soft_time_limit=300, time_limit=360)
def certificate_reminders_task() -> int:
    """Certificates expiring within 30 / 7 days or expired: one reminder per stage. Idempotent."""
    return certificate_reminders_send()
