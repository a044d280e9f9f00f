"""Stock level alerts: an item below its minimum (available = on hand − reserved) or above its
maximum in a warehouse. The keepers of the warehouse (and of the stores above it) are told once
when the level crosses the limit; the flag on the balance clears when the level is back, so the
next crossing is told again."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .ledger import plain
from .models import Balance, Warehouse

LOW, HIGH = "low", "high"


def level_of(balance: Balance) -> str:
    if balance.min_quantity is not None and balance.available < balance.min_quantity:
        return LOW
    if balance.max_quantity is not None and balance.on_hand > balance.max_quantity:
        return HIGH
    return ""


def alerts_check(balances: list[Balance]) -> int:
    """Raise or clear the alert of each balance after it changed. Returns the alerts raised."""
    from logistics.notifications.services import notify

    raised = 0
    for balance in balances:
        level = level_of(balance)
        if level == balance.alert:
            continue
        Balance.objects.filter(pk=balance.pk).update(alert=level)
        balance.alert = level
        if not level:
            continue
        warehouse = Warehouse.objects.select_related("parent__parent__parent").get(pk=balance.warehouse_id)
        keepers = {s.pk: s for w in warehouse.ancestors_and_self() for s in w.keepers.all()}.values()
        if not keepers:
            continue
        item = balance.item
        values = {
            "item": item.name,
            "wh": warehouse.name,
            "available": plain(balance.available),
            "on_hand": plain(balance.on_hand),
            "unit": item.unit,
            "min": plain(balance.min_quantity or 0),
            "max": plain(balance.max_quantity or 0),
        }
        if level == LOW:
            title = _("%(item)s is below its minimum in %(wh)s") % values
            body = _("%(available)s %(unit)s available, minimum %(min)s.") % values
        else:
            title = _("%(item)s is above its maximum in %(wh)s") % values
            body = _("%(on_hand)s %(unit)s on hand, maximum %(max)s.") % values
        notify(
            recipients=list(keepers),
            verb="spareparts.stock_" + level,
            title=title,
            body=body,
            url=item.get_absolute_url(),
            level="warning",
            target=item,
        )
        raised += 1
    return raised
