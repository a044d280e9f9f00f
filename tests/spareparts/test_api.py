"""Spare-parts API: parts with where they can be had, balances and the ledger filtered like the
pages; requisitions asked for by the technician working the order, approved, issued and returned
by the keeper through the same services (a refused step is a clear 400, somebody else's step a
403, a requisition out of scope a 404); writes need the ``spareparts`` token scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from logistics.org.api_auth import api_token_issue
from spareparts.models import Balance, Requisition
from spareparts.services import limits_set, receipt_post

pytestmark = pytest.mark.django_db
API = "/api/v1/spareparts/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def stocked(stores):
    receipt_post(warehouse=stores["bin_a"], lines=[(stores["contactor"], 4, "45"), (stores["cable"], 30, "2")],
                 actor=stores["keeper"].user)  # fmt: skip
    receipt_post(warehouse=stores["ward"], lines=[(stores["contactor"], 1, "50")], actor=stores["other_keeper"].user)
    limits_set(item=stores["cable"], warehouse=stores["bin_a"], minimum="50")
    return stores


def post(client, path: str, data: dict | None = None, **extra):
    return client.post(path, data or {}, content_type="application/json", **extra)


def test_parts_balances_and_ledger_are_filtered_like_the_pages(stocked, client_as):
    tech = client_as(stocked["tech"].user)  # keeps this login until the keeper's part below
    found = tech.get(f"{API}items/", {"q": "6901234567892"}).json()  # by barcode
    assert [row["code"] for row in found["results"]] == ["P-0001"]
    detail = tech.get(f"{API}items/{stocked['contactor'].pk}/").json()
    assert [(b["warehouse_code"], b["available"]) for b in detail["availability"]] == [
        ("MAIN-A1", "4.000"), ("W5", "1.000")]  # fmt: skip
    in_main = tech.get(f"{API}balances/", {"warehouse": stocked["main"].pk}).json()["results"]
    assert sorted(b["item_code"] for b in in_main) == ["P-0001", "P-0003"]  # the bins below the main store
    low = tech.get(f"{API}balances/", {"level": "low"}).json()["results"]
    assert [(b["item_code"], b["alert"]) for b in low] == [("P-0003", "low")]
    assert tech.get(f"{API}movements/").status_code == 403  # the ledger is for keepers and managers
    keeper = client_as(stocked["keeper"].user)
    ledger = keeper.get(f"{API}movements/", {"warehouse": stocked["bin_a"].pk, "kind": "receipt"}).json()["results"]
    assert sorted((m["item_code"], m["quantity"], m["amount"]) for m in ledger) == [
        ("P-0001", "4.000", "180.00"), ("P-0003", "30.000", "60.00")]  # fmt: skip


def test_the_requisition_loop_through_the_api(stocked, client_as):
    w = stocked
    as_tech, as_keeper = (lambda: client_as(w["tech"].user)), (lambda: client_as(w["keeper"].user))
    body = {"work_order": w["order"].pk, "lines": [{"item": w["contactor"].pk, "warehouse": w["bin_a"].pk,
                                                     "quantity": "3"}]}  # fmt: skip
    created = post(as_tech(), f"{API}requisitions/", body)
    assert created.status_code == 201, created.content
    line = f"{API}requisition-lines/{created.json()['lines'][0]['id']}"
    assert Balance.objects.get(item=w["contactor"], warehouse=w["bin_a"]).reserved == 3
    assert post(as_tech(), f"{line}/approve/").status_code == 403  # not a keeper
    assert post(client_as(w["other_keeper"].user), f"{line}/issue/").status_code == 404  # not their store
    approved = post(as_keeper(), f"{line}/approve/", {"quantity": "2", "reason": "库存紧张"})
    assert approved.json()["state"] == "approved" and approved.json()["approved_quantity"] == "2.000"
    issued = post(as_keeper(), f"{line}/issue/")
    assert issued.json()["state"] == "issued" and issued.json()["unit_cost"] == "45.0000"
    again = post(as_keeper(), f"{line}/issue/", **EN)
    assert again.status_code == 400 and "already issued" in again.json()["detail"]
    w["order"].refresh_from_db()
    assert w["order"].parts_cost == Decimal("90.00")
    returned = post(as_tech(), f"{line}/return/", {"quantity": "1", "reason": "多领"})
    assert returned.status_code == 200 and returned.json()["returned_quantity"] == "1.000"
    w["order"].refresh_from_db()
    assert w["order"].parts_cost == Decimal("45.00")
    mine = as_tech().get(f"{API}requisitions/").json()["results"]
    assert [r["work_order_number"] for r in mine] == [w["order"].number]


def test_bad_requests_say_why_and_reserve_nothing(stocked, client_as, make_user):
    w = stocked

    def ask(quantity, item="contactor", warehouse="bin_a", user=None):
        client = client_as(user or w["tech"].user)
        lines = [{"item": w[item].pk, "warehouse": w[warehouse].pk, "quantity": quantity}]
        return post(client, f"{API}requisitions/", {"work_order": w["order"].pk, "lines": lines}, **EN)

    assert "whole" in ask("1.5").json()["detail"]
    assert "greater than zero" in ask("-2").json()["detail"]
    assert "available" in ask("9").json()["detail"]
    assert ask("1", warehouse="main").status_code == 400  # stock is kept in bins
    assert ask("1", user=make_user("stranger", roles=("technician",))).status_code == 404  # not an order they may see
    assert (
        not Requisition.objects.exists()
        and Balance.objects.get(item=w["contactor"], warehouse=w["bin_a"]).reserved == 0
    )


def test_writes_need_the_spareparts_scope(stocked, client):
    w = stocked
    _, read_only = api_token_issue(name="看板", user=w["tech"].user, scopes=["read"], actor=None)
    _, writer = api_token_issue(name="PDA", user=w["tech"].user, scopes=["read", "spareparts"], actor=None)
    body = {"work_order": w["order"].pk, "lines": [{"item": w["cable"].pk, "warehouse": w["bin_a"].pk,
                                                     "quantity": "2.5"}]}  # fmt: skip
    assert client.get(f"{API}balances/", HTTP_AUTHORIZATION=f"Token {read_only}").status_code == 200
    assert post(client, f"{API}requisitions/", body, HTTP_AUTHORIZATION=f"Token {read_only}").status_code == 403
    assert post(client, f"{API}requisitions/", body, HTTP_AUTHORIZATION=f"Token {writer}").status_code == 201
