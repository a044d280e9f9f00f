"""The work-orders part of ``seed_demo --scale small``: a year of orders in every status whose fields
agree with their timelines, well-formed daily numbers that later orders continue, a second run that
adds nothing, and demo logins with work waiting for them."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from logistics.notifications.models import Notification
from workorders import demo
from workorders.models import (
    Category,
    DailySequence,
    DispatchRule,
    EventKind,
    SlaPolicy,
    Status,
    WorkOrder,
    WorkOrderEvent,
)
from workorders.selectors import my_tasks, orders_visible_to
from workorders.services import sla_for, work_order_accept, work_order_create, work_order_verify
from workorders.states import OPEN

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^WO-(\d{8})-(\d{4})$")
TABLES = (WorkOrder, WorkOrderEvent, WorkOrder.helpers.through, Category, SlaPolicy, DispatchRule, DailySequence,
          Notification)  # fmt: skip


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", scale="small", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


@pytest.fixture
def seeded() -> str:
    return _seed()


def test_a_year_of_orders_in_every_status(seeded):
    # The scale's number of orders is the reported ones; the maintenance plans' orders come on top
    # (their figures: tests/equipment/test_demo.py), and the ratios below are the reports'.
    orders = WorkOrder.objects.exclude(origin=WorkOrder.Origin.PLAN)
    total = orders.count()
    assert 0.95 * demo.ORDERS["small"] <= total <= demo.ORDERS["small"]
    assert set(WorkOrder.objects.values_list("status", flat=True)) == set(Status.values)
    statuses = Counter(orders.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > 0.85 * total
    assert 0.01 * total < statuses[Status.CANCELLED] < 0.08 * total
    first = orders.order_by("submitted_at").first().submitted_at
    assert timezone.now() - first > dt.timedelta(days=360)
    assert orders.filter(submitted_at__gt=timezone.now()).count() == 0
    # the open reports are recent (planned work is made up to its lead time ahead, and an order not
    # done stays open until its plan's next due date); on hold with a reason, the others without
    assert not orders.filter(status__in=OPEN, submitted_at__lt=timezone.now() - dt.timedelta(days=30)).exists()
    assert not orders.filter(status=Status.ON_HOLD, hold_reason="").exists()
    assert not orders.exclude(status=Status.ON_HOLD).exclude(hold_reason="").exists()
    closed = orders.filter(status=Status.CLOSED)
    rated = closed.filter(rating__isnull=False)
    assert closed.filter(auto_closed=True, rating__isnull=True).exists()
    assert not closed.filter(auto_closed=True, rating__isnull=False).exists()
    assert rated.filter(rating__gte=4).count() > 0.8 * rated.count()
    assert 0.005 * total < orders.filter(reopen_count__gt=0).count() < 0.05 * total
    # the rules place most reports (planned orders made ahead wait for their team lead instead)
    dispatched = orders.filter(dispatched_at__isnull=False)
    assert 0.78 < dispatched.filter(auto_dispatched=True).count() / dispatched.count() < 0.92
    assert set(WorkOrder.objects.values_list("kind", flat=True)) == set(WorkOrder.Kind.values)
    assert len(set(orders.values_list("priority", flat=True))) == 4
    assert orders.filter(held_minutes__gt=0).exists() and orders.filter(parent__isnull=False).exists()


def test_due_times_and_response_come_from_the_policies(seeded):
    reported = WorkOrder.objects.exclude(origin=WorkOrder.Origin.PLAN)
    sample = reported.select_related("category").order_by("pk")[::97]
    for wo in sample:
        policy = sla_for(priority=wo.priority, category=wo.category)
        assert wo.response_due - wo.submitted_at == dt.timedelta(minutes=policy.response_minutes)
        # plus the time on hold (whole minutes in held_minutes) when holds do not count
        extra = wo.resolution_due - wo.submitted_at - dt.timedelta(minutes=policy.resolution_minutes)
        assert extra == dt.timedelta(0) or abs(extra - dt.timedelta(minutes=wo.held_minutes)) < dt.timedelta(minutes=1)
    urgent = WorkOrder.objects.filter(priority="urgent", completed_at__isnull=False)
    on_time = sum(1 for c, due in urgent.values_list("completed_at", "resolution_due") if c <= due)
    assert on_time > 0.9 * urgent.count()
    responses = sorted((a - s).total_seconds() / 60 for s, a in reported.filter(
        accepted_at__isnull=False).values_list("submitted_at", "accepted_at"))  # fmt: skip
    assert 10 <= responses[len(responses) // 2] <= 40
    # planned work has no response target and is due by the end of its due date
    for wo in WorkOrder.objects.filter(origin=WorkOrder.Origin.PLAN).order_by("pk")[::53]:
        due = wo.occurrences.values_list("due_date", flat=True).first()
        assert wo.response_due is None, wo.number
        assert wo.resolution_due == timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=1), dt.time()))


def test_numbers_are_daily_well_formed_and_continued_by_the_sequences(seeded):
    by_day: dict[str, list[int]] = defaultdict(list)
    for number, submitted in WorkOrder.objects.values_list("number", "submitted_at"):
        match = NUMBER.match(number)
        assert match, number
        assert match[1] == f"{timezone.localtime(submitted):%Y%m%d}"
        by_day[match[1]].append(int(match[2]))
    sequences = {f"{day:%Y%m%d}": last for day, last in DailySequence.objects.values_list("day", "last")}
    for day, numbers in by_day.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))  # unique, no gaps
        assert sequences[day] == len(numbers)
    # in the order of the report within the day
    previous = None
    for number in WorkOrder.objects.filter(number__startswith=f"WO-{max(by_day)}").order_by("submitted_at", "pk"):
        assert previous is None or number.number > previous
        previous = number.number

    today = timezone.localdate()
    requester = get_user_model().objects.get(username="requester").staff
    wo = work_order_create(category=Category.objects.get(code="water_electric"), title="新报修", requester=requester,
                           actor=requester.user, auto_dispatch=False)  # fmt: skip
    assert wo.number == f"WO-{today:%Y%m%d}-{len(by_day.get(f'{today:%Y%m%d}', [])) + 1:04d}"
    assert WorkOrder.objects.filter(number=wo.number).count() == 1
    assert wo.pk == WorkOrder.objects.exclude(pk=wo.pk).order_by("-pk").first().pk + 1


def test_timelines_match_the_fields(seeded):
    events: dict[int, list[tuple]] = defaultdict(list)
    for row in WorkOrderEvent.objects.order_by("work_order_id", "at", "pk").values_list(
        "work_order_id", "kind", "from_status", "to_status", "actor_id", "at", "data"
    ):
        events[row[0]].append(row[1:])
    orders = list(WorkOrder.objects.all())
    assert set(events) == {wo.pk for wo in orders}
    for wo in orders:
        timeline = events[wo.pk]
        kinds = [e[0] for e in timeline]
        assert kinds[0] == EventKind.SUBMITTED and kinds.count(EventKind.SUBMITTED) == 1, wo.number
        assert timeline[0][4] == wo.submitted_at and timeline[0][5].get("demo") is True
        status = ""
        for kind, before, after, _actor, at, _data in timeline:
            assert before == status, (wo.number, kind, before, status)
            assert at <= timezone.now()
            status = after
        assert status == wo.status, wo.number
        closes = [k for k in kinds if k in (EventKind.VERIFIED, EventKind.AUTO_CLOSED)]
        if wo.status == Status.CLOSED:
            assert closes == [EventKind.AUTO_CLOSED if wo.auto_closed else EventKind.VERIFIED], wo.number
            assert (wo.rating is not None) == (not wo.auto_closed)
            assert wo.closed_at == timeline[-1][4] and wo.completed_at is not None
        else:
            assert not closes and wo.closed_at is None and wo.rating is None
        if wo.status == Status.CANCELLED:
            assert kinds[-1] == EventKind.CANCELLED
        if wo.status in (Status.COMPLETED, Status.CLOSED):
            completed = [e[4] for e in timeline if e[0] == EventKind.COMPLETED]
            assert wo.completed_at == completed[-1] and wo.findings
        assert wo.reopen_count == kinds.count(EventKind.REOPENED)
        if EventKind.ACCEPTED in kinds:
            assert wo.accepted_at == [e[4] for e in timeline if e[0] == EventKind.ACCEPTED][-1]
            assert wo.dispatched_at <= wo.accepted_at
        if wo.status == Status.ON_HOLD:
            assert kinds[-1] in (EventKind.HELD, EventKind.NOTE) and wo.held_since is not None
        if wo.status not in (Status.SUBMITTED, Status.CANCELLED):
            assert wo.assignee_id or wo.vendor_id, wo.number


def test_second_run_adds_nothing(seeded):
    before = _counts()
    output = _seed()
    assert _counts() == before
    assert "workorders: categories +0, sla_policies +0, dispatch_rules +0, work_orders +0, events +0" in output


def test_demo_logins_find_their_work(seeded):
    User = get_user_model()
    requester = User.objects.get(username="requester")
    mine = orders_visible_to(requester).filter(requester=requester.staff)
    assert 3 <= mine.count() <= 15
    waiting = mine.filter(status=Status.COMPLETED)
    assert waiting.exists() and mine.filter(status__in=OPEN).exists()
    assert Notification.objects.filter(recipient=requester, verb="workorders.completed").exists()
    closed = work_order_verify(work_order=waiting.first(), actor=requester, accept=True, rating=5, comment="很好")
    assert closed.status == Status.CLOSED

    technician = User.objects.get(username="technician")
    tasks = Counter(my_tasks(technician.staff).values_list("status", flat=True))
    assert tasks[Status.DISPATCHED] >= 2 and tasks[Status.ACCEPTED] >= 1
    assert Notification.objects.filter(recipient=technician, verb="workorders.dispatched").count() >= 2
    new = my_tasks(technician.staff).filter(status=Status.DISPATCHED).first()
    assert work_order_accept(work_order=new, technician=technician.staff, actor=technician).status == Status.ACCEPTED

    lead = User.objects.get(username="team_lead")
    queue = orders_visible_to(lead).filter(team=lead.staff.team, status=Status.SUBMITTED, assignee__isnull=True)
    assert queue.exists() and lead.staff.team.lead_id == lead.staff.pk

    dispatcher = User.objects.get(username="dispatcher")
    assert orders_visible_to(dispatcher).count() == WorkOrder.objects.count()
