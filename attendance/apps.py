from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Attendance")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from logistics.org.roles import ATTENDANCE_ADMIN, MANAGER, SYSADMIN, grant

        from .models import CalendarDay, PinMapping, RosterEntry, ShiftType

        for model in (PinMapping, ShiftType, CalendarDay, RosterEntry):
            auditlog.register(model)
        grant(ATTENDANCE_ADMIN, ["attendance.view_punch", "attendance.add_pinmapping", "attendance.change_pinmapping",
                                 "attendance.view_pinmapping"])  # fmt: skip
        grant(SYSADMIN, ["attendance.view_punch", "attendance.view_pinmapping", "attendance.add_pinmapping",
                         "attendance.change_pinmapping"])  # fmt: skip
        grant(MANAGER, ["attendance.view_punch", "attendance.view_rosterentry", "attendance.view_shifttype"])
        config = [f"attendance.{a}_{m}" for m in ("shifttype", "calendarday") for a in ("add", "change", "view")]
        grant(ATTENDANCE_ADMIN, [*config, "attendance.view_rosterentry"])
        grant(SYSADMIN, [*config, "attendance.view_rosterentry"])
