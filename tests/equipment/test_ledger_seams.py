"""The equipment ledger where it meets work orders: an item's label opens its page on a phone with
"report a fault"; the order carries the item, its place and department; the technician checks in by
the item's label; the item's status follows the repair with the order's number in its history;
dispatch rules match by equipment category (a parent category covers its children)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from equipment.models import Category as EquipmentCategory
from equipment.models import Equipment, StatusChange
from equipment.services import equipment_status_set
from logistics.common.errors import DomainError
from logistics.org.models import Campus, Department, Location, Staff, Team
from logistics.org.services import roles_sync
from workorders.models import Category, DispatchRule
from workorders.services import (
    work_order_accept,
    work_order_arrive,
    work_order_cancel,
    work_order_complete,
    work_order_create,
    work_order_dispatch,
    work_order_start,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    icu = Department.objects.create(campus=campus, code="ICU", name="重症医学科")
    plant = Location.objects.create(campus=campus, code="PLANT", name="制冷机房", kind="plant_room", department=icu)
    other = Location.objects.create(campus=campus, code="ROOF", name="屋顶")
    team = Team.objects.create(code="hvac", name="空调班")
    tech = Staff.objects.create(employee_no="2", name="张师傅", team=team,
                                user=make_user("tech", roles=("technician",)))  # fmt: skip
    nurse = Staff.objects.create(employee_no="9", name="护士长", user=make_user("nurse", roles=("requester",)))
    hvac = EquipmentCategory.objects.create(code="HVAC", name="暖通空调")
    chiller_cat = EquipmentCategory.objects.create(code="CHILLER", name="冷水机组", parent=hvac)
    chiller = Equipment.objects.create(code="CH-01", name="1号冷水机组", category=chiller_cat, location=plant,
                                       department=icu, maintainer_team=team)  # fmt: skip
    fan = Equipment.objects.create(code="FAN-01", name="屋顶风机", category=hvac, location=other)
    repair = Category.objects.create(code="hvac", name="空调", team=team)
    return dict(campus=campus, icu=icu, plant=plant, other=other, team=team, tech=tech, nurse=nurse, hvac=hvac,
                chiller_cat=chiller_cat, chiller=chiller, fan=fan, repair=repair)  # fmt: skip


def test_the_label_opens_the_item_with_report_a_fault_prefilled(world, client_as):
    client = client_as(world["nurse"].user)
    chiller = world["chiller"]
    scanned = client.get(reverse("scan") + f"?code=http://old-host/e/{chiller.qr_token}")
    assert scanned.status_code == 302 and scanned["Location"] == f"/e/{chiller.qr_token}"
    landing = client.get(f"/e/{chiller.qr_token}", **EN).content.decode()
    assert "1号冷水机组" in landing and "Report a fault on this item" in landing
    form = client.get(reverse("workorders:new") + f"?equipment={chiller.qr_token}", **EN).content.decode()
    assert 'id="report-item"' in form and f'value="{world["plant"].pk}" selected' in form

    def chosen_category(html: str) -> bool:
        choices = html.split('name="category"')[1].split("</select>")[0]
        return f'value="{world["repair"].pk}" selected' in choices

    assert not chosen_category(form)  # no mapping: the reporter chooses
    world["repair"].equipment_categories.add(world["hvac"])  # HVAC work covers chillers below it
    assert chosen_category(client.get(reverse("workorders:new") + f"?equipment={chiller.qr_token}").content.decode())
    assert client.get("/e/NOPE", **EN).status_code == 404


def test_the_item_status_follows_its_repair_and_keeps_the_order_number(world):
    chiller, tech = world["chiller"], world["tech"]
    wo = work_order_create(category=world["repair"], title="冷机跳闸", equipment=chiller, requester=world["nurse"])
    assert (wo.location, wo.department) == (world["plant"], world["icu"])  # taken from the item
    chiller.refresh_from_db()
    assert chiller.status == "faulty"
    work_order_dispatch(work_order=wo, assignee=tech)
    work_order_accept(work_order=wo, technician=tech)
    with translation.override("en"), pytest.raises(DomainError, match="this order is for"):
        work_order_arrive(work_order=wo, technician=tech, scanned_equipment=world["fan"])
    work_order_arrive(work_order=wo, technician=tech, scanned_equipment=chiller)
    work_order_start(work_order=wo, technician=tech)
    chiller.refresh_from_db()
    assert chiller.status == "under_repair"
    work_order_complete(work_order=wo, technician=tech, findings="压缩机过载保护", labour_minutes=90)
    history = list(StatusChange.objects.filter(equipment=chiller).values_list("to_status", "reference"))
    assert history == [("faulty", wo.number), ("under_repair", wo.number), ("in_service", wo.number)]


def test_a_cancelled_repair_gives_the_item_back_its_status_unless_another_repair_holds_it(world):
    chiller, tech, nurse = world["chiller"], world["tech"], world["nurse"]
    mistaken = work_order_create(category=world["repair"], title="冷机异响", equipment=chiller, requester=nurse)
    work_order_dispatch(work_order=mistaken, assignee=tech)
    work_order_accept(work_order=mistaken, technician=tech)
    work_order_arrive(work_order=mistaken, technician=tech, scanned_equipment=chiller)
    work_order_start(work_order=mistaken, technician=tech)
    work_order_cancel(work_order=mistaken, reason="误报：声音正常", actor=nurse.user)
    chiller.refresh_from_db()
    assert chiller.status == "in_service"  # not left faulty by a report that was withdrawn
    assert StatusChange.objects.filter(equipment=chiller).last().reference == mistaken.number

    first = work_order_create(category=world["repair"], title="冷机跳闸", equipment=chiller, requester=nurse)
    second = work_order_create(category=world["repair"], title="冷机又跳闸", equipment=chiller, requester=nurse)
    work_order_cancel(work_order=second, reason="重复报修", actor=nurse.user)
    chiller.refresh_from_db()
    assert chiller.status == "faulty"  # the first report is still open
    work_order_cancel(work_order=first, reason="已自行恢复", actor=nurse.user)
    chiller.refresh_from_db()
    assert chiller.status == "in_service"

    equipment_status_set(equipment=chiller, status="out_of_service", reason="停用检修")
    parked = work_order_create(category=world["repair"], title="停用期间报修", equipment=chiller, requester=nurse)
    work_order_cancel(work_order=parked, reason="停用中", actor=nurse.user)
    chiller.refresh_from_db()
    assert chiller.status == "out_of_service"  # back to what it was, not to in service


def test_a_retired_item_keeps_its_status(world):
    fan = world["fan"]
    assert equipment_status_set(equipment=fan, status="retired", reason="报废") is True
    assert equipment_status_set(equipment=fan, status="retired") is False
    with pytest.raises(DomainError):
        equipment_status_set(equipment=fan, status="in_service")
    with pytest.raises(DomainError):
        equipment_status_set(equipment=world["chiller"], status="broken")


def test_dispatch_rules_match_by_equipment_category_and_its_children(world):
    vendor_team = Team.objects.create(code="vendor-desk", name="外委组")
    rule = DispatchRule.objects.create(name="冷机归外委", team=vendor_team, person=world["tech"], strategy="fixed")
    rule.equipment_categories.add(world["hvac"])  # the parent category
    on_chiller = work_order_create(category=world["repair"], title="冷机异响", equipment=world["chiller"])
    assert (on_chiller.assignee, on_chiller.auto_dispatched) == (world["tech"], True)
    without_item = work_order_create(category=world["repair"], title="房间太热", location=world["other"])
    assert without_item.assignee is None  # the rule asks for equipment


def test_the_item_page_lists_its_work_orders(world, client_as, make_user):
    wo = work_order_create(category=world["repair"], title="冷机跳闸", equipment=world["chiller"])
    page = client_as(world["tech"].user).get(reverse("equipment:detail", args=[world["chiller"].pk]), **EN)
    html = page.content.decode()
    assert page.status_code == 200 and wo.number in html and "Faulty" in html
    assert (
        client_as(world["nurse"].user).get(reverse("equipment:detail", args=[world["chiller"].pk])).status_code == 403
    )
