"""Navigation entries of the spare-parts app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.common.registries import MenuEntry, menu

SECTION = _("Spare parts")


def register() -> None:
    entries = [
        MenuEntry(key="spareparts.stock", label=_("Stock"), url_name="spareparts:stock", section=SECTION,
                  icon="bi-box-seam", order=400, permissions=("spareparts.view_balance",),
                  description=_("What is in stock where, available and reserved, with its value")),
        MenuEntry(key="spareparts.requisitions", label=_("Requisition queue"), url_name="spareparts:requisitions",
                  section=SECTION, icon="bi-inboxes", order=405, permissions=("spareparts.change_requisition",),
                  description=_("Parts asked for by work orders: approve, issue, take back")),
        MenuEntry(key="spareparts.receipt", label=_("Receive stock"), url_name="spareparts:receipt_new",
                  section=SECTION, icon="bi-box-arrow-in-down", order=410, permissions=("spareparts.add_receipt",),
                  description=_("Book parts delivered into a warehouse")),
        MenuEntry(key="spareparts.transfers", label=_("Transfers"), url_name="spareparts:transfers", section=SECTION,
                  icon="bi-arrow-left-right", order=415, permissions=("spareparts.view_transfer",),
                  description=_("Stock moving between warehouses, and what is in transit")),
        MenuEntry(key="spareparts.stocktakes", label=_("Stocktakes"), url_name="spareparts:stocktakes",
                  section=SECTION, icon="bi-clipboard-data", order=420, permissions=("spareparts.view_stocktake",),
                  description=_("Count a warehouse, review the differences, approve them")),
        MenuEntry(key="spareparts.alerts", label=_("Stock alerts"), url_name="spareparts:alerts", section=SECTION,
                  icon="bi-exclamation-triangle", order=425, permissions=("spareparts.view_movement",),
                  description=_("Below minimum, above maximum, and what to reorder")),
        MenuEntry(key="spareparts.warehouses", label=_("Warehouses"), url_name="spareparts:warehouses",
                  section=SECTION, icon="bi-diagram-3", order=430, permissions=("spareparts.view_warehouse",),
                  description=_("The warehouse tree with its keepers and stock value")),
        MenuEntry(key="spareparts.reports", label=_("Spare-parts reports"), url_name="spareparts:reports",
                  section=SECTION, icon="bi-graph-up", order=435, permissions=("spareparts.view_movement",),
                  description=_("Stock value, ledger, consumption, slow-moving items")),
    ]  # fmt: skip
    for entry in entries:
        menu.register(entry)
