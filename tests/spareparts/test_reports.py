"""Stock reports and alerts on a small world whose every figure is written out below.

The world (on top of the ``stores`` fixture), in the order it happened (Asia/Shanghai):

- 2026-01-05 receipts: bin A1 10 contactors at 40 (400.00) and 20 breakers at 25 (500.00); bin B1 100 m
  of cable at 2 (200.00); the ward store 4 contactors at 50 (200.00) and 6 valves at 30 (180.00).
- 2026-02-10 李师傅 (order 1: no department, no equipment) is issued 3 contactors from A1: −120.00.
- 2026-02-20 he returns 1 of them: +40.00.
- 2026-03-15 王师傅 (order 2: 内科病房, equipment of category 配电柜) is issued 12.5 m of cable from B1
  (−25.00) and 2 breakers from A1 (−50.00).
- 2026-03-16 王师傅 is issued 1 contactor from the ward store: −50.00.

Stock after: A1 8 contactors 320.00 and 18 breakers 450.00; B1 87.5 m cable 175.00; ward 3 contactors
150.00 and 6 valves 180.00: 1,275.00 in all. The cable is in 电线电缆, a sub-category of 电气配件; the
valve in 管道配件.

The clock is moved (``django.utils.timezone.now``) only around the service calls that happen in the
past; the receipts are posted by the ledger engine with their date, as ``receipt_post`` does."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager
from decimal import Decimal
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from equipment.models import Category as EquipmentCategory
from equipment.models import Equipment
from logistics.org.models import Department, Staff, Vendor
from spareparts.ledger import Line, post
from spareparts.models import Item, ItemCategory, MovementKind
from spareparts.reports import alert_report, consumption_report, slow_moving, stock_report
from spareparts.requisitions import line_approve, line_issue, line_return, requisition_create
from spareparts.services import limits_set, transfer_ship
from workorders.services import work_order_accept, work_order_create, work_order_dispatch

D = Decimal


def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


@contextmanager
def clock(text: str):
    with mock.patch("django.utils.timezone.now", return_value=at(text)):
        yield


def issue(order, technician, lines, keeper, when):
    with clock(when):
        requisition = requisition_create(work_order=order, technician=technician, lines=lines, actor=technician.user)
        for line in requisition.lines.all():
            line_approve(line=line, actor=keeper)
            line_issue(line=line, actor=keeper)
    return requisition


@pytest.fixture
def world(stores, make_user):
    s = dict(stores)
    keeper, ward_keeper = s["keeper"].user, s["other_keeper"].user
    electrical = s["contactor"].category
    cables = ItemCategory.objects.create(code="ELEC-CAB", name="电线电缆", parent=electrical)
    Item.objects.filter(pk=s["cable"].pk).update(category=cables)
    s["cable"].refresh_from_db()
    plumbing = ItemCategory.objects.create(code="PLUMB", name="管道配件")
    s["valve"] = Item.objects.create(code="P-0004", name="闸阀", specification="DN25", unit="个", category=plumbing,
                                     unit_cost=D("32"))  # fmt: skip
    s["chint"] = Vendor.objects.create(name="正泰电器", phone="0577-1234")
    s["cable_vendor"] = Vendor.objects.create(name="远东电缆")
    Item.objects.filter(pk=s["contactor"].pk).update(vendor=s["chint"])
    Item.objects.filter(pk=s["cable"].pk).update(vendor=s["cable_vendor"])
    for name in ("contactor", "cable"):
        s[name].refresh_from_db()
    ward_dept = Department.objects.create(code="NK", name="内科病房", campus=s["campus"])
    panel_category = EquipmentCategory.objects.create(code="PDG", name="配电柜")
    panel = Equipment.objects.create(code="EQ-0001", name="1号配电柜", category=panel_category)
    s["tech2"] = Staff.objects.create(employee_no="T2", name="王师傅", team=s["team"],
                                      user=make_user("tech2", roles=("technician",)))  # fmt: skip
    order2 = work_order_create(category=s["category"], title="病房配电柜检修", auto_dispatch=False,
                               department=ward_dept, equipment=panel)  # fmt: skip
    work_order_dispatch(work_order=order2, assignee=s["tech2"])
    work_order_accept(work_order=order2, technician=s["tech2"])
    s["order2"] = order2

    opening = at("2026-01-05 10:00")
    receipts = [
        (s["contactor"], s["bin_a"], "10", "40"),
        (s["breaker"], s["bin_a"], "20", "25"),
        (s["cable"], s["bin_b"], "100", "2"),
        (s["contactor"], s["ward"], "4", "50"),
        (s["valve"], s["ward"], "6", "30"),
    ]
    for item, warehouse, quantity, cost in receipts:
        post([Line(item=item, warehouse=warehouse, quantity=D(quantity), unit_cost=D(cost), kind=MovementKind.RECEIPT)],
             actor=keeper, document="RC-20260105-0001", at=opening)  # fmt: skip

    first = issue(s["order"], s["tech"], [(s["contactor"], s["bin_a"], "3")], keeper, "2026-02-10 09:00")
    with clock("2026-02-20 10:00"):
        line_return(line=first.lines.get(), quantity="1", actor=keeper)
    s["rq2"] = issue(order2, s["tech2"], [(s["cable"], s["bin_b"], "12.5"), (s["breaker"], s["bin_a"], "2")], keeper,
                     "2026-03-15 14:00")  # fmt: skip
    issue(order2, s["tech2"], [(s["contactor"], s["ward"], "1")], ward_keeper, "2026-03-16 08:30")
    s["rq1"] = first
    return s


class Rows(HTMLParser):
    """The rows of one table of a page: each row's data-* attributes and its cells by data-col."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.depth, self.rows, self.col, self.row = table_id, 0, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self.depth = 1
        elif tag == "table" and self.depth:
            self.depth += 1
        elif self.depth and tag == "tr":
            self.row = {"attrs": attrs, "cols": {}}
            self.rows.append(self.row)
        elif self.depth and tag in ("td", "th") and self.row is not None:
            self.col = attrs.get("data-col")
            if self.col:
                self.row["cols"][self.col] = ""

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag in ("td", "th"):
            self.col = None

    def handle_data(self, data):
        if self.col and self.row is not None:
            self.row["cols"][self.col] += data.strip()


def table(response, table_id: str, key: str) -> dict[str, dict[str, str]]:
    parser = Rows(table_id)
    parser.feed(response.content.decode())
    return {row["attrs"].get(key): row["cols"] for row in parser.rows if row["attrs"].get(key)}


def sheet(response, index: int = 0) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return list(wb.worksheets[index].iter_rows(values_only=True))


# --- stock by warehouse and category -----------------------------------------------------------------
def test_stock_report_rolls_up_the_warehouse_and_category_trees(world):
    from spareparts.models import Balance

    report = stock_report(Balance.objects.all())
    by_wh = {r.node.code: (r.figures.lines, r.figures.quantity, r.figures.value) for r in report.by_warehouse}
    assert by_wh == {
        "MAIN": (3, D("113.5"), D("945.00")),
        "MAIN-A1": (2, D("26"), D("770.00")),
        "MAIN-B1": (1, D("87.5"), D("175.00")),
        "W5": (2, D("9"), D("330.00")),
    }
    by_cat = {r.node.code: (r.figures.lines, r.figures.quantity, r.figures.value) for r in report.by_category}
    assert by_cat == {
        "ELEC": (4, D("116.5"), D("1095.00")),
        "ELEC-CAB": (1, D("87.5"), D("175.00")),
        "PLUMB": (1, D("6"), D("180.00")),
    }
    assert (report.total.lines, report.total.quantity, report.total.value) == (5, D("122.5"), D("1275.00"))
    assert [r.node.code for r in report.by_warehouse] == ["MAIN", "MAIN-A1", "MAIN-B1", "W5"]  # the tree's order
    assert [r.depth for r in report.by_warehouse] == [0, 1, 1, 0]


def test_stock_page_keeper_sees_own_warehouses_manager_all_and_excel_agrees(
    world, client_as, django_assert_max_num_queries
):
    keeper = client_as(world["keeper"].user)
    with django_assert_max_num_queries(21):
        response = keeper.get(reverse("spareparts:report_stock"))
    assert response.status_code == 200
    rows = table(response, "stock-by-warehouse", "data-code")
    assert set(rows) == {"MAIN", "MAIN-A1", "MAIN-B1"}  # not the ward store kept by someone else
    assert rows["MAIN"]["value"] == "945.00" and rows["MAIN-A1"]["quantity"] == "26"

    manager = client_as(world["manager"])
    response = manager.get(reverse("spareparts:report_stock"), {"category": world["cable"].category_id})
    rows = table(response, "stock-by-warehouse", "data-code")
    assert set(rows) == {"MAIN", "MAIN-B1"} and rows["MAIN-B1"]["value"] == "175.00"

    wb = manager.get(reverse("spareparts:report_stock_export"))
    by_wh = sheet(wb, 0)
    assert by_wh[1][0] == "MAIN" and by_wh[1][4:] == (3, 113.5, 945)
    assert by_wh[-1][4:] == (5, 122.5, 1275)  # the total row
    by_cat = sheet(wb, 1)
    assert [r[0] for r in by_cat[1:-1]] == ["ELEC", "ELEC-CAB", "PLUMB"] and by_cat[1][2:] == (4, 116.5, 1095)
    detail = sheet(wb, 2)
    assert ("MAIN-A1", "A1货架", "ELEC", "电气配件", 2, 26, 770) in detail


# --- consumption ---------------------------------------------------------------------------------------
def _consumption(group, **filters):
    from spareparts.models import Movement

    rows, total = consumption_report(Movement.objects.filter(**filters), group)
    return {r.label: (r.issued_quantity, r.returned_quantity, r.quantity, r.value) for r in rows}, total


def test_consumption_by_every_grouping(world):
    order1, order2 = world["order"], world["order2"]
    months, total = _consumption("month")
    assert months == {
        "2026-02": (D("3"), D("1"), D("2"), D("80.00")),
        "2026-03": (D("15.5"), 0, D("15.5"), D("125.00")),
    }
    assert (total.issued_value, total.returned_value, total.value) == (D("245.00"), D("40.00"), D("205.00"))
    assert _consumption("department")[0] == {"内科病房": (D("15.5"), 0, D("15.5"), D("125.00")),
                                             "": (D("3"), D("1"), D("2"), D("80.00"))}  # fmt: skip
    assert _consumption("equipment_category")[0] == {"配电柜": (D("15.5"), 0, D("15.5"), D("125.00")),
                                                     "": (D("3"), D("1"), D("2"), D("80.00"))}  # fmt: skip
    by_order = _consumption("work_order")[0]
    assert by_order == {
        order2.number: (D("15.5"), 0, D("15.5"), D("125.00")),
        order1.number: (D("3"), D("1"), D("2"), D("80.00")),
    }
    assert list(by_order) == [order2.number, order1.number]  # most value first
    assert _consumption("technician")[0] == {"王师傅": (D("15.5"), 0, D("15.5"), D("125.00")),
                                             "李师傅": (D("3"), D("1"), D("2"), D("80.00"))}  # fmt: skip
    assert _consumption("item")[0] == {
        "P-0001 交流接触器": (D("4"), D("1"), D("3"), D("130.00")),
        "P-0002 空气开关": (D("2"), 0, D("2"), D("50.00")),
        "P-0003 铜芯电线": (D("12.5"), 0, D("12.5"), D("25.00")),
    }
    assert _consumption("category")[0] == {"电气配件": (D("6"), D("1"), D("5"), D("180.00")),
                                           "电线电缆": (D("12.5"), 0, D("12.5"), D("25.00"))}  # fmt: skip


def test_consumption_page_filters_period_and_warehouse_and_exports(world, client_as, django_assert_max_num_queries):
    manager = client_as(world["manager"])
    url = reverse("spareparts:report_consumption")
    with django_assert_max_num_queries(16):
        response = manager.get(url, {"start": "2026-01-01", "end": "2026-12-31", "by": "month"})
    rows = table(response, "consumption", "data-key")
    assert rows["2026-02"]["value"] == "80.00" and rows["2026-03"]["value"] == "125.00"
    assert "205.00" in response.content.decode()

    march = manager.get(url, {"start": "2026-03-01", "end": "2026-03-31", "by": "technician"})
    assert set(table(march, "consumption", "data-key")) == {"王师傅"}

    ward = manager.get(url, {"start": "2026-01-01", "end": "2026-12-31", "by": "item", "warehouse": world["ward"].pk})
    assert {k: v["quantity"] for k, v in table(ward, "consumption", "data-key").items()} == {"P-0001 交流接触器": "1"}

    main = manager.get(url, {"start": "2026-01-01", "end": "2026-12-31", "by": "item", "warehouse": world["main"].pk})
    assert {k: v["value"] for k, v in table(main, "consumption", "data-key").items()} == {
        "P-0001 交流接触器": "80.00", "P-0002 空气开关": "50.00", "P-0003 铜芯电线": "25.00"}  # fmt: skip

    rows = sheet(manager.get(reverse("spareparts:report_consumption_export"),
                             {"start": "2026-01-01", "end": "2026-12-31", "by": "work_order"}))  # fmt: skip
    assert rows[1][:1] == (world["order2"].number,) and rows[1][2:] == (15.5, 0, 15.5, 125, 0, 125)
    assert rows[2][0] == world["order"].number and rows[2][2:] == (3, 1, 2, 120, 40, 80)
    assert rows[-1][2:] == (18.5, 1, 17.5, 245, 40, 205)


def test_consumption_defaults_to_the_last_twelve_months(world, client_as):
    """The world happened in early 2026; by default the page covers the twelve months up to today."""
    response = client_as(world["manager"]).get(reverse("spareparts:report_consumption"))
    start = response.context["start"]
    assert start.day == 1 and response.context["end"] == timezone.localdate()
    expected = D("205.00") if start <= dt.date(2026, 2, 10) else None
    if expected is not None:
        assert response.context["total"].value == expected


# --- slow-moving --------------------------------------------------------------------------------------
def test_slow_moving_uses_the_last_issue_or_the_first_receipt(world, client_as):
    from spareparts.models import Balance

    now = at("2026-12-07 12:00")
    rows, total = slow_moving(Balance.objects.all(), days=180, now=now)
    assert total["count"] == 5 and total["value"] == D("1275.00")  # nothing issued since March
    rows, total = slow_moving(Balance.objects.all(), days=(now.date() - dt.date(2026, 3, 1)).days, now=now)
    found = {(b.item.code, b.warehouse.code): (b.value, b.last_issue) for b in rows}
    assert found == {
        ("P-0001", "MAIN-A1"): (D("320.00"), at("2026-02-10 09:00")),  # last issued in February
        ("P-0004", "W5"): (D("180.00"), None),  # never issued, received in January
    }
    assert total == {"count": 2, "value": D("500.00"), "cutoff": at("2026-03-01 12:00")}
    assert list(found) == [("P-0001", "MAIN-A1"), ("P-0004", "W5")]  # most value first
    recent = slow_moving(Balance.objects.all(), days=30, now=at("2026-02-01 00:00"))[1]
    assert recent["count"] == 0  # received on 5 January: not slow yet after 27 days

    page = client_as(world["keeper"].user).get(reverse("spareparts:report_slow"))
    assert set(table(page, "slow-moving", "data-item")) == {"P-0001", "P-0002", "P-0003"}  # the keeper's bins
    rows = sheet(client_as(world["manager"]).get(reverse("spareparts:report_slow_export"), {"days": "1"}))
    assert {(r[2], r[0]): r[7] for r in rows[1:]} == {("P-0001", "MAIN-A1"): 320, ("P-0002", "MAIN-A1"): 450,
                                                      ("P-0003", "MAIN-B1"): 175, ("P-0001", "W5"): 150,
                                                      ("P-0004", "W5"): 180}  # fmt: skip


# --- ledger -------------------------------------------------------------------------------------------
def test_ledger_filters_and_export(world, client_as, django_assert_max_num_queries):
    manager = client_as(world["manager"])
    url = reverse("spareparts:ledger")

    def kinds(**params):
        response = manager.get(url, params)
        assert response.status_code == 200
        parser = Rows("ledger")
        parser.feed(response.content.decode())
        return [
            (r["attrs"]["data-kind"], r["cols"]["quantity"].split()[0])
            for r in parser.rows
            if "data-kind" in r["attrs"]
        ]

    with django_assert_max_num_queries(14):
        everything = kinds()
    assert len(everything) == 10 and everything[0] == ("issue", "-1")  # newest first
    assert kinds(item="6901234567892") == [
        ("issue", "-1"),
        ("return", "+1"),
        ("issue", "-3"),
        ("receipt", "+4"),
        ("receipt", "+10"),
    ]
    assert kinds(item="P-0001", warehouse=world["main"].pk) == [("return", "+1"), ("issue", "-3"), ("receipt", "+10")]
    # the two lines of one requisition, issued the same minute: the later one first
    assert kinds(warehouse=world["main"].pk, kind="issue") == [("issue", "-2"), ("issue", "-12.500"), ("issue", "-3")]
    assert kinds(work_order=world["order2"].number) == [("issue", "-1"), ("issue", "-2"), ("issue", "-12.500")]
    assert kinds(document=world["rq2"].number) == [("issue", "-2"), ("issue", "-12.500")]
    assert kinds(start="2026-02-01", end="2026-02-28") == [("return", "+1"), ("issue", "-3")]

    totals = manager.get(url, {"item": "P-0001"})
    assert totals.context["totals"]["quantity"] == D("11") and totals.context["totals"]["amount"] == D("470.00")

    rows = sheet(manager.get(reverse("spareparts:ledger_export"), {"work_order": world["order"].number}))
    assert [(r[2], r[6], r[8]) for r in rows[1:]] == [("P-0001", 1, 40), ("P-0001", -3, -120)]
    assert rows[1][12] == world["order"].number

    keeper_rows = client_as(world["other_keeper"].user).get(url)
    assert {m.warehouse.code for m in keeper_rows.context["rows"]} == {"W5"}


# --- alerts and reorder -----------------------------------------------------------------------------------
@pytest.fixture
def alerting(world):
    keeper = world["keeper"].user
    limits_set(item=world["contactor"], warehouse=world["bin_a"], minimum="10", maximum="20")  # 8 available: low
    limits_set(item=world["breaker"], warehouse=world["bin_a"], maximum="15")  # 18 on hand: high
    limits_set(item=world["cable"], warehouse=world["bin_b"], minimum="100", maximum="150")  # 87.5: low
    limits_set(item=world["valve"], warehouse=world["ward"], minimum="8")  # 6: low, no maximum
    transfer_ship(source=world["ward"], destination=world["bin_a"], lines=[(world["contactor"], "2")],
                  actor=world["other_keeper"].user)  # fmt: skip
    return world | {"keeper_user": keeper}


def test_alerts_and_reorder_suggestion(alerting):
    from spareparts.models import Balance

    report = alert_report(Balance.objects.all())
    assert {
        (r.balance.item.code, r.balance.warehouse.code): (r.available, r.in_transit, r.shortfall) for r in report.low
    } == {
        ("P-0001", "MAIN-A1"): (D("8"), D("2"), D("2")),
        ("P-0003", "MAIN-B1"): (D("87.5"), D("0"), D("12.5")),
        ("P-0004", "W5"): (D("6"), D("0"), D("2")),
    }
    assert [(r.balance.item.code, r.excess) for r in report.high] == [("P-0002", D("3"))]
    orders = [
        (g.vendor.name if g.vendor else None, [(ln.item.code, ln.quantity, ln.value) for ln in g.lines], g.value)
        for g in report.reorder
    ]
    assert orders == [
        ("正泰电器", [("P-0001", D("10"), D("450.00"))], D("450.00")),  # up to 20 − 8 available − 2 on the way, at 45
        ("远东电缆", [("P-0003", D("62.500"), D("137.50"))], D("137.50")),  # up to 150 − 87.5, at 2.2
        (None, [("P-0004", D("10"), D("320.00"))], D("320.00")),  # no maximum: up to 2 × 8 − 6, at 32
    ]
    assert report.reorder_value == D("907.50")


def test_alerts_page_scoped_and_excel(alerting, client_as):
    keeper = client_as(alerting["keeper_user"])
    response = keeper.get(reverse("spareparts:alerts"))
    assert response.status_code == 200
    low = table(response, "alerts-low", "data-item")
    assert set(low) == {"P-0001", "P-0003"}  # the valve below minimum is in the ward store, not kept by this keeper
    assert low["P-0001"]["available"] == "8" and low["P-0001"]["in_transit"] == "2"
    assert set(table(response, "alerts-high", "data-item")) == {"P-0002"}
    assert "450.00" in response.content.decode() and "137.50" in response.content.decode()

    manager = client_as(alerting["manager"])
    wb = manager.get(reverse("spareparts:alerts_export"))
    low_sheet, high_sheet, reorder = sheet(wb, 0), sheet(wb, 1), sheet(wb, 2)
    assert len(low_sheet) == 4 and len(high_sheet) == 2
    lines = [(r[0], r[1], r[9], r[11]) for r in reorder[1:] if r[1]]
    assert lines == [
        ("正泰电器", "P-0001", 10, 450),
        ("远东电缆", "P-0003", 62.5, 137.5),
        (lines[2][0], "P-0004", 10, 320),
    ]
    assert reorder[-1][11] == 907.5

    home = manager.get(reverse("spareparts:reports"))
    assert [b.item.code for b in home.context["below"]] == ["P-0003", "P-0001", "P-0004"]  # furthest below first


# --- who sees the reports ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["reports", "report_stock", "ledger", "report_consumption", "report_slow", "alerts",
                                  "report_stock_export", "alerts_export"])  # fmt: skip
def test_technicians_do_not_see_reports_and_anonymous_must_log_in(stores, client, client_as, name):
    url = reverse(f"spareparts:{name}")
    assert client.get(url).status_code == 302
    assert client_as(stores["tech"].user).get(url).status_code == 403


def test_reports_index_for_a_keeper(world, client_as):
    response = client_as(world["keeper"].user).get(reverse("spareparts:reports"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Slow-moving stock" in text and "Nothing is below its minimum." in text


def test_report_queries_do_not_grow_with_the_rows(world, client_as):
    """Every report page reads the same number of queries with 5 or 35 stock lines and 30 more movements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = client_as(world["manager"])
    pages = [
        (reverse("spareparts:report_stock"), {}),
        (reverse("spareparts:report_stock_export"), {}),
        (reverse("spareparts:ledger"), {"item": "P"}),
        (reverse("spareparts:ledger_export"), {}),
        (reverse("spareparts:report_consumption"), {"start": "2026-01-01", "end": "2026-12-31", "by": "item"}),
        (reverse("spareparts:report_consumption_export"), {"start": "2026-01-01", "end": "2026-12-31"}),
        (reverse("spareparts:report_slow"), {"days": "1"}),
        (reverse("spareparts:report_slow_export"), {"days": "1"}),
        (reverse("spareparts:alerts"), {}),
        (reverse("spareparts:alerts_export"), {}),
        (reverse("spareparts:reports"), {}),
    ]

    def counts():
        found = []
        for url, params in pages:
            with CaptureQueriesContext(connection) as queries:
                assert manager.get(url, params).status_code == 200
            found.append(len(queries))
        return found

    manager.get(reverse("spareparts:reports"))  # the session is saved once after logging in
    limits_set(item=world["contactor"], warehouse=world["bin_a"], minimum="10")  # one alert to begin with
    before = counts()
    category = world["contactor"].category
    for n in range(30):
        item = Item.objects.create(code=f"X-{n:03d}", name=f"备件{n}", unit="个", category=category, unit_cost=D("3"))
        warehouse = (world["bin_a"], world["bin_b"], world["ward"])[n % 3]
        post([Line(item=item, warehouse=warehouse, quantity=D("5"), unit_cost=D("3"), kind=MovementKind.RECEIPT)],
             at=at("2026-01-06 10:00"))  # fmt: skip
        limits_set(item=item, warehouse=warehouse, minimum="10")
    issue(world["order"], world["tech"], [(Item.objects.get(code="X-000"), world["bin_a"], "1")], world["keeper"].user,
          "2026-04-01 10:00")  # fmt: skip
    assert counts() == before
