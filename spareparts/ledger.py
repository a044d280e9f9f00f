"""The posting engine of the stock ledger: every service that moves stock goes through ``post``.

``post`` locks the balances it touches in one fixed order (item, then warehouse), checks every
line against what is on hand and reserved, writes the movements and updates the balances in the
caller's transaction. A line that would take more than is available raises a ``DomainError``
naming the item, the warehouse and what is available, and nothing of the whole document is
written. Costs follow the moving weighted average per item and warehouse: stock going out leaves
at value / on hand (the last unit takes whatever value is left, so no rounding residue stays)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.errors import DomainError

from .models import Balance, Item, Movement, Warehouse
from .models.stock import ZERO

CENT = Decimal("0.01")
COST = Decimal("0.0001")
QTY = Decimal("0.001")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    """One change to post. ``quantity`` is the signed change of on-hand, ``reserve`` the signed
    change of the reservation. ``unit_cost`` prices stock coming in (None: the average held, or
    the item's standard cost where none is held); going out, the average is always used.
    ``from_reserved``: the stock going out was reserved for it (an issue of an approved line)."""

    item: Item
    warehouse: Warehouse
    quantity: Decimal = ZERO
    reserve: Decimal = ZERO
    kind: str = ""
    unit_cost: Decimal | None = None
    reason: str = ""
    work_order_id: int | None = None
    requisition_line_id: int | None = None


def quantity_checked(item: Item, value, *, allow_zero: bool = False, label: str | None = None) -> Decimal:
    """``value`` as a quantity of ``item``: a number, positive (or zero where allowed), whole for
    items counted in pieces, at most three decimals. Raises a DomainError that says which."""
    label = label or _("Quantity")
    try:
        quantity = Decimal(str(value).strip())
    except (ArithmeticError, ValueError):
        raise DomainError(_("%(field)s: enter a number.") % {"field": label}) from None
    if not quantity.is_finite():
        raise DomainError(_("%(field)s: enter a number.") % {"field": label})
    if quantity < 0 and allow_zero:
        raise DomainError(_("%(field)s cannot be negative.") % {"field": label})
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise DomainError(_("%(field)s must be greater than zero.") % {"field": label})
    if quantity >= Decimal("1e11") or quantity != quantity.quantize(QTY):
        raise DomainError(_("%(field)s: at most three decimals and below 100 billion.") % {"field": label})
    if not item.fractional and quantity != quantity.to_integral_value():
        raise DomainError(
            _("%(item)s is counted in whole %(unit)s: %(quantity)s is not a whole number.")
            % {"item": item.name, "unit": item.unit, "quantity": quantity}
        )
    return quantity.quantize(QTY)


def _leaf_check(warehouses) -> None:
    for wh in warehouses:
        if not wh.is_active:
            raise DomainError(_("Warehouse %(wh)s is not active.") % {"wh": wh})
        if Warehouse.objects.filter(parent=wh).exists():
            raise DomainError(_("%(wh)s holds other locations; stock is kept in its bins only.") % {"wh": wh})


def balances_locked(pairs) -> dict[tuple[int, int], Balance]:
    """The balances of ``pairs`` (item id, warehouse id), created when missing, locked in the
    order of (item, warehouse) so two documents touching the same balances never deadlock."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    Balance.objects.bulk_create(
        [Balance(item_id=i, warehouse_id=w) for i, w in pairs], ignore_conflicts=True, batch_size=500
    )
    wanted = Q()
    for i, w in pairs:
        wanted |= Q(item_id=i, warehouse_id=w)
    rows = Balance.objects.select_for_update().filter(wanted).order_by("item_id", "warehouse_id")
    return {(b.item_id, b.warehouse_id): b for b in rows}


def _shortage(line: Line, balance: Balance) -> DomainError:
    return DomainError(
        _("Not enough %(item)s in %(wh)s: %(available)s %(unit)s available, %(wanted)s asked.")
        % {
            "item": line.item.name,
            "wh": line.warehouse,
            "available": plain(balance.available),
            "unit": line.item.unit,
            "wanted": plain(-(line.quantity or ZERO) or line.reserve),
        }
    )


def plain(value) -> str:
    """A quantity as people write it: 10, 2.5 (not 10.000 or 1E+1)."""
    return format(Decimal(value).normalize(), "f")


@transaction.atomic
def post(lines: list[Line], *, actor=None, document: str = "", at=None) -> list[Movement]:
    """Apply ``lines`` in order: check, write movements (for lines with a quantity), update the
    balances. Returns the movements written."""
    at = at or timezone.now()
    _leaf_check({line.warehouse.pk: line.warehouse for line in lines}.values())
    balances = balances_locked((line.item.pk, line.warehouse.pk) for line in lines)
    movements: list[Movement] = []
    for line in lines:
        balance = balances[(line.item.pk, line.warehouse.pk)]
        quantity, reserve = line.quantity, line.reserve
        on_hand, reserved = balance.on_hand + quantity, balance.reserved + reserve
        if on_hand < 0 or reserved < 0 or reserved > on_hand:  # never take what others have reserved
            raise _shortage(line, balance)
        if quantity:
            if quantity > 0:
                unit_cost = line.unit_cost
                if unit_cost is None:
                    unit_cost = balance.average_cost if balance.on_hand else line.item.unit_cost
                amount = money(quantity * unit_cost)
            else:
                amount = (
                    -balance.value
                    if on_hand == 0
                    else -min(money(-quantity * balance.value / balance.on_hand), balance.value)
                )
                unit_cost = (-amount / -quantity).quantize(COST)
            balance.value += amount
            movements.append(
                Movement(
                    item=line.item,
                    warehouse=line.warehouse,
                    kind=line.kind,
                    quantity=quantity,
                    unit_cost=unit_cost,
                    amount=amount,
                    on_hand_after=on_hand,
                    value_after=balance.value,
                    at=at,
                    actor=actor,
                    reason=(line.reason or "")[:300],
                    document=document,
                    work_order_id=line.work_order_id,
                    requisition_line_id=line.requisition_line_id,
                )
            )
        balance.on_hand, balance.reserved, balance.updated_at = on_hand, reserved, at
    Movement.objects.bulk_create(movements)
    touched = {id(b): b for b in balances.values()}.values()
    Balance.objects.bulk_update(list(touched), ["on_hand", "reserved", "value", "updated_at"])
    from .alerts import alerts_check

    alerts_check(list(touched))
    return movements
