from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SparepartsConfig(AppConfig):
    name = "spareparts"
    verbose_name = _("Spare parts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from logistics.org.api_auth import API_SCOPES
        from logistics.org.roles import MANAGER, SYSADMIN, TEAM_LEAD, TECHNICIAN, WAREHOUSE_KEEPER, grant

        from . import home, menus, panels, requisitions, scan
        from .models import Item, ItemCategory, Warehouse

        requisitions.register_hooks()
        API_SCOPES["spareparts"] = _("Ask for parts and decide, issue and return requisition lines")
        menus.register()
        panels.register()
        home.register()
        scan.register()
        for model in (ItemCategory, Item, Warehouse):
            auditlog.register(model, m2m_fields={"keepers"} if model is Warehouse else set())
        viewing = [
            f"spareparts.view_{m}"
            for m in (
                "item",
                "itemcategory",
                "warehouse",
                "balance",
                "movement",
                "requisition",
                "receipt",
                "transfer",
                "stocktake",
            )
        ]
        config = [
            f"spareparts.{a}_{m}" for m in ("item", "itemcategory", "warehouse") for a in ("add", "change", "view")
        ]
        grant(SYSADMIN, [*config, *viewing, "spareparts.change_balance"])
        grant(MANAGER, [*viewing, "spareparts.approve_stocktake"])
        grant(
            WAREHOUSE_KEEPER,
            [
                *viewing,
                "spareparts.add_receipt",
                "spareparts.add_transfer",
                "spareparts.change_transfer",
                "spareparts.add_stocktake",
                "spareparts.change_stocktake",
                "spareparts.add_movement",
                "spareparts.change_requisition",
                "spareparts.change_balance",
            ],
        )
        grant(TECHNICIAN, ["spareparts.view_item", "spareparts.view_balance", "spareparts.add_requisition"])
        grant(
            TEAM_LEAD,
            [
                "spareparts.view_item",
                "spareparts.view_balance",
                "spareparts.view_requisition",
                "spareparts.add_requisition",
            ],
        )
