"""Tasks of the monthly sheet (queue ``reports``: the name matches the ``*.export_*`` route)."""

from __future__ import annotations

from celery import shared_task

from .services.months import sheet_export_build


@shared_task(name="attendance.export_month_sheet", ignore_result=True, soft_time_limit=900, time_limit=960)
def export_month_sheet(export_id: int) -> str:
    """Build a requested monthly sheet or payroll file (``SheetExport``), reporting progress on the
    row the page polls. Idempotent: an export already done or failed is left alone."""
    export = sheet_export_build(export_id=export_id)
    return export.status if export is not None else "skipped"
