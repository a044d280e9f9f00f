"""Writes of the attendance app (all of them), one module per concern. Other apps import from
here: ``from attendance.services import punches_record``."""

from .months import (
    month_close_final,
    month_close_lead,
    month_reopen,
    sheet_export_build,
    sheet_export_request,
)
from .punches import (
    CalendarFill,
    PunchIn,
    RecordResult,
    calendar_fill,
    pin_mapping_create,
    punches_record,
    terminal_watermark_report,
)
from .requests import (
    correction_request_submit,
    leave_balance,
    leave_days,
    leave_request_submit,
    overtime_request_submit,
    request_approve,
    request_cancel,
    request_reject,
)
from .results import (
    days_mark_dirty,
    presence_evidence_record,
    results_recheck_due,
    results_recompute,
    results_recompute_dirty,
    results_recompute_range,
)
from .roster import (
    RosterChange,
    RosterResult,
    roster_apply_pattern,
    roster_assign,
    roster_bulk_set,
    roster_copy,
    roster_import,
    roster_pattern_create,
    roster_pattern_delete,
    roster_remove,
    roster_set_day,
)

__all__ = [
    "CalendarFill", "PunchIn", "RecordResult", "RosterChange", "RosterResult", "calendar_fill",
    "correction_request_submit", "days_mark_dirty", "leave_balance", "leave_days", "leave_request_submit",
    "month_close_final", "month_close_lead", "month_reopen", "overtime_request_submit", "pin_mapping_create",
    "presence_evidence_record", "punches_record", "request_approve", "request_cancel", "request_reject",
    "results_recheck_due", "results_recompute", "results_recompute_dirty", "results_recompute_range",
    "roster_apply_pattern", "roster_assign", "roster_bulk_set", "roster_copy", "roster_import",
    "roster_pattern_create", "roster_pattern_delete", "roster_remove", "roster_set_day", "sheet_export_build",
    "sheet_export_request", "terminal_watermark_report",
]  # fmt: skip
