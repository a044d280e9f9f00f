"""An item's QR label in a real browser on a phone: the nurse's camera opens the label's URL, she
reports a fault on the item and the order carries the item, its place and its department; the item
turns faulty in the ledger. The technician who accepted the order scans the printed URL into /scan/,
lands on the same page and finds "I have arrived" there. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from equipment.models import Category as EquipmentCategory
from equipment.models import Equipment
from logistics.org.models import Building, Campus, Department, Floor, Location, Staff, Team
from logistics.org.roles import REQUESTER, TECHNICIAN
from logistics.org.services import roles_sync
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import PASSWORD, PHONE, phone_logged_in
from workorders.models import Category, WorkOrder
from workorders.services import work_order_accept, work_order_dispatch

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def _world(make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    building = Building.objects.create(campus=campus, code="B1", name="住院楼")
    floor = Floor.objects.create(building=building, code="F3", name="3F")
    cardiology = Department.objects.create(campus=campus, code="CARD", name="心内科", kind="ward")
    emergency = Department.objects.create(campus=campus, code="EMER", name="急诊科", kind="emergency")
    room = Location.objects.create(campus=campus, building=building, floor=floor, code="3C-07",
                                   name="3C-07治疗室", department=cardiology)  # fmt: skip
    team = Team.objects.create(code="hvac", name="空调班")
    tech = Staff.objects.create(employee_no="101", name="张师傅", team=team,
                                user=make_user("tech", password=PASSWORD, roles=(TECHNICIAN,)))  # fmt: skip
    # A nurse of another department reports: the order's department must come from the item.
    Staff.objects.create(employee_no="9", name="护士长", department=emergency,
                         user=make_user("nurse", password=PASSWORD, roles=(REQUESTER,)))  # fmt: skip
    fan_coils = EquipmentCategory.objects.create(code="FCU", name="风机盘管")
    item = Equipment.objects.create(code="FCU-3C-07", name="治疗室风机盘管", category=fan_coils, location=room,
                                    department=cardiology, maintainer_team=team)  # fmt: skip
    hvac = Category.objects.create(code="hvac", name="空调暖通", team=team)
    return dict(room=room, cardiology=cardiology, tech=tech, item=item, hvac=hvac)


def _shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"equipment-scan-{name}.png"), full_page=True)


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_scan_an_item_label_report_a_fault_then_arrive_by_it(browser, live_server, transactional_db, make_user,
                                                           settings):  # fmt: skip
    settings.PUBLIC_BASE_URL = "https://logistics.hospital.example"  # printed labels name the public host
    world = _world(make_user)
    item, room = world["item"], world["room"]
    landing = f"{live_server.url}/e/{item.qr_token}"
    printed = settings.PUBLIC_BASE_URL + reverse("equipment_landing", args=[item.qr_token])

    # 1. The nurse's camera opens the label (its path on this server: the host printed is the public one).
    nurse = phone_logged_in(browser, live_server, "nurse")
    nurse.goto(landing)
    assert nurse.inner_text("#equipment-name").strip() == "治疗室风机盘管"
    card = nurse.locator(".card", has=nurse.locator("#equipment-name")).inner_text()
    assert "FCU-3C-07" in card and "3C-07治疗室" in card and "住院楼" in card
    assert nurse.locator('[data-action="workorders.arrive_at_item"]').count() == 0  # no order of hers
    _fits_the_phone(nurse)
    _shot(nurse, "landing")

    # 2. "Report a fault on this item", by its zh-hans text: the form names the item and its place.
    nurse.get_by_role("link", name="报修此设备").click()
    nurse.wait_for_url(re.compile(r"/workorders/new/\?equipment="))
    assert "治疗室风机盘管" in nurse.inner_text("#report-item")
    assert "3C-07治疗室" in nurse.inner_text("#report-place")
    assert nurse.input_value("select[name=location]") == str(room.pk)
    assert nurse.input_value("input[name=equipment]") == item.qr_token
    nurse.select_option("select[name=category]", str(world["hvac"].pk))
    nurse.fill("input[name=title]", "风机盘管不出风")
    nurse.fill("textarea[name=description]", "开机后风机不转，治疗室很闷")
    _fits_the_phone(nurse)
    _shot(nurse, "report")
    nurse.click("#report-submit")
    nurse.wait_for_url(re.compile(r"/workorders/\d+/$"))

    # 3. The order's page shows the item, the place and the item's department.
    wo = WorkOrder.objects.get()
    assert (wo.equipment, wo.location, wo.department) == (item, room, world["cardiology"])
    assert wo.number in nurse.inner_text("#order-number")
    assert "治疗室风机盘管" in nurse.inner_text("#order-equipment")
    assert "FCU-3C-07" in nurse.inner_text("#order-equipment")
    facts = nurse.locator("#order-facts")
    assert "3C-07治疗室" in facts.locator("dt:text-is('地点') + dd").inner_text()
    assert facts.locator("dt:text-is('科室') + dd").inner_text().strip() == "心内科"
    _fits_the_phone(nurse)
    _shot(nurse, "order")
    item.refresh_from_db()
    assert item.status == Equipment.Status.FAULTY  # the ledger follows the repair
    assert item.status_changes.get().reference == wo.number

    # 4. The technician who accepted it scans the same label on arrival, the printed URL through the
    #    scan page: the resolver sends him to the same landing page, now with "I have arrived".
    work_order_dispatch(work_order=wo, assignee=world["tech"])
    work_order_accept(work_order=wo, technician=world["tech"])
    tech = phone_logged_in(browser, live_server, "tech")
    tech.goto(f"{live_server.url}/scan/?code={quote(printed, safe='')}")
    tech.wait_for_url(landing)
    assert "故障" in tech.inner_text("#equipment-name + p .badge")
    _fits_the_phone(tech)
    _shot(tech, "technician")
    tech.get_by_role("link", name="我已到达工单现场").click()
    tech.click(f'[data-order="{wo.number}"] button[type=submit]')
    tech.locator('button[data-action="start"]').wait_for()
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.ON_SITE
