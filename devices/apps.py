from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = _("Attendance terminals")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from logistics.common.registries import MenuEntry, menu
        from logistics.org.roles import ATTENDANCE_ADMIN, MANAGER, SYSADMIN, TEAM_LEAD, grant

        from .models import Terminal

        auditlog.register(Terminal, exclude_fields=["comm_password", "push_stamps", "last_contact_at", "state"])
        manage = [f"devices.{a}_{m}" for m in ("terminal", "devicecommand") for a in ("add", "change", "view")]
        grant(SYSADMIN, [*manage, "devices.delete_terminal", "devices.view_terminalrun", "devices.view_pendingdevice"])
        grant(ATTENDANCE_ADMIN, [*manage, "devices.view_terminalrun", "devices.view_quarantinedrecord"])
        grant(MANAGER, ["devices.view_terminal", "devices.view_terminalrun"])
        grant(TEAM_LEAD, ["devices.view_terminal"])
        section = _("Attendance")
        menu.register(
            MenuEntry(
                key="devices.terminals",
                label=_("Attendance terminals"),
                description=_("Terminal status, sync runs, USB file import"),
                url_name="devices:terminal_list",
                section=section,
                icon="bi-fingerprint",
                order=300,
                permissions=("devices.view_terminal",),
            )
        )
        menu.register(
            MenuEntry(
                key="devices.unknown_pins",
                label=_("Unknown PINs"),
                description=_("Punches that belong to nobody yet"),
                url_name="devices:unknown_pins",
                section=section,
                icon="bi-person-question",
                order=310,
                permissions=("attendance.view_punch",),
            )
        )
