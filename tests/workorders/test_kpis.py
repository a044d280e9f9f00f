"""Work-order KPIs: exact figures from orders with known timings, repair and planned orders apart,
an empty selection, a fixed number of queries, and the same figures from SQLite's percentile path
as from PostgreSQL's ``percentile_cont``."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler

from logistics.org.models import Staff, Team
from workorders.kpis import (
    RESOLUTION,
    RESPONSE,
    TARGETS,
    PercentileCont,
    percentile_by_offset,
    percentile_cont,
    work_order_kpis,
)
from workorders.models import Category, WorkOrder

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(days=1)
_numbers = itertools.count(1)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.fixture
def world():
    hvac, power = Team.objects.create(code="hvac", name="空调班"), Team.objects.create(code="power", name="电工班")
    a = Staff.objects.create(employee_no="11", name="张师傅", team=hvac)
    b = Staff.objects.create(employee_no="12", name="李师傅", team=hvac)
    c = Staff.objects.create(employee_no="13", name="王师傅", team=power)
    category = Category.objects.create(code="hvac", name="空调", team=hvac)

    def order(*, kind="repair", priority="normal", status="submitted", team=hvac, **fields) -> WorkOrder:
        return WorkOrder.objects.create(
            number=f"T-{next(_numbers)}", kind=kind, priority=priority, status=status, team=team,
            category=category, title="x", submitted_at=T0, **fields,
        )  # fmt: skip

    done = dict(dispatched_at=at(1))
    # Repair orders (repairs and one assistance request).
    order(
        priority="urgent",
        status="closed",
        assignee=a,
        auto_dispatched=True,
        accepted_at=at(10),
        completed_at=at(100),
        held_minutes=10,
        resolution_due=at(120),
        rating=5,
        labour_minutes=60,
        **done,
    )
    order(
        priority="urgent",
        status="closed",
        assignee=a,
        accepted_at=at(20),
        completed_at=at(200),
        resolution_due=at(120),
        reopen_count=1,
        rating=3,
        labour_minutes=30,
        **done,
    )
    order(
        kind="assistance",
        status="completed",
        team=power,
        assignee=b,
        auto_dispatched=True,
        accepted_at=at(40),
        completed_at=at(60),
        labour_minutes=15,
        **done,
    )
    order(status="in_progress", assignee=b, accepted_at=at(30), resolution_due=at(120), **done)
    order(priority="high", response_due=at(15))
    order(status="cancelled")
    order(
        priority="urgent",
        status="closed",
        assignee=a,
        auto_dispatched=True,
        accepted_at=at(5),
        completed_at=at(50),
        resolution_due=at(120),
        auto_closed=True,
        labour_minutes=20,
        **done,
    )
    # Planned orders.
    order(
        kind="maintenance",
        status="closed",
        team=power,
        assignee=c,
        auto_dispatched=True,
        accepted_at=at(60),
        completed_at=at(120),
        held_minutes=30,
        rating=4,
        labour_minutes=45,
        **done,
    )
    order(kind="inspection", priority="low", team=power)  # fmt: skip
    return dict(a=a, b=b, c=c, hvac=hvac, power=power)


def test_repair_orders_figures(world):
    repair = work_order_kpis(WorkOrder.objects.all(), now=NOW)["repair"]
    assert repair["total"] == 7
    assert repair["by_kind"] == {"repair": 6, "assistance": 1}
    assert repair["by_status"] == {"submitted": 1, "dispatched": 0, "accepted": 0, "on_site": 0, "in_progress": 1,
                                   "on_hold": 0, "completed": 1, "closed": 3, "cancelled": 1}  # fmt: skip
    assert repair["overdue"] == 2  # in progress past its target, and waiting past its response target
    assert repair["auto_closed"] == 1
    # Response 5, 10, 20, 30, 40: p90 at rank 3.6 → 30 + 0.6 × 10.
    assert repair["response_minutes"] == {"count": 5, "mean": 21.0, "p90": 36.0}
    # Resolution (minus the hold) 50, 60, 90, 200: p90 at rank 2.7 → 90 + 0.7 × 110.
    assert repair["resolution_minutes"] == {"count": 4, "mean": 100.0, "p90": 167.0}
    assert repair["first_time_fix_rate"] == 0.6667  # 2 of the 3 closed were never reopened
    assert repair["closure_rate"] == 0.5  # 3 closed of the 6 not cancelled
    assert repair["reopen_rate"] == 0.25  # 1 sent back of the 4 reported done
    assert repair["urgent_on_time_rate"] == 0.6667  # 2 of 3 urgent ones by their target
    assert repair["auto_dispatch_rate"] == 0.6  # 3 of 5 dispatched
    assert repair["satisfaction"] == {"rated": 2, "mean": 4.0, "distribution": {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}}
    assert repair["technicians"] == [
        {"id": world["b"].pk, "name": "李师傅", "open": 1, "completed": 1, "labour_minutes": 15},
        {"id": world["a"].pk, "name": "张师傅", "open": 0, "completed": 3, "labour_minutes": 110},
    ]
    assert repair["teams"] == [
        {"id": world["hvac"].pk, "name": "空调班", "total": 6, "open": 2, "completed": 3, "labour_minutes": 110},
        {"id": world["power"].pk, "name": "电工班", "total": 1, "open": 0, "completed": 1, "labour_minutes": 15},
    ]
    met = {check["kpi"]: (check["value"], check["met"]) for check in repair["targets"]}
    assert met == {
        "response_mean_minutes": (21.0, True),
        "closure_rate": (0.5, False),
        "urgent_on_time_rate": (0.6667, False),
        "first_time_fix_rate": (0.6667, False),
        "auto_dispatch_rate": (0.6, False),
    }
    assert [check["target"] for check in repair["targets"]] == [t.value for t in TARGETS.values()]


def test_planned_orders_and_all_orders_figures(world):
    kpis = work_order_kpis(WorkOrder.objects.all(), now=NOW)
    planned = kpis["planned"]
    assert (planned["total"], planned["by_kind"]) == (2, {"inspection": 1, "maintenance": 1})
    assert planned["response_minutes"] == {"count": 1, "mean": 60.0, "p90": 60.0}
    assert planned["resolution_minutes"] == {"count": 1, "mean": 90.0, "p90": 90.0}
    assert (planned["closure_rate"], planned["first_time_fix_rate"], planned["reopen_rate"]) == (0.5, 1.0, 0.0)
    assert planned["urgent_on_time_rate"] is None  # no urgent planned order
    assert planned["auto_dispatch_rate"] == 1.0
    assert planned["technicians"] == [
        {"id": world["c"].pk, "name": "王师傅", "open": 0, "completed": 1, "labour_minutes": 45}
    ]
    assert {c["kpi"]: c["met"] for c in planned["targets"]}["urgent_on_time_rate"] is None

    everything = kpis["all"]
    assert everything["total"] == 9
    assert sum(everything["by_kind"].values()) == 9
    # Response 5, 10, 20, 30, 40, 60: p90 at rank 4.5; resolution 50, 60, 90, 90, 200: rank 3.6.
    assert everything["response_minutes"] == {"count": 6, "mean": 27.5, "p90": 50.0}
    assert everything["resolution_minutes"] == {"count": 5, "mean": 98.0, "p90": 156.0}
    assert (everything["closure_rate"], everything["first_time_fix_rate"]) == (0.5, 0.75)
    assert (everything["reopen_rate"], everything["auto_dispatch_rate"]) == (0.2, 0.6667)
    assert everything["satisfaction"]["rated"] == 3 and everything["satisfaction"]["mean"] == 4.0
    assert [t["id"] for t in everything["teams"]] == [world["hvac"].pk, world["power"].pk]


def test_filtered_selection_counts_only_its_orders(world):
    power = work_order_kpis(WorkOrder.objects.filter(team=world["power"]), now=NOW)
    assert (power["repair"]["total"], power["planned"]["total"], power["all"]["total"]) == (1, 2, 3)
    assert power["repair"]["response_minutes"] == {"count": 1, "mean": 40.0, "p90": 40.0}


@pytest.mark.parametrize("empty", [WorkOrder.objects.none, lambda: WorkOrder.objects.filter(pk=-1)])
def test_an_empty_selection_has_no_figures_and_no_division_by_zero(db, empty):
    for group in work_order_kpis(empty()).values():
        assert group["total"] == 0 and set(group["by_status"].values()) == {0}
        assert group["response_minutes"] == {"count": 0, "mean": None, "p90": None}
        assert group["resolution_minutes"] == {"count": 0, "mean": None, "p90": None}
        rates = ("first_time_fix_rate", "closure_rate", "reopen_rate", "urgent_on_time_rate", "auto_dispatch_rate")
        assert all(group[rate] is None for rate in rates)
        assert group["satisfaction"] == {"rated": 0, "mean": None, "distribution": {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}}
        assert group["technicians"] == [] and group["teams"] == []
        assert {check["met"] for check in group["targets"]} == {None}


def test_the_query_count_does_not_grow_with_the_orders(world, django_assert_num_queries):
    with django_assert_num_queries(7):  # one aggregate, then technicians and teams of each group
        work_order_kpis(WorkOrder.objects.all(), now=NOW)
    for _ in range(20):
        WorkOrder.objects.create(
            number=f"X-{next(_numbers)}", category=Category.objects.get(), title="x", submitted_at=T0,
            accepted_at=at(7), assignee=world["a"], team=world["hvac"],
        )  # fmt: skip
    with django_assert_num_queries(7):
        work_order_kpis(WorkOrder.objects.all(), now=NOW)


def test_percentile_cont_reference():
    assert percentile_cont([]) is None
    assert percentile_cont([7]) == 7
    assert percentile_cont([40, 10, 30, 20, 5]) == pytest.approx(36.0)
    assert percentile_cont([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) == 10  # rank 9.0: a row exactly
    assert percentile_cont([0, 100], 0.5) == 50
    with pytest.raises(ValueError, match="between 0 and 1"):
        PercentileCont(RESPONSE, 1.5)


def test_offset_percentile_matches_postgres_and_the_reference(world):
    """The two-row ORDER BY/OFFSET path (SQLite's) run on PostgreSQL gives percentile_cont's value."""
    orders = WorkOrder.objects.all()
    for expression, field in ((RESPONSE, "accepted_at"), (RESOLUTION, "completed_at")):
        values = [
            v for v in orders.annotate(v=expression).values_list("v", flat=True) if v is not None
        ]  # fmt: skip
        native = orders.aggregate(p=PercentileCont(expression, 0.9))["p"]
        by_offset = percentile_by_offset(orders, expression, orders.filter(**{f"{field}__isnull": False}).count())
        assert by_offset == pytest.approx(native) == pytest.approx(percentile_cont(values))


@pytest.fixture
def sqlite_copy(world):
    """The same orders (and their people and teams) in an in-memory SQLite database, reachable as
    ``using("kpis_sqlite")``: the demo's database engine."""
    alias = "kpis_sqlite"
    memory = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    wrapper = ConnectionHandler({"default": memory, alias: memory})[alias]
    connections[alias] = wrapper
    try:
        with wrapper.schema_editor() as editor:
            for model in (Team, Staff, WorkOrder):
                editor.create_model(model)
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")  # categories, users … are not copied
        for model in (Team, Staff, WorkOrder):
            model.objects.using(alias).bulk_create(model(**row) for row in model.objects.values())
        yield alias
    finally:
        wrapper.close()
        del connections[alias]


def test_sqlite_gives_the_same_figures_as_postgresql(sqlite_copy, django_assert_num_queries):
    on_postgres = work_order_kpis(WorkOrder.objects.all(), now=NOW)
    # one aggregate, two percentile reads and the two workload tables of each group
    with django_assert_num_queries(13, connection=connections[sqlite_copy]):
        on_sqlite = work_order_kpis(WorkOrder.objects.using(sqlite_copy), now=NOW)
    assert on_sqlite == on_postgres
    assert on_sqlite["repair"]["response_minutes"]["p90"] == 36.0
    assert on_sqlite["all"]["resolution_minutes"]["p90"] == 156.0
