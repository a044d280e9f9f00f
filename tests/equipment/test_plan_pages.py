"""The plan pages as a team lead uses them: the list with each plan's schedule and next due date, a
plan's page with its checklist, items, next due dates and what became of past ones, "generate now",
and the month calendar of due work; a requester sees none of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from equipment.models import Category as EquipmentCategory
from equipment.models import ChecklistItem, ChecklistTemplate, Equipment, MaintenancePlan
from logistics.common.models import OutboxMessage
from logistics.org.models import Campus, Location, Staff, Team
from logistics.org.services import roles_sync
from workorders.maintenance import plan_generate
from workorders.models import Category, Occurrence
from workorders.tasks import plans_generate_task

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def plans(make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    room = Location.objects.create(campus=campus, code="PUMP", name="水泵房")
    team = Team.objects.create(code="water", name="水电班")
    lead = Staff.objects.create(employee_no="1", name="班长", team=team, user=make_user("lead", roles=("team_lead",)))
    pumps = EquipmentCategory.objects.create(code="PUMP", name="水泵")
    items = [Equipment.objects.create(code=f"P-{n}", name=f"{n}号水泵", category=pumps, location=room) for n in (1, 2)]
    Category.objects.create(code="water", name="水电", team=team).equipment_categories.add(pumps)
    checklist = ChecklistTemplate.objects.create(name="水泵巡检")
    ChecklistItem.objects.create(template=checklist, label="出口压力", kind="measure", unit="MPa", min_value=0.3,
                                 max_value=0.6)  # fmt: skip
    today = timezone.localdate()
    weekly = MaintenancePlan.objects.create(
        code="PUMP-W", name="水泵周巡检", kind="inspection", category=pumps, schedule="interval", interval=1,
        interval_unit="week", start_date=today - dt.timedelta(days=14), checklist=checklist, team=team,
    )  # fmt: skip
    rounds = MaintenancePlan.objects.create(
        code="PUMP-CAL", name="水泵月末保养", kind="maintenance", schedule="calendar", month_days=[31],
        start_date=today - dt.timedelta(days=60), team=team,
    )  # fmt: skip
    rounds.equipment.add(items[0])
    return dict(lead=lead, weekly=weekly, rounds=rounds, items=items, today=today)


def test_the_plan_list_shows_schedules_and_next_due_dates(plans, client_as):
    html = client_as(plans["lead"].user).get(reverse("equipment:plans"), **EN).content.decode()
    assert "水泵周巡检" in html and "every 1 weeks, from the due date" in html
    next_week = plans["today"] + dt.timedelta(days=7)
    assert plans["today"].isoformat() in html or next_week.isoformat() in html
    assert "days 31 of the month" in html


def test_generate_now_makes_the_due_order_and_the_plan_page_shows_it(plans, client_as):
    client = client_as(plans["lead"].user)
    page = reverse("equipment:plan_detail", args=[plans["weekly"].pk])
    html = client.get(page, **EN).content.decode()
    assert "出口压力" in html and "0.3–0.6 MPa" in html and "2 items covered" in html
    assert "Nothing has fallen due yet." in html
    response = client.post(reverse("equipment:plan_generate", args=[plans["weekly"].pk]), **EN)
    assert response.status_code == 302
    message = OutboxMessage.objects.get(task_name="workorders.plans_generate")
    assert message.args == [[plans["weekly"].pk]]
    assert plans_generate_task(*message.args) == 1  # what the worker runs
    assert plans_generate_task(*message.args) == 0  # and again: nothing twice
    html = client.get(page, **EN).content.decode()
    order = Occurrence.objects.filter(plan=plans["weekly"]).first().work_order
    assert html.count(order.number) == 2 and 'data-state="open"' in html


def test_the_calendar_shows_recorded_and_planned_work(plans, client_as):
    plan_generate(plans["weekly"], plans["today"])
    month = plans["today"].replace(day=1)
    html = client_as(plans["lead"].user).get(reverse("equipment:plan_calendar") + f"?month={month:%Y-%m}", **EN)
    html = html.content.decode()
    today_cell = html.split(f'data-day="{plans["today"]:%Y-%m-%d}"')[1].split("</td>")[0]
    assert "水泵周巡检" in today_cell and 'text-bg-primary">2<' in today_cell  # two items due today
    following = plans["today"] + dt.timedelta(days=7)
    if following.month == month.month:
        later = html.split(f'data-day="{following:%Y-%m-%d}"')[1].split("</td>")[0]
        assert 'border">2<' in later  # planned, no order yet
    bad = client_as(plans["lead"].user).get(reverse("equipment:plan_calendar") + "?month=2026-13", **EN)
    assert bad.status_code == 200  # an impossible month shows the current one


def test_a_requester_sees_no_plans(plans, client_as, make_user):
    client = client_as(make_user("nurse", roles=("requester",)))
    assert client.get(reverse("equipment:plans")).status_code == 403
    assert client.post(reverse("equipment:plan_generate", args=[plans["weekly"].pk])).status_code == 403
    assert not OutboxMessage.objects.filter(task_name="workorders.plans_generate").exists()


def test_the_item_page_shows_its_plans_and_maintenance_history(plans, client_as):
    [order] = plan_generate(plans["weekly"], plans["today"]).orders
    html = client_as(plans["lead"].user).get(reverse("equipment:detail", args=[plans["items"][0].pk]), **EN)
    panel = html.content.decode().split('id="equipment-maintenance"')[1]
    assert "水泵周巡检" in panel and "水泵月末保养" in panel  # by category and listed
    assert order.number in panel and 'data-state="open"' in panel
    other = client_as(plans["lead"].user).get(reverse("equipment:detail", args=[plans["items"][1].pk]), **EN)
    assert "水泵月末保养" not in other.content.decode().split('id="equipment-maintenance"')[1]
