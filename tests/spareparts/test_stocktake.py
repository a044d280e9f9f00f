"""Stocktakes: the sheet snapshots the book; each count keeps the book quantity of its moment, so
stock issued or received while counting is not mistaken for a difference; the differences are
approved by somebody else into stocktake movements; a warehouse with stock on the move cannot be
counted, nor counted twice at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from logistics.common.errors import DomainError
from spareparts.audit import ledger_verify
from spareparts.models import Balance, Movement, Stocktake
from spareparts.requisitions import line_approve, line_issue, requisition_create
from spareparts.services import (
    limits_set,
    receipt_post,
    stocktake_approve,
    stocktake_cancel,
    stocktake_count,
    stocktake_start,
    stocktake_submit,
    transfer_receive,
    transfer_ship,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shelf(stores):
    receipt_post(
        warehouse=stores["bin_a"],
        lines=[(stores["contactor"], 10, "40"), (stores["cable"], "50", "2")],
        actor=stores["keeper"].user,
    )
    limits_set(item=stores["breaker"], warehouse=stores["bin_a"], minimum="2")  # on the sheet though none is held
    return stores


def test_movements_during_the_count_are_not_differences_and_the_approved_differences_are_posted(shelf):
    w, keeper = shelf, shelf["keeper"].user
    take = stocktake_start(warehouse=w["bin_a"], actor=keeper)
    assert take.number.startswith("ST-")
    sheet = {line.item.code: line.book_quantity for line in take.lines.select_related("item")}
    assert sheet == {"P-0001": D("10"), "P-0002": D("0"), "P-0003": D("50")}
    # while counting: 3 contactors leave on a work order, 20 m of cable arrive
    line = requisition_create(
        work_order=w["order"], technician=w["tech"], lines=[(w["contactor"], w["bin_a"], 3)], actor=w["tech"].user
    ).lines.get()
    line_approve(line=line, actor=keeper)
    line_issue(line=line, actor=keeper)
    receipt_post(warehouse=w["bin_a"], lines=[(w["cable"], "20", "2")], actor=keeper)
    stocktake_count(stocktake=take, item=w["contactor"], counted="6", actor=keeper)  # one missing after the issue
    stocktake_count(stocktake=take, item=w["cable"], counted="70", actor=keeper)  # exactly right
    stocktake_count(stocktake=take, item=w["breaker"], counted="1", actor=keeper)  # found one
    with translation.override("en"), pytest.raises(DomainError, match="whole"):
        stocktake_count(stocktake=take, item=w["contactor"], counted="5.5", actor=keeper)
    differences = {line.item.code: line.difference for line in take.lines.select_related("item")}
    assert differences == {"P-0001": D("-1"), "P-0002": D("1"), "P-0003": D("0")}
    stocktake_submit(stocktake=take, actor=keeper)
    with translation.override("en"), pytest.raises(DomainError, match="Somebody other"):
        stocktake_approve(stocktake=take, actor=keeper)
    stocktake_approve(stocktake=take, actor=w["manager"])
    posted = dict(Movement.objects.filter(kind="stocktake").values_list("item__code", "quantity"))
    assert posted == {"P-0001": D("-1"), "P-0002": D("1")}
    assert Balance.objects.get(item=w["contactor"], warehouse=w["bin_a"]).on_hand == D("6")
    assert Balance.objects.get(item=w["breaker"], warehouse=w["bin_a"]).on_hand == D("1")
    with translation.override("en"), pytest.raises(DomainError, match="is approved"):
        stocktake_approve(stocktake=take, actor=w["manager"])
    assert ledger_verify() == []


def test_a_sheet_is_submitted_only_when_every_line_is_counted_and_can_be_cancelled(shelf):
    w, keeper = shelf, shelf["keeper"].user
    take = stocktake_start(warehouse=w["bin_a"], actor=keeper)
    stocktake_count(stocktake=take, item=w["contactor"], counted="10", actor=keeper)
    with translation.override("en"), pytest.raises(DomainError, match="2 lines have not been counted"):
        stocktake_submit(stocktake=take, actor=keeper)
    stocktake_cancel(stocktake=take, actor=keeper)
    with translation.override("en"), pytest.raises(DomainError, match="is cancelled"):
        stocktake_count(stocktake=take, item=w["contactor"], counted="9", actor=keeper)
    assert not Movement.objects.filter(kind="stocktake").exists()


def test_a_warehouse_with_stock_on_the_move_or_a_count_under_way_cannot_be_counted(shelf):
    w, keeper = shelf, shelf["keeper"].user
    transfer = transfer_ship(source=w["bin_a"], destination=w["ward"], lines=[(w["contactor"], 2)], actor=keeper)
    for warehouse in (w["bin_a"], w["ward"]):
        with translation.override("en"), pytest.raises(DomainError, match="still in transit"):
            stocktake_start(warehouse=warehouse, actor=keeper)
    transfer_receive(transfer=transfer, actor=w["other_keeper"].user)
    line = requisition_create(
        work_order=w["order"], technician=w["tech"], lines=[(w["contactor"], w["bin_a"], 1)], actor=w["tech"].user
    ).lines.get()
    line_approve(line=line, actor=keeper)
    with translation.override("en"), pytest.raises(DomainError, match="waiting to be issued"):
        stocktake_start(warehouse=w["bin_a"], actor=keeper)
    line_issue(line=line, actor=keeper)
    stocktake_start(warehouse=w["bin_a"], actor=keeper)
    with translation.override("en"), pytest.raises(DomainError, match="already has a count"):
        stocktake_start(warehouse=w["bin_a"], actor=keeper)
    with translation.override("en"), pytest.raises(DomainError, match="count each of its bins"):
        stocktake_start(warehouse=w["main"], actor=keeper)
    assert Stocktake.objects.count() == 1


def test_a_loss_that_would_take_reserved_stock_is_refused_until_the_request_is_settled(shelf):
    w, keeper = shelf, shelf["keeper"].user
    take = stocktake_start(warehouse=w["bin_a"], actor=keeper)
    requisition_create(
        work_order=w["order"], technician=w["tech"], lines=[(w["contactor"], w["bin_a"], 8)], actor=w["tech"].user
    )
    for item, counted in ((w["contactor"], "5"), (w["cable"], "50"), (w["breaker"], "0")):
        stocktake_count(stocktake=take, item=item, counted=counted, actor=keeper)
    stocktake_submit(stocktake=take, actor=keeper)
    with translation.override("en"), pytest.raises(DomainError, match="Not enough"):
        stocktake_approve(stocktake=take, actor=w["manager"])
    take.refresh_from_db()
    assert take.state == "submitted" and Balance.objects.get(item=w["contactor"], warehouse=w["bin_a"]).on_hand == 10
