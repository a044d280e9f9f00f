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


@shared_task(name="workorders.plans_generate", ignore_result=True, soft_time_limit=1700, time_limit=1800)
def plans_generate_task(plan_ids: list[int] | None = None) -> int:
    """Turn due maintenance plans into orders and mark superseded occurrences missed (the daily
    beat, and "generate now" on a plan's page with that plan's id). Idempotent: reruns and a
    second worker make nothing twice. Returns the number of orders made."""
    from equipment.models import MaintenancePlan

    from .maintenance import occurrences_mark_missed, plans_generate

    plans = MaintenancePlan.objects.filter(pk__in=plan_ids).order_by("pk") if plan_ids else None
    occurrences_mark_missed()
    return len(plans_generate(plans=plans).orders)
