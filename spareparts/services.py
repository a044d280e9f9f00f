"""Writes of the spare-parts app other than requisitions (``requisitions.py``): receipts,
adjustments, transfers in two steps, stocktakes, stock limits. Every stock change goes through
``ledger.post``; bad input raises a translated ``DomainError`` and writes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.errors import DomainError
from logistics.common.numbers import next_number

from .ledger import Line, post, quantity_checked
from .models import (
    RESERVING,
    Balance,
    Item,
    MovementKind,
    Receipt,
    ReceiptLine,
    RequisitionLine,
    Stocktake,
    StocktakeLine,
    Transfer,
    TransferLine,
    Warehouse,
)
from .models.stock import ZERO


def _reason(text: str, *, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(_("Give a reason."))
    if len(text) > 300:
        raise DomainError(_("The reason is longer than 300 characters."))
    return text


def _cost(value, label=None) -> Decimal:
    try:
        cost = Decimal(str(value).strip())
    except (ArithmeticError, ValueError):
        raise DomainError(_("%(field)s: enter a number.") % {"field": label or _("Unit cost")}) from None
    if not cost.is_finite() or cost < 0 or cost >= Decimal("1e9") or cost != cost.quantize(Decimal("0.0001")):
        raise DomainError(
            _("%(field)s: a price from 0 with at most four decimals.") % {"field": label or _("Unit cost")}
        )
    return cost


def _active(item: Item) -> Item:
    if not item.is_active:
        raise DomainError(_("%(item)s is no longer stocked.") % {"item": item.name})
    return item


# --- receipts and adjustments -----------------------------------------------------------------
@transaction.atomic
def receipt_post(
    *,
    warehouse: Warehouse,
    lines: Iterable[tuple[Item, object, object]],
    actor,
    vendor=None,
    reference: str = "",
    note: str = "",
) -> Receipt:
    """Receive ``lines`` (item, quantity, unit cost) into ``warehouse`` as one receipt."""
    checked = [(_active(item), quantity_checked(item, q), _cost(c)) for item, q, c in lines]
    if not checked:
        raise DomainError(_("A receipt needs at least one line."))
    receipt = Receipt.objects.create(
        number=next_number("RC"),
        warehouse=warehouse,
        vendor=vendor,
        reference=(reference or "")[:60],
        note=_reason(note),
        received_by=actor,
    )
    ReceiptLine.objects.bulk_create(
        [ReceiptLine(receipt=receipt, item=i, quantity=q, unit_cost=c) for i, q, c in checked]
    )
    post(
        [Line(item=i, warehouse=warehouse, quantity=q, unit_cost=c, kind=MovementKind.RECEIPT) for i, q, c in checked],
        actor=actor,
        document=receipt.number,
        at=receipt.received_at,
    )
    return receipt


@transaction.atomic
def stock_adjust(*, item: Item, warehouse: Warehouse, change, reason: str, actor):
    """Correct the stock of an item by a signed ``change`` (damage, expiry, found stock), with a
    reason. Stock found is valued at the average held (or the item's standard cost)."""
    reason = _reason(reason, required=True)
    text = str(change).strip()
    negative = text.startswith("-")
    quantity = quantity_checked(item, text.lstrip("+-"), label=_("Change in stock"))
    [movement] = post(
        [
            Line(
                item=item,
                warehouse=warehouse,
                quantity=-quantity if negative else quantity,
                kind=MovementKind.ADJUSTMENT,
                reason=reason,
            )
        ],
        actor=actor,
    )
    return movement


@transaction.atomic
def limits_set(*, item: Item, warehouse: Warehouse, minimum=None, maximum=None) -> Balance:
    """Minimum and maximum stock of an item in a warehouse (blank: none)."""
    from .ledger import balances_locked

    low = quantity_checked(item, minimum, allow_zero=True, label=_("Minimum")) if minimum not in (None, "") else None
    high = quantity_checked(item, maximum, allow_zero=True, label=_("Maximum")) if maximum not in (None, "") else None
    if low is not None and high is not None and high < low:
        raise DomainError(_("The maximum is below the minimum."))
    balance = balances_locked([(item.pk, warehouse.pk)])[(item.pk, warehouse.pk)]
    balance.min_quantity, balance.max_quantity = low, high
    balance.save(update_fields=["min_quantity", "max_quantity"])
    from .alerts import alerts_check

    alerts_check([balance])
    return balance


# --- transfers ----------------------------------------------------------------------------------
@transaction.atomic
def transfer_ship(
    *, source: Warehouse, destination: Warehouse, lines: Iterable[tuple[Item, object]], actor, note: str = ""
) -> Transfer:
    """Ship ``lines`` (item, quantity) out of ``source``: the stock is in transit until received."""
    if source.pk == destination.pk:
        raise DomainError(_("A transfer needs two different warehouses."))
    checked = [(_active(item), quantity_checked(item, q)) for item, q in lines]
    if not checked:
        raise DomainError(_("A transfer needs at least one line."))
    if not destination.is_active or Warehouse.objects.filter(parent=destination).exists():
        raise DomainError(
            _("%(wh)s cannot receive stock: choose an active bin or store without sub-locations.") % {"wh": destination}
        )
    transfer = Transfer.objects.create(
        number=next_number("TR"), source=source, destination=destination, note=_reason(note), shipped_by=actor
    )
    movements = post(
        [Line(item=i, warehouse=source, quantity=-q, kind=MovementKind.TRANSFER_OUT) for i, q in checked],
        actor=actor,
        document=transfer.number,
        at=transfer.shipped_at,
    )
    TransferLine.objects.bulk_create(
        [TransferLine(transfer=transfer, item=m.item, quantity=-m.quantity, amount=-m.amount) for m in movements]
    )
    return transfer


@transaction.atomic
def transfer_receive(*, transfer: Transfer, actor) -> Transfer:
    """Receive a transfer at its destination, at the value it left with. Once only."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.state != Transfer.State.IN_TRANSIT:
        raise DomainError(_("Transfer %(number)s has already been received.") % {"number": transfer.number})
    now = timezone.now()
    post(
        [
            Line(
                item=line.item,
                warehouse=transfer.destination,
                quantity=line.quantity,
                kind=MovementKind.TRANSFER_IN,
                unit_cost=(line.amount / line.quantity),
            )
            for line in transfer.lines.select_related("item")
        ],
        actor=actor,
        document=transfer.number,
        at=now,
    )
    transfer.state, transfer.received_by, transfer.received_at = Transfer.State.RECEIVED, actor, now
    transfer.save(update_fields=["state", "received_by", "received_at"])
    return transfer


# --- stocktakes ---------------------------------------------------------------------------------
def _in_progress(warehouse: Warehouse) -> str | None:
    if Transfer.objects.filter(state=Transfer.State.IN_TRANSIT, destination=warehouse).exists():
        return _("a transfer to it is still in transit")
    if Transfer.objects.filter(state=Transfer.State.IN_TRANSIT, source=warehouse).exists():
        return _("a transfer from it is still in transit")
    if RequisitionLine.objects.filter(warehouse=warehouse, state="approved").exists():
        return _("approved requisition lines are waiting to be issued")
    return None


@transaction.atomic
def stocktake_start(*, warehouse: Warehouse, actor, note: str = "") -> Stocktake:
    """Open a count sheet for a leaf warehouse with the book quantity of every item it holds or
    has limits for. Refused while stock is moving in or out of it (transfers in transit, approved
    lines not issued) or while another count of it is open."""
    Warehouse.objects.select_for_update(no_key=True).get(pk=warehouse.pk)  # one start at a time per warehouse
    if Warehouse.objects.filter(parent=warehouse).exists():
        raise DomainError(_("%(wh)s holds other locations; count each of its bins.") % {"wh": warehouse})
    busy = _in_progress(warehouse)
    if busy:
        raise DomainError(_("%(wh)s cannot be counted now: %(why)s.") % {"wh": warehouse, "why": busy})
    if Stocktake.objects.filter(warehouse=warehouse, state__in=("counting", "submitted")).exists():
        raise DomainError(_("%(wh)s already has a count under way.") % {"wh": warehouse})
    try:
        with transaction.atomic():
            take = Stocktake.objects.create(
                number=next_number("ST"), warehouse=warehouse, started_by=actor, note=_reason(note)
            )
    except IntegrityError:
        raise DomainError(_("%(wh)s already has a count under way.") % {"wh": warehouse}) from None
    book = Balance.objects.filter(warehouse=warehouse).exclude(on_hand=0, min_quantity__isnull=True)
    StocktakeLine.objects.bulk_create(
        [
            StocktakeLine(stocktake=take, item_id=item_id, book_quantity=on_hand)
            for item_id, on_hand in book.values_list("item_id", "on_hand")
        ]
    )
    return take


def _open(take: Stocktake, *states) -> Stocktake:
    take = Stocktake.objects.select_for_update().get(pk=take.pk)
    if take.state not in (states or (Stocktake.State.COUNTING,)):
        raise DomainError(
            _("Stocktake %(number)s is %(state)s.") % {"number": take.number, "state": take.get_state_display().lower()}
        )
    return take


@transaction.atomic
def stocktake_count(*, stocktake: Stocktake, item: Item, counted, actor) -> StocktakeLine:
    """Enter the count of an item (an item found that is not on the sheet is added). The book
    quantity at this moment is kept with it: the difference ignores what moved while counting."""
    from .ledger import balances_locked

    take = _open(stocktake)
    counted = quantity_checked(item, counted, allow_zero=True, label=_("Counted"))
    balance = balances_locked([(item.pk, take.warehouse_id)])[(item.pk, take.warehouse_id)]
    line, _created = StocktakeLine.objects.get_or_create(stocktake=take, item=item, defaults={"book_quantity": ZERO})
    line.counted_quantity, line.book_at_count = counted, balance.on_hand
    line.counted_by, line.counted_at = actor, timezone.now()
    line.save(update_fields=["counted_quantity", "book_at_count", "counted_by", "counted_at"])
    return line


@transaction.atomic
def stocktake_submit(*, stocktake: Stocktake, actor) -> Stocktake:
    take = _open(stocktake)
    missing = take.lines.filter(counted_quantity__isnull=True).count()
    if missing:
        raise DomainError(_("%(count)d lines have not been counted yet.") % {"count": missing})
    take.state, take.submitted_at = Stocktake.State.SUBMITTED, timezone.now()
    take.save(update_fields=["state", "submitted_at"])
    return take


@transaction.atomic
def stocktake_approve(*, stocktake: Stocktake, actor) -> Stocktake:
    """Turn the reviewed differences into stocktake movements. A loss that would take reserved
    stock is refused (release or issue the requisition first)."""
    take = _open(stocktake, Stocktake.State.SUBMITTED)
    if take.started_by_id and take.started_by_id == getattr(actor, "pk", None) and not actor.is_superuser:
        raise DomainError(_("Somebody other than the one who counted reviews the differences."))
    now = timezone.now()
    lines = [
        Line(
            item=line.item,
            warehouse=take.warehouse,
            quantity=line.difference,
            kind=MovementKind.STOCKTAKE,
            reason=_("Stocktake difference"),
        )
        for line in take.lines.select_related("item")
        if line.difference
    ]
    if lines:
        post(lines, actor=actor, document=take.number, at=now)
    take.state, take.decided_by, take.decided_at = Stocktake.State.APPROVED, actor, now
    take.save(update_fields=["state", "decided_by", "decided_at"])
    return take


@transaction.atomic
def stocktake_cancel(*, stocktake: Stocktake, actor) -> Stocktake:
    take = _open(stocktake, Stocktake.State.COUNTING, Stocktake.State.SUBMITTED)
    take.state, take.decided_by, take.decided_at = Stocktake.State.CANCELLED, actor, timezone.now()
    take.save(update_fields=["state", "decided_by", "decided_at"])
    return take


def reserved_by_lines():
    """What the open requisition lines hold, per (item, warehouse): the reservation a balance must show."""
    totals: dict[tuple[int, int], Decimal] = {}
    for line in RequisitionLine.objects.filter(state__in=RESERVING).only(
        "item_id", "warehouse_id", "state", "quantity", "approved_quantity"
    ):
        key = (line.item_id, line.warehouse_id)
        totals[key] = totals.get(key, ZERO) + line.held
    return totals
