from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from logistics.org.api_auth import API_SCOPES
        from logistics.org.roles import DISPATCHER, MANAGER, SYSADMIN, TEAM_LEAD, TECHNICIAN, grant

        from . import maintenance, menus
        from .models import Category, DispatchRule, SlaPolicy

        menus.register()
        maintenance.register_hooks()
        # the scope the work-order API's writes need (``api.views.WRITE_SCOPE``), grantable in the admin
        API_SCOPES["workorders"] = _("Report work orders and move them along")
        for model in (Category, SlaPolicy, DispatchRule):
            auditlog.register(model)
        config = [
            f"workorders.{a}_{m}" for m in ("category", "slapolicy", "dispatchrule") for a in ("add", "change", "view")
        ]
        grant(SYSADMIN, [*config, "workorders.view_workorder"])
        grant(MANAGER, ["workorders.view_workorder", "workorders.view_category"])
        grant(DISPATCHER, ["workorders.view_workorder", "workorders.change_workorder", "workorders.view_category"])
        grant(TEAM_LEAD, ["workorders.view_workorder", "workorders.change_workorder"])
        grant(TECHNICIAN, ["workorders.view_workorder"])
