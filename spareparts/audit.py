"""Proof that the stock balances are what the ledger says: every balance equals the sum of its
movements (on hand and value) and the reservations of the open requisition lines, and every
movement's "after" figures continue the one before it. ``balances_rebuild`` rewrites the balances
from the ledger (the ledger itself is never touched)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from .ledger import CENT, QTY, balances_locked
from .models import Balance, Movement
from .models.stock import ZERO
from .services import reserved_by_lines


@dataclass(frozen=True)
class Discrepancy:
    item_id: int
    warehouse_id: int
    field: str
    book: Decimal
    ledger: Decimal

    def __str__(self) -> str:
        where = f"item {self.item_id} in warehouse {self.warehouse_id}"
        return f"{where}: {self.field} is {self.book}, ledger says {self.ledger}"


def _ledger_totals() -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """On hand and value per (item, warehouse) from the movements. SQLite sums decimals as floats:
    the sums are brought back to the ledger's precision (three decimals, cents)."""
    rows = Movement.objects.values("item_id", "warehouse_id").annotate(q=Sum("quantity"), v=Sum("amount"))
    return {
        (r["item_id"], r["warehouse_id"]): (Decimal(r["q"]).quantize(QTY), Decimal(r["v"]).quantize(CENT)) for r in rows
    }


def ledger_verify() -> list[Discrepancy]:
    """Everything that disagrees; an empty list when the books are right."""
    found: list[Discrepancy] = []
    totals = _ledger_totals()
    reserved = reserved_by_lines()
    balances = {(b.item_id, b.warehouse_id): b for b in Balance.objects.all()}
    for key in sorted(set(totals) | set(reserved) | set(balances)):
        balance = balances.get(key)
        on_hand, value = totals.get(key, (ZERO, ZERO))
        for field, book, ledger in (
            ("on_hand", balance.on_hand if balance else ZERO, on_hand),
            ("value", balance.value if balance else ZERO, value),
            ("reserved", balance.reserved if balance else ZERO, reserved.get(key, ZERO)),
        ):
            if book != ledger:
                found.append(Discrepancy(key[0], key[1], field, book, ledger))
    # every movement continues the one before it
    running: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    fields = ("item_id", "warehouse_id", "quantity", "amount", "on_hand_after", "value_after")
    for item_id, wh_id, quantity, amount, on_hand_after, value_after in (
        Movement.objects.order_by("pk").values_list(*fields).iterator(chunk_size=5000)
    ):
        before = running.get((item_id, wh_id), (ZERO, ZERO))
        after = (before[0] + quantity, before[1] + amount)
        if after != (on_hand_after, value_after):
            found.append(Discrepancy(item_id, wh_id, "movement chain", on_hand_after, after[0]))
        running[(item_id, wh_id)] = after
    return found


@transaction.atomic
def balances_rebuild() -> int:
    """Rewrite every balance from the ledger and the open lines. Returns the balances changed."""
    totals = _ledger_totals()
    reserved = reserved_by_lines()
    balances = balances_locked(
        set(totals) | set(reserved) | set(Balance.objects.values_list("item_id", "warehouse_id"))
    )
    changed = []
    for key, balance in balances.items():
        on_hand, value = totals.get(key, (ZERO, ZERO))
        figures = (on_hand, reserved.get(key, ZERO), value)
        if (balance.on_hand, balance.reserved, balance.value) != figures:
            balance.on_hand, balance.reserved, balance.value = figures
            changed.append(balance)
    Balance.objects.bulk_update(changed, ["on_hand", "reserved", "value"])
    return len(changed)
