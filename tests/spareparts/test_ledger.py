"""The stock ledger: receipts priced at moving weighted average, issues at the average with no
rounding residue, adjustments with a reason, transfers in two steps at the cost they left with,
limits and alerts to the keepers, and a ledger nobody can rewrite: every balance is the sum of its
movements, which the check command proves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from logistics.common.errors import DomainError
from logistics.notifications.models import Notification
from spareparts.audit import balances_rebuild, ledger_verify
from spareparts.models import Balance, Movement, Transfer
from spareparts.selectors import in_transit
from spareparts.services import limits_set, receipt_post, stock_adjust, transfer_receive, transfer_ship

pytestmark = pytest.mark.django_db
D = Decimal


def balance(item, warehouse) -> Balance:
    return Balance.objects.get(item=item, warehouse=warehouse)


def test_receipts_average_the_cost_and_issues_leave_at_the_average_with_no_residue(stores):
    keeper, bin_a, contactor = stores["keeper"].user, stores["bin_a"], stores["contactor"]
    receipt = receipt_post(
        warehouse=bin_a, lines=[(contactor, 10, "40"), (contactor, 5, "46")], actor=keeper, reference="发货单 8812"
    )
    assert receipt.number.startswith("RC-") and receipt.lines.count() == 2
    held = balance(contactor, bin_a)
    assert (held.on_hand, held.value, held.average_cost) == (D("15"), D("630.00"), D("42.0000"))
    receipt_post(warehouse=bin_a, lines=[(contactor, 3, "41.37")], actor=keeper)
    held = balance(contactor, bin_a)
    assert (held.on_hand, held.value) == (D("18"), D("754.11"))  # average 41.895
    first = stock_adjust(item=contactor, warehouse=bin_a, change="-7", reason="受潮报废", actor=keeper)
    assert first.amount == D("-293.27") and first.kind == "adjustment"  # 7 × 41.895 = 293.265 → 293.27
    last = stock_adjust(item=contactor, warehouse=bin_a, change="-11", reason="退回厂家", actor=keeper)
    assert last.amount == D("-460.84")  # the last units take exactly what is left: no cent stays behind
    held = balance(contactor, bin_a)
    assert (held.on_hand, held.value) == (D("0"), D("0.00"))
    assert list(Movement.objects.values_list("on_hand_after", flat=True)) == [
        D("10"),
        D("15"),
        D("18"),
        D("11"),
        D("0"),
    ]
    assert ledger_verify() == []


def test_stock_found_where_none_is_held_is_valued_at_the_standard_cost(stores):
    found = stock_adjust(
        item=stores["breaker"], warehouse=stores["bin_b"], change="+2", reason="盘点外找到", actor=stores["keeper"].user
    )
    assert (found.quantity, found.unit_cost, found.amount) == (D("2"), D("28.0000"), D("56.00"))


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-3", "greater than zero"),
        ("0", "greater than zero"),
        ("1.5", "whole"),
        ("abc", "enter a number"),
        ("NaN", "enter a number"),
        ("1e400", "three decimals"),
        ("2.0001", "three decimals"),
    ],
)
def test_bad_quantities_are_refused_and_write_nothing(stores, quantity, message):
    with translation.override("en"), pytest.raises(DomainError, match=message):
        receipt_post(
            warehouse=stores["bin_a"],
            lines=[(stores["breaker"], "5", "10"), (stores["contactor"], quantity, "40")],
            actor=stores["keeper"].user,
        )
    assert not Movement.objects.exists() and not Balance.objects.filter(on_hand__gt=0).exists()


def test_measured_items_take_decimals_and_stock_sits_only_in_leaf_locations(stores):
    receipt_post(warehouse=stores["bin_a"], lines=[(stores["cable"], "100.5", "2.2")], actor=stores["keeper"].user)
    assert balance(stores["cable"], stores["bin_a"]).on_hand == D("100.5")
    with translation.override("en"), pytest.raises(DomainError, match="holds other locations"):
        receipt_post(warehouse=stores["main"], lines=[(stores["cable"], "1", "2")], actor=stores["keeper"].user)
    stores["contactor"].is_active = False
    stores["contactor"].save()
    with translation.override("en"), pytest.raises(DomainError, match="no longer stocked"):
        receipt_post(warehouse=stores["bin_a"], lines=[(stores["contactor"], "1", "2")], actor=stores["keeper"].user)


def test_an_adjustment_needs_a_reason_and_cannot_take_more_than_is_free(stores):
    keeper, bin_a, breaker = stores["keeper"].user, stores["bin_a"], stores["breaker"]
    receipt_post(warehouse=bin_a, lines=[(breaker, 4, "30")], actor=keeper)
    with translation.override("en"), pytest.raises(DomainError, match="reason"):
        stock_adjust(item=breaker, warehouse=bin_a, change="-1", reason=" ", actor=keeper)
    with translation.override("en"), pytest.raises(DomainError, match="4 个 available, 5 asked"):
        stock_adjust(item=breaker, warehouse=bin_a, change="-5", reason="损坏", actor=keeper)
    assert balance(breaker, bin_a).on_hand == D("4") and Movement.objects.count() == 1


def test_a_transfer_is_in_transit_until_received_once_at_the_cost_it_left_with(stores):
    keeper, other = stores["keeper"].user, stores["other_keeper"].user
    bin_a, ward, contactor = stores["bin_a"], stores["ward"], stores["contactor"]
    receipt_post(warehouse=bin_a, lines=[(contactor, 10, "40"), (contactor, 10, "50")], actor=keeper)
    transfer = transfer_ship(source=bin_a, destination=ward, lines=[(contactor, 4)], actor=keeper, note="补二级库")
    assert transfer.state == "in_transit" and in_transit(contactor) == D("4")
    assert balance(contactor, bin_a).on_hand == D("16")
    assert not Balance.objects.filter(warehouse=ward, on_hand__gt=0).exists()  # not there yet
    transfer_receive(transfer=transfer, actor=other)
    arrived = balance(contactor, ward)
    assert (arrived.on_hand, arrived.value) == (D("4"), D("180.00"))  # at the source's average of 45
    assert in_transit(contactor) == 0
    with translation.override("en"), pytest.raises(DomainError, match="already been received"):
        transfer_receive(transfer=transfer, actor=other)
    assert balance(contactor, ward).on_hand == D("4")
    with translation.override("en"), pytest.raises(DomainError, match="two different warehouses"):
        transfer_ship(source=ward, destination=ward, lines=[(contactor, 1)], actor=other)
    with translation.override("en"), pytest.raises(DomainError, match="cannot receive stock"):
        transfer_ship(source=ward, destination=stores["main"], lines=[(contactor, 1)], actor=other)
    assert Transfer.objects.count() == 1 and ledger_verify() == []


def test_keepers_are_told_once_when_an_item_falls_below_its_minimum_and_again_after_it_recovered(stores):
    keeper, bin_a, breaker = stores["keeper"], stores["bin_a"], stores["breaker"]
    with translation.override("en"), pytest.raises(DomainError, match="maximum is below the minimum"):
        limits_set(item=breaker, warehouse=bin_a, minimum="10", maximum="5")
    limits_set(item=breaker, warehouse=bin_a, minimum="5", maximum="20")  # nothing held: below at once
    alerts = Notification.objects.filter(recipient=keeper.user, verb="spareparts.stock_low")
    assert alerts.count() == 1 and "空气开关" in alerts.get().title
    receipt_post(warehouse=bin_a, lines=[(breaker, 3, "28")], actor=keeper.user)
    assert alerts.count() == 1  # still below: not told twice
    receipt_post(warehouse=bin_a, lines=[(breaker, 30, "28")], actor=keeper.user)
    assert Notification.objects.filter(recipient=keeper.user, verb="spareparts.stock_high").count() == 1
    stock_adjust(item=breaker, warehouse=bin_a, change="-30", reason="调拨前清点", actor=keeper.user)
    assert alerts.count() == 2 and balance(breaker, bin_a).alert == "low"
    assert not Notification.objects.filter(recipient=stores["other_keeper"].user).exists()  # not their store


def test_the_ledger_cannot_be_rewritten_and_the_check_command_finds_a_tampered_balance(stores):
    keeper, bin_a, contactor = stores["keeper"].user, stores["bin_a"], stores["contactor"]
    receipt_post(warehouse=bin_a, lines=[(contactor, 10, "40")], actor=keeper)
    movement = Movement.objects.get()
    with pytest.raises(TypeError):
        movement.save()
    with pytest.raises(TypeError):
        movement.delete()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database itself refuses
        Movement.objects.filter(pk=movement.pk).update(quantity=D("99"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(item=contactor).update(on_hand=D("-1"))
    call_command("stock_check")
    Balance.objects.filter(item=contactor).update(on_hand=D("12"), value=D("500"))  # a bad hand edit
    with pytest.raises(CommandError, match="2 discrepancies"):
        call_command("stock_check")
    assert balances_rebuild() == 1
    assert (balance(contactor, bin_a).on_hand, balance(contactor, bin_a).value) == (D("10"), D("400.00"))
    call_command("stock_check", "--rebuild")
    assert connection.vendor == "postgresql"
