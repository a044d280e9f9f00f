from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EquipmentConfig(AppConfig):
    name = "equipment"
    verbose_name = _("Equipment management")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from logistics.common.registries import ScanResolver, scan_resolvers
        from logistics.org.roles import DISPATCHER, MANAGER, SYSADMIN, TEAM_LEAD, TECHNICIAN, grant

        from . import menus
        from .models import (
            Category,
            Certificate,
            ChecklistItem,
            ChecklistTemplate,
            Equipment,
            MaintenancePlan,
            Parameter,
        )

        for model in (Category, Parameter, Equipment, Certificate, ChecklistTemplate, ChecklistItem, MaintenancePlan):
            auditlog.register(model)
        models = ("category", "parameter", "equipment", "certificate", "document", "checklisttemplate",
                  "checklistitem", "maintenanceplan")  # fmt: skip
        grant(SYSADMIN, [f"equipment.{a}_{m}" for m in models for a in ("add", "change", "view")])
        for role in (MANAGER, DISPATCHER, TEAM_LEAD, TECHNICIAN):
            grant(role, ["equipment.view_equipment", "equipment.view_category", "equipment.view_maintenanceplan"])
        # team leads run their plans: "generate now"
        grant(TEAM_LEAD, ["equipment.change_maintenanceplan"])
        scan_resolvers.register(ScanResolver(key="equipment.label", resolve=_resolve_label, order=20))
        menus.register()


def _resolve_label(code: str, user) -> str | None:
    from django.urls import reverse

    from .selectors import equipment_by_token, token_from_code

    token = token_from_code(code)
    if token and equipment_by_token(token):
        return reverse("equipment_landing", args=[token])
    return None
