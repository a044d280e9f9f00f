"""The parts loop of a work order in a real browser, on phones: the technician asks for three
contactors from a bin on the order's page (search, add, quantity, send: the stock is reserved); the
keeper approves the line in the queue and issues it on the requisition's page; the technician
completes the order, whose page shows the parts cost; he returns one unused contactor and the cost
drops by its price while the stock comes back. Screenshots of every step go to test-artifacts/."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from logistics.org.models import Campus, Staff, Team
from logistics.org.roles import TECHNICIAN, WAREHOUSE_KEEPER
from logistics.org.services import roles_sync
from spareparts.models import Balance, Item, ItemCategory, Requisition, Warehouse
from spareparts.services import receipt_post
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import PASSWORD, PHONE, phone_logged_in
from workorders.models import Category
from workorders.services import (
    work_order_accept,
    work_order_arrive,
    work_order_create,
    work_order_dispatch,
    work_order_start,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def _shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"parts-{name}.png"), full_page=True)


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _world(make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    store = Warehouse.objects.create(code="MAIN", name="本部总库", campus=campus)
    bin_a = Warehouse.objects.create(code="MAIN-A1", name="A1货架", kind="bin", campus=campus, parent=store)
    keeper = Staff.objects.create(employee_no="K1", name="库管员",
                                  user=make_user("keeper", password=PASSWORD, roles=(WAREHOUSE_KEEPER,)))  # fmt: skip
    store.keepers.add(keeper)
    team = Team.objects.create(code="water", name="水电班")
    tech = Staff.objects.create(employee_no="T1", name="李师傅", team=team,
                                user=make_user("tech", password=PASSWORD, roles=(TECHNICIAN,)))  # fmt: skip
    electrical = ItemCategory.objects.create(code="ELEC", name="电气配件")
    contactor = Item.objects.create(code="P-0001", name="交流接触器", specification="CJX2-1810 220V", unit="个",
                                    category=electrical, barcode="6901234567892", unit_cost=Decimal("45"))  # fmt: skip
    receipt_post(warehouse=bin_a, lines=[(contactor, "5", "45")], actor=keeper.user)
    category = Category.objects.create(code="water_electric", name="水电", team=team)
    order = work_order_create(category=category, title="配电箱跳闸", auto_dispatch=False)
    work_order_dispatch(work_order=order, assignee=tech)
    work_order_accept(work_order=order, technician=tech)
    work_order_arrive(work_order=order, technician=tech)
    work_order_start(work_order=order, technician=tech)
    return dict(bin_a=bin_a, contactor=contactor, order=order)


def _stock(world) -> Balance:
    return Balance.objects.get(item=world["contactor"], warehouse=world["bin_a"])


def test_request_approve_issue_complete_and_return_parts(browser, live_server, transactional_db, make_user):
    world = _world(make_user)
    order = world["order"]
    order_url = f"{live_server.url}/workorders/{order.pk}/"

    # 1. The technician finds the contactor from his phone, takes three from bin A1 and sends the request.
    tech = phone_logged_in(browser, live_server, "tech")
    tech.goto(order_url)
    tech.fill("#parts-q", "接触器")
    found = tech.locator('#parts-results [data-part="P-0001"]')
    found.wait_for()
    assert "5 个" in found.locator('[data-stock="MAIN-A1"]').inner_text()
    found.locator('[data-add="MAIN-A1"]').click()
    tech.locator('#parts-draft [data-draft-line="P-0001"]').wait_for()
    tech.fill("#draft-qty-0", "3")
    tech.fill("#parts-note", "下午来取")
    _fits_the_phone(tech)
    _shot(tech, "1-request")
    tech.click("#parts-submit")
    tech.locator("#parts-notice").wait_for()
    requisition = Requisition.objects.get()
    assert requisition.number in tech.locator("#parts-notice").inner_text()
    assert tech.locator('#parts-panel [data-line-state="pending"]').count() == 1
    assert _stock(world).reserved == 3
    _shot(tech, "2-requested")

    # 2. The keeper sees it in his queue, approves it there, and issues it from the requisition's page.
    keeper = phone_logged_in(browser, live_server, "keeper")
    keeper.goto(f"{live_server.url}/spareparts/requisitions/")
    card = keeper.locator(f'[data-requisition="{requisition.number}"]')
    assert "配电箱跳闸" in card.inner_text() and "李师傅" in card.inner_text()
    _fits_the_phone(keeper)
    _shot(keeper, "3-queue")
    card.locator('[data-action="approve"]').click()
    keeper.locator(f'[data-requisition="{requisition.number}"] [data-action="issue"]').wait_for()
    keeper.click(f'[data-requisition="{requisition.number}"] a[href$="/spareparts/requisitions/{requisition.pk}/"]')
    keeper.wait_for_url(re.compile(rf"/spareparts/requisitions/{requisition.pk}/$"))
    assert keeper.locator('[data-line-state="approved"] [data-approved]').inner_text() == "3"
    _shot(keeper, "4-to-issue")
    keeper.click('button[data-action="issue"]')
    keeper.locator('[data-line-state="issued"]').wait_for()
    assert "¥135.00" in keeper.locator("#requisition-charged").inner_text()
    _fits_the_phone(keeper)
    _shot(keeper, "5-issued")
    assert _stock(world).on_hand == 2 and _stock(world).reserved == 0

    # 3. The technician completes the order: its page shows the parts cost.
    tech.goto(order_url)
    assert tech.locator("#parts-cost").inner_text().strip() == "¥135.00"
    tech.click('button[data-action="complete"]')
    tech.fill("#complete_findings", "接触器线圈烧毁")
    tech.fill("#complete_actions", "更换交流接触器")
    tech.fill("#complete_labour_minutes", "40")
    tech.click('button[data-submit="complete"]')
    tech.locator("#order-result").wait_for()
    assert "135.00" in tech.locator("#order-result").inner_text()
    order.refresh_from_db()
    assert (order.status, order.parts_cost) == ("completed", Decimal("135.00"))
    _shot(tech, "6-completed")

    # 4. One contactor was not needed: he returns it; the cost drops by its price, the stock is back.
    line = requisition.lines.get()
    tech.click(f'#parts-line-{line.pk} [data-action="return"]')
    tech.fill(f"#return-qty-{line.pk}", "1")
    tech.fill(f"#return-reason-{line.pk}", "多领了一个")
    tech.click(f'#return-{line.pk} [data-submit="return"]')
    tech.locator(".alert-success").wait_for()
    assert tech.locator("#parts-cost").inner_text().strip() == "¥90.00"
    assert "90.00" in tech.locator("#order-result").inner_text()
    assert tech.locator(f"#parts-line-{line.pk} [data-returned]").inner_text() == "1"
    _fits_the_phone(tech)
    _shot(tech, "7-returned")
    order.refresh_from_db()
    assert order.parts_cost == Decimal("90.00")
    assert _stock(world).on_hand == 3 and _stock(world).value == Decimal("135.00")
