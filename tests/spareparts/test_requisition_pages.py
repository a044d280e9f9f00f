"""Requisition pages: the parts panel on the work-order page (the request form for the people
working the order only, search with availability, the draft, bad quantities refused with nothing
reserved), the keeper's queue (only the warehouses kept), the requisition page with approve in
full / partly, reject, issue and return, refused replays shown as messages, and who may act."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from logistics.org.models import Staff
from spareparts.models import Balance, LineState, Movement, Requisition, RequisitionLine
from spareparts.requisitions import line_approve, line_issue, requisition_create
from spareparts.services import receipt_post
from workorders.services import (
    work_order_arrive,
    work_order_complete,
    work_order_set_helpers,
    work_order_start,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HX = {"HTTP_HX_REQUEST": "true", **EN}


@pytest.fixture
def world(stores):
    """The stores world with stock: 5 contactors at ¥45 in bin A1 (kept by 库管员), 2 contactors
    and 4 breakers in the ward store (kept by 二级库管员), 100 m of cable in bin B1."""
    s = stores
    receipt_post(warehouse=s["bin_a"], lines=[(s["contactor"], "5", "45")], actor=s["keeper"].user)
    receipt_post(
        warehouse=s["ward"],
        lines=[(s["contactor"], "2", "50"), (s["breaker"], "4", "28")],
        actor=s["other_keeper"].user,
    )
    receipt_post(warehouse=s["bin_b"], lines=[(s["cable"], "100", "2.2")], actor=s["keeper"].user)
    return s


def balance(item, warehouse) -> Balance:
    return Balance.objects.get(item=item, warehouse=warehouse)


def ask(client, order, lines, *, htmx=True, note=""):
    """Post the request form of ``order`` with ``lines`` of (item, warehouse, quantity)."""
    data = {
        "item": [str(i.pk) for i, _w, _q in lines],
        "warehouse": [str(w.pk) for _i, w, _q in lines],
        "quantity": [str(q) for _i, _w, q in lines],
        "note": note,
    }
    return client.post(reverse("spareparts:requisition_create", args=[order.pk]), data, **(HX if htmx else EN))


def requested(world, quantity=3, warehouse=None, item=None):
    """A requisition of ``quantity`` contactors from bin A1 by the order's technician, and its line."""
    requisition = requisition_create(
        work_order=world["order"],
        technician=world["tech"],
        actor=world["tech"].user,
        lines=[(item or world["contactor"], warehouse or world["bin_a"], quantity)],
    )
    return requisition, requisition.lines.get()


def order_page(client, order) -> str:
    return client.get(reverse("workorders:detail", args=[order.pk]), **EN).content.decode()


def act(client, line, action, **data):
    url = reverse(f"spareparts:line_{action}", args=[line.pk])
    return client.post(url, data, follow=True, **EN)


# --- the parts panel ----------------------------------------------------------------------------------
def test_panel_offers_the_request_form_to_the_orders_technician_and_helpers_only(world, client_as, make_user):
    mate = Staff.objects.create(
        employee_no="T2", name="王师傅", team=world["team"], user=make_user("mate", roles=("technician",))
    )
    page = order_page(client_as(world["tech"].user), world["order"])
    assert 'data-panel="spareparts.parts"' in page and 'id="parts-request"' in page
    assert "No parts have been asked for on this order." in page
    # a team mate sees the order but does not work it: no panel while nothing was asked for
    assert 'data-panel="spareparts.parts"' not in order_page(client_as(mate.user), world["order"])

    requisition, _line = requested(world)
    page = order_page(client_as(mate.user), world["order"])
    assert requisition.number in page and "交流接触器" in page
    assert 'id="parts-request"' not in page and 'data-action="return"' not in page
    # made a helper, he may ask for parts too
    work_order_set_helpers(work_order=world["order"], helpers=[mate])
    assert 'id="parts-request"' in order_page(client_as(mate.user), world["order"])


def test_search_finds_a_part_by_name_or_barcode_with_availability_per_warehouse(world, client_as):
    client = client_as(world["tech"].user)
    url = reverse("spareparts:parts_search", args=[world["order"].pk])
    html = client.get(url, {"q": "接触器"}, **HX).content.decode()
    assert 'data-part="P-0001"' in html and 'data-part="P-0002"' not in html
    assert 'data-stock="MAIN-A1"' in html and 'data-stock="W5"' in html
    assert "5 个 available" in html and "2 个 available" in html
    requested(world, quantity=4)  # reserved stock is not available to others
    html = client.get(url, {"q": "6901234567892"}, **HX).content.decode()  # the barcode, as a scanner types it
    assert 'data-part="P-0001"' in html and "1 个 available" in html
    label = client.get(url, {"q": f"I:{world['contactor'].qr_token}"}, **HX).content.decode()  # its QR label
    assert 'data-part="P-0001"' in label
    assert "No part in stock lists matches" in client.get(url, {"q": "不存在"}, **HX).content.decode()
    # somebody not working the order may not search on its behalf
    assert client_as(world["keeper"].user).get(url, {"q": "接触器"}, **HX).status_code == 404


def test_draft_adds_merges_and_removes_lines(world, client_as):
    client = client_as(world["tech"].user)
    url = reverse("spareparts:parts_draft", args=[world["order"].pk])
    c, a = world["contactor"], world["bin_a"]
    add = {"add_item": c.pk, "add_warehouse": a.pk}
    html = client.post(url, add, **HX).content.decode()
    assert html.count("data-draft-line=") == 1 and 'id="draft-qty-0" value="1"' in html
    again = {"item": [c.pk], "warehouse": [a.pk], "quantity": ["1"], **add}
    html = client.post(url, again, **HX).content.decode()
    assert html.count("data-draft-line=") == 1 and 'id="draft-qty-0" value="2"' in html  # same bin: one more
    two = {"item": [c.pk], "warehouse": [a.pk], "quantity": ["2"], "add_item": c.pk, "add_warehouse": world["ward"].pk}
    html = client.post(url, two, **HX).content.decode()
    assert html.count("data-draft-line=") == 2
    removed = {"item": [c.pk, c.pk], "warehouse": [a.pk, world["ward"].pk], "quantity": ["2", "1"], "remove": "0"}
    html = client.post(url, removed, **HX).content.decode()
    assert html.count("data-draft-line=") == 1 and 'data-warehouse="W5"' in html


def test_request_reserves_the_stock_and_the_panel_shows_it(world, client_as):
    client = client_as(world["tech"].user)
    response = ask(
        client,
        world["order"],
        [(world["contactor"], world["bin_a"], 3), (world["cable"], world["bin_b"], "12.5")],
        note="下午来取",
    )
    html = response.content.decode()
    requisition = Requisition.objects.get()
    assert response.status_code == 200 and f"Requisition {requisition.number} sent" in html
    assert requisition.requested_by == world["tech"] and requisition.note == "下午来取"
    assert balance(world["contactor"], world["bin_a"]).reserved == 3
    assert balance(world["cable"], world["bin_b"]).reserved == Decimal("12.5")
    assert html.count('data-line-state="pending"') == 2 and 'id="parts-request"' in html
    assert world["keeper"].user.notifications.filter(verb="spareparts.requisition").exists()


@pytest.mark.parametrize(
    ("item", "quantity", "message"),
    [
        ("contactor", "-1", "Quantity must be greater than zero."),
        ("contactor", "1.5", "is counted in whole 个: 1.5 is not a whole number."),
        ("contactor", "6", "Not enough 交流接触器 in A1货架: 5 个 available, 6 asked."),
        ("cable", "abc", "Quantity: enter a number."),
    ],
)
def test_a_bad_quantity_is_refused_with_its_reason_and_nothing_is_reserved(world, client_as, item, quantity, message):
    part = world[item]
    place = world["bin_a"] if item == "contactor" else world["bin_b"]
    lines = [(world["breaker"], world["ward"], 1), (part, place, quantity)]
    html = ask(client_as(world["tech"].user), world["order"], lines).content.decode()
    assert 'id="parts-error"' in html and message in html
    assert html.count("data-draft-line=") == 2  # the draft comes back to be corrected
    assert not Requisition.objects.exists()
    assert not Balance.objects.filter(reserved__gt=0).exists()


def test_request_without_htmx_redirects_to_the_order_with_the_message(world, client_as):
    response = ask(client_as(world["tech"].user), world["order"], [(world["contactor"], world["bin_a"], 0)], htmx=False)
    assert response.status_code == 302 and response["Location"].endswith("#parts-panel")
    page = order_page(client_as(world["tech"].user), world["order"])
    assert "Quantity must be greater than zero." in page
    assert not Requisition.objects.exists()


def test_only_the_people_working_the_order_may_request(world, client_as, make_user):
    lines = [(world["contactor"], world["bin_a"], 1)]
    # the keeper cannot see the order at all; a team mate sees it but does not work it
    assert ask(client_as(world["keeper"].user), world["order"], lines).status_code == 404
    mate = Staff.objects.create(
        employee_no="T3", name="赵师傅", team=world["team"], user=make_user("mate3", roles=("technician",))
    )
    assert ask(client_as(mate.user), world["order"], lines).status_code == 403
    assert not Requisition.objects.exists()


# --- the keeper's queue -------------------------------------------------------------------------------
def test_queue_shows_the_lines_of_the_warehouses_kept_only(world, client_as):
    requisition, _line = requested(world, quantity=2)
    other, _line2 = requested(world, quantity=1, warehouse=world["ward"], item=world["breaker"])
    url = reverse("spareparts:requisitions")
    mine = client_as(world["keeper"].user).get(url, **EN).content.decode()
    assert requisition.number in mine and other.number not in mine
    assert 'data-action="approve"' in mine and "配电箱跳闸" in mine and "李师傅" in mine
    theirs = client_as(world["other_keeper"].user).get(url, **EN).content.decode()
    assert other.number in theirs and requisition.number not in theirs
    # managers see every waiting line but act on none; technicians have no queue
    overview = client_as(world["manager"]).get(url, **EN).content.decode()
    assert requisition.number in overview and other.number in overview and 'data-action="approve"' not in overview
    assert client_as(world["tech"].user).get(url, **EN).status_code == 403


def test_queue_filters_by_state_warehouse_and_search_and_polls(world, client_as):
    first, line = requested(world, quantity=2)
    line_approve(line=line, actor=world["keeper"].user)
    second, _line = requested(world, quantity=1, warehouse=world["bin_b"], item=world["cable"])
    client = client_as(world["keeper"].user)
    url = reverse("spareparts:requisitions")
    page = client.get(url, **EN).content.decode()
    assert page.index(first.number) < page.index(second.number)  # oldest first
    assert 'hx-trigger="every 30s' in page
    to_issue = client.get(url, {"state": "approved"}, **HX).content.decode()
    assert first.number in to_issue and second.number not in to_issue and 'data-action="issue"' in to_issue
    in_b = client.get(url, {"warehouse": world["bin_b"].pk}, **HX).content.decode()
    assert second.number in in_b and first.number not in in_b
    in_store = client.get(url, {"warehouse": world["main"].pk}, **HX).content.decode()  # the store: both its bins
    assert first.number in in_store and second.number in in_store
    found = client.get(url, {"q": "电线"}, **HX).content.decode()
    assert second.number in found and first.number not in found


def test_queue_reads_a_page_of_requisitions_in_a_few_queries(world, client_as, django_assert_max_num_queries):
    for _ in range(26):
        requested(world, quantity=1, item=world["cable"], warehouse=world["bin_b"])
    client = client_as(world["keeper"].user)
    with django_assert_max_num_queries(22):
        page = client.get(reverse("spareparts:requisitions"), **EN).content.decode()
    assert page.count("data-requisition=") == 25 and "data-next-page" in page


# --- deciding, issuing, returning -------------------------------------------------------------------------
def test_approve_issue_and_return_charge_and_credit_the_order(world, client_as):
    requisition, line = requested(world)
    keeper = client_as(world["keeper"].user)
    page = keeper.get(reverse("spareparts:requisition", args=[requisition.pk]), **EN).content.decode()
    assert 'data-action="approve"' in page and 'data-action="partly"' in page and 'data-action="reject"' in page
    page = act(keeper, line, "approve").content.decode()
    assert "Approved 3 个 of 交流接触器: ready to issue." in page
    page = act(keeper, line, "issue").content.decode()
    assert "Issued 3 个 of 交流接触器" in page and "charged ¥135.00" in page
    line.refresh_from_db()
    world["order"].refresh_from_db()
    assert (line.state, line.issued_quantity, world["order"].parts_cost) == ("issued", 3, Decimal("135.00"))
    assert balance(world["contactor"], world["bin_a"]).on_hand == 2
    assert 'data-movement="issue"' in page

    tech = client_as(world["tech"].user)
    panel = order_page(tech, world["order"])
    assert "¥135.00" in panel and 'data-action="return"' in panel
    response = tech.post(
        reverse("spareparts:line_return", args=[line.pk]),
        {"quantity": "1", "reason": "多领了", "next": reverse("workorders:detail", args=[world["order"].pk])},
        follow=True,
        **EN,
    )
    html = response.content.decode()
    assert "1 个 of 交流接触器 came back to A1货架" in html and "credited ¥45.00" in html
    world["order"].refresh_from_db()
    assert world["order"].parts_cost == Decimal("90.00")
    assert balance(world["contactor"], world["bin_a"]).on_hand == 3
    assert Movement.objects.get(kind="return").reason == "多领了"
    # the keeper may take back the rest; more than is left is refused
    assert (
        "At most 2 个 of this line can still be returned." in act(keeper, line, "return", quantity="3").content.decode()
    )
    act(keeper, line, "return", quantity="2")
    world["order"].refresh_from_db()
    assert world["order"].parts_cost == 0 and balance(world["contactor"], world["bin_a"]).on_hand == 5
    # a replayed return (double click) is told, not forbidden
    again = act(tech, line, "return", quantity="1")
    assert again.status_code == 200 and "At most 0 个 of this line can still be returned." in again.content.decode()


def test_partial_approval_needs_a_reason_and_releases_the_rest(world, client_as):
    _requisition, line = requested(world)
    keeper = client_as(world["keeper"].user)
    page = act(keeper, line, "approve", quantity="2").content.decode()
    assert "Say why less is approved than asked." in page
    line.refresh_from_db()
    assert line.state == LineState.PENDING and balance(world["contactor"], world["bin_a"]).reserved == 3
    page = act(keeper, line, "approve", quantity="2", reason="只剩两个给你").content.decode()
    assert "Approved 2 of the 3 个 of 交流接触器 asked; the rest is released." in page
    line.refresh_from_db()
    assert (line.state, line.approved_quantity, line.reason) == ("approved", 2, "只剩两个给你")
    assert balance(world["contactor"], world["bin_a"]).reserved == 2


def test_reject_needs_a_reason_and_releases_the_reservation(world, client_as):
    requisition, line = requested(world)
    keeper = client_as(world["keeper"].user)
    assert "This field is required." in act(keeper, line, "reject", reason="").content.decode()
    assert RequisitionLine.objects.get(pk=line.pk).state == LineState.PENDING
    page = act(keeper, line, "reject", reason="用病区备件").content.decode()
    assert "Rejected 交流接触器 of" in page
    line.refresh_from_db()
    requisition.refresh_from_db()
    assert (line.state, line.reason, requisition.state) == ("rejected", "用病区备件", "closed")
    assert balance(world["contactor"], world["bin_a"]).reserved == 0
    tech_panel = order_page(client_as(world["tech"].user), world["order"])
    assert "用病区备件" in tech_panel and 'data-line-state="rejected"' in tech_panel


def test_a_second_click_or_keeper_gets_a_clear_message_and_changes_nothing(world, client_as, make_user):
    _requisition, line = requested(world)
    keeper = client_as(world["keeper"].user)
    act(keeper, line, "approve")
    act(keeper, line, "issue")
    response = act(keeper, line, "issue")  # a double click
    assert response.status_code == 200
    assert "Line 交流接触器 of" in response.content.decode() and "is already issued." in response.content.decode()
    response = act(keeper, line, "approve")  # approving a line already issued
    assert "is already issued." in response.content.decode()
    world["order"].refresh_from_db()
    assert world["order"].parts_cost == Decimal("135.00") and Movement.objects.filter(kind="issue").count() == 1
    assert balance(world["contactor"], world["bin_a"]).on_hand == 2


def test_who_may_see_and_act_on_a_requisition(world, client_as, make_user):
    requisition, line = requested(world)
    url = reverse("spareparts:requisition", args=[requisition.pk])
    assert client_as(world["manager"]).get(url).status_code == 200
    assert client_as(world["tech"].user).get(url).status_code == 200
    assert client_as(world["other_keeper"].user).get(url).status_code == 404
    assert client_as(make_user("stranger", roles=("technician",))).get(url).status_code == 404
    # the ward's keeper does not keep bin A1: he cannot even see the line; the technician may not decide
    assert (
        client_as(world["other_keeper"].user).post(reverse("spareparts:line_approve", args=[line.pk])).status_code
        == 404
    )
    tech = client_as(world["tech"].user)
    assert tech.post(reverse("spareparts:line_approve", args=[line.pk])).status_code == 403
    assert tech.post(reverse("spareparts:line_issue", args=[line.pk])).status_code == 403
    page = tech.get(url, **EN).content.decode()
    assert 'data-action="approve"' not in page
    line.refresh_from_db()
    assert line.state == LineState.PENDING
    tech.logout()
    assert tech.post(reverse("spareparts:line_issue", args=[line.pk])).status_code == 302  # to the login page


def test_returns_remain_possible_after_the_order_is_completed(world, client_as):
    order, tech = world["order"], world["tech"]
    _requisition, line = requested(world)
    line_approve(line=line, actor=world["keeper"].user)
    line_issue(line=line, actor=world["keeper"].user)
    requested(world, quantity=1, item=world["cable"], warehouse=world["bin_b"])
    work_order_arrive(work_order=order, technician=tech)
    work_order_start(work_order=order, technician=tech)
    work_order_complete(work_order=order, technician=tech, findings="接触器烧毁，已更换")
    page = order_page(client_as(tech.user), order)
    assert 'id="parts-request"' not in page and 'data-action="return"' in page
    assert 'data-line-state="released"' in page  # the cable still waiting was released at completion
    assert balance(world["cable"], world["bin_b"]).reserved == 0
    response = act(client_as(tech.user), line, "return", quantity="1")
    assert "credited ¥45.00" in response.content.decode()
    order.refresh_from_db()
    assert order.parts_cost == Decimal("90.00")
    # asking for more parts on a completed order is refused by the service, with its message
    html = ask(client_as(tech.user), order, [(world["contactor"], world["bin_a"], 1)]).content.decode()
    assert "Parts can be asked for only while the work is under way." in html


def test_two_keepers_issuing_at_once_issue_once_and_the_second_is_told(transactional_db, world, make_user):
    """Two keepers of the store press "issue" on the same line at the same moment, each in a real
    transaction of its own: one issues, the other gets the clear message; stock leaves once."""
    import threading

    from django.db import connection
    from django.test import Client

    second = Staff.objects.create(
        employee_no="K3", name="库管员二", user=make_user("keeper3", roles=("warehouse_keeper",))
    )
    world["main"].keepers.add(second)
    _requisition, line = requested(world)
    line_approve(line=line, actor=world["keeper"].user)
    barrier, pages = threading.Barrier(2), {}

    def press(user):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            pages[user.username] = client.post(
                reverse("spareparts:line_issue", args=[line.pk]), follow=True, **EN
            ).content.decode()
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(u,)) for u in (world["keeper"].user, second.user)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    issued = [p for p in pages.values() if "Issued 3 个 of 交流接触器" in p]
    refused = [p for p in pages.values() if "is already issued." in p]
    assert len(pages) == 2 and len(issued) == 1 and len(refused) == 1
    assert Movement.objects.filter(kind="issue").count() == 1
    assert balance(world["contactor"], world["bin_a"]).on_hand == 2
    world["order"].refresh_from_db()
    assert world["order"].parts_cost == Decimal("135.00")
