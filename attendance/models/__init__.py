"""Models of the attendance app, one module per concern: punches (shared with the terminals app),
the schedule (calendar, shift types, roster), requests with approval, and results."""

from .punches import PinMapping, Punch, PunchSource, TerminalWatermark
from .requests import (
    AttendanceRequest,
    LeaveBalance,
    LeavePortion,
    LeaveType,
    RequestEvent,
    RequestEventKind,
    RequestKind,
    RequestStatus,
)
from .results import (
    DailyResult,
    DayStatus,
    DayType,
    DirtyDay,
    MonthClose,
    MonthCloseStatus,
    MonthSnapshot,
    PresenceEvidence,
    SheetExport,
    SheetExportStatus,
)
from .schedule import CalendarDay, CalendarDayKind, Pairing, RosterEntry, RosterPattern, ShiftType

__all__ = [
    "AttendanceRequest", "CalendarDay", "CalendarDayKind", "DailyResult", "DayStatus", "DayType", "DirtyDay",
    "LeaveBalance", "LeavePortion", "LeaveType", "MonthClose", "MonthCloseStatus", "MonthSnapshot", "Pairing",
    "PinMapping", "PresenceEvidence", "Punch", "PunchSource", "RequestEvent", "RequestEventKind", "RequestKind",
    "RequestStatus", "RosterEntry", "RosterPattern", "SheetExport", "SheetExportStatus", "ShiftType",
    "TerminalWatermark",
]  # fmt: skip
