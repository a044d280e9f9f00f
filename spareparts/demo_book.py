"""The stock book of the spare-parts demo: balances and movements computed in memory exactly as
``ledger.post`` computes them (same moving average, same checks), and the plans of the requests the
replay in ``demo_history.py`` makes."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from .ledger import COST, money
from .models import Item, Movement
from .models.stock import ZERO


# --- the ledger, replayed -------------------------------------------------------------------------
class BookBalance:
    __slots__ = ("at", "high", "low", "on_hand", "reserved", "value")

    def __init__(self) -> None:
        self.on_hand = self.reserved = self.value = ZERO
        self.low = self.high = self.at = None

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class Book:
    """Balances in memory and the movements to write, figured with ``ledger.post``'s arithmetic."""

    def __init__(self, new_id) -> None:
        self.rows: dict[tuple[int, int], BookBalance] = defaultdict(BookBalance)
        self.new_id, self.written, self.movements = new_id, 0, []
        self.charged: dict[int, Decimal] = defaultdict(Decimal)  # per work order

    def post(self, item: Item, wh: int, quantity=ZERO, reserve=ZERO, *, at, kind="", unit_cost=None,
             actor=None, document="", reason="", work_order=None, line=None) -> Movement | None:  # fmt: skip
        b = self.rows[(item.pk, wh)]
        on_hand, reserved = b.on_hand + quantity, b.reserved + reserve
        if on_hand < 0 or reserved < 0 or reserved > on_hand:
            raise AssertionError(f"demo replay took more than there is: {item.code}@{wh}")
        movement = None
        if quantity:
            if quantity > 0:
                if unit_cost is None:
                    unit_cost = (b.value / b.on_hand).quantize(COST) if b.on_hand else item.unit_cost
                amount = money(quantity * unit_cost)
            else:
                amount = -b.value if on_hand == 0 else -min(money(-quantity * b.value / b.on_hand), b.value)
                unit_cost = (-amount / -quantity).quantize(COST)
            b.value += amount
            movement = Movement(id=self.new_id(), item_id=item.pk, warehouse_id=wh, kind=kind, quantity=quantity,
                                unit_cost=unit_cost, amount=amount, on_hand_after=on_hand, value_after=b.value, at=at,
                                actor_id=actor, reason=reason[:300], document=document, work_order_id=work_order,
                                requisition_line=line)  # fmt: skip
            self.written += 1
            self.movements.append(movement)
            if work_order:
                self.charged[work_order] += amount
        b.on_hand, b.reserved, b.at = on_hand, reserved, at
        return movement


class PlannedOrder(NamedTuple):
    id: int
    category: str
    assignee: int
    start: dt.datetime  # arrived, else accepted
    end: dt.datetime  # completed or cancelled (just now for those under way)
    campus: int | None
    building: int | None
    fits: int | None  # equipment category


class PlannedLine:
    """A requisition line as planned: what it asks, how it ends, when each step happens."""

    __slots__ = ("approved", "force", "item", "leaf", "outcome", "quantity", "returned", "row", "spec", "times")

    def __init__(self, item, spec, quantity, outcome, approved=None, returned=ZERO, force=None) -> None:
        self.item, self.spec, self.quantity, self.outcome = item, spec, quantity, outcome
        self.approved, self.returned, self.force, self.leaf, self.row = approved, returned, force, None, None
        self.times: dict[str, dt.datetime] = {}


class RequestPlan(NamedTuple):
    order: PlannedOrder
    at: dt.datetime
    lines: list[PlannedLine]
    current: bool = False


def limit_rounded(value: float, fractional: bool) -> Decimal:
    """A limit: whole pieces, or measures in fives; never below one piece or five measures."""
    return max(Decimal(math.ceil(value / 5) * 5), Decimal(5)) if fractional else Decimal(max(math.ceil(value), 1))
