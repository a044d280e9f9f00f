"""The keepers' operations through their pages: receiving several lines, adjusting with a reason,
shipping and receiving a transfer. Only keepers of the warehouse may act (others get 403 or the
warehouse is not even offered); bad input (negative or fractional quantities of piece parts,
unknown codes, the same warehouse twice, more than available, no reason) shows the translated
message beside what was typed and changes nothing; a form sent twice records once."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from logistics.org.models import Vendor
from spareparts.models import Balance, Movement, Receipt, Transfer
from spareparts.services import receipt_post

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
RECEIVE = reverse("spareparts:receipt_new")
ADJUST = reverse("spareparts:adjust")
SHIP = reverse("spareparts:transfer_new")


def on_hand(item, warehouse) -> Decimal | None:
    b = Balance.objects.filter(item=item, warehouse=warehouse).first()
    return b.on_hand if b else None


def receipt_data(warehouse, lines, **extra) -> dict:
    data = {"submission_key": str(uuid.uuid4()), "warehouse": warehouse.pk, "vendor": "", "reference": "",
            "note": "", "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0"}  # fmt: skip
    for n, (code, quantity, cost) in enumerate(lines):
        data.update({f"lines-{n}-item": code, f"lines-{n}-quantity": quantity, f"lines-{n}-unit_cost": cost})
    return data | extra


def transfer_data(source, destination, lines, **extra) -> dict:
    data = {"submission_key": str(uuid.uuid4()), "source": source.pk, "destination": destination.pk, "note": "",
            "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0"}  # fmt: skip
    for n, (code, quantity) in enumerate(lines):
        data.update({f"lines-{n}-item": code, f"lines-{n}-quantity": quantity})
    return data | extra


def adjust_data(item, warehouse, change, reason="损坏") -> dict:
    return {"submission_key": str(uuid.uuid4()), "item": item.code, "warehouse": warehouse.pk, "change": change,
            "reason": reason}  # fmt: skip


def nothing_posted():
    return not Movement.objects.exists() and not Receipt.objects.exists() and not Transfer.objects.exists()


@pytest.fixture
def keeper(stores, client_as):
    return client_as(stores["keeper"].user)


# --- who may ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [RECEIVE, ADJUST, SHIP])
def test_operations_are_for_keepers_only(stores, client_as, client, make_user, url):
    assert client.get(url).status_code == 302  # anonymous: login
    assert client_as(stores["manager"]).get(url).status_code == 403
    assert client_as(stores["tech"].user).get(url).status_code == 403
    lost = make_user("keeper3", roles=("warehouse_keeper",))  # a keeper role without a warehouse to keep
    assert client_as(lost).get(url).status_code == 403
    assert client_as(stores["keeper"].user).get(url, **EN).status_code == 200


def test_a_keeper_is_offered_only_the_bins_he_keeps(stores, keeper):
    html = keeper.get(RECEIVE, **EN).content.decode()
    offered = re.findall(r'<option value="(\d+)"', html.split('name="warehouse"')[1].split("</select>")[0])
    assert offered == [str(stores["bin_a"].pk), str(stores["bin_b"].pk)]  # not the store above them, not W5
    assert keeper.get(ADJUST, {"warehouse": stores["ward"].pk}).status_code == 403
    assert keeper.get(RECEIVE, {"warehouse": stores["ward"].pk}).status_code == 403


# --- receipts ---------------------------------------------------------------------------------------
def test_a_keeper_receives_several_lines_by_barcode_and_code(stores, keeper):
    vendor = Vendor.objects.create(name="正泰电器")
    data = receipt_data(stores["bin_a"], [("6901234567892", "10", "45.5"), ("p-0003", "25.5", ""), ("", "", "")],
                        vendor=vendor.pk, reference="DN-2026-001")  # fmt: skip
    response = keeper.post(RECEIVE, data, **EN)
    receipt = Receipt.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("spareparts:receipt", args=[receipt.pk])
    assert (receipt.warehouse, receipt.vendor, receipt.reference) == (stores["bin_a"], vendor, "DN-2026-001")
    assert on_hand(stores["contactor"], stores["bin_a"]) == 10 and on_hand(stores["cable"], stores["bin_a"]) == Decimal(
        "25.5"
    )
    cable = Movement.objects.get(item=stores["cable"])
    assert cable.unit_cost == Decimal("2.2") and cable.amount == Decimal("56.10")  # blank cost: the standard cost
    html = keeper.get(response["Location"], **EN).content.decode()
    assert receipt.number in html and 'id="receipt-total">511.10' in html  # 455 + 56.10
    assert f'data-number="{receipt.number}"' in keeper.get(reverse("spareparts:receipts"), **EN).content.decode()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (("P-0001", "-2", "45"), "Quantity must be greater than zero."),
        (("P-0001", "1.5", "45"), "交流接触器 is counted in whole 个: 1.5 is not a whole number."),
        (("P-0001", "abc", "45"), "Quantity: enter a number."),
        (("NO-SUCH", "2", "45"), "No part has the code or barcode “NO-SUCH”."),
        (("P-0001", "2", "-1"), "Unit cost: a price from 0 with at most four decimals."),
        (("", "2", "45"), "Enter the part&#x27;s code or barcode."),
    ],
)
def test_bad_receipt_lines_show_the_error_keep_the_input_and_post_nothing(stores, keeper, line, message):
    response = keeper.post(RECEIVE, receipt_data(stores["bin_a"], [("P-0002", "3", "28"), line]), **EN)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert 'value="P-0002"' in html and f'value="{line[1]}"' in html  # what was typed is still there
    assert nothing_posted()


def test_a_receipt_sent_twice_is_recorded_once(stores, keeper):
    data = receipt_data(stores["bin_b"], [("P-0002", "4", "28")])
    first = keeper.post(RECEIVE, data, **EN)
    again = keeper.post(RECEIVE, data, **EN, follow=True)
    assert Receipt.objects.count() == 1 and on_hand(stores["breaker"], stores["bin_b"]) == 4
    assert again.redirect_chain[0][0] == first["Location"]
    assert "This form had already been sent" in again.content.decode()


def test_a_refused_receipt_can_be_corrected_and_sent_with_the_same_form(stores, keeper):
    data = receipt_data(stores["bin_b"], [("P-0002", "4", "x")])
    assert "Unit cost: enter a number." in keeper.post(RECEIVE, data, **EN).content.decode()
    data["lines-0-unit_cost"] = "28"
    assert keeper.post(RECEIVE, data, **EN).status_code == 302
    assert on_hand(stores["breaker"], stores["bin_b"]) == 4


def test_a_part_no_longer_stocked_cannot_be_received(stores, keeper):
    stores["breaker"].__class__.objects.filter(pk=stores["breaker"].pk).update(is_active=False)
    response = keeper.post(RECEIVE, receipt_data(stores["bin_b"], [("P-0002", "4", "28")]), **EN)
    assert "空气开关 is no longer stocked." in response.content.decode() and nothing_posted()


def test_the_lookup_names_the_part_and_what_is_available(stores, client_as):
    receipt_post(warehouse=stores["bin_a"], lines=[(stores["contactor"], "7", "45")], actor=stores["keeper"].user)
    c = client_as(stores["keeper"].user)
    html = c.get(reverse("spareparts:item_lookup"), {"lines-0-item": "6901234567892", "warehouse": stores["bin_a"].pk},
                 **EN).content.decode()  # fmt: skip
    assert 'data-found="P-0001"' in html and "7 available (7 on hand) here" in html
    html = c.get(reverse("spareparts:item_lookup"), {"code": "zzz"}, **EN).content.decode()
    assert "No part has the code or barcode “zzz”." in html


# --- adjustments ------------------------------------------------------------------------------------
@pytest.fixture
def stocked(stores):
    receipt_post(warehouse=stores["bin_a"], lines=[(stores["contactor"], "5", "45")], actor=stores["keeper"].user)
    receipt_post(warehouse=stores["ward"], lines=[(stores["breaker"], "4", "28")], actor=stores["other_keeper"].user)
    return stores


def test_a_keeper_adjusts_with_a_reason(stocked, keeper):
    page = keeper.get(ADJUST, {"item": stocked["contactor"].pk, "warehouse": stocked["bin_a"].pk}, **EN)
    html = page.content.decode()
    assert "5 个 on hand, 0 reserved, 5 available" in html and 'value="P-0001"' in html
    response = keeper.post(
        ADJUST, adjust_data(stocked["contactor"], stocked["bin_a"], "-2", "受潮损坏"), **EN, follow=True
    )
    assert on_hand(stocked["contactor"], stocked["bin_a"]) == 3
    movement = Movement.objects.get(kind="adjustment")
    assert (movement.quantity, movement.reason, movement.actor) == (Decimal("-2"), "受潮损坏", stocked["keeper"].user)
    assert "changed by -2 个: 3 on hand now." in response.content.decode()
    keeper.post(ADJUST, adjust_data(stocked["contactor"], stocked["bin_a"], "+1", "盘点找到"), **EN)
    assert on_hand(stocked["contactor"], stocked["bin_a"]) == 4


@pytest.mark.parametrize(
    ("change", "reason", "message"),
    [
        ("-9", "损坏", "Not enough 交流接触器 in A1货架: 5 个 available, 9 asked."),
        ("-0.5", "损坏", "交流接触器 is counted in whole 个: 0.5 is not a whole number."),
        ("2", "", "This field is required."),
        ("0", "损坏", "Enter the change with its sign, such as -2 or +3."),
        ("--2", "损坏", "Enter the change with its sign, such as -2 or +3."),
        ("-x", "损坏", "Change in stock: enter a number."),
    ],
)
def test_a_bad_adjustment_is_refused_and_changes_nothing(stocked, keeper, change, reason, message):
    response = keeper.post(ADJUST, adjust_data(stocked["contactor"], stocked["bin_a"], change, reason), **EN)
    html = response.content.decode()
    assert response.status_code == 200 and message in html and f'value="{change}"' in html
    assert (
        on_hand(stocked["contactor"], stocked["bin_a"]) == 5 and not Movement.objects.filter(kind="adjustment").exists()
    )


def test_a_reserved_part_cannot_be_adjusted_away(stocked, keeper):
    from spareparts.requisitions import requisition_create

    requisition_create(work_order=stocked["order"], technician=stocked["tech"],
                       lines=[(stocked["contactor"], stocked["bin_a"], "4")], actor=stocked["tech"].user)  # fmt: skip
    response = keeper.post(ADJUST, adjust_data(stocked["contactor"], stocked["bin_a"], "-2"), **EN)
    assert "1 个 available, 2 asked." in response.content.decode()
    assert on_hand(stocked["contactor"], stocked["bin_a"]) == 5


def test_an_adjustment_elsewhere_is_not_offered(stocked, keeper):
    response = keeper.post(ADJUST, adjust_data(stocked["breaker"], stocked["ward"], "-1"), **EN)
    assert "Select a valid choice" in response.content.decode()
    assert on_hand(stocked["breaker"], stocked["ward"]) == 4


def test_an_adjustment_sent_twice_is_recorded_once(stocked, keeper):
    data = adjust_data(stocked["contactor"], stocked["bin_a"], "-1")
    keeper.post(ADJUST, data, **EN)
    keeper.post(ADJUST, data, **EN)
    assert (
        on_hand(stocked["contactor"], stocked["bin_a"]) == 4 and Movement.objects.filter(kind="adjustment").count() == 1
    )


# --- transfers --------------------------------------------------------------------------------------
def test_a_transfer_is_shipped_then_received_by_the_destination_keeper(stocked, keeper, client_as):
    response = keeper.post(SHIP, transfer_data(stocked["bin_a"], stocked["ward"], [("P-0001", "3")],
                                               note="二级库补货"), **EN)  # fmt: skip
    transfer = Transfer.objects.get()
    assert response["Location"] == reverse("spareparts:transfer", args=[transfer.pk])
    assert transfer.state == "in_transit" and on_hand(stocked["contactor"], stocked["bin_a"]) == 2
    page = keeper.get(response["Location"], **EN).content.decode()
    assert 'data-state="in_transit"' in page and 'id="receive-form"' not in page  # not the destination's keeper
    receive = reverse("spareparts:transfer_receive", args=[transfer.pk])
    assert keeper.post(receive).status_code == 403
    other = client_as(stocked["other_keeper"].user)
    assert 'id="receive-form"' in other.get(response["Location"], **EN).content.decode()
    listing = other.get(reverse("spareparts:transfers"), **EN).content.decode()
    assert f'data-number="{transfer.number}" data-state="in_transit"' in listing and "to receive" in listing
    done = other.post(receive, **EN, follow=True)
    assert "received into 5号楼二级库" in done.content.decode()
    assert on_hand(stocked["contactor"], stocked["ward"]) == 3
    again = other.post(receive, **EN, follow=True)  # a double click
    assert f"Transfer {transfer.number} has already been received." in again.content.decode()
    assert Movement.objects.filter(kind="transfer_in").count() == 1


@pytest.mark.parametrize(
    ("destination", "lines", "message"),
    [
        ("bin_a", [("P-0001", "1")], "A transfer needs two different warehouses."),
        ("ward", [("P-0001", "6")], "Not enough 交流接触器 in A1货架: 5 个 available, 6 asked."),
        ("ward", [("P-0001", "-1")], "Quantity must be greater than zero."),
        ("ward", [("P-0001", "0.5")], "is not a whole number."),
        ("ward", [("6900000000000", "1")], "No part has the code or barcode “6900000000000”."),
        ("ward", [("", "")], "Enter at least one part and its quantity."),
        ("main", [("P-0001", "1")], "Select a valid choice"),  # a store with bins is not even offered
    ],
)
def test_bad_transfers_are_refused_and_change_nothing(stocked, keeper, destination, lines, message):
    response = keeper.post(SHIP, transfer_data(stocked["bin_a"], stocked[destination], lines), **EN)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Transfer.objects.exists() and on_hand(stocked["contactor"], stocked["bin_a"]) == 5


def test_transfers_in_transit_come_first(stocked, keeper, client_as):
    from spareparts.services import transfer_receive, transfer_ship

    k = stocked["keeper"].user
    one = [(stocked["contactor"], "1")]
    first = transfer_ship(source=stocked["bin_a"], destination=stocked["ward"], lines=one, actor=k)
    second = transfer_ship(source=stocked["bin_a"], destination=stocked["bin_b"], lines=one, actor=k)
    third = transfer_ship(source=stocked["bin_a"], destination=stocked["ward"], lines=one, actor=k)
    transfer_receive(transfer=second, actor=k)
    html = keeper.get(reverse("spareparts:transfers"), **EN).content.decode()
    assert re.findall(r'data-number="([^"]+)"', html) == [first.number, third.number, second.number]
    html = keeper.get(reverse("spareparts:transfers"), {"state": "received"}, **EN).content.decode()
    assert re.findall(r'data-number="([^"]+)"', html) == [second.number]
    assert client_as(stocked["tech"].user).get(reverse("spareparts:transfers")).status_code == 403


def test_a_transfer_sent_twice_is_shipped_once(stocked, keeper):
    data = transfer_data(stocked["bin_a"], stocked["ward"], [("P-0001", "2")])
    keeper.post(SHIP, data, **EN)
    keeper.post(SHIP, data, **EN)
    assert Transfer.objects.count() == 1 and on_hand(stocked["contactor"], stocked["bin_a"]) == 3


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_record_one_receipt(stores):
    """Two posts of one form in two threads (two database connections) at once: the second waits
    for the first's transaction and is then refused; the stock is received once."""
    from django.test import Client

    from tests.conftest import race

    data = receipt_data(stores["bin_b"], [("P-0002", "4", "28")])
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(stores["keeper"].user)
    statuses: list[int] = []

    def click(c):
        return lambda: statuses.append(c.post(RECEIVE, data, **EN).status_code)

    assert race(*(click(c) for c in clients)) == ["ok", "ok"]
    assert statuses == [302, 302]  # the second is sent to what the first recorded
    assert Receipt.objects.count() == 1 and on_hand(stores["breaker"], stores["bin_b"]) == 4
