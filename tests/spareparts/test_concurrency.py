"""Two people at once on PostgreSQL, with real transactions: the last units go to one of them and
the other gets a clear message; a line is issued once however many keepers click; stock never
goes negative and the ledger still proves every balance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from spareparts.audit import ledger_verify
from spareparts.models import Balance, Movement, Requisition
from spareparts.requisitions import line_approve, line_issue, requisition_create
from spareparts.services import receipt_post, stock_adjust, transfer_receive, transfer_ship
from tests.conftest import race

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


@pytest.fixture
def last_three(stores):
    assert connection.vendor == "postgresql"
    receipt_post(warehouse=stores["bin_a"], lines=[(stores["contactor"], 3, "40")], actor=stores["keeper"].user)
    return stores


def on_hand(world) -> tuple[Decimal, Decimal]:
    row = Balance.objects.get(item=world["contactor"], warehouse=world["bin_a"])
    return row.on_hand, row.reserved


def test_two_requests_for_the_last_units_one_gets_them_the_other_a_clear_message(last_three):
    w = last_three

    def ask():
        requisition_create(
            work_order=w["order"], technician=w["tech"], lines=[(w["contactor"], w["bin_a"], "2")], actor=w["tech"].user
        )

    assert race(ask, ask) == ["DomainError", "ok"]
    assert Requisition.objects.count() == 1 and on_hand(w) == (D("3"), D("2"))


def test_two_keepers_issuing_the_same_line_issue_it_once(last_three):
    w = last_three
    requisition = requisition_create(
        work_order=w["order"], technician=w["tech"], lines=[(w["contactor"], w["bin_a"], "3")], actor=w["tech"].user
    )
    line = requisition.lines.get()
    line_approve(line=line, actor=w["keeper"].user)
    assert race(*[lambda: line_issue(line=line, actor=w["keeper"].user)] * 3) == ["DomainError", "DomainError", "ok"]
    assert Movement.objects.filter(kind="issue").count() == 1 and on_hand(w) == (D("0"), D("0"))
    w["order"].refresh_from_db()
    assert w["order"].parts_cost == D("120.00")


def test_an_adjustment_and_a_transfer_draining_the_last_units_at_once(last_three):
    w = last_three
    keeper = w["keeper"].user
    outcomes = race(
        lambda: stock_adjust(item=w["contactor"], warehouse=w["bin_a"], change="-3", reason="报废", actor=keeper),
        lambda: transfer_ship(source=w["bin_a"], destination=w["ward"], lines=[(w["contactor"], 2)], actor=keeper),
    )
    assert outcomes == ["DomainError", "ok"]
    assert on_hand(w)[0] in (D("0"), D("1")) and ledger_verify() == []


def test_receiving_one_transfer_twice_at_once_receives_it_once(last_three):
    w = last_three
    transfer = transfer_ship(
        source=w["bin_a"], destination=w["ward"], lines=[(w["contactor"], 3)], actor=w["keeper"].user
    )
    assert race(*[lambda: transfer_receive(transfer=transfer, actor=w["other_keeper"].user)] * 2) == [
        "DomainError",
        "ok",
    ]
    assert Balance.objects.get(item=w["contactor"], warehouse=w["ward"]).on_hand == D("3")
    assert ledger_verify() == []
