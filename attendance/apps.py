from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Attendance")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from logistics.org.roles import ATTENDANCE_ADMIN, FINANCE, MANAGER, SYSADMIN, TEAM_LEAD, grant

        from .models import CalendarDay, LeaveBalance, LeaveType, PinMapping, RosterEntry, RosterPattern, ShiftType

        for model in (PinMapping, ShiftType, CalendarDay, RosterEntry, RosterPattern, LeaveType, LeaveBalance):
            auditlog.register(model)
        grant(ATTENDANCE_ADMIN, ["attendance.view_punch", "attendance.add_pinmapping", "attendance.change_pinmapping",
                                 "attendance.view_pinmapping"])  # fmt: skip
        grant(SYSADMIN, ["attendance.view_punch", "attendance.view_pinmapping", "attendance.add_pinmapping",
                         "attendance.change_pinmapping"])  # fmt: skip
        grant(MANAGER, ["attendance.view_punch", "attendance.view_rosterentry", "attendance.view_shifttype"])
        config = [f"attendance.{a}_{m}" for m in ("shifttype", "calendarday") for a in ("add", "change", "view")]
        grant(ATTENDANCE_ADMIN, [*config, "attendance.view_rosterentry"])
        grant(SYSADMIN, [*config, "attendance.view_rosterentry"])

        # Team leads work on their own team (scoping in the selectors); the attendance administrator
        # on everyone; finance reads results and exports sheets.
        a = "attendance"
        roster = [f"{a}.{p}_rosterentry" for p in ("add", "change", "delete", "view")]
        grant(TEAM_LEAD, [*roster, f"{a}.view_shifttype", f"{a}.view_attendancerequest",
                          f"{a}.approve_attendancerequest", f"{a}.view_dailyresult", f"{a}.close_month_lead",
                          f"{a}.view_monthclose", f"{a}.view_leavebalance", f"{a}.view_punch"])  # fmt: skip
        leave_config = [f"{a}.{p}_{m}" for m in ("leavetype", "leavebalance") for p in ("add", "change", "view")]
        grant(ATTENDANCE_ADMIN, [*roster, *leave_config, f"{a}.view_attendancerequest",
                                 f"{a}.approve_attendancerequest", f"{a}.view_dailyresult",
                                 f"{a}.recompute_dailyresult", f"{a}.close_month_lead", f"{a}.close_month_final",
                                 f"{a}.view_monthclose", f"{a}.add_sheetexport", f"{a}.view_sheetexport",
                                 f"{a}.view_presenceevidence"])  # fmt: skip
        grant(FINANCE, [f"{a}.view_dailyresult", f"{a}.view_monthclose", f"{a}.add_sheetexport",
                        f"{a}.view_sheetexport"])  # fmt: skip
        grant(MANAGER, [f"{a}.view_dailyresult", f"{a}.view_attendancerequest", f"{a}.view_monthclose",
                        f"{a}.add_sheetexport", f"{a}.view_sheetexport"])  # fmt: skip

        from logistics.org.api_auth import API_SCOPES

        API_SCOPES["attendance_requests"] = _("Submit and decide attendance requests")

        from .views import board, my, reports, requests, roster, sheets

        for pages in (my, roster, requests, board, sheets, reports):
            pages.register_menu()
