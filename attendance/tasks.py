"""Tasks of the attendance app (queue ``default``; sheet exports on ``reports``)."""

from __future__ import annotations

from celery import shared_task

from .services.results import results_recheck_due, results_recompute_dirty


@shared_task(name="attendance.results_recompute_dirty", ignore_result=True, soft_time_limit=540, time_limit=600)
def recompute_dirty() -> int:
    """Recompute the queued person-days. Idempotent; concurrent runs split the queue."""
    return results_recompute_dirty()


@shared_task(name="attendance.results_recheck_due", ignore_result=True, soft_time_limit=540, time_limit=600)
def recheck_due() -> int:
    """Recompute results whose outcome was still open (shift in progress, terminal not synced), then
    whatever is queued (a safety net if an enqueue was lost)."""
    return results_recheck_due() + results_recompute_dirty()


from . import tasks_exports  # noqa: E402, F401  (registers attendance.export_month_sheet)
