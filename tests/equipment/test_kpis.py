"""Equipment KPIs: exact figures from a month of status history with known timings (完好率 now and
over the period, downtime, failures, MTTR, MTBF, by category, campus, building and department), a
period that runs past now, a past period read back from later history, maintenance compliance and
cost, a fixed number of queries whatever the number of items, and the same figures on SQLite (the
demo's database) as on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler
from django.utils import translation

from equipment.filters import EquipmentFilter
from equipment.kpis import equipment_kpis
from equipment.models import Category, Equipment, MaintenancePlan, StatusChange
from logistics.org.models import Building, Campus, Department, Location, Team
from workorders.maintenance_kpis import maintenance_kpis, period_days
from workorders.models import WorkOrder
from workorders.models_maintenance import Occurrence

from .kpi_scenario import END, NOW, START, TODAY, build, build_maintenance, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build()
    world.update(build_maintenance(world))
    return world


def figures(items, in_service, now, rate, up, down, failures, repairs, mttr, mtbf) -> dict:
    return dict(items=items, in_service=in_service, good_rate_now=now, good_rate=rate, in_service_hours=up,
                downtime_hours=down, failures=failures, repairs=repairs, mttr_hours=mttr, mtbf_hours=mtbf)  # fmt: skip


def kpis(items=None, **kw):
    return equipment_kpis(items, start=kw.pop("start", START), end=kw.pop("end", END), now=kw.pop("now", NOW))


def test_an_item_faulty_two_days_and_under_repair_one_day(world):
    """The brief's example: 72 hours down, one failure, MTTR 72 h, MTBF (720 − 72) / 1 h."""
    report = kpis(Equipment.objects.filter(code="CH-01"))
    assert report["period_hours"] == 720.0
    assert report["overall"] == figures(1, 1, 1.0, 0.9, 648.0, 72.0, 1, 1, 72.0, 648.0)
    (item,) = report["worst_items"]
    assert (item["code"], item["category"], item["downtime_hours"], item["mttr_hours"], item["mtbf_hours"]) == (
        "CH-01", "冷水机组", 72.0, 72.0, 648.0,
    )  # fmt: skip


def test_overall_figures_of_the_month(world):
    overall = kpis()["overall"]
    # 6 of the 7 items not retired are in service; 4008 of 4920 item-hours were in service.
    assert overall == figures(7, 6, 0.8571, 0.8146, 4008.0, 912.0, 2, 3, 56.0, 2004.0)


def test_by_category_top_level_and_own(world):
    report = kpis()
    top = {g["name"]: g for g in report["by_top_category"]}
    assert [g["name"] for g in report["by_top_category"]] == ["暖通空调", "供配电"]  # the tree's order
    assert top["暖通空调"] == dict(id=world["hvac"].pk, name="暖通空调",
                               **figures(3, 2, 0.6667, 0.6667, 1680.0, 840.0, 2, 2, 60.0, 840.0))  # fmt: skip
    assert top["供配电"] == dict(id=world["power"].pk, name="供配电",
                              **figures(4, 4, 1.0, 0.97, 2328.0, 72.0, 0, 1, 48.0, None))  # fmt: skip
    own = {g["name"]: g for g in report["by_category"]}
    assert [g["name"] for g in report["by_category"]] == ["暖通空调", "冷水机组", "供配电", "不间断电源"]
    assert own["冷水机组"] == dict(id=world["chiller"].pk, name="冷水机组",
                               **figures(2, 1, 0.5, 0.45, 648.0, 792.0, 1, 1, 72.0, 648.0))  # fmt: skip
    assert own["暖通空调"]["good_rate"] == 0.9556  # AHU-01 until retired, FAN-01 with its 48-hour repair
    assert own["供配电"] == dict(id=world["power"].pk, name="供配电",
                              **figures(1, 1, 1.0, 1.0, 240.0, 0.0, 0, 0, None, None))  # fmt: skip
    assert own["不间断电源"]["downtime_hours"] == 72.0 and own["不间断电源"]["mttr_hours"] == 48.0


def test_by_campus_building_and_department(world):
    report = kpis()
    campuses = [
        (g["name"], g["items"], g["in_service"], g["good_rate"], g["downtime_hours"]) for g in report["by_campus"]
    ]
    # UPS-02 has no location: its department's campus counts. GEN-01 has neither.
    assert campuses == [("东院", 2, 2, 0.9667, 48.0), ("本部", 4, 3, 0.7333, 864.0), ("", 1, 1, 1.0, 0.0)]
    assert report["by_campus"][-1]["id"] is None
    buildings = {g["name"]: g for g in report["by_building"]}
    assert buildings["门诊楼"]["downtime_hours"] == 840.0 and buildings[""]["downtime_hours"] == 72.0
    icu = report["by_department"][0]
    assert icu == dict(id=world["icu"].pk, name="重症医学科",
                       **figures(3, 2, 0.6667, 0.6222, 1344.0, 816.0, 1, 2, 60.0, 1344.0))  # fmt: skip


def test_worst_items_by_downtime(world):
    worst = kpis()["worst_items"]
    assert [(i["code"], i["downtime_hours"], i["failures"], i["repairs"]) for i in worst] == [
        ("CH-02", 720.0, 0, 0), ("CH-01", 72.0, 1, 1), ("FAN-01", 48.0, 1, 1), ("UPS-03", 48.0, 0, 0),
        ("UPS-02", 24.0, 0, 1),
    ]  # fmt: skip
    assert (worst[0]["status"], worst[0]["good_rate"], worst[0]["mtbf_hours"]) == ("faulty", 0.0, None)
    # The repair of UPS-02 began before the period: all 48 of its hours count for MTTR.
    assert (worst[-1]["mttr_hours"], worst[-1]["mtbf_hours"]) == (48.0, None)


def test_a_period_running_past_now_is_measured_up_to_now(world):
    report = kpis(Equipment.objects.filter(code="CH-01"), now=local(3, 11, 8))
    assert report["end"] == local(3, 11, 8) and report["period_hours"] == 248.0
    # In service 1 March → 10 March 08:00, faulty since: the repair has not ended, so no MTTR yet.
    assert report["overall"] == figures(1, 1, 1.0, 0.9032, 224.0, 24.0, 1, 0, None, 224.0)


def test_a_past_period_reads_the_status_from_later_history(world):
    february = Equipment.objects.filter(code__in=["CH-02", "UPS-02", "GEN-01"])
    report = kpis(february, start=local(2, 1), end=local(3, 1))
    # CH-02 faulty from 25 Feb (96 h), UPS-02 from 28 Feb (24 h); GEN-01 did not exist yet.
    assert report["overall"] == figures(3, 2, 0.6667, 0.9107, 1224.0, 120.0, 2, 0, None, 612.0)


def test_the_ledger_filter_selects_the_items(world):
    hvac = EquipmentFilter({"category": world["hvac"].pk}, queryset=Equipment.objects.all()).qs
    assert kpis(hvac)["overall"] == figures(3, 2, 0.6667, 0.6667, 1680.0, 840.0, 2, 2, 60.0, 840.0)
    east = EquipmentFilter({"campus": world["east"].pk}, queryset=Equipment.objects.all()).qs
    assert kpis(east)["overall"]["in_service_hours"] == 1392.0


def test_nothing_selected_has_no_figures(db):
    report = kpis(Equipment.objects.none())
    assert report["overall"] == figures(0, 0, None, None, 0.0, 0.0, 0, 0, None, None)
    assert report["by_category"] == [] and report["worst_items"] == []


def test_the_query_count_does_not_grow_with_the_items(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the items, the category tree, the history aggregate
        before = kpis()
    chiller = world["chiller"]
    for n in range(30):
        item = Equipment.objects.create(code=f"X-{n}", name="x", category=chiller, created_at=local(1, 1),
                                        status_since=local(3, 3))  # fmt: skip
        StatusChange.objects.create(equipment=item, from_status="in_service", to_status="faulty", at=local(3, 2))
        StatusChange.objects.create(equipment=item, from_status="faulty", to_status="in_service", at=local(3, 3))
    with django_assert_max_num_queries(3):
        after = kpis()
    assert after["overall"]["repairs"] == before["overall"]["repairs"] + 30
    assert after["overall"]["mttr_hours"] == round((168 + 30 * 24) / 33, 2)


# --- maintenance compliance and cost ---------------------------------------------------------------
def test_compliance_counts_on_time_late_missed_and_overdue(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(2), translation.override("en"):
        report = maintenance_kpis(start=START, end=END, today=TODAY)
    assert (report["first_day"], report["last_day"]) == (dt.date(2026, 3, 1), dt.date(2026, 3, 30))
    # Done 4 March 00:30 local time is late for the 3rd, although it is still the 3rd in UTC; the
    # cancelled one and the one due tomorrow are not counted; February's is outside the period.
    assert report["compliance"] == dict(due=5, done_on_time=1, done_late=2, missed=1, overdue=1, not_yet_due=1,
                                        rate=0.2)  # fmt: skip
    assert [(g["id"], g["name"], g["due"], g["rate"]) for g in report["by_plan_kind"]] == [
        ("inspection", "Inspection", 2, 0.0), ("maintenance", "Maintenance", 3, 0.3333),
    ]  # fmt: skip
    assert [(g["name"], g["done_late"], g["missed"], g["overdue"]) for g in report["by_team"]] == [
        ("电工班", 1, 0, 1), ("空调班", 1, 1, 0),
    ]  # fmt: skip
    assert [(g["id"], g["due"]) for g in report["by_category"]] == [(world["ups"].pk, 2), (world["chiller"].pk, 3)]


def test_compliance_of_the_selected_items_only(world):
    chillers = Equipment.objects.filter(category=world["chiller"])
    compliance = maintenance_kpis(chillers, start=START, end=END, today=TODAY)["compliance"]
    assert (compliance["due"], compliance["done_on_time"], compliance["rate"]) == (3, 1, 0.3333)
    later = maintenance_kpis(chillers, start=START, end=END, today=dt.date(2026, 4, 1))["compliance"]
    assert (later["due"], later["overdue"], later["not_yet_due"]) == (4, 1, 0)  # the 26th is now overdue


def test_cost_sums_parts_and_labour_of_orders_completed_in_the_period(world, settings):
    cost = maintenance_kpis(start=START, end=END, today=TODAY)
    assert cost["cost"] == dict(orders=3, parts_cost=Decimal("1500.50"), labour_hours=3.0,
                                labour_cost=Decimal("0.00"), total_cost=Decimal("1500.50"))  # fmt: skip
    assert [(g["name"], g["orders"], g["parts_cost"], g["labour_hours"]) for g in cost["cost_by_category"]] == [
        ("冷水机组", 2, Decimal("1200.50"), 2.5), ("不间断电源", 1, Decimal("300.00"), 0.5),
    ]  # fmt: skip
    assert [(i["code"], i["total_cost"]) for i in cost["costliest_items"]] == [
        ("CH-01", Decimal("1200.50")), ("UPS-02", Decimal("300.00")),
    ]  # fmt: skip
    settings.EQUIPMENT_LABOUR_RATE_PER_HOUR = 80
    priced = maintenance_kpis(start=START, end=END, today=TODAY)["cost"]
    assert (priced["labour_cost"], priced["total_cost"]) == (Decimal("240.00"), Decimal("1740.50"))


def test_period_days_are_the_midnights_inside_the_period():
    assert period_days(START, END) == (dt.date(2026, 3, 1), dt.date(2026, 3, 30))
    assert period_days(local(3, 1, 9), local(3, 5, 12)) == (dt.date(2026, 3, 2), dt.date(2026, 3, 5))


# --- SQLite ----------------------------------------------------------------------------------------
COPIED = (Campus, Building, Department, Location, Team, Category, Equipment, StatusChange, MaintenancePlan,
          Occurrence, WorkOrder)  # fmt: skip


@pytest.fixture
def sqlite_copy(world):
    """The same ledger, plans, occurrences and orders in an in-memory SQLite database, reachable as
    ``using("equipment_kpis_sqlite")``: the demo's database engine."""
    alias = "equipment_kpis_sqlite"
    memory = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    wrapper = ConnectionHandler({"default": memory, alias: memory})[alias]
    connections[alias] = wrapper
    try:
        with wrapper.schema_editor() as editor:
            for model in COPIED:
                editor.create_model(model)
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")  # users, order categories … are not copied
        for model in COPIED:
            model.objects.using(alias).bulk_create(model(**row) for row in model.objects.values())
        yield alias
    finally:
        wrapper.close()
        del connections[alias]


def test_sqlite_gives_the_same_figures_as_postgresql(sqlite_copy, django_assert_max_num_queries):
    on_postgres = kpis()
    with django_assert_max_num_queries(3, connection=connections[sqlite_copy]):
        on_sqlite = kpis(Equipment.objects.using(sqlite_copy))
    assert on_sqlite == on_postgres
    assert on_sqlite["overall"]["good_rate"] == 0.8146 and on_sqlite["overall"]["mttr_hours"] == 56.0
    past = dict(start=local(2, 1), end=local(3, 1))
    assert kpis(Equipment.objects.using(sqlite_copy), **past) == kpis(**past)
    planned = maintenance_kpis(Equipment.objects.using(sqlite_copy), start=START, end=END, today=TODAY)
    assert planned == maintenance_kpis(Equipment.objects.all(), start=START, end=END, today=TODAY)
    assert planned["compliance"]["done_late"] == 2  # the local date of the 00:30 completion, on SQLite too
