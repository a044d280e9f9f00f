"""A month of an equipment ledger with known timings, shared by the KPI, API and page tests.

March 2026 (1–30 March, 720 hours), Asia/Shanghai; every item exists from 1 January unless said:

=========  ==========  ==================================================  =========  ========  ========
item       category    history                                             in service  downtime  failures
=========  ==========  ==================================================  =========  ========  ========
CH-01      chiller     faulty 10/3 08:00, under repair 12/3 08:00,          648         72        1
                       in service 13/3 08:00 (a 72-hour repair)
CH-02      chiller     faulty since 25 February, still faulty               0           720       0
UPS-01     UPS         no history, in service                               720         0         0
UPS-02     UPS         faulty 28/2, in service 2/3 (a 48-hour repair that   696         24        0
                       ends in the period; 24 of its hours in it)
UPS-03     UPS         out of service 20/3–22/3 (not a failure)             672         48        0
AHU-01     HVAC        retired 16/3                                         360         0         0
FAN-01     HVAC        faulty 5/3, under repair 5/3 12:00, faulty again     672         48        1
                       6/3 (the same repair), in service 7/3 (48 hours)
GEN-01     power       created 21/3, no history                             240         0         0
=========  ==========  ==================================================  =========  ========  ========

Totals: 4008 hours in service, 912 down, 2 failures, 3 repairs (72 + 48 + 48 hours). Now: 7 items not
retired, 6 of them in service."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from equipment.models import Category, Equipment, MaintenancePlan, StatusChange
from logistics.org.models import Building, Campus, Department, Location, Team
from workorders.models import Category as OrderCategory
from workorders.models import WorkOrder
from workorders.models_maintenance import Occurrence

TZ = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def local(month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


START, END = local(3, 1), local(3, 31)
NOW = local(4, 15, 12)
TODAY = dt.date(2026, 3, 25)  # for compliance: the occurrence due on 26 March is not due yet


def _item(code: str, category: Category, *, history=(), created=None, **fields) -> Equipment:
    """An item with its history ``[(from, to, at), ...]``; its status is where the history ends."""
    created = created or local(1, 1)
    status, since = (history[-1][1], history[-1][2]) if history else ("in_service", created)
    item = Equipment.objects.create(code=code, name=f"{code} 设备", category=category, status=status,
                                    status_since=since, created_at=created, **fields)  # fmt: skip
    for before, after, at in history:
        StatusChange.objects.create(equipment=item, from_status=before, to_status=after, at=at)
    return item


def build() -> dict:
    main = Campus.objects.create(code="MAIN", name="本部")
    east = Campus.objects.create(code="EAST", name="东院")
    clinic = Building.objects.create(campus=main, code="B1", name="门诊楼")
    icu = Department.objects.create(campus=main, code="ICU", name="重症医学科")
    plant = Location.objects.create(campus=main, building=clinic, code="PLANT", name="制冷机房", kind="plant_room")
    east_room = Location.objects.create(campus=east, code="E-PWR", name="东院配电室", kind="plant_room")
    hvac = Category.objects.create(code="HVAC", name="暖通空调", order=1)
    chiller = Category.objects.create(code="CHILLER", name="冷水机组", parent=hvac, order=2)
    power = Category.objects.create(code="POWER", name="供配电", order=3)
    ups = Category.objects.create(code="UPS", name="不间断电源", parent=power, order=4)
    at_plant = dict(location=plant, department=icu)
    items = {
        "CH-01": _item("CH-01", chiller, **at_plant, history=[
            ("in_service", "faulty", local(3, 10, 8)),
            ("faulty", "under_repair", local(3, 12, 8)),
            ("under_repair", "in_service", local(3, 13, 8)),
        ]),
        "CH-02": _item("CH-02", chiller, **at_plant, history=[("in_service", "faulty", local(2, 25))]),
        "UPS-01": _item("UPS-01", ups, location=east_room),
        "UPS-02": _item("UPS-02", ups, department=icu, history=[
            ("in_service", "faulty", local(2, 28)), ("faulty", "in_service", local(3, 2)),
        ]),
        "UPS-03": _item("UPS-03", ups, location=east_room, history=[
            ("in_service", "out_of_service", local(3, 20)), ("out_of_service", "in_service", local(3, 22)),
        ]),
        "AHU-01": _item("AHU-01", hvac, location=plant, history=[("in_service", "retired", local(3, 16))]),
        "FAN-01": _item("FAN-01", hvac, location=plant, history=[
            ("in_service", "faulty", local(3, 5)),
            ("faulty", "under_repair", local(3, 5, 12)),
            ("under_repair", "faulty", local(3, 6)),
            ("faulty", "in_service", local(3, 7)),
        ]),
        "GEN-01": _item("GEN-01", power, created=local(3, 21)),
    }  # fmt: skip
    return dict(main=main, east=east, clinic=clinic, icu=icu, plant=plant, east_room=east_room, hvac=hvac,
                chiller=chiller, power=power, ups=ups, items=items)  # fmt: skip


def build_maintenance(world: dict) -> dict:
    """Plans, their occurrences in March and the orders on the items (for compliance and cost).

    Maintenance of CH-01 (HVAC team): due 5/3 done that day (on time), due 12/3 done 14/3 (late),
    due 19/3 missed, due 26/3 open (not yet due on the 25th), due 26/2 done (before the period).
    Inspection of UPS-01 (power team): due 3/3 done 4/3 00:30 local time (late, though still the 3rd
    in UTC), due 10/3 cancelled, due 17/3 open (overdue on the 25th).
    Compliance: 1 on time of 5 due (1 on time, 2 late, 1 missed, 1 overdue) = 0.2.

    Orders completed in March: CH-01 repair (parts 1200.50, 90 min) and maintenance (60 min), UPS-02
    repair (parts 300, 30 min): 1500.50 in parts and 3 labour hours. Not counted: an order completed in
    February, a cancelled one and one without an item."""
    items = world["items"]
    hvac_team = Team.objects.create(code="hvac", name="空调班")
    power_team = Team.objects.create(code="power", name="电工班")
    service = MaintenancePlan.objects.create(
        code="PM-CH",
        name="冷机月度保养",
        kind="maintenance",
        team=hvac_team,
        interval=1,
        interval_unit="week",
        start_date=dt.date(2026, 2, 26),
    )
    inspection = MaintenancePlan.objects.create(
        code="IN-UPS",
        name="UPS巡检",
        kind="inspection",
        team=power_team,
        interval=1,
        interval_unit="week",
        start_date=dt.date(2026, 3, 3),
    )
    service.equipment.add(items["CH-01"])
    inspection.equipment.add(items["UPS-01"])
    for plan, item, due, state, done_at in (
        (service, "CH-01", dt.date(2026, 2, 26), "done", local(2, 26, 10)),
        (service, "CH-01", dt.date(2026, 3, 5), "done", local(3, 5, 10)),
        (service, "CH-01", dt.date(2026, 3, 12), "done", local(3, 14, 9)),
        (service, "CH-01", dt.date(2026, 3, 19), "missed", None),
        (service, "CH-01", dt.date(2026, 3, 26), "open", None),
        (inspection, "UPS-01", dt.date(2026, 3, 3), "done", local(3, 4, 0, 30)),
        (inspection, "UPS-01", dt.date(2026, 3, 10), "cancelled", None),
        (inspection, "UPS-01", dt.date(2026, 3, 17), "open", None),
    ):
        Occurrence.objects.create(plan=plan, equipment=items[item], due_date=due, state=state, done_at=done_at)
    kind = OrderCategory.objects.create(code="eq", name="设备维修")

    def order(item: str | None, completed: dt.datetime | None, status="closed", kind_="repair", **fields):
        return WorkOrder.objects.create(
            number=f"K-{next(_numbers)}", category=kind, title="x", kind=kind_, status=status,
            equipment=items[item] if item else None, submitted_at=local(2, 1), completed_at=completed, **fields,
        )  # fmt: skip

    order("CH-01", local(3, 13, 8), parts_cost=Decimal("1200.50"), labour_minutes=90)
    order("CH-01", local(3, 5, 10), kind_="maintenance", labour_minutes=60)
    order("UPS-02", local(3, 2), status="completed", parts_cost=Decimal("300"), labour_minutes=30)
    order("CH-02", local(2, 27), parts_cost=Decimal("999"), labour_minutes=600)  # February
    order("FAN-01", None, status="cancelled", parts_cost=Decimal("50"))
    order(None, local(3, 9), parts_cost=Decimal("77"), labour_minutes=45)  # a round over several items
    return dict(hvac_team=hvac_team, power_team=power_team, service=service, inspection=inspection)
