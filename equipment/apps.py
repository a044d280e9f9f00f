from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EquipmentConfig(AppConfig):
    name = "equipment"
    verbose_name = _("Equipment")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from logistics.common.registries import ScanResolver, scan_resolvers
        from logistics.org.roles import DISPATCHER, MANAGER, SYSADMIN, TEAM_LEAD, TECHNICIAN, grant

        from .models import Category, Certificate, Equipment, Parameter

        for model in (Category, Parameter, Equipment, Certificate):
            auditlog.register(model)
        config = [f"equipment.{a}_{m}" for m in ("category", "parameter", "equipment", "certificate", "document")
                  for a in ("add", "change", "view")]  # fmt: skip
        grant(SYSADMIN, config)
        for role in (MANAGER, DISPATCHER, TEAM_LEAD, TECHNICIAN):
            grant(role, ["equipment.view_equipment", "equipment.view_category"])
        scan_resolvers.register(ScanResolver(key="equipment.label", resolve=_resolve_label, order=20))


def _resolve_label(code: str, user) -> str | None:
    from django.urls import reverse

    from .selectors import equipment_by_token, token_from_code

    token = token_from_code(code)
    if token and equipment_by_token(token):
        return reverse("equipment_landing", args=[token])
    return None
