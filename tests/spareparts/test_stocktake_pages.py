"""Stocktakes through their pages: start a count of a bin, count while stock keeps moving (a receipt
between the start and the count changes the book quantity the count is compared with), add a part
found that is not on the sheet, submit, review, approval by somebody else, and every refusal shown
as the service words it with nothing changed."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from spareparts.audit import ledger_verify
from spareparts.models import Balance, Movement, Stocktake
from spareparts.requisitions import line_approve, requisition_create
from spareparts.services import receipt_post, transfer_ship

D = Decimal
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true", **EN}


def start(client, warehouse, **extra):
    return client.post(reverse("spareparts:stocktake_start"), {"warehouse": warehouse.pk, "note": "年终盘点"},
                       follow=True, **(extra or EN))  # fmt: skip


def count(client, take, **data):
    return client.post(reverse("spareparts:stocktake_count", args=[take.pk]), data, **HTMX)


def line_of(take, item):
    return take.lines.get(item=item)


def test_count_during_movements_then_approval_by_a_manager(bin_a_stock, client_as):
    s = bin_a_stock
    keeper = client_as(s["keeper"].user)
    listing = keeper.get(reverse("spareparts:stocktakes"))
    offered = {w.code for w in listing.context["start_form"].fields["warehouse"].queryset}
    assert offered == {"MAIN-A1", "MAIN-B1"}  # the bins the keeper keeps, not the store above them nor the ward

    response = start(keeper, s["bin_a"])
    take = Stocktake.objects.get()
    assert response.redirect_chain[-1][0] == reverse("spareparts:stocktake", args=[take.pk])
    assert "opened with 2 lines" in response.content.decode()
    assert {line.item.code: line.book_quantity for line in take.lines.all()} == {"P-0001": D("10"), "P-0002": D("5")}
    assert 'data-item="P-0001"' in response.content.decode() and response.context["can"]["count"]

    # five more contactors arrive while the keeper walks to the shelf: 15 on the book when counted
    receipt_post(warehouse=s["bin_a"], lines=[(s["contactor"], "5", "40")], actor=s["keeper"].user)
    row = count(keeper, take, item=s["contactor"].pk, counted="14")
    assert row.status_code == 200
    html = row.content.decode()
    assert 'id="line-' in html and 'data-difference="-1"' in html and 'id="stocktake-progress"' in html
    line = line_of(take, s["contactor"])
    assert (line.counted_quantity, line.book_at_count, line.difference) == (D("14"), D("15"), D("-1"))

    # by code (any case) and by scanning a part that is not on the sheet
    lines = count(keeper, take, code="p-0002", counted="5")
    assert 'id="stocktake-lines"' in lines.content.decode() and "2 of 2 lines counted" in lines.content.decode()
    found = count(keeper, take, code="P-0003", counted="2.5")
    assert "3 of 3 lines counted" in found.content.decode()
    assert line_of(take, s["cable"]).book_quantity == 0 and line_of(take, s["cable"]).difference == D("2.5")

    submitted = keeper.post(reverse("spareparts:stocktake_submit", args=[take.pk]), follow=True, **EN)
    assert "submitted for review" in submitted.content.decode()
    take.refresh_from_db()
    assert take.state == Stocktake.State.SUBMITTED
    review = {e.line.item.code: (e.moved, e.difference, e.value) for e in submitted.context["sheet"].lines}
    assert review == {"P-0001": (D("5"), D("-1"), D("-40.00")), "P-0002": (D("0"), D("0"), D("0.00")),
                      "P-0003": (D("0"), D("2.5"), D("5.50"))}  # fmt: skip
    assert 'id="stocktake-approve"' not in submitted.content.decode()  # a keeper does not approve

    assert keeper.post(reverse("spareparts:stocktake_approve", args=[take.pk])).status_code == 403
    manager = client_as(s["manager"])
    review_page = manager.get(reverse("spareparts:stocktake", args=[take.pk]))
    assert review_page.context["can"]["approve"] and 'id="stocktake-approve"' in review_page.content.decode()
    approved = manager.post(reverse("spareparts:stocktake_approve", args=[take.pk]), follow=True, **EN)
    assert "approved" in approved.content.decode()
    take.refresh_from_db()
    assert take.state == Stocktake.State.APPROVED and take.decided_by == s["manager"]
    posted = {m.item.code: (m.quantity, m.amount) for m in Movement.objects.filter(document=take.number)}
    assert posted == {"P-0001": (D("-1"), D("-40.00")), "P-0003": (D("2.5"), D("5.50"))}
    assert Balance.objects.get(item=s["contactor"], warehouse=s["bin_a"]).on_hand == D("14")
    assert Balance.objects.get(item=s["cable"], warehouse=s["bin_a"]).on_hand == D("2.5")
    assert {e.line.item.code: e.value for e in approved.context["sheet"].lines} == {
        "P-0001": D("-40.00"), "P-0002": D("0"), "P-0003": D("5.50")}  # fmt: skip
    assert ledger_verify() == []


def test_the_one_who_started_the_count_does_not_approve_it(bin_a_stock, client_as):
    s = bin_a_stock
    user = s["keeper"].user
    user.groups.add(Group.objects.get(name="manager"))  # a keeper who may also approve
    keeper = client_as(user)
    start(keeper, s["bin_a"])
    take = Stocktake.objects.get()
    count(keeper, take, item=s["contactor"].pk, counted="9")
    count(keeper, take, item=s["breaker"].pk, counted="5")
    page = keeper.post(reverse("spareparts:stocktake_submit", args=[take.pk]), follow=True, **EN)
    assert 'id="own-review"' in page.content.decode() and 'id="stocktake-approve"' not in page.content.decode()
    refused = keeper.post(reverse("spareparts:stocktake_approve", args=[take.pk]), follow=True, **EN)
    assert "Somebody other than the one who counted reviews the differences." in refused.content.decode()
    take.refresh_from_db()
    assert take.state == Stocktake.State.SUBMITTED
    assert not Movement.objects.filter(document=take.number).exists()


def test_bad_counts_are_refused_on_the_line_and_change_nothing(bin_a_stock, client_as):
    s = bin_a_stock
    keeper = client_as(s["keeper"].user)
    start(keeper, s["bin_a"])
    take = Stocktake.objects.get()

    negative = count(keeper, take, item=s["contactor"].pk, counted="-1")
    assert "Counted cannot be negative." in negative.content.decode()
    assert 'value="-1"' in negative.content.decode()  # what was typed stays in the box
    fractional = count(keeper, take, item=s["contactor"].pk, counted="1.5")
    assert "交流接触器 is counted in whole 个: 1.5 is not a whole number." in fractional.content.decode()
    words = count(keeper, take, item=s["contactor"].pk, counted="ten")
    assert "Counted: enter a number." in words.content.decode()
    unknown = count(keeper, take, code="NO-SUCH-PART", counted="1")
    assert "No part has the code or barcode “NO-SUCH-PART”." in unknown.content.decode()
    assert 'value="NO-SUCH-PART"' in unknown.content.decode()
    assert line_of(take, s["contactor"]).counted_quantity is None
    assert take.lines.count() == 2

    # without htmx the same refusal comes back as a message on the sheet
    plain = keeper.post(reverse("spareparts:stocktake_count", args=[take.pk]),
                        {"item": s["breaker"].pk, "counted": "2.5"}, follow=True, **EN)  # fmt: skip
    assert "is counted in whole" in plain.content.decode()
    missing = keeper.post(reverse("spareparts:stocktake_submit", args=[take.pk]), follow=True, **EN)
    assert "2 lines have not been counted yet." in missing.content.decode()
    take.refresh_from_db()
    assert take.state == Stocktake.State.COUNTING


def test_a_count_cannot_start_while_stock_is_moving_or_another_count_is_open(bin_a_stock, client_as):
    s = bin_a_stock
    keeper = client_as(s["keeper"].user)
    transfer = transfer_ship(source=s["bin_a"], destination=s["bin_b"], lines=[(s["contactor"], "2")],
                             actor=s["keeper"].user)  # fmt: skip
    refused = start(keeper, s["bin_a"])
    assert "A1货架 cannot be counted now: a transfer from it is still in transit." in refused.content.decode()
    refused = start(keeper, s["bin_b"])
    assert "B1货架 cannot be counted now: a transfer to it is still in transit." in refused.content.decode()
    assert not Stocktake.objects.exists()

    from spareparts.services import transfer_receive

    transfer_receive(transfer=transfer, actor=s["keeper"].user)
    lines = [(s["breaker"], s["bin_a"], "1")]
    requisition = requisition_create(work_order=s["order"], technician=s["tech"], lines=lines, actor=s["tech"].user)
    line_approve(line=requisition.lines.get(), actor=s["keeper"].user)
    waiting = start(keeper, s["bin_a"])
    assert "approved requisition lines are waiting to be issued" in waiting.content.decode()
    assert not Stocktake.objects.exists()

    start(keeper, s["bin_b"])
    again = start(keeper, s["bin_b"])
    assert "B1货架 already has a count under way." in again.content.decode()
    assert Stocktake.objects.count() == 1


def test_who_may_see_and_do_what(bin_a_stock, client, client_as):
    s = bin_a_stock
    keeper = client_as(s["keeper"].user)
    start(keeper, s["bin_a"])
    take = Stocktake.objects.get()
    sheet = reverse("spareparts:stocktake", args=[take.pk])
    client.logout()
    assert client.get(sheet).status_code == 302  # log in first
    assert client_as(s["tech"].user).get(reverse("spareparts:stocktakes")).status_code == 403
    other = client_as(s["other_keeper"].user)
    assert other.get(sheet).status_code == 404  # another keeper's bin
    assert count(other, take, item=s["contactor"].pk, counted="1").status_code == 404
    assert other.get(reverse("spareparts:stocktakes")).context["takes"] == []
    manager = client_as(s["manager"])
    assert manager.get(sheet).status_code == 200
    assert count(manager, take, item=s["contactor"].pk, counted="1").status_code == 403  # managers review, not count
    assert manager.post(reverse("spareparts:stocktake_start"), {"warehouse": s["bin_a"].pk}).status_code == 403
    assert line_of(take, s["contactor"]).counted_quantity is None


def test_cancel_keeps_the_stock_as_it_was(bin_a_stock, client_as):
    s = bin_a_stock
    keeper = client_as(s["keeper"].user)
    start(keeper, s["bin_a"])
    take = Stocktake.objects.get()
    count(keeper, take, item=s["contactor"].pk, counted="3")
    page = keeper.post(reverse("spareparts:stocktake_cancel", args=[take.pk]), follow=True, **EN)
    assert "cancelled; the stock is unchanged" in page.content.decode()
    take.refresh_from_db()
    assert take.state == Stocktake.State.CANCELLED
    assert Balance.objects.get(item=s["contactor"], warehouse=s["bin_a"]).on_hand == D("10")
    again = keeper.post(reverse("spareparts:stocktake_cancel", args=[take.pk]), follow=True, **EN)
    assert f"Stocktake {take.number} is cancelled." in again.content.decode().replace("Cancelled", "cancelled")
    assert start(keeper, s["bin_a"]).status_code == 200 and Stocktake.objects.count() == 2  # a new count may start


def test_printable_sheet_blind_sheet_and_excel(bin_a_stock, client_as):
    s = bin_a_stock
    keeper = client_as(s["keeper"].user)
    start(keeper, s["bin_a"])
    take = Stocktake.objects.get()
    count(keeper, take, item=s["contactor"].pk, counted="9")
    printed = keeper.get(reverse("spareparts:stocktake_print", args=[take.pk]), **EN)
    html = printed.content.decode()
    assert printed.status_code == 200 and take.number in html and "A1货架" in html
    assert html.count('data-col="book"') == 2 and "Counted by" in html
    blind = keeper.get(reverse("spareparts:stocktake_print", args=[take.pk]), {"blind": "1"}).content.decode()
    assert 'data-col="book"' not in blind and 'data-item="P-0002"' in blind

    response = keeper.get(reverse("spareparts:stocktake_export", args=[take.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    figures = {r[0]: (r[4], r[6], r[7], r[8], r[9]) for r in rows[1:]}
    assert figures == {"P-0001": (10, 10, 9, -1, -40), "P-0002": (5, None, None, None, None)}


def test_the_list_shows_open_counts_first(bin_a_stock, client_as):
    s = bin_a_stock
    keeper = client_as(s["keeper"].user)
    start(keeper, s["bin_b"])
    first = Stocktake.objects.get()
    keeper.post(reverse("spareparts:stocktake_cancel", args=[first.pk]))
    start(keeper, s["bin_a"])
    listing = keeper.get(reverse("spareparts:stocktakes"))
    assert [t.state for t in listing.context["takes"]] == ["counting", "cancelled"]
    only_open = keeper.get(reverse("spareparts:stocktakes"), {"state": "open"})
    assert [t.warehouse.code for t in only_open.context["takes"]] == ["MAIN-A1"]
