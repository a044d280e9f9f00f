"""Stock pages: the stock list (who may open it, every filter, htmx refresh, the Excel export of
what is filtered, bounded queries), a part's page (balances, in transit, its ledger with document
and work-order links and filters, requisition lines, limits set by keepers only), the warehouse
tree with figures rolled up, a warehouse's page (everything below a store), QR label sheets, and
scanning a part or a bin (label, barcode, code) through /scan/, with unknown codes refused."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from logistics.org.models import Campus
from spareparts.models import Balance, Item, ItemCategory, Movement, Warehouse
from spareparts.requisitions import line_approve, line_issue, requisition_create
from spareparts.scan import item_label_url, warehouse_label_url
from spareparts.services import limits_set, receipt_post, stock_adjust, transfer_ship

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HX = {"HTTP_HX_REQUEST": "true", **EN}
STOCK = reverse("spareparts:stock")
ROW = re.compile(r'<tr data-item="([^"]+)" data-warehouse="([^"]+)"')


@pytest.fixture
def world(stores):
    """The stores world with stock and history:
    - bin A1: 10 contactors at ¥45 (minimum 12 → below minimum), 3 contactors issued on the order;
    - bin B1: 4 breakers at ¥28 (maximum 2 → above maximum), 100.5 m of cable at ¥2.2;
    - ward store: 1 breaker received and taken out again (out of stock), 2 contactors in transit
      to it from bin A1;
    - a part in another category (a lamp), no longer stocked, in the ward store."""
    s = stores
    keeper, other = s["keeper"].user, s["other_keeper"].user
    receipt_post(warehouse=s["bin_a"], lines=[(s["contactor"], "10", "45")], actor=keeper, reference="DN-001")
    receipt_post(warehouse=s["bin_b"], lines=[(s["breaker"], "4", "28"), (s["cable"], "100.5", "2.2")], actor=keeper)
    receipt_post(warehouse=s["ward"], lines=[(s["breaker"], "1", "30")], actor=other)
    stock_adjust(item=s["breaker"], warehouse=s["ward"], change="-1", reason="损坏", actor=other)
    limits_set(item=s["contactor"], warehouse=s["bin_a"], minimum="12")
    limits_set(item=s["breaker"], warehouse=s["bin_b"], maximum="2")
    requisition = requisition_create(work_order=s["order"], technician=s["tech"],
                                     lines=[(s["contactor"], s["bin_a"], "3")], actor=s["tech"].user)  # fmt: skip
    line = requisition.lines.get()
    line_approve(line=line, actor=keeper)
    line_issue(line=line, actor=keeper)
    s["transfer"] = transfer_ship(source=s["bin_a"], destination=s["ward"], lines=[(s["contactor"], "2")],
                                  actor=keeper)  # fmt: skip
    lighting = ItemCategory.objects.create(code="LIGHT", name="照明")
    s["lamp"] = Item.objects.create(code="L-0001", name="LED灯管", specification="T8 18W", unit="支",
                                    category=lighting, unit_cost=Decimal("15"))  # fmt: skip
    receipt_post(warehouse=s["ward"], lines=[(s["lamp"], "6", "15")], actor=other)
    Item.objects.filter(pk=s["lamp"].pk).update(is_active=False)  # stocked once, no longer bought
    s["requisition"] = requisition
    return s


def rows(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


# --- who may open what ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["keeper", "manager", "tech"])
def test_the_stock_list_opens_for_keepers_managers_and_technicians(world, client_as, who):
    user = {"keeper": world["keeper"].user, "manager": world["manager"], "tech": world["tech"].user}[who]
    response = client_as(user).get(STOCK, **EN)
    assert ("P-0001", "MAIN-A1") in rows(response)
    html = response.content.decode()
    assert 'id="receive-link"' in html if who == "keeper" else 'id="receive-link"' not in html


def test_the_stock_pages_are_refused_to_people_without_a_stock_role(world, client_as, make_user, client):
    assert client.get(STOCK).status_code == 302  # anonymous: to the login page
    requester = make_user("nurse", roles=("requester",))
    c = client_as(requester)
    pages = [STOCK, reverse("spareparts:stock_export"), world["contactor"].get_absolute_url(),
             reverse("spareparts:warehouses"), world["main"].get_absolute_url()]  # fmt: skip
    for url in pages:
        assert c.get(url).status_code == 403, url


def test_technicians_see_stock_but_not_the_warehouse_pages_nor_the_ledger(world, client_as):
    c = client_as(world["tech"].user)
    assert c.get(reverse("spareparts:warehouses")).status_code == 403
    html = c.get(world["contactor"].get_absolute_url(), **EN).content.decode()
    assert 'id="item-balances"' in html and 'data-warehouse="MAIN-A1"' in html
    assert 'id="ledger"' not in html and 'id="limits"' not in html and 'id="adjust-link"' not in html


# --- the list, its filters and its export ----------------------------------------------------------
def test_the_list_shows_quantities_value_limits_and_levels(world, client_as):
    html = (
        client_as(world["manager"]).get(STOCK, {"q": "P-0001", "warehouse": world["bin_a"].pk}, **EN).content.decode()
    )
    row = html[html.index('data-warehouse="MAIN-A1"') :].split("</tr>")[0]
    # 10 received, 3 issued, 2 shipped: 5 on hand at ¥45 = 225, below its minimum of 12
    assert 'data-col="on_hand">5 个' in row and 'data-col="available">5<' in row and 'data-col="value">225.00' in row
    assert 'data-level="low">Below minimum' in row and ">12<" in row
    assert "Value of the stock selected: 225.00" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "接触器"}, {("P-0001", "MAIN-A1")}),  # name
        ({"q": "dz47"}, {("P-0002", "MAIN-B1"), ("P-0002", "W5")}),  # specification, any case
        ({"q": "6901234567892"}, {("P-0001", "MAIN-A1")}),  # barcode
        ({"q": "p-0003"}, {("P-0003", "MAIN-B1")}),  # code
        ({"warehouse": "main"}, {("P-0001", "MAIN-A1"), ("P-0002", "MAIN-B1"), ("P-0003", "MAIN-B1")}),  # below
        ({"warehouse": "bin_b"}, {("P-0002", "MAIN-B1"), ("P-0003", "MAIN-B1")}),
        ({"warehouse": "ward"}, {("P-0002", "W5"), ("L-0001", "W5")}),  # in transit is not on hand there
        ({"category": "LIGHT"}, {("L-0001", "W5")}),
        ({"level": "low"}, {("P-0001", "MAIN-A1")}),
        ({"level": "high"}, {("P-0002", "MAIN-B1")}),
        ({"level": "out"}, {("P-0002", "W5")}),
        ({"active": "false"}, {("L-0001", "W5")}),
        ({"campus": "other"}, set()),
        ({"q": "接触器", "warehouse": "ward"}, set()),
    ],
)
def test_filters_and_search_narrow_the_list(world, client_as, query, expected):
    Campus.objects.create(code="EAST", name="东院")
    query = dict(query)
    if "warehouse" in query:
        query["warehouse"] = world[query["warehouse"]].pk
    if "category" in query:
        query["category"] = ItemCategory.objects.get(code=query["category"]).pk
    if query.get("campus") == "other":
        query["campus"] = Campus.objects.get(code="EAST").pk
    assert set(rows(client_as(world["manager"]).get(STOCK, query, **EN))) == expected


def test_only_mine_shows_the_warehouses_a_keeper_keeps(world, client_as):
    assert set(rows(client_as(world["other_keeper"].user).get(STOCK, {"mine": "on"}, **EN))) == {
        ("P-0002", "W5"), ("L-0001", "W5")}  # fmt: skip


def test_sorting_by_value_puts_the_most_valuable_first(world, client_as):
    found = rows(client_as(world["manager"]).get(STOCK, {"order": "-value"}, **EN))
    # contactors 225, cable 221.10, breakers 112, lamps 90, the emptied ward breakers 0
    assert found == [("P-0001", "MAIN-A1"), ("P-0003", "MAIN-B1"), ("P-0002", "MAIN-B1"), ("L-0001", "W5"),
                     ("P-0002", "W5")]  # fmt: skip


def test_htmx_refreshes_only_the_table_and_the_pager_needs_no_count(world, client_as):
    category = world["contactor"].category
    for n in range(30):
        part = Item.objects.create(code=f"X-{n:03d}", name=f"螺丝{n}", unit="个", category=category)
        receipt_post(warehouse=world["bin_a"], lines=[(part, "1", "1")], actor=world["keeper"].user)
    c = client_as(world["manager"])
    first = c.get(STOCK, {"q": "X-"}, **HX)
    html = first.content.decode()
    assert "<html" not in html and 'id="stock-list"' in html and "data-next-page" in html
    assert len(rows(first)) == 25
    second = c.get(STOCK, {"q": "X-", "page": "2"}, **HX)
    assert [code for code, _wh in rows(second)] == [f"X-{n:03d}" for n in range(25, 30)]


def test_the_list_reads_a_fixed_number_of_queries(world, client_as, django_assert_max_num_queries):
    category = world["contactor"].category
    for n in range(30):
        part = Item.objects.create(code=f"Y-{n:03d}", name=f"垫片{n}", unit="个", category=category)
        receipt_post(warehouse=world["bin_b"], lines=[(part, "2", "1")], actor=world["keeper"].user)
    c = client_as(world["keeper"].user)
    c.get(STOCK)  # session, permissions cached per request anyway
    with django_assert_max_num_queries(20):  # the same for 5 rows or 25: nothing per row
        assert len(rows(c.get(STOCK, {"warehouse": world["main"].pk}))) == 25


def test_the_export_holds_the_filtered_rows_with_their_figures(world, client_as):
    response = client_as(world["manager"]).get(reverse("spareparts:stock_export"),
                                               {"warehouse": world["main"].pk}, **EN)  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    header = table[0]
    assert header[:3] == ("part code", "part name", "specification")
    got = [dict(zip(header, row, strict=True)) for row in table[1:]]
    assert [(r["part code"], r["warehouse code"]) for r in got] == [
        ("P-0001", "MAIN-A1"), ("P-0002", "MAIN-B1"), ("P-0003", "MAIN-B1")]  # fmt: skip
    contactor = got[0]
    assert contactor["on hand"] == 5 and contactor["available"] == 5 and contactor["stock value"] == 225
    assert contactor["minimum"] == 12 and contactor["stock level"] == "Below minimum"
    assert got[2]["on hand"] == 100.5 and float(got[2]["stock value"]) == pytest.approx(221.1)


# --- a part's page -----------------------------------------------------------------------------------
def test_the_part_page_shows_balances_in_transit_ledger_and_requisitions(world, client_as):
    html = client_as(world["keeper"].user).get(world["contactor"].get_absolute_url(), **EN).content.decode()
    assert 'id="item-barcode">6901234567892' in html
    assert 'data-total="on_hand">5<' in html and 'data-total="in_transit">2<' in html
    assert '<tr data-warehouse="W5"' not in html  # nothing received there yet: the 2 in transit are listed apart
    in_transit = html[html.index('id="item-in-transit"') :].split("</ul>")[0]
    assert world["transfer"].number in in_transit and "2 个 · A1货架 → 5号楼二级库" in in_transit
    ledger = html[html.index('id="ledger"') :]
    assert ledger.count('data-kind="') == 3  # receipt, issue, transfer out (newest first)
    issue = ledger[ledger.index('data-kind="issue"') :].split("</tr>")[0]
    number = world["requisition"].number
    assert f'href="{reverse("spareparts:document", args=[number])}"' in issue
    assert (
        f'href="{reverse("workorders:detail", args=[world["order"].pk])}"' in issue and world["order"].number in issue
    )
    assert 'data-col="quantity">-3<' in issue and 'data-col="after">7<' in issue
    assert f'data-requisition="{number}"' in html  # recent requisition lines
    assert 'id="limits"' in html and 'id="adjust-link"' in html


def test_the_ledger_filters_by_kind_and_warehouse_and_refreshes_alone(world, client_as):
    c = client_as(world["manager"])
    url = world["contactor"].get_absolute_url()
    html = c.get(url, {"kind": "issue"}, HTTP_HX_TARGET="item-ledger", **HX).content.decode()
    assert "<html" not in html and 'id="item-balances"' not in html
    assert re.findall(r'data-kind="([a-z_]+)"', html) == ["issue"]
    html = c.get(url, {"warehouse": world["ward"].pk}, **EN).content.decode()
    assert "No movement matches." in html
    assert 'id="limits"' not in html  # a manager does not keep stock


def test_the_document_link_opens_the_document(world, client_as):
    c = client_as(world["manager"])
    receipt = Movement.objects.filter(kind="receipt", item=world["contactor"]).get().document
    response = c.get(reverse("spareparts:document", args=[receipt]))
    assert response.status_code == 302 and "/spareparts/receipts/" in response["Location"]
    response = c.get(reverse("spareparts:document", args=[world["transfer"].number]))
    assert response["Location"] == reverse("spareparts:transfer", args=[world["transfer"].pk])
    assert c.get(reverse("spareparts:document", args=["RC-20000101-9999"])).status_code == 404


def test_a_keeper_sets_limits_and_a_bad_pair_is_refused_without_change(world, client_as):
    c = client_as(world["keeper"].user)
    url = reverse("spareparts:limits", args=[world["breaker"].pk])
    response = c.post(url, {"warehouse": world["bin_b"].pk, "minimum": "5", "maximum": "3"}, **EN)
    assert response.status_code == 200 and "The maximum is below the minimum." in response.content.decode()
    b = Balance.objects.get(item=world["breaker"], warehouse=world["bin_b"])
    assert (b.min_quantity, b.max_quantity) == (None, Decimal("2"))
    response = c.post(url, {"warehouse": world["bin_b"].pk, "minimum": "1.5", "maximum": ""}, **EN)
    assert "is not a whole number" in response.content.decode()
    response = c.post(url, {"warehouse": world["bin_b"].pk, "minimum": "2", "maximum": "8"}, **EN)
    assert response.status_code == 302
    b.refresh_from_db()
    assert (b.min_quantity, b.max_quantity, b.alert) == (Decimal("2"), Decimal("8"), "")  # 4 is within: cleared
    # the ward store is not his: not even offered
    response = c.post(url, {"warehouse": world["ward"].pk, "minimum": "1"}, **EN)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Balance.objects.get(item=world["breaker"], warehouse=world["ward"]).min_quantity is None


def test_limits_are_refused_to_managers_and_technicians(world, client_as):
    url = reverse("spareparts:limits", args=[world["breaker"].pk])
    for user in (world["manager"], world["tech"].user):
        assert client_as(user).post(url, {"warehouse": world["bin_b"].pk, "minimum": "1"}).status_code == 403


def test_the_limits_link_prefills_the_current_limits(world, client_as):
    html = client_as(world["keeper"].user).get(world["contactor"].get_absolute_url(),
                                               {"limits": world["bin_a"].pk}, **EN).content.decode()  # fmt: skip
    form = html[html.index('id="limits"') :].split("</form>")[0]
    assert 'name="minimum" value="12"' in form and f'<option value="{world["bin_a"].pk}" selected>' in form


# --- warehouses ---------------------------------------------------------------------------------------
def test_the_tree_rolls_value_and_parts_up_to_the_store(world, client_as):
    html = client_as(world["manager"]).get(reverse("spareparts:warehouses"), **EN).content.decode()

    def cells(code):
        row = html[html.index(f'data-warehouse="{code}"') :].split("</tr>")[0]
        return (
            re.search(r'data-col="items">(\d+)<', row).group(1),
            re.search(r'data-col="value">([\d.]+)<', row).group(1),
        )

    # A1: 5 contactors = 225; B1: 4 breakers 112 + cable 221.10 = 333.10; the store: both, 3 parts
    assert cells("MAIN-A1") == ("1", "225.00")
    assert cells("MAIN-B1") == ("2", "333.10")
    assert cells("MAIN") == ("3", "558.10")
    assert html.index('data-warehouse="MAIN"') < html.index('data-warehouse="MAIN-A1"') < html.index(
        'data-warehouse="MAIN-B1"')  # fmt: skip
    assert "库管员" in html  # keepers listed


def main_of(html: str) -> str:
    """The page's own content, without the navigation menu (which has its own "Receive stock")."""
    return html.split('id="main"', 1)[1]


def test_a_store_page_shows_everything_below_it(world, client_as):
    c = client_as(world["keeper"].user)
    response = c.get(world["main"].get_absolute_url(), **EN)
    assert set(rows(response)) == {("P-0001", "MAIN-A1"), ("P-0002", "MAIN-B1"), ("P-0003", "MAIN-B1")}
    html = response.content.decode()
    assert 'data-total="value">558.10' in html and world["transfer"].number in html
    assert html.count('<tr data-kind="') == 5  # receipts (3 lines), issue, transfer out
    assert "Receive stock" not in main_of(html)  # a store with bins holds no stock itself
    leaf = main_of(c.get(world["bin_a"].get_absolute_url(), **EN).content.decode())
    assert "Receive stock" in leaf and "Transfer from here" in leaf
    other = main_of(c.get(world["ward"].get_absolute_url(), **EN).content.decode())
    assert "Receive stock" not in other  # not his


def test_a_store_page_filters_its_stock_with_htmx(world, client_as):
    response = client_as(world["manager"]).get(world["main"].get_absolute_url(), {"level": "high"},
                                               HTTP_HX_TARGET="warehouse-balances", **HX)  # fmt: skip
    assert "<html" not in response.content.decode()
    assert rows(response) == [("P-0002", "MAIN-B1")]


# --- labels and scanning ----------------------------------------------------------------------------------
def test_bin_labels_encode_urls_that_scan_back_to_the_bin(world, client_as):
    c = client_as(world["keeper"].user)
    html = c.get(reverse("spareparts:labels"), {"what": "bins", "warehouse": world["main"].pk}, **EN).content.decode()
    urls = re.findall(r'data-url="([^"]+)"', html)
    assert urls == [warehouse_label_url(world["bin_a"]), warehouse_label_url(world["bin_b"])]
    assert html.count("<svg") == 2
    response = c.get(reverse("scan"), {"code": urls[0]})
    assert response.status_code == 302 and response["Location"] == world["bin_a"].get_absolute_url()
    response = c.get(urls[1].split("8000", 1)[-1] if "8000" in urls[1] else urls[1])
    assert response["Location"] == world["bin_b"].get_absolute_url()


def test_part_labels_of_a_bin_and_of_one_part(world, client_as):
    c = client_as(world["keeper"].user)
    html = c.get(reverse("spareparts:labels"), {"what": "items", "warehouse": world["bin_b"].pk}).content.decode()
    assert re.findall(r'data-url="([^"]+)"', html) == [item_label_url(world["breaker"]), item_label_url(world["cable"])]
    html = c.get(reverse("spareparts:labels"), {"what": "items", "item": world["contactor"].pk}).content.decode()
    assert re.findall(r'data-url="([^"]+)"', html) == [item_label_url(world["contactor"])]
    # bins are for those who see warehouses
    assert client_as(world["tech"].user).get(reverse("spareparts:labels"), {"what": "bins"}).status_code == 403


@pytest.mark.parametrize(
    "code",
    ["6901234567892", "p-0001", " P-0001 ", "I:{token}", "{label}", "http://old-host.example/spareparts/i/{token}"],
)
def test_scanning_a_part_opens_its_page(world, client_as, code):
    contactor = world["contactor"]
    code = code.format(token=contactor.qr_token, label=item_label_url(contactor))
    response = client_as(world["tech"].user).get(reverse("scan"), {"code": code})
    assert response.status_code == 302 and response["Location"] == contactor.get_absolute_url()


def test_scanning_a_bin_opens_its_page_or_its_stock_for_a_technician(world, client_as):
    code = f"W:{world['bin_a'].qr_token}"
    response = client_as(world["keeper"].user).get(reverse("scan"), {"code": code})
    assert response["Location"] == world["bin_a"].get_absolute_url()
    response = client_as(world["tech"].user).get(reverse("scan"), {"code": "main-a1"})
    assert response["Location"] == f"{STOCK}?warehouse={world['bin_a'].pk}"


@pytest.mark.parametrize("code", ["6909999999999", "I:nosuchtoken", "W:nosuchtoken", "http://x/spareparts/i/zzz"])
def test_an_unknown_code_says_so(world, client_as, code):
    response = client_as(world["keeper"].user).get(reverse("scan"), {"code": code}, **EN)
    assert response.status_code == 404
    assert 'id="unknown-code"' in response.content.decode() and "Unknown code" in response.content.decode()


def test_an_unknown_label_url_says_so(world, client_as):
    response = client_as(world["keeper"].user).get(reverse("spareparts:item_label", args=["nosuch"]), **EN)
    assert response.status_code == 404 and "Unknown code" in response.content.decode()
    response = client_as(world["keeper"].user).get(reverse("spareparts:warehouse_label", args=["nosuch"]), **EN)
    assert response.status_code == 404


def test_the_warehouse_label_url_redirects_to_the_bin(world, client_as):
    response = client_as(world["keeper"].user).get(reverse("spareparts:warehouse_label",
                                                           args=[world["bin_b"].qr_token]))  # fmt: skip
    assert response["Location"] == world["bin_b"].get_absolute_url()
    assert Warehouse.objects.get(pk=world["bin_b"].pk).qr_token in warehouse_label_url(world["bin_b"])
