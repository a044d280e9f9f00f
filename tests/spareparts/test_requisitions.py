"""Requisitions from a work order: each line reserves stock in its warehouse, the keeper approves
it (in full or partly, with a reason) or rejects it, then issues it; the order is charged what the
parts cost and credited what comes back; completing or cancelling the order releases whatever is
still reserved. Nothing is issued twice or beyond what is there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from logistics.common.errors import DomainError
from logistics.notifications.models import Notification
from spareparts.audit import ledger_verify
from spareparts.models import Balance, Movement, Requisition
from spareparts.requisitions import line_approve, line_issue, line_reject, line_return, requisition_create
from spareparts.services import receipt_post
from workorders.services import (
    work_order_arrive,
    work_order_cancel,
    work_order_complete,
    work_order_start,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stocked(stores):
    keeper = stores["keeper"].user
    receipt_post(
        warehouse=stores["bin_a"], lines=[(stores["contactor"], 5, "40"), (stores["cable"], 200, "2.2")], actor=keeper
    )
    receipt_post(
        warehouse=stores["bin_b"], lines=[(stores["contactor"], 2, "46"), (stores["breaker"], 6, "28")], actor=keeper
    )
    return stores


def held(item, warehouse) -> tuple[Decimal, Decimal]:
    row = Balance.objects.get(item=item, warehouse=warehouse)
    return row.on_hand, row.reserved


def ask(world, *lines, actor=None):
    tech = world["tech"]
    return requisition_create(work_order=world["order"], technician=tech, lines=lines, actor=actor or tech.user)


def test_the_whole_loop_reserves_approves_issues_charges_the_order_and_credits_a_return(stocked):
    w, keeper = stocked, stocked["keeper"].user
    requisition = ask(w, (w["contactor"], w["bin_a"], "3"), (w["cable"], w["bin_a"], "12.5"))
    assert requisition.number.startswith("RQ-") and requisition.state == "open"
    assert held(w["contactor"], w["bin_a"]) == (D("5"), D("3"))  # reserved, still on the shelf
    contactors, cable = requisition.lines.order_by("pk")
    line_approve(line=contactors, actor=keeper)
    line_approve(line=cable, actor=keeper, quantity="10", reason="先领10米，不够再领")
    assert held(w["cable"], w["bin_a"]) == (D("200"), D("10"))  # the 2.5 m not approved are free again
    told = Notification.objects.filter(recipient=w["tech"].user, verb="spareparts.line_approved").order_by("pk")
    titles = [n.title for n in told]  # the technician knows where to collect what
    assert len(titles) == 2 and "交流接触器 × 3" in titles[0] and "铜芯电线 × 10" in titles[1] and "A1货架" in titles[1]
    line_issue(line=contactors, actor=keeper)
    line_issue(line=cable, actor=keeper)
    assert held(w["contactor"], w["bin_a"]) == (D("2"), D("0"))
    w["order"].refresh_from_db()
    assert w["order"].parts_cost == D("142.00")  # 3 × 40 + 10 m × 2.2
    requisition.refresh_from_db()
    assert requisition.state == "closed"
    line_return(line=contactors, quantity="1", actor=w["tech"].user, reason="多领一个")
    w["order"].refresh_from_db()
    assert w["order"].parts_cost == D("102.00") and held(w["contactor"], w["bin_a"]) == (D("3"), D("0"))
    with translation.override("en"), pytest.raises(DomainError, match="At most 2"):
        line_return(line=contactors, quantity="3", actor=keeper)
    line_return(line=contactors, quantity="2", actor=keeper)
    w["order"].refresh_from_db()
    assert w["order"].parts_cost == D("22.00")
    kinds = list(Movement.objects.filter(work_order=w["order"]).values_list("kind", "quantity"))
    assert kinds == [("issue", D("-3")), ("issue", D("-10")), ("return", D("1")), ("return", D("2"))]
    assert ledger_verify() == []


def test_a_request_beyond_what_is_free_or_with_bad_quantities_reserves_nothing(stocked):
    w = stocked
    ask(w, (w["contactor"], w["bin_b"], "2"))
    cases = [
        ((w["contactor"], w["bin_b"], "1"), "0 个 available, 1 asked"),  # the 2 there are reserved
        ((w["contactor"], w["bin_a"], "-1"), "greater than zero"),
        ((w["contactor"], w["bin_a"], "1.5"), "whole"),
        ((w["breaker"], w["main"], "1"), "holds other locations"),
    ]
    for line, message in cases:
        with translation.override("en"), pytest.raises(DomainError, match=message):
            ask(w, (w["breaker"], w["bin_b"], "1"), line)
    assert Requisition.objects.count() == 1
    assert held(w["breaker"], w["bin_b"]) == (D("6"), D("0"))
    with translation.override("en"), pytest.raises(DomainError, match="listed twice"):
        ask(w, (w["breaker"], w["bin_b"], "1"), (w["breaker"], w["bin_b"], "2"))


def test_parts_are_asked_for_only_while_the_work_is_under_way(stocked):
    w = stocked
    work_order_cancel(work_order=w["order"], reason="重复报修", actor=w["manager"])
    with translation.override("en"), pytest.raises(DomainError, match="under way"):
        ask(w, (w["contactor"], w["bin_a"], "1"))


def test_each_line_is_decided_and_issued_once_with_a_clear_message_the_second_time(stocked):
    w, keeper = stocked, stocked["keeper"].user
    line = ask(w, (w["contactor"], w["bin_a"], "2")).lines.get()
    line_approve(line=line, actor=keeper)
    line_issue(line=line, actor=keeper)
    for action in (
        lambda: line_approve(line=line, actor=keeper),
        lambda: line_issue(line=line, actor=keeper),
        lambda: line_reject(line=line, actor=keeper, reason="重复"),
    ):
        with translation.override("en"), pytest.raises(DomainError, match="already issued"):
            action()
    assert Movement.objects.filter(kind="issue").count() == 1
    rejected = ask(w, (w["breaker"], w["bin_b"], "2")).lines.get()
    with translation.override("en"), pytest.raises(DomainError, match="reason"):
        line_reject(line=rejected, actor=keeper, reason="")
    line_reject(line=rejected, actor=keeper, reason="该型号不适用")
    assert held(w["breaker"], w["bin_b"]) == (D("6"), D("0"))
    with translation.override("en"), pytest.raises(DomainError, match="at most the 2"):
        line_approve(line=ask(w, (w["breaker"], w["bin_b"], "2")).lines.get(), actor=keeper, quantity="3")
    partial = ask(w, (w["breaker"], w["bin_b"], "3")).lines.get()
    with translation.override("en"), pytest.raises(DomainError, match="Say why"):
        line_approve(line=partial, actor=keeper, quantity="1")


def test_completing_the_order_releases_what_was_not_issued_and_keeps_what_was(stocked):
    w, keeper, tech = stocked, stocked["keeper"].user, stocked["tech"]
    requisition = ask(
        w, (w["contactor"], w["bin_a"], "2"), (w["breaker"], w["bin_b"], "4"), (w["cable"], w["bin_a"], "5")
    )
    issued, approved, pending = requisition.lines.order_by("pk")
    line_approve(line=issued, actor=keeper)
    line_issue(line=issued, actor=keeper)
    line_approve(line=approved, actor=keeper)
    work_order_arrive(work_order=w["order"], technician=tech)  # the order names no place: nothing to scan
    work_order_start(work_order=w["order"], technician=tech)
    work_order_complete(work_order=w["order"], technician=tech, findings="更换接触器")
    for line in (issued, approved, pending):
        line.refresh_from_db()
    assert (issued.state, approved.state, pending.state) == ("issued", "released", "released")
    assert held(w["breaker"], w["bin_b"]) == (D("6"), D("0")) and held(w["cable"], w["bin_a"]) == (D("200"), D("0"))
    requisition.refresh_from_db()
    assert requisition.state == "closed"
    w["order"].refresh_from_db()
    assert w["order"].parts_cost == D("80.00")
    line_return(line=issued, quantity="1", actor=tech.user)  # unused parts come back after completion too
    w["order"].refresh_from_db()
    assert w["order"].parts_cost == D("40.00") and ledger_verify() == []


def test_cancelling_the_order_releases_its_reservations(stocked):
    w = stocked
    ask(w, (w["contactor"], w["bin_a"], "4"))
    work_order_cancel(work_order=w["order"], reason="已由厂家处理", actor=w["manager"])
    assert held(w["contactor"], w["bin_a"]) == (D("5"), D("0"))
    assert Requisition.objects.get().lines.get().state == "released"


def test_the_equipment_page_shows_the_parts_its_repairs_used(stocked, client_as):
    from django.urls import reverse

    from equipment.models import Category as EquipmentCategory
    from equipment.models import Equipment
    from workorders.models import WorkOrder

    w, keeper = stocked, stocked["keeper"].user
    pump = Equipment.objects.create(code="PUMP-1", name="1号生活水泵",
                                    category=EquipmentCategory.objects.create(code="PUMP", name="水泵"))  # fmt: skip
    WorkOrder.objects.filter(pk=w["order"].pk).update(equipment=pump)
    line = ask(w, (w["contactor"], w["bin_a"], "3")).lines.get()
    line_approve(line=line, actor=keeper)
    line_issue(line=line, actor=keeper)
    line_return(line=line, quantity="1", actor=keeper)
    html = client_as(w["manager"]).get(reverse("equipment:detail", args=[pump.pk]), HTTP_ACCEPT_LANGUAGE="en")
    panel = html.content.decode().split('data-panel="spareparts.equipment_parts"')[1]
    assert "Parts used in its repairs: 80.00" in panel  # 2 contactors kept at 40
    row = panel.split('data-part="P-0001"')[1].split("</tr>")[0]
    assert "2 个" in row and "80.00" in row
