"""Preventive maintenance makes its orders on time and never twice: one order per plan occurrence with
one checklist per item, idempotent under reruns and two workers at once (PostgreSQL); a date the next
one overtook is missed; completion needs the checklist and counts the plan from that day; a failed
check opens a repair order; certificates are reminded at 30 and 7 days, once each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from equipment.models import Category as EquipmentCategory
from equipment.models import Certificate, ChecklistItem, ChecklistTemplate, Equipment, MaintenancePlan
from equipment.schedules import add_months
from equipment.services import certificate_reminders_send
from logistics.common.errors import DomainError
from logistics.notifications.models import Notification
from logistics.org.models import Building, Campus, Department, Location, Staff, Team
from logistics.org.services import roles_sync
from tests.conftest import race
from workorders.maintenance import occurrences_mark_missed, plan_generate, plans_generate
from workorders.models import Category, ChecklistEntry, Occurrence, WorkOrder
from workorders.services import (
    work_order_accept,
    work_order_arrive,
    work_order_complete,
    work_order_dispatch,
    work_order_start,
)

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 22)


@pytest.fixture
def site(make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    other_campus = Campus.objects.create(code="EAST", name="东院")
    block = Building.objects.create(campus=campus, code="B1", name="1号楼")
    icu = Department.objects.create(campus=campus, code="ICU", name="重症医学科")
    plant = Location.objects.create(campus=campus, building=block, code="PLANT", name="制冷机房", department=icu)
    east = Location.objects.create(campus=other_campus, code="E-PLANT", name="东院机房")
    team = Team.objects.create(code="hvac", name="空调班")
    lead = Staff.objects.create(employee_no="1", name="班长", team=team, user=make_user("lead", roles=("team_lead",)))
    team.lead = lead
    team.save()
    tech = Staff.objects.create(employee_no="2", name="张师傅", team=team,
                                user=make_user("tech", roles=("technician",)))  # fmt: skip
    hvac = EquipmentCategory.objects.create(code="HVAC", name="暖通空调")
    ahu = EquipmentCategory.objects.create(code="AHU", name="空调机组", parent=hvac)
    items = [
        Equipment.objects.create(code=f"AHU-{n}", name=f"{n}号空调机组", category=ahu, location=plant, department=icu)
        for n in (1, 2, 3)
    ]
    far = Equipment.objects.create(code="AHU-E1", name="东院空调机组", category=ahu, location=east)
    general = Category.objects.create(code="general", name="综合维修", team=team, order=9)
    hvac_orders = Category.objects.create(code="hvac", name="空调", team=team, order=1)
    hvac_orders.equipment_categories.add(hvac)
    checklist = ChecklistTemplate.objects.create(name="空调机组月保")
    ChecklistItem.objects.create(template=checklist, order=1, label="皮带张紧", kind="check")
    ChecklistItem.objects.create(template=checklist, order=2, label="送风温度", kind="measure", unit="°C",
                                 min_value=Decimal("12"), max_value=Decimal("18"))  # fmt: skip
    ChecklistItem.objects.create(template=checklist, order=3, label="备注", kind="text", required=False)
    return dict(campus=campus, block=block, plant=plant, icu=icu, team=team, lead=lead, tech=tech, hvac=hvac, ahu=ahu,
                items=items, far=far, general=general, hvac_orders=hvac_orders, checklist=checklist)  # fmt: skip


def monthly_plan(site, **kw) -> MaintenancePlan:
    fields = dict(code="PM-AHU", name="空调机组月度保养", kind="maintenance", category=site["ahu"],
                  campus=site["campus"], schedule="interval", interval=1, interval_unit="month", anchor="due",
                  start_date=D(2026, 1, 31), lead_days=3, checklist=site["checklist"], team=site["team"],
                  estimated_minutes=45)  # fmt: skip
    fields.update(kw)
    return MaintenancePlan.objects.create(**fields)


def test_a_category_plan_makes_one_order_per_due_date_with_a_checklist_per_item_at_its_place(site):
    plan = monthly_plan(site)
    assert plan_generate(plan, D(2026, 11, 26)).orders == []  # due 30 Nov, made 3 days ahead: not yet
    result = plan_generate(plan, D(2026, 11, 27))
    [order] = result.orders
    assert order.kind == "maintenance" and order.origin == "plan" and order.category == site["hvac_orders"]
    assert order.team == site["team"] and order.assignee is None  # made ahead: waits in the team's queue
    assert order.location == site["plant"] and order.department == site["icu"] and order.equipment is None
    assert order.resolution_due.astimezone().date() == D(2026, 12, 1) and order.response_due is None
    assert "AHU-1" in order.description and "AHU-E1" not in order.description  # the other campus is not in scope
    occurrences = Occurrence.objects.filter(work_order=order)
    assert sorted(o.equipment.code for o in occurrences) == ["AHU-1", "AHU-2", "AHU-3"]
    assert {o.due_date for o in occurrences} == {D(2026, 11, 30)}
    assert ChecklistEntry.objects.filter(occurrence__work_order=order).count() == 9
    assert list(ChecklistEntry.objects.filter(occurrence=occurrences[0]).values_list("label", "unit")) == [
        ("皮带张紧", ""), ("送风温度", "°C"), ("备注", "")]  # fmt: skip


def test_rerunning_generation_makes_nothing_twice_and_a_new_item_joins_with_its_own_order(site):
    plan = monthly_plan(site)
    first = plans_generate(D(2026, 11, 28))
    assert len(first.orders) == 1 and first.occurrences == 3
    again = plans_generate(D(2026, 11, 28))
    assert again.orders == [] and again.occurrences == 0
    assert WorkOrder.objects.count() == 1 and Occurrence.objects.count() == 3
    Equipment.objects.create(code="AHU-4", name="4号空调机组", category=site["ahu"], location=site["plant"])
    late = plan_generate(plan, D(2026, 11, 29))
    assert [o.equipment.code for o in late.orders] == ["AHU-4"]  # one item: the order names it
    assert Occurrence.objects.filter(plan=plan, due_date=D(2026, 11, 30)).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_workers_generating_at_once_make_each_order_once(site):
    monthly_plan(site)
    monthly_plan(site, code="PM-AHU-2", name="空调机组巡检", kind="inspection", interval=1, interval_unit="day",
                 start_date=D(2026, 11, 1), lead_days=0)  # fmt: skip
    outcomes = race(*[lambda: plans_generate(D(2026, 11, 28)) for _ in range(3)])
    assert outcomes == ["ok", "ok", "ok"]
    # the monthly plan (due 30 Nov) and the daily inspection (due 28 Nov): one order each
    assert WorkOrder.objects.count() == 2
    assert Occurrence.objects.count() == 6
    assert sorted(WorkOrder.objects.values_list("kind", flat=True)) == ["inspection", "maintenance"]


def test_catching_up_after_an_outage_records_the_overtaken_dates_as_missed_without_orders(site):
    plan = monthly_plan(site, code="DAILY", interval=1, interval_unit="day", start_date=D(2026, 11, 1), lead_days=0)
    plan_generate(plan, D(2026, 11, 18))
    assert WorkOrder.objects.count() == 1
    result = plan_generate(plan, D(2026, 11, 22))  # the generator did not run 19–21 November
    assert len(result.orders) == 1 and result.missed == 9
    assert set(Occurrence.objects.filter(state="missed").values_list("due_date", flat=True)) == {
        D(2026, 11, 19), D(2026, 11, 20), D(2026, 11, 21)}  # fmt: skip
    assert WorkOrder.objects.filter(occurrences__due_date=D(2026, 11, 22)).distinct().count() == 1
    assert result.orders[0].assignee is None  # nobody is on duty in this test: the team's queue


def test_an_occurrence_not_done_when_the_next_falls_due_is_missed_and_its_unstarted_order_cancelled(site):
    plan = monthly_plan(site, code="WEEKLY", interval=1, interval_unit="week", start_date=D(2026, 11, 2), lead_days=0)
    [order] = plan_generate(plan, D(2026, 11, 2)).orders
    assert occurrences_mark_missed(D(2026, 11, 8)) == 0  # the next one is due on the 9th
    assert occurrences_mark_missed(D(2026, 11, 9)) == 3
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert set(Occurrence.objects.values_list("state", flat=True)) == {"missed"}
    # a started order is left to be finished late; its occurrences stay missed with the time done
    [order] = plan_generate(plan, D(2026, 11, 9)).orders
    _work(order, site["tech"])
    occurrences_mark_missed(D(2026, 11, 16))
    order.refresh_from_db()
    assert order.status == "in_progress"
    _fill_all(order, site["tech"])
    work_order_complete(work_order=order, technician=site["tech"], findings="做完了")
    done = Occurrence.objects.filter(work_order=order)
    assert {o.state for o in done} == {"missed"} and all(o.done_at and not o.on_time for o in done)


def _work(order: WorkOrder, tech) -> None:
    work_order_dispatch(work_order=order, assignee=tech)
    work_order_accept(work_order=order, technician=tech)
    work_order_arrive(work_order=order, technician=tech, scanned_location=order.location)
    work_order_start(work_order=order, technician=tech)


def _fill_all(order: WorkOrder, tech) -> None:
    from workorders.checklists import checklist_entry_fill

    for entry in ChecklistEntry.objects.filter(occurrence__work_order=order, required=True):
        value = {"check": {"passed": True}, "measure": {"number": "15.5"}, "text": {"text": "正常"}}[entry.kind]
        checklist_entry_fill(entry=entry, actor=tech.user, technician=tech, **value)


def test_completing_needs_the_required_checklist_lines_and_counts_the_next_from_the_completion(site):
    plan = monthly_plan(site, code="FROMDONE", anchor="completion", interval=1, start_date=D(2026, 10, 31),
                        category=None, campus=None, lead_days=0)  # fmt: skip
    plan.equipment.add(site["items"][0])
    [order] = plan_generate(plan, D(2026, 11, 1)).orders  # never done: due from today
    assert order.equipment == site["items"][0] and order.title.startswith("空调机组月度保养 · 1号空调机组")
    assert plan_generate(plan, D(2026, 12, 5)).orders == []  # the current one is not done: nothing new
    _work(order, site["tech"])
    with translation.override("en"), pytest.raises(DomainError, match="checklist"):
        work_order_complete(work_order=order, technician=site["tech"], findings="做完了")
    _fill_all(order, site["tech"])
    work_order_complete(work_order=order, technician=site["tech"], findings="做完了")
    occurrence = Occurrence.objects.get(work_order=order)
    assert occurrence.state == "done" and occurrence.due_date == D(2026, 11, 1)
    done_on = timezone.localdate(occurrence.done_at)
    [following] = plan_generate(plan, done_on + dt.timedelta(days=40)).orders
    assert Occurrence.objects.get(work_order=following).due_date == add_months(done_on, 1)  # a month after the work


def test_a_failed_check_opens_a_repair_order_once_or_at_once_when_the_plan_says_so(site):
    from workorders.checklists import checklist_entry_fill, checklist_entry_repair

    plan = monthly_plan(site, lead_days=0)
    [order] = plan_generate(plan, D(2026, 11, 30)).orders
    _work(order, site["tech"])
    entry = ChecklistEntry.objects.get(occurrence__equipment=site["items"][1], label="送风温度")
    checklist_entry_fill(entry=entry, actor=site["tech"].user, technician=site["tech"], number="21.5")
    entry.refresh_from_db()
    assert entry.ok is False and entry.repair_order is None  # this plan asks first
    repair = checklist_entry_repair(entry=entry, actor=site["tech"].user)
    assert checklist_entry_repair(entry=entry, actor=site["tech"].user) == repair  # a second click: same order
    assert repair.kind == "repair" and repair.parent == order and repair.equipment == site["items"][1]
    assert "21.5" in repair.description and "12" in repair.description
    site["items"][1].refresh_from_db()
    assert site["items"][1].status == "faulty"
    plan.auto_repair = True
    plan.save()
    belt = ChecklistEntry.objects.get(occurrence__equipment=site["items"][2], label="皮带张紧")
    checklist_entry_fill(entry=belt, actor=site["tech"].user, technician=site["tech"], passed=False)
    belt.refresh_from_db()
    assert belt.repair_order is not None and belt.repair_order.equipment == site["items"][2]


def test_bad_checklist_values_are_refused_and_change_nothing(site):
    from workorders.checklists import checklist_entry_fill

    [order] = plan_generate(monthly_plan(site, lead_days=0), D(2026, 11, 30)).orders
    entry = ChecklistEntry.objects.filter(occurrence__work_order=order, kind="measure").first()
    with pytest.raises(DomainError):  # not started yet
        checklist_entry_fill(entry=entry, actor=site["tech"].user, technician=site["tech"], number="15")
    _work(order, site["tech"])
    for bad in ("", "abc", "NaN", "1e400"):
        with pytest.raises(DomainError):
            checklist_entry_fill(entry=entry, actor=site["tech"].user, technician=site["tech"], number=bad)
    other = Staff.objects.create(employee_no="3", name="路人", team=site["team"])
    with pytest.raises(DomainError):
        checklist_entry_fill(entry=entry, actor=None, technician=other, number="15")
    entry.refresh_from_db()
    assert entry.filled_at is None and entry.number is None


def test_certificates_are_reminded_at_30_and_7_days_and_on_expiry_once_each(site):
    item = site["items"][0]
    item.maintainer_team = site["team"]
    item.save()
    Certificate.objects.create(equipment=item, kind="特种设备检验", number="T-1", issued_on=D(2025, 12, 20),
                               expires_on=D(2026, 12, 20))  # fmt: skip
    lead_inbox = Notification.objects.filter(recipient=site["lead"].user)
    assert certificate_reminders_send(D(2026, 11, 19)) == 0  # 31 days ahead
    assert certificate_reminders_send(D(2026, 11, 20)) == 1
    assert certificate_reminders_send(D(2026, 11, 25)) == 0
    assert certificate_reminders_send(D(2026, 12, 13)) == 1
    assert certificate_reminders_send(D(2026, 12, 13)) == 0
    assert certificate_reminders_send(D(2026, 12, 21)) == 1
    titles = list(lead_inbox.order_by("pk").values_list("title", flat=True))
    assert len(titles) == 3 and "30" in titles[0]
    assert "7" in titles[1] and all("2026-12-20" in t for t in titles) and len(set(titles)) == 3


def test_the_technician_fills_the_checklist_on_the_order_page_and_a_bad_value_is_shown_not_saved(site, client_as):
    from django.urls import reverse

    [order] = plan_generate(monthly_plan(site, lead_days=0), D(2026, 11, 30)).orders
    page = reverse("workorders:detail", args=[order.pk])
    tech = client_as(site["tech"].user)
    before = tech.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="order-checklist"' in before and "0 of 9 filled" in before
    assert "checklist-save" not in before  # not started: nothing to fill yet
    _work(order, site["tech"])
    html = tech.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count('data-action="checklist-save"') == 9
    entry = ChecklistEntry.objects.get(occurrence__equipment=site["items"][0], label="送风温度")
    url = reverse("workorders:checklist_entry", args=[order.pk, entry.pk])
    bad = tech.post(url, {"number": "warm"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "Enter a number" in bad.content.decode()
    entry.refresh_from_db()
    assert entry.filled_at is None
    row = tech.post(url, {"number": "19.2"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-ok="no"' in row and "out of range" in row and "Open a repair order" in row
    repair = tech.post(reverse("workorders:checklist_repair", args=[order.pk, entry.pk]))
    assert repair.status_code == 302
    entry.refresh_from_db()
    assert entry.repair_order.equipment == site["items"][0]
    html = tech.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert entry.repair_order.number in html and "1 of 9 filled" in html and "1 failed" in html
    # someone who does not work the order cannot fill it
    nurse = client_as(site["lead"].user)
    other = ChecklistEntry.objects.filter(occurrence__work_order=order, kind="check").first()
    refused = nurse.post(reverse("workorders:checklist_entry", args=[order.pk, other.pk]), {"passed": "yes"})
    assert refused.status_code == 302
    other.refresh_from_db()
    assert other.filled_at is None


def test_an_order_over_many_items_folds_each_to_its_progress_and_opens_the_one_being_filled(site, client_as):
    import re

    from django.urls import reverse

    for n in range(4, 13):
        Equipment.objects.create(
            code=f"AHU-{n:02d}", name=f"{n}号空调机组", category=site["ahu"], location=site["plant"]
        )
    with translation.override("en"):
        [order] = plan_generate(monthly_plan(site, lead_days=0), D(2026, 11, 30)).orders
    # the description names ten items; the checklist names all twelve
    assert order.description.count("\n- ") == 10 and "and 2 more items: see the checklist" in order.description
    _work(order, site["tech"])
    tech = client_as(site["tech"].user)
    page = reverse("workorders:detail", args=[order.pk])

    def opened(html: str) -> list[str]:
        return re.findall(r'<details [^>]*data-item="([^"]+)" open>', html)

    html = tech.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count("<details ") == 12 and opened(html) == ["AHU-04"]  # one item at a time on the phone
    entries = ChecklistEntry.objects.filter(occurrence__equipment__code="AHU-3", required=True)
    for entry in entries:
        value = {"check": {"passed": "no"}, "measure": {"number": "15"}}[entry.kind]
        done = tech.post(reverse("workorders:checklist_entry", args=[order.pk, entry.pk]), value)
    html = tech.get(done["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert opened(html) == ["AHU-3"]  # back where the technician was
    summary = html.split('data-item="AHU-3"')[1].split("</summary>")[0]
    assert "2/3" in summary and "1 failed" in summary


def test_the_item_page_counts_the_planned_orders_that_covered_it_at_its_share(site, client_as):
    from django.urls import reverse

    from workorders.services import work_order_create

    [planned] = plan_generate(monthly_plan(site, lead_days=0), D(2026, 11, 30)).orders  # three items
    _work(planned, site["tech"])
    _fill_all(planned, site["tech"])
    work_order_complete(work_order=planned, technician=site["tech"], findings="保养完成", labour_minutes=90)
    repair = work_order_create(category=site["hvac_orders"], title="皮带断裂", equipment=site["items"][0],
                               auto_dispatch=False)  # fmt: skip
    _work(repair, site["tech"])
    work_order_complete(work_order=repair, technician=site["tech"], findings="更换皮带", labour_minutes=60)
    html = client_as(site["lead"].user).get(reverse("equipment:detail", args=[site["items"][0].pk]),
                                             HTTP_ACCEPT_LANGUAGE="en").content.decode()  # fmt: skip
    totals = html.split('id="equipment-order-totals">')[1].split("</p>")[0]
    assert "2 orders" in totals and "labour 90 min" in totals  # 60 for its repair + 90 / 3 for the plan
    assert planned.number in html and repair.number in html and "count at this item's share" in html
