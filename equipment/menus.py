"""Navigation entries of the equipment app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.common.registries import MenuEntry, menu

from .permissions import KPI_ROLES

SECTION = _("Equipment management")


def register() -> None:
    entries = [
        MenuEntry(key="equipment.list", label=_("Equipment ledger"), url_name="equipment:list", section=SECTION,
                  icon="bi-hdd-rack", order=300, permissions=("equipment.view_equipment",),
                  description=_("Search and filter every item; export it, print its QR labels")),
        MenuEntry(key="equipment.import", label=_("Import equipment"), url_name="equipment:import", section=SECTION,
                  icon="bi-upload", order=310, permissions=("equipment.add_equipment",),
                  description=_("Add or update items from an Excel file, checked row by row first")),
        MenuEntry(key="equipment.plans", label=_("Maintenance plans"), url_name="equipment:plans", section=SECTION,
                  icon="bi-clipboard-check", order=320, permissions=("equipment.view_maintenanceplan",),
                  description=_("Maintenance plans, due dates and what became of them")),
        MenuEntry(key="equipment.plan_calendar", label=_("Calendar of due work"), url_name="equipment:plan_calendar",
                  section=SECTION, icon="bi-calendar3", order=325, permissions=("equipment.view_maintenanceplan",),
                  description=_("Month calendar of inspections and maintenance due")),
        MenuEntry(key="equipment.kpis", label=_("Equipment KPIs"), url_name="equipment:kpis", section=SECTION,
                  icon="bi-speedometer2", order=330, permissions=("equipment.view_equipment",), roles=KPI_ROLES,
                  description=_("Good-condition rate, downtime, MTTR, MTBF, maintenance compliance and cost")),
    ]  # fmt: skip
    for entry in entries:
        menu.register(entry)
