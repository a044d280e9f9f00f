"""Property: whatever mix of operations keepers and technicians throw at the stores, in whatever
order, and whichever of them are refused, the balances equal an independent model of the stock,
no figure is ever negative, and the ledger proves every balance (``ledger_verify``). Run
sequentially with thousands of random operations, then concurrently from several threads on
PostgreSQL with real transactions."""

from __future__ import annotations

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from logistics.common.errors import DomainError
from spareparts.audit import ledger_verify
from spareparts.models import Balance, RequisitionLine, Stocktake, Transfer
from spareparts.requisitions import line_approve, line_issue, line_reject, line_return, requisition_create
from spareparts.services import (
    receipt_post,
    stock_adjust,
    stocktake_approve,
    stocktake_count,
    stocktake_start,
    stocktake_submit,
    transfer_receive,
    transfer_ship,
)

D = Decimal
ZERO = Decimal(0)


class Stores:
    """The random operations, each recorded in ``model`` (on hand, reserved per item and
    warehouse) only when the service accepted it."""

    def __init__(self, world, rng: random.Random, model: dict | None = None) -> None:
        self.w, self.rng = world, rng
        self.items = [world["contactor"], world["breaker"], world["cable"]]
        self.bins = [world["bin_a"], world["bin_b"], world["ward"]]
        self.keeper, self.manager, self.tech = world["keeper"].user, world["manager"], world["tech"]
        self.model = model if model is not None else {}
        self.refused = 0

    def qty(self, item, high=6) -> str:
        if item.fractional:
            return str(D(self.rng.randint(1, high * 10)) / 4)
        return str(self.rng.randint(1, high))

    def add(self, key, on_hand=ZERO, reserved=ZERO) -> None:
        have = self.model.get(key, (D(0), D(0)))
        self.model[key] = (have[0] + on_hand, have[1] + reserved)

    def step(self) -> None:
        rng = self.rng
        item, wh = rng.choice(self.items), rng.choice(self.bins)
        op = rng.choices(
            ["receive", "adjust", "ship", "receive_transfer", "ask", "approve", "reject", "issue", "return_", "count"],
            weights=[14, 8, 5, 5, 14, 10, 3, 10, 6, 2],
        )[0]
        try:
            getattr(self, op)(item, wh)
        except DomainError:
            self.refused += 1

    def receive(self, item, wh):
        q = self.qty(item, 20)
        receipt_post(warehouse=wh, lines=[(item, q, str(D(self.rng.randint(100, 9999)) / 100))], actor=self.keeper)
        self.add((item.pk, wh.pk), D(q))

    def adjust(self, item, wh):
        q = self.qty(item)
        sign = self.rng.choice("+-")
        stock_adjust(item=item, warehouse=wh, change=sign + q, reason="随机调整", actor=self.keeper)
        self.add((item.pk, wh.pk), D(q) if sign == "+" else -D(q))

    def ship(self, item, wh):
        to = self.rng.choice([b for b in self.bins if b != wh])
        q = self.qty(item)
        transfer_ship(source=wh, destination=to, lines=[(item, q)], actor=self.keeper)
        self.add((item.pk, wh.pk), -D(q))

    def receive_transfer(self, item, wh):
        transfer = Transfer.objects.filter(state="in_transit").order_by("?").first()
        if transfer is None:
            return
        transfer_receive(transfer=transfer, actor=self.keeper)
        for line in transfer.lines.all():
            self.add((line.item_id, transfer.destination_id), line.quantity)

    def ask(self, item, wh):
        q = self.qty(item, 4)
        requisition_create(
            work_order=self.w["order"], technician=self.tech, lines=[(item, wh, q)], actor=self.tech.user
        )
        self.add((item.pk, wh.pk), reserved=D(q))

    def _line(self, state):
        return RequisitionLine.objects.filter(state=state).order_by("?").first()

    def approve(self, item, wh):
        line = self._line("pending")
        if line is None:
            return
        partial = self.rng.random() < 0.3 and line.quantity > 1
        quantity = line.quantity - 1 if partial else None
        line_approve(line=line, actor=self.keeper, quantity=quantity, reason="部分批准" if partial else "")
        if partial:
            self.add((line.item_id, line.warehouse_id), reserved=-D(1))

    def reject(self, item, wh):
        line = self._line("pending")
        if line is not None:
            line_reject(line=line, actor=self.keeper, reason="随机驳回")
            self.add((line.item_id, line.warehouse_id), reserved=-line.quantity)

    def issue(self, item, wh):
        line = self._line("approved")
        if line is not None:
            line_issue(line=line, actor=self.keeper)
            self.add((line.item_id, line.warehouse_id), -line.approved_quantity, -line.approved_quantity)

    def return_(self, item, wh):
        line = RequisitionLine.objects.filter(state="issued").order_by("?").first()
        if line is None:
            return
        left = line.issued_quantity - line.returned_quantity
        q = min(left, D(self.rng.randint(1, 3)))
        if q <= 0:
            q = D(1)  # refused: nothing left to return
        line_return(line=line, quantity=str(q), actor=self.keeper)
        self.add((line.item_id, line.warehouse_id), q)

    def count(self, item, wh):
        take = stocktake_start(warehouse=wh, actor=self.keeper)
        for line in list(take.lines.select_related("item")):
            drift = D(self.rng.choice([-1, 0, 0, 1]))
            counted = max(line.book_quantity + drift, D(0))
            stocktake_count(stocktake=take, item=line.item, counted=str(counted), actor=self.keeper)
        stocktake_submit(stocktake=take, actor=self.keeper)
        try:
            stocktake_approve(stocktake=take, actor=self.manager)
        except DomainError:
            from spareparts.services import stocktake_cancel

            stocktake_cancel(stocktake=take, actor=self.manager)
            raise
        for line in take.lines.all():
            if line.difference:
                self.add((line.item_id, take.warehouse_id), line.difference)


def assert_books_agree(model: dict) -> None:
    assert ledger_verify() == []
    actual = {(b.item_id, b.warehouse_id): (b.on_hand, b.reserved) for b in Balance.objects.all()}
    for key in set(actual) | set(model):
        assert actual.get(key, (D(0), D(0))) == model.get(key, (D(0), D(0))), key
    assert not Balance.objects.filter(on_hand__lt=0).exists()
    assert not Balance.objects.filter(reserved__gt=F("on_hand")).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [7, 2026])
def test_thousands_of_random_operations_keep_the_books_right(stores, seed):
    run = Stores(stores, random.Random(seed))
    for _ in range(1000):
        run.step()
    assert run.refused > 50  # the walk does hit the limits, and those are refused cleanly
    assert Stocktake.objects.filter(state="approved").exists()
    assert_books_agree(run.model)


@pytest.mark.django_db(transaction=True)
def test_concurrent_random_operations_never_go_negative_and_agree_with_the_ledger(stores):
    assert connection.vendor == "postgresql"
    for item in (stores["contactor"], stores["breaker"], stores["cable"]):
        for wh in (stores["bin_a"], stores["bin_b"]):
            receipt_post(warehouse=wh, lines=[(item, "8", "10")], actor=stores["keeper"].user)
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        try:
            run = Stores(stores, random.Random(seed), model={})
            for _ in range(120):
                run.step()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in (1, 2, 3, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert errors == []
    assert ledger_verify() == []
    assert not Balance.objects.filter(on_hand__lt=0).exists()
