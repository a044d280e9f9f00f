"""Roles, declared in code and applied as Django groups by ``manage.py sync_roles``.

A role is a group with a fixed name, a set of model permissions and security properties
(two-factor required, password expiry). Data scoping is not here: it lives in each app's
selectors (a team lead sees their team, a requester their department, managers everything).
Later apps add the permissions of their own models with ``grant(role, [...])`` in their
``AppConfig.ready()``, so this module never has to know them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

REQUESTER = "requester"
TECHNICIAN = "technician"
TEAM_LEAD = "team_lead"
DISPATCHER = "dispatcher"
COURIER = "courier"
TRANSPORT_DISPATCHER = "transport_dispatcher"
WAREHOUSE_KEEPER = "warehouse_keeper"
ATTENDANCE_ADMIN = "attendance_admin"
FINANCE = "finance"
MANAGER = "manager"
SYSADMIN = "sysadmin"


@dataclass
class Role:
    """One role: its group name, label, whether it needs two-factor login, default password
    expiry in days (0 = never) and the model permissions (``app_label.codename``) it holds."""

    name: str
    label: str
    description: str
    requires_2fa: bool = False
    password_expiry_days: int = 0
    staff_site: bool = False
    permissions: set[str] = field(default_factory=set)


ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role(REQUESTER, _("Requester"), _("Files repair and transport requests, confirms and rates the work.")),
        Role(TECHNICIAN, _("Technician"), _("Receives work orders, checks in on site, requests parts.")),
        Role(TEAM_LEAD, _("Team lead"), _("Leads a team: rosters, approvals, the team's queue.")),
        Role(DISPATCHER, _("Dispatcher"), _("Service desk: takes calls, assigns and reassigns work orders.")),
        Role(COURIER, _("Courier"), _("Central transport: picks up and delivers specimens, escorts patients.")),
        Role(TRANSPORT_DISPATCHER, _("Transport dispatcher"), _("Assigns transport tasks and watches alerts.")),
        Role(WAREHOUSE_KEEPER, _("Warehouse keeper"), _("Receives and issues spare parts, runs stocktakes.")),
        Role(
            ATTENDANCE_ADMIN,
            _("Attendance administrator"),
            _("Shifts, rosters, terminals and attendance corrections."),
            requires_2fa=True,
            password_expiry_days=90,
            staff_site=True,
        ),
        Role(FINANCE, _("Finance"), _("Monthly attendance sheets for payroll.")),
        Role(
            MANAGER,
            _("Manager"),
            _("Logistics management: dashboards and every team's data."),
            requires_2fa=True,
            password_expiry_days=90,
        ),
        Role(
            SYSADMIN,
            _("System administrator"),
            _("Configuration, users and roles."),
            requires_2fa=True,
            password_expiry_days=90,
            staff_site=True,
        ),
    )
}

# Privileged roles: their accounts must use two-factor login and cannot use bare API tokens.
PRIVILEGED = frozenset(name for name, role in ROLES.items() if role.requires_2fa)


def grant(role: str, permissions: Iterable[str]) -> None:
    """Give ``role`` the model permissions ``app_label.codename`` (called from AppConfig.ready)."""
    ROLES[role].permissions.update(permissions)


# The organization app's own permissions.
_ORG_MODELS = ("campus", "building", "floor", "department", "location", "vendor", "vendorcontact", "team", "staff")
grant(SYSADMIN, [f"org.{action}_{model}" for model in _ORG_MODELS for action in ("add", "change", "delete", "view")])
grant(SYSADMIN, ["org.add_user", "org.change_user", "org.view_user", "auth.view_group", "auth.change_group"])
grant(MANAGER, [f"org.view_{model}" for model in _ORG_MODELS])
grant(TEAM_LEAD, ["org.view_staff", "org.view_team", "org.view_location"])
grant(ATTENDANCE_ADMIN, ["org.view_staff", "org.change_staff", "org.view_team", "org.view_department"])
grant(DISPATCHER, ["org.view_staff", "org.view_team", "org.view_location", "org.view_department"])
grant(TRANSPORT_DISPATCHER, ["org.view_staff", "org.view_location", "org.view_department"])
