"""The spare-parts part of ``seed_demo --scale small``: a year of stock history whose balances agree
with the ledger, requisitions in every line state with the work orders charged what their
movements say, alerts raised for what is below its minimum, work waiting for the keeper that the
services accept, and a second run that adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F, Sum
from django.utils import timezone

from logistics.common.errors import DomainError
from logistics.common.models import DailyNumber
from logistics.notifications.models import Notification
from spareparts import requisitions, services
from spareparts.alerts import level_of
from spareparts.audit import ledger_verify
from spareparts.models import (
    Balance,
    Item,
    ItemCategory,
    LineState,
    Movement,
    MovementKind,
    Receipt,
    Requisition,
    RequisitionLine,
    Stocktake,
    StocktakeLine,
    Transfer,
    Warehouse,
)
from spareparts.permissions import kept_warehouse_ids
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

TABLES = (ItemCategory, Item, Item.equipment_categories.through, Warehouse, Warehouse.keepers.through, Balance,
          Movement, Receipt, Transfer, Stocktake, StocktakeLine, Requisition, RequisitionLine, DailyNumber,
          Notification)  # fmt: skip


def _seed() -> None:
    call_command("seed_demo", scale="small", stdout=io.StringIO())


@pytest.fixture
def seeded() -> None:
    _seed()


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _charged() -> dict[int, Decimal]:
    rows = Movement.objects.filter(work_order__isnull=False).values("work_order").annotate(total=Sum("amount"))
    return {row["work_order"]: -row["total"] for row in rows}


def test_a_year_of_stock_that_agrees_with_the_ledger(seeded):
    assert ledger_verify() == []
    now = timezone.now()
    assert now - Movement.objects.order_by("at").first().at > dt.timedelta(days=360)
    assert not Movement.objects.filter(at__gt=now).exists()
    assert set(Movement.objects.values_list("kind", flat=True)) == set(MovementKind.values)
    # stock lies in leaves only, on every campus, kept by the warehouse team
    held = Balance.objects.exclude(on_hand=0)
    assert not held.filter(warehouse__children__isnull=False).exists()
    assert held.values("warehouse__campus").distinct().count() == 3
    assert set(Warehouse.objects.values_list("kind", flat=True)) == set(Warehouse.Kind.values)
    assert not Warehouse.objects.filter(parent__isnull=True, keepers__isnull=True).exists()
    # a catalogue of Chinese parts: counted in pieces and in measures, most with a barcode
    items = Item.objects.all()
    assert items.count() >= 300
    assert items.filter(fractional=True, unit__in=("米", "升")).count() >= 10
    assert items.filter(barcode__isnull=False).count() > items.count() / 2
    assert items.filter(vendor__isnull=False, name__contains="门刀").exists()
    assert Item.equipment_categories.through.objects.count() > 100
    # documents: one transfer still in transit, a finished count, one submitted, one under way
    assert Transfer.objects.filter(state=Transfer.State.IN_TRANSIT).count() == 1
    takes = Counter(Stocktake.objects.values_list("state", flat=True))
    assert takes["counting"] == 1 and takes["submitted"] == 1 and takes["approved"] >= 1
    approved = Stocktake.objects.filter(state="approved").first()
    assert Movement.objects.filter(kind=MovementKind.STOCKTAKE, document=approved.number).exists()
    counting = Stocktake.objects.get(state="counting")
    assert not Transfer.objects.filter(state="in_transit", source=counting.warehouse).exists()
    assert not Transfer.objects.filter(state="in_transit", destination=counting.warehouse).exists()
    lines = counting.lines.all()
    assert (
        lines.filter(counted_quantity__isnull=True).exists() and lines.filter(counted_quantity__isnull=False).exists()
    )
    # an issue during the count: its line was counted against the book of that moment
    assert lines.exclude(book_at_count=F("book_quantity")).filter(book_at_count__isnull=False).exists()
    # alerts: what the year left below its minimum (or above its maximum), as the service flags it
    balances = list(Balance.objects.select_related("item"))
    assert all(balance.alert == level_of(balance) for balance in balances)
    low = [balance for balance in balances if balance.alert == "low"]
    assert len(low) >= 5
    assert len(low) < len([b for b in balances if b.min_quantity is not None]) / 4
    keeper = _user("warehouse_keeper")
    assert Notification.objects.filter(recipient=keeper, verb="spareparts.stock_low").exists()


def test_requisitions_in_every_state_and_work_waiting_for_the_keeper(seeded):
    lines = RequisitionLine.objects.all()
    assert set(lines.values_list("state", flat=True)) == set(LineState.values)
    assert lines.filter(state="issued", returned_quantity__gt=0).exists()
    assert lines.filter(state="issued", approved_quantity__lt=F("quantity")).exclude(reason="").exists()
    assert not lines.filter(state="rejected", reason="").exists()
    assert not lines.filter(state="issued", unit_cost__isnull=True).exists()
    # open requisitions are exactly those with a line waiting
    waiting = set(lines.filter(state__in=("pending", "approved")).values_list("requisition", flat=True))
    assert set(Requisition.objects.filter(state="open").values_list("pk", flat=True)) == waiting
    assert (
        not WorkOrder.objects.filter(requisitions__in=waiting)
        .exclude(status__in=("accepted", "on_site", "in_progress", "on_hold"))
        .exists()
    )
    assert WorkOrder.objects.filter(requisitions__lines__state="released", status="cancelled").exists()
    # each order's parts cost is what its issues took out minus what came back
    charged = _charged()
    orders = WorkOrder.objects.filter(requisitions__isnull=False).distinct()
    assert orders.count() > 500
    assert {wo.pk: wo.parts_cost for wo in orders} == {wo.pk: charged.get(wo.pk, Decimal("0")) for wo in orders}
    # document numbers: a requisition filed today continues after the demo's
    numbers = set(Requisition.objects.values_list("number", flat=True))
    order = WorkOrder.objects.filter(status="in_progress", assignee__isnull=False).first()
    balance = Balance.objects.filter(on_hand__gt=F("reserved") + 1, item__is_active=True).first()
    new = requisitions.requisition_create(work_order=order, technician=order.assignee, actor=None,
                                          lines=[(balance.item, balance.warehouse, 1)])  # fmt: skip
    assert new.number not in numbers and new.number.startswith(f"RQ-{timezone.localdate():%Y%m%d}-")
    # the keeper's queue: what the demo left waiting, the services accept
    keeper, manager = _user("warehouse_keeper"), _user("manager")
    kept = kept_warehouse_ids(keeper)
    assert Warehouse.objects.get(code="WH-MAIN").pk in kept
    pending = RequisitionLine.objects.filter(state="pending", warehouse__in=kept).select_related("requisition")
    assert pending.exists()
    assert Notification.objects.filter(recipient=keeper, verb="spareparts.requisition").exists()
    # approve and issue a pending line: stock leaves, the order is charged
    line = pending.first()
    order = line.requisition.work_order
    requisitions.line_approve(line=line, actor=keeper)
    requisitions.line_issue(line=line, actor=keeper)
    order.refresh_from_db()
    assert order.parts_cost == _charged()[order.pk] > 0
    # an approved line is issued; an issued one cannot be approved again
    approved = RequisitionLine.objects.filter(state="approved", warehouse__in=kept).first()
    requisitions.line_issue(line=approved, actor=keeper)
    with pytest.raises(DomainError):
        requisitions.line_approve(line=approved, actor=keeper)
    # the count under way is finished and the submitted one approved by the manager
    counting, submitted = Stocktake.objects.get(state="counting"), Stocktake.objects.get(state="submitted")
    for take_line in counting.lines.filter(counted_quantity__isnull=True).select_related("item"):
        services.stocktake_count(stocktake=counting, item=take_line.item, counted=take_line.book_quantity, actor=keeper)
    services.stocktake_submit(stocktake=counting, actor=keeper)
    services.stocktake_approve(stocktake=submitted, actor=manager)
    services.stocktake_approve(stocktake=counting, actor=manager)
    assert ledger_verify() == []


@pytest.mark.timeout(300)  # two whole demo loads
def test_a_second_run_adds_nothing():
    _seed()
    before = {model.__name__: model.objects.count() for model in TABLES}
    stock = list(Balance.objects.order_by("pk").values_list("on_hand", "reserved", "value", "alert"))
    costs = dict(WorkOrder.objects.filter(requisitions__isnull=False).values_list("pk", "parts_cost"))
    _seed()
    assert {model.__name__: model.objects.count() for model in TABLES} == before
    assert list(Balance.objects.order_by("pk").values_list("on_hand", "reserved", "value", "alert")) == stock
    assert dict(WorkOrder.objects.filter(pk__in=costs).values_list("pk", "parts_cost")) == costs
