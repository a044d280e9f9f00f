"""The equipment part of ``seed_demo --scale small``: a ledger of a couple of thousand items in every
category and status whose histories agree with their repairs, certificates that need renewing, plans
of every schedule kind with a year of occurrences, planned orders and checklists that agree, KPIs
worth looking at, a morning job that finds nothing to redo, and a second run that adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from equipment.kpis import equipment_kpis
from equipment.models import (
    Category,
    Certificate,
    ChecklistItem,
    ChecklistTemplate,
    Equipment,
    MaintenancePlan,
    Parameter,
    StatusChange,
)
from equipment.schedules import next_due_after
from equipment.selectors import plan_equipment
from equipment.services import certificate_reminders_send
from workorders.maintenance import occurrences_mark_missed, plans_generate
from workorders.maintenance_kpis import maintenance_kpis
from workorders.models import ChecklistEntry, EventKind, Occurrence, WorkOrder, WorkOrderEvent
from workorders.states import OPEN

pytestmark = pytest.mark.django_db

S = Equipment.Status
TABLES = (Category, Parameter, Equipment, StatusChange, Certificate, ChecklistTemplate, ChecklistItem,
          MaintenancePlan, MaintenancePlan.equipment.through, Occurrence, ChecklistEntry)  # fmt: skip


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", scale="small", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> dt.datetime:
    """The demo, loaded once for this module (a few seconds); each test's own changes roll back
    after it (the ``django_db`` mark nests a savepoint inside), the demo at the module's end.
    Yields when it was loaded."""
    with django_db_blocker.unblock(), transaction.atomic():
        loaded = timezone.now()
        _seed()
        yield loaded
        transaction.set_rollback(True)


def _user(username: str):
    return get_user_model().objects.get(username=username)


def test_a_ledger_of_every_category_place_and_status(seeded):
    items = Equipment.objects.all()
    assert 2000 <= items.count() <= 2600
    leaves = Category.objects.filter(parent__isnull=False)
    assert set(items.values_list("category", flat=True)) == set(leaves.values_list("pk", flat=True))
    by_top = Counter(items.values_list("category__parent__code", flat=True))
    assert by_top["HVAC"] > by_top["ELEVATOR"] > 20 and len(by_top) >= 9
    assert items.values("location__campus").distinct().count() == 3
    assert items.values("location__building").distinct().count() >= 12
    assert items.values("department").distinct().count() >= 50
    assert not items.filter(maintainer_team__isnull=True).exists()
    assert items.filter(category__code="PASSENGER_LIFT").exclude(maintainer_vendor__isnull=True).exists()
    chiller = items.filter(category__code="CHILLER").first()
    assert chiller.model and chiller.manufacturer and chiller.serial and chiller.install_date < chiller.warranty_end
    assert set(chiller.parameters) == {"cooling_kw", "power_kw", "refrigerant"}

    statuses = Counter(items.values_list("status", flat=True))
    assert statuses[S.IN_SERVICE] > 0.95 * items.count()
    assert statuses[S.OUT_OF_SERVICE] > 0 and statuses[S.RETIRED] > 0
    assert statuses[S.FAULTY] + statuses[S.UNDER_REPAIR] > 0
    # an item that is down has the open repair order that put it there
    down = items.filter(status__in=[S.FAULTY, S.UNDER_REPAIR])
    assert not down.exclude(work_orders__kind=WorkOrder.Kind.REPAIR, work_orders__status__in=OPEN).exists()
    # each item's history is one chain of statuses that ends where the item is now
    history = defaultdict(list)
    for row in StatusChange.objects.order_by("equipment_id", "at", "pk").values_list(
        "equipment_id", "from_status", "to_status", "at"
    ):
        history[row[0]].append(row[1:])
    assert len(history) > 500
    now = {pk: (status, since) for pk, status, since in items.values_list("pk", "status", "status_since")}
    for pk, changes in history.items():
        assert all(a[1] == b[0] for a, b in pairwise(changes)), pk
        assert (changes[-1][1], changes[-1][2]) == now[pk]
        assert changes[-1][2] <= timezone.now()


def test_repairs_of_items_match_their_orders(seeded):
    changes = StatusChange.objects.exclude(reference="")
    orders = {wo.number: wo for wo in WorkOrder.objects.filter(number__in=changes.values("reference"))}
    assert len(orders) > 300
    starts = WorkOrderEvent.objects.filter(kind=EventKind.STARTED, work_order__in=orders.values())
    started = dict(starts.order_by("-at").values_list("work_order_id", "at"))  # the first start of each order
    for change in changes.order_by("at"):
        wo = orders[change.reference]
        assert wo.kind == WorkOrder.Kind.REPAIR and wo.equipment_id == change.equipment_id
        if change.to_status == S.FAULTY:
            assert change.at == wo.submitted_at and change.from_status == S.IN_SERVICE
        elif change.to_status == S.UNDER_REPAIR and change.from_status == S.FAULTY:
            assert change.at == started[wo.pk]
        elif change.to_status == S.IN_SERVICE and wo.status != WorkOrder.Status.CANCELLED:
            assert wo.completed_at is not None and change.at <= wo.completed_at
    # reported faults and failed checklist lines both name items
    origins = Counter(wo.origin for wo in orders.values())
    assert origins[WorkOrder.Origin.PERSON] + origins[WorkOrder.Origin.SERVICE_DESK] > 200
    assert origins[WorkOrder.Origin.ORDER] > 20


def test_certificates_some_expired_and_some_expiring(seeded):
    today = timezone.localdate()
    regulated = Equipment.objects.filter(category__regulated=True).exclude(status=S.RETIRED)
    assert regulated.count() > 80
    assert not regulated.filter(certificates__isnull=True).exists()
    current = {}
    for item, expires in Certificate.objects.order_by("expires_on").values_list("equipment_id", "expires_on"):
        current[item] = expires  # the latest one
    left = Counter(
        "expired" if d < today else "7 days" if d <= today + dt.timedelta(7) else
        "30 days" if d <= today + dt.timedelta(30) else "later"
        for d in current.values()
    )  # fmt: skip
    assert left["expired"] >= 2 and left["7 days"] >= 2 and left["30 days"] >= 4
    assert left["later"] > 0.7 * len(current)
    assert certificate_reminders_send(today) == left["expired"] + left["7 days"] + left["30 days"]
    assert certificate_reminders_send(today) == 0


def test_plans_of_every_kind_schedule_and_scope(seeded):
    plans = list(MaintenancePlan.objects.all())
    assert len(plans) >= 40
    assert {p.kind for p in plans} == set(MaintenancePlan.Kind.values)
    schedules = {
        (p.schedule, p.interval_unit, p.anchor) if p.schedule == "interval" else (p.schedule, bool(p.weekdays))
        for p in plans
    }
    for wanted in [("interval", "day", "due"), ("interval", "week", "due"), ("interval", "month", "due"),
                   ("interval", "week", "completion"), ("interval", "month", "completion"), ("calendar", True),
                   ("calendar", False)]:  # fmt: skip
        assert wanted in schedules
    assert any(31 in p.month_days for p in plans) and any(len(p.weekdays) == 7 for p in plans)
    listed = Counter(MaintenancePlan.equipment.through.objects.values_list("maintenanceplan_id", flat=True))
    assert 1 in listed.values() and max(listed.values()) > 1  # one item, and a list
    assert any(p.location_id for p in plans) and any(p.building_id for p in plans)
    assert any(p.campus_id for p in plans) and any(p.category_id and not p.campus_id for p in plans)
    assert len({p.lead_days for p in plans}) >= 4 and len({p.team_id for p in plans}) >= 5
    assert all(p.team_id and plan_equipment(p).exists() for p in plans)
    kinds = set(ChecklistItem.objects.values_list("kind", flat=True))
    assert kinds == set(ChecklistItem.Kind.values)
    measures = ChecklistItem.objects.filter(kind="measure")
    assert not measures.filter(min_value__isnull=True).exists() and not measures.filter(unit="").exists()


def test_the_kpis_say_something(seeded, client_as):
    now = timezone.now()
    month = equipment_kpis(start=now - dt.timedelta(days=30), end=now)["overall"]
    assert 0 < month["good_rate"] < 1 and 0 < month["good_rate_now"] < 1
    assert month["failures"] > 10 and month["repairs"] > 10
    assert 0 < month["mttr_hours"] < 100 and month["mtbf_hours"] > 1000
    year = equipment_kpis(start=now - dt.timedelta(days=365), end=now)
    assert year["overall"]["failures"] > 300 and year["worst_items"]
    by_top = {g["name"]: g for g in year["by_top_category"]}
    assert by_top["电梯"]["failures"] > 0 and by_top["暖通空调"]["failures"] > by_top["电梯"]["failures"]

    compliance = maintenance_kpis(start=now - dt.timedelta(days=90), end=now)
    due = compliance["compliance"]
    assert 0.75 < due["rate"] < 1 and due["done_late"] > 0 and due["missed"] > 0
    assert {g["id"] for g in compliance["by_plan_kind"]} == set(MaintenancePlan.Kind.values)
    assert len(compliance["by_team"]) >= 4 and compliance["cost"]["orders"] > 10

    page = client_as(_user("manager")).get(reverse("equipment:kpis"))
    assert page.status_code == 200 and "电梯" in page.content.decode()


def test_planned_orders_and_their_checklists_agree(seeded):
    orders = {wo.pk: wo for wo in WorkOrder.objects.filter(origin=WorkOrder.Origin.PLAN)}
    assert 1000 < len(orders) < 3000
    occurrences = list(Occurrence.objects.values("pk", "plan_id", "equipment_id", "due_date", "work_order_id",
                                                 "state", "done_at"))  # fmt: skip
    by_order = defaultdict(list)
    for occ in occurrences:
        if occ["work_order_id"] is not None:
            by_order[occ["work_order_id"]].append(occ)
    assert set(by_order) == set(orders)
    assert Counter(o["state"] for o in occurrences)[Occurrence.State.DONE] > 0.85 * len(occurrences)
    lines = defaultdict(list)
    for template, label, required in ChecklistItem.objects.order_by("order", "pk").values_list(
        "template_id", "label", "required"
    ):
        lines[template].append((label, required))
    checklist = dict(MaintenancePlan.objects.values_list("pk", "checklist_id"))
    entries = defaultdict(list)
    for row in ChecklistEntry.objects.order_by("order", "pk").values_list(
        "occurrence_id", "label", "required", "filled_at", "ok"
    ):
        entries[row[0]].append(row[1:])
    started = dict(WorkOrderEvent.objects.filter(kind=EventKind.STARTED, work_order__origin="plan")
                   .values_list("work_order_id", "at"))  # fmt: skip
    for pk, wo in orders.items():
        occs = by_order[pk]
        assert len({(o["plan_id"], o["due_date"]) for o in occs}) == 1, wo.number
        assert wo.equipment_id is None or [o["equipment_id"] for o in occs] == [wo.equipment_id]
        states = {o["state"] for o in occs}
        if wo.status in (WorkOrder.Status.COMPLETED, WorkOrder.Status.CLOSED):
            assert states == {"done"} and {o["done_at"] for o in occs} == {wo.completed_at}, wo.number
        elif wo.status == WorkOrder.Status.CANCELLED:
            assert states == {"missed"}, wo.number
        else:
            assert states == {"open"}, wo.number
        for occ in occs:
            found = entries[occ["pk"]]
            assert [(label, required) for label, required, *_ in found] == lines[checklist[occ["plan_id"]]]
            if occ["state"] == "done":
                for _label, required, filled_at, _ok in found:
                    assert filled_at or not required
                    assert filled_at is None or started[pk] <= filled_at <= wo.completed_at
    failed = ChecklistEntry.objects.filter(ok=False).select_related("occurrence", "repair_order")
    assert failed.count() > 20
    opened = [e for e in failed if e.repair_order_id]
    assert len(opened) > 0.5 * failed.count()
    for entry in opened:
        repair = entry.repair_order
        assert repair.kind == WorkOrder.Kind.REPAIR and repair.parent_id == entry.occurrence.work_order_id
        assert repair.equipment_id == entry.occurrence.equipment_id
        assert repair.number and entry.label in repair.title
        assert StatusChange.objects.filter(reference=repair.number, to_status=S.FAULTY).exists()


def test_the_morning_job_finds_the_ledger_as_it_left_it(seeded, client_as):
    today = timezone.localdate()
    plans = {p.pk: p for p in MaintenancePlan.objects.all()}
    ran_today = timezone.localtime(seeded).time() >= dt.time(5, 10)  # the job's first run of the day, by the seed
    last_due = {}
    for plan, item, due in Occurrence.objects.values_list("plan_id", "equipment_id", "due_date"):
        last_due[(plan, item)] = max(due, last_due.get((plan, item), due))
    open_before = list(Occurrence.objects.filter(state="open").values_list("pk", "plan_id", "due_date"))
    assert any(due >= today for _pk, _plan, due in open_before)  # work made ahead is waiting
    last_pk = Occurrence.objects.order_by("-pk").values_list("pk", flat=True).first()

    missed = occurrences_mark_missed(today)
    newly_missed = Occurrence.objects.filter(state="missed", pk__in=[pk for pk, *_ in open_before])
    assert missed == newly_missed.count()
    for occ in newly_missed.select_related("plan"):  # only those whose next due date is today
        assert not ran_today and next_due_after(occ.plan, occ.due_date) == today
    result = plans_generate(today)
    assert not result.failed_plans and result.missed == 0
    new = Occurrence.objects.filter(pk__gt=last_pk)
    assert new.count() == result.occurrences and set(new.values_list("work_order", flat=True)) <= {
        wo.pk for wo in result.orders}  # fmt: skip
    assert not ran_today or result.occurrences == 0
    for plan, item, due in new.values_list("plan_id", "equipment_id", "due_date"):
        assert last_due.get((plan, item), dt.date.min) < due <= today + dt.timedelta(days=plans[plan].lead_days)
    assert plans_generate(today).occurrences == 0  # and again: nothing twice

    client = client_as(_user("dispatcher"))
    calendar = client.get(reverse("equipment:plan_calendar")).content.decode()
    assert "冷水机组日常巡检" in calendar
    ahead = client.get(reverse("equipment:plan_calendar"), {"month": f"{today + dt.timedelta(days=31):%Y-%m}"})
    assert "电梯半月维保" in ahead.content.decode()
    daily = MaintenancePlan.objects.get(code="CHL-DAILY")
    page = client.get(reverse("equipment:plan_detail", args=[daily.pk])).content.decode()
    assert (today - dt.timedelta(days=3)).isoformat() in page


def test_second_run_adds_nothing(seeded):
    before = {model.__name__: model.objects.count() for model in TABLES}
    statuses = Counter(Equipment.objects.values_list("status", flat=True))
    output = _seed()
    assert {model.__name__: model.objects.count() for model in TABLES} == before
    assert Counter(Equipment.objects.values_list("status", flat=True)) == statuses
    assert "equipment: categories +0, parameters +0, equipment +0, status_changes +0, certificates +0" in output
