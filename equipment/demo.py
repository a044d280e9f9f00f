"""Demo data of the equipment app: the category tree with technical parameters, a ledger of a few
thousand items spread over the demo hospital's plant rooms, wards, halls and outdoor points, their
status history over the past year, the certificates of regulated items, checklist templates and
maintenance plans of every schedule kind. The tables are in ``demo_catalog.py``.

- Items: ≈2,200 at ``small``, four times as many at ``hospital`` and twelve at ``large`` (the
  places stay, the density grows). Codes name the category and the place (``FCU-CARD-W1-WA-03``);
  model, serial, install date, warranty and parameters come from a random generator of the item's
  own (seeded with the run's seed and the code), so a larger scale adds items without changing
  those already there. The ledger went live ``GO_LIVE_DAYS`` ago; items installed since joined on
  their install date.
- History (``StatusChange``): small items that wear out (fan coils, distribution boxes, cameras
  ...) are taken out of service for a while, are out of service now, or were retired during the
  year; a few were imported already retired. Faults are not drawn here: the work-orders demo
  (``workorders.demo_repairs``) files the repair orders and adds their faulty → under repair →
  in service steps through ``status_history_add``, so the ledger and the orders tell one story.
- Certificates of regulated items (elevators, boilers, pressure vessels, medical gas): the current
  one, often its predecessor; a few expired, some expiring within 7 and within 30 days.
- Plans: daily and workday rounds, every N days / weeks / months from the due date or from the
  last completion, days of the month (1st and 16th, the 10th, the month's last day), scoped to one
  item, a list, or a category at a campus, building or location, with lead times and teams.

Idempotent: rows are found by code (name for templates); the history and certificates are drawn
only for items created in this run. Draws exactly one number from ``rng``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from logistics.org.models import Location, Team, Vendor

from . import demo_catalog as data
from .models import (
    Category,
    Certificate,
    ChecklistItem,
    ChecklistTemplate,
    Equipment,
    MaintenancePlan,
    Parameter,
    Status,
    StatusChange,
)
from .schedules import add_interval, add_months

GO_LIVE_DAYS = 420  # the ledger was imported from the old spreadsheet this long ago
NEW_SHARE = 0.03  # items installed after the ledger went live
HISTORY_DAYS = 365
# logistics department of each campus: the department of the items in its plant rooms
PLANT_DEPARTMENT = {"MAIN": "D-LOG-ENG", "EAST": "D-E-LOG", "OPD": "D-O-LOG"}
REASONS = {
    "retire": ("报废：设备老化，维修价值低，已更换新设备", "报废：科室改造拆除"),
    "stop": ("停用：科室装修改造", "停用：等待整体更换", "停用：区域暂停使用"),
    "resume": ("恢复使用", "改造完成，恢复使用"),
}
DAY = dt.timedelta(days=1)


def seed(scale: str, rng: random.Random) -> dict[str, int]:
    """Create whatever of the demo ledger does not exist yet; existing rows stay as they are."""
    if scale not in data.SCALE_FACTOR:
        raise ValueError(f"unknown scale {scale!r}")
    base = rng.getrandbits(64)
    counts: dict[str, int] = {}
    categories = _seed_categories(counts)
    _seed_parameters(counts, categories)
    new_items = _seed_items(counts, scale, base, categories)
    _seed_certificates(counts, new_items, base)
    templates = _seed_templates(counts, categories)
    _seed_plans(counts, categories, templates)
    return counts


# --- categories -------------------------------------------------------------------------------------
def _seed_categories(counts: dict[str, int]) -> dict[str, int]:
    existing = dict(Category.objects.values_list("code", "id"))
    created = 0
    for with_parent in (False, True):  # the tops first: the leaves name them
        new = [
            Category(code=row.code, name=row.name, parent_id=existing.get(row.parent), regulated=row.regulated,
                     order=i * 10)
            for i, row in enumerate(data.CATEGORIES, start=1)
            if row.code not in existing and bool(row.parent) == with_parent
        ]  # fmt: skip
        if new:
            Category.objects.bulk_create(new)
            created += len(new)
            existing = dict(Category.objects.values_list("code", "id"))
    counts["categories"] = created
    return existing


def _seed_parameters(counts: dict[str, int], categories: dict[str, int]) -> None:
    have = set(Parameter.objects.values_list("category_id", "key"))
    new = [
        Parameter(category_id=categories[code], key=key, label=label, unit=unit, order=i * 10)
        for code, rows in data.PARAMETERS.items()
        for i, (key, label, unit, _values) in enumerate(rows, start=1)
        if (categories[code], key) not in have
    ]
    Parameter.objects.bulk_create(new)
    counts["parameters"] = len(new)


# --- items ------------------------------------------------------------------------------------------
def _locations() -> list[dict]:
    rows = Location.objects.filter(is_active=True).order_by("code")
    return list(rows.values("pk", "code", "name", "kind", "campus_id", "campus__code", "building__code",
                            "floor__code", "department_id", "department__code", "department__kind"))  # fmt: skip


def _select(selector: str, locations: list[dict]) -> list[dict]:
    """The locations a catalog selector names (see ``demo_catalog``)."""
    spec, _, only = selector.partition("@")
    how, _, arg = spec.partition(":")
    allowed = set(only.split(",")) if only else None
    found = []
    for loc in locations:
        code, kind = loc["code"], loc["kind"]
        if how == "plant":
            hit = kind == "plant_room" and code.endswith(f"-{arg}")
        elif how == "loc":
            want, dept_kind = arg.split("/")
            hit = bool(loc["department__code"]) and kind == want and dept_kind in ("*", loc["department__kind"])
        elif how == "dept":
            hit = loc["department__code"] == arg
        elif how == "lift":
            hit = code.endswith("-LIFT") and arg in ("", loc["floor__code"])
        elif how == "out":
            hit = kind == "outdoor" and (not arg or code.endswith(f"-{arg}"))
        else:
            raise ValueError(selector)
        if hit and allowed is not None:
            hit = f"{loc['campus__code']}.{loc['building__code'] or 'OUT'}" in allowed
        if hit:
            found.append(loc)
    return found


def item_plan(scale: str, locations: list[dict]) -> list[tuple[str, data.ItemRow, dict, int]]:
    """Every item of ``scale``: (code, catalog row, location, number at that location). No
    randomness: a code always names the same place and category."""
    factor = data.SCALE_FACTOR[scale]
    slots = []
    for row in data.ITEMS:
        numbers: dict[str, int] = defaultdict(int)
        for place in row.places:
            for loc in _select(place.selector, locations):
                short = loc["code"].removeprefix("L-").removeprefix("L")
                for _ in range(place.count * factor):
                    numbers[short] += 1
                    slots.append((f"{row.prefix}-{short}-{numbers[short]:02d}", row, loc, numbers[short]))
    return slots


def _seed_items(counts: dict[str, int], scale: str, base: int, categories: dict[str, int]) -> list[Equipment]:
    """The items of the plan that do not exist yet, with their status history."""
    from logistics.org.demo_names import VENDORS
    from logistics.org.models import Department

    locations = _locations()
    existing = set(Equipment.objects.values_list("code", flat=True))
    slots = [slot for slot in item_plan(scale, locations) if slot[0] not in existing]
    if not slots:
        counts.update(equipment=0, status_changes=0)
        return []
    names = dict(Category.objects.values_list("code", "name"))
    teams = dict(Team.objects.values_list("code", "id"))
    vendor_names = {row.key: row.name for row in VENDORS}
    vendors = dict(Vendor.objects.values_list("name", "id"))
    plant_departments = dict(Department.objects.filter(code__in=PLANT_DEPARTMENT.values()).values_list("code", "id"))
    now = timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    go_live = dt.datetime.combine(today - dt.timedelta(days=GO_LIVE_DAYS), dt.time(9), tzinfo=tz)
    items, histories = [], []
    for code, row, loc, number in slots:
        rng = random.Random(f"{base}:{code}")
        manufacturer, model = rng.choice(row.makes)
        if rng.random() < NEW_SHARE:
            installed = today - dt.timedelta(days=rng.randint(10, GO_LIVE_DAYS - 30))
        else:
            first = dt.date(row.life[0], 1, 1)
            last = min(dt.date(row.life[1], 12, 31), go_live.date() - DAY)
            installed = first + dt.timedelta(days=rng.randrange(max((last - first).days, 1)))
        created = max(go_live, dt.datetime.combine(installed, dt.time(10), tzinfo=tz))
        department = loc["department_id"] or plant_departments.get(PLANT_DEPARTMENT.get(loc["campus__code"], ""))
        item = Equipment(
            code=code, name=f"{loc['name']} {names[row.category]} {number}号", category_id=categories[row.category],
            model=model, manufacturer=manufacturer, serial=f"{row.prefix}{installed:%y%m}{rng.randrange(10**6):06d}",
            location_id=loc["pk"], department_id=department, maintainer_team_id=teams.get(row.team),
            maintainer_vendor_id=vendors.get(vendor_names.get(row.vendor, "")), install_date=installed,
            warranty_end=installed + dt.timedelta(days=365 * rng.randint(1, 5)),
            parameters={key: rng.choice(values) for key, _l, _u, values in data.PARAMETERS.get(row.category, ())},
            created_at=created, status_since=created,
        )  # fmt: skip
        history = _history(rng, item, row, now) if row.retire else []
        if history:
            item.status, item.status_since = history[-1][0], history[-1][1]
        items.append(item)
        histories.append(history)
    Equipment.objects.bulk_create(items, batch_size=2000)
    ids = dict(Equipment.objects.filter(code__in=[i.code for i in items]).values_list("code", "id"))
    changes = [
        StatusChange(equipment_id=ids[item.code], from_status=before, to_status=after, at=at, reason=reason)
        for item, history in zip(items, histories, strict=True)
        for before, after, at, reason in _with_from(history)
    ]
    StatusChange.objects.bulk_create(changes, batch_size=5000)
    for item in items:
        item.pk = ids[item.code]
    counts.update(equipment=len(items), status_changes=len(changes))
    return items


def _history(rng: random.Random, item: Equipment, row: data.ItemRow, now: dt.datetime) -> list[tuple]:
    """The status changes of an item that wears out: ``[(to, at, reason)]`` oldest first (the
    from-status is the one before). Most have none."""
    draw = rng.random()
    start = max(item.created_at, now - dt.timedelta(days=HISTORY_DAYS))
    span = (now - start).total_seconds()
    if span < 40 * 86400:
        return []

    def at(low: float, high: float) -> dt.datetime:  # a working-hours moment between two fractions of the span
        moment = start + dt.timedelta(seconds=span * rng.uniform(low, high))
        return moment.replace(hour=rng.randint(8, 16), minute=rng.randrange(60))

    if draw < 0.006:  # imported already retired: no history, retired since the import
        item.status = Status.RETIRED
        return []
    if draw < 0.02:
        retired = at(0.1, 0.95)
        stopped = max(retired - dt.timedelta(days=rng.randint(3, 20)), start + DAY)
        return [(Status.OUT_OF_SERVICE, stopped, rng.choice(REASONS["stop"])),
                (Status.RETIRED, retired, rng.choice(REASONS["retire"]))]  # fmt: skip
    if draw < 0.035:
        return [(Status.OUT_OF_SERVICE, at(0.7, 0.98), rng.choice(REASONS["stop"]))]
    if draw < 0.06:
        stopped = at(0.05, 0.75)
        back = stopped + dt.timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 6))
        if back >= now:  # still out of service
            return [(Status.OUT_OF_SERVICE, stopped, rng.choice(REASONS["stop"]))]
        return [(Status.OUT_OF_SERVICE, stopped, rng.choice(REASONS["stop"])),
                (Status.IN_SERVICE, back, rng.choice(REASONS["resume"]))]  # fmt: skip
    return []


def _with_from(history: list[tuple]) -> list[tuple]:
    status, rows = Status.IN_SERVICE, []
    for to, at, reason in history:
        rows.append((status, to, at, reason))
        status = to
    return rows


def status_history_add(changes: list[tuple[int, str, str, dt.datetime, str, str]]) -> int:
    """Add status changes ``(item id, from, to, at, reason, reference)`` drawn by a higher app's demo
    (the work-orders demo's repairs), and move each item to the status of its latest change when
    that change is newer than the status it has. The caller keeps each item's history a chain (a
    change starts from the status the item had then). Returns the number of rows written."""
    if not changes:
        return 0
    if connection.vendor == "postgresql":  # a year of a large hospital's repairs: COPY, not INSERTs
        from logistics.common.bulk import copy_to_stage

        table = StatusChange._meta.db_table
        columns = ("equipment_id", "from_status", "to_status", "at", "reason", "reference")
        rows = ((item, before, after, at, reason[:300], reference[:30])
                for item, before, after, at, reason, reference in changes)  # fmt: skip
        with connection.cursor() as cursor:
            names = copy_to_stage(cursor, stage="equipment_demo_status_stage", table=table, columns=columns, rows=rows)
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM equipment_demo_status_stage")  # noqa: S608
    else:
        StatusChange.objects.bulk_create(
            [StatusChange(equipment_id=item, from_status=before, to_status=after, at=at, reason=reason[:300],
                          reference=reference[:30]) for item, before, after, at, reason, reference in changes],
            batch_size=5000,
        )  # fmt: skip
    latest: dict[int, tuple[dt.datetime, str]] = {}
    for item, _before, after, at, _reason, _reference in changes:
        if item not in latest or at >= latest[item][0]:
            latest[item] = (at, after)
    since = dict(Equipment.objects.filter(pk__in=latest).values_list("pk", "status_since"))
    _statuses_set([(pk, status, at) for pk, (at, status) in latest.items() if at > since[pk]])
    return len(changes)


def _statuses_set(rows: list[tuple[int, str, dt.datetime]]) -> None:
    """Set (item id, status, since) of many items in a few statements (``bulk_update`` builds a CASE
    expression per row, seconds for a few thousand)."""
    table = connection.ops.quote_name(Equipment._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            adapt = connection.ops.adapt_datetimefield_value
            cursor.executemany(f"UPDATE {table} SET status = %s, status_since = %s WHERE id = %s",  # noqa: S608
                               [(status, adapt(at), pk) for pk, status, at in rows])  # fmt: skip
            return
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            values = ", ".join(["(%s, %s, %s::timestamptz)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS e SET status = v.status, status_since = v.since "  # noqa: S608 - placeholders only
                f"FROM (VALUES {values}) AS v(id, status, since) WHERE e.id = v.id",
                [value for row in chunk for value in row],
            )


# --- certificates -----------------------------------------------------------------------------------
# Where a regulated item's current certificate stands, by its rank among the new regulated items:
# (days until it expires, low, high). Most are valid for months; the rest make the reminders work.
CERT_BUCKETS = ((-45, -1), (0, 7), (8, 30), (8, 30), (31, 365))
CERT_PATTERN = (4,) * 3 + (2,) + (4,) * 5 + (1,) + (4,) * 4 + (3,) + (4,) * 5 + (0,) + (4,) * 4  # 25 long


def _seed_certificates(counts: dict[str, int], items: list[Equipment], base: int) -> None:
    by_prefix = {row.prefix: row for row in data.ITEMS}
    regulated = [(item, by_prefix[item.code.split("-", 1)[0]].cert) for item in items]
    regulated = [(item, cert) for item, cert in regulated if cert is not None and item.status != Status.RETIRED]
    today = timezone.localdate()
    rows = []
    for rank, (item, spec) in enumerate(regulated):
        rng = random.Random(f"{base}:cert:{item.code}")
        low, high = CERT_BUCKETS[CERT_PATTERN[rank % len(CERT_PATTERN)]]
        expires = today + dt.timedelta(days=rng.randint(low, high))
        issued = add_months(expires, -spec.months)
        rows.append(_certificate(rng, item, spec, issued, expires))
        if rng.random() < 0.7:  # its predecessor, expired the day the current one was issued (and reminded of)
            rows.append(_certificate(rng, item, spec, add_months(issued, -spec.months), issued, reminded=[30, 7, 0]))
    Certificate.objects.bulk_create(rows)
    counts["certificates"] = len(rows)


def _certificate(rng: random.Random, item: Equipment, spec: data.CertSpec, issued, expires,
                 reminded=()) -> Certificate:  # fmt: skip
    number = f"{spec.prefix}{issued:%Y}-{rng.randrange(10**5):05d}"
    return Certificate(equipment_id=item.pk, kind=spec.kind, number=number, issuer=spec.issuer, issued_on=issued,
                       expires_on=expires, reminded=list(reminded))  # fmt: skip


# --- checklists and plans ---------------------------------------------------------------------------
def _seed_templates(counts: dict[str, int], categories: dict[str, int]) -> dict[str, int]:
    existing = dict(ChecklistTemplate.objects.values_list("name", "id"))
    new = [
        ChecklistTemplate(name=row.name, category_id=categories.get(row.category))
        for row in data.TEMPLATES
        if row.name not in existing
    ]
    ChecklistTemplate.objects.bulk_create(new)
    created = {t.name for t in new}
    if new:
        existing = dict(ChecklistTemplate.objects.values_list("name", "id"))
    lines = [
        ChecklistItem(template_id=existing[row.name], order=i * 10, label=line.label, kind=line.kind, unit=line.unit,
                      min_value=line.low, max_value=line.high, required=line.required, guidance=line.guidance)
        for row in data.TEMPLATES
        if row.name in created
        for i, line in enumerate(row.lines, start=1)
    ]  # fmt: skip
    ChecklistItem.objects.bulk_create(lines)
    counts.update(checklists=len(new), checklist_lines=len(lines))
    return existing


def plan_rows() -> list[data.PlanRow]:
    """The catalog's plans and one fan-coil plan per building that has fan coils."""
    buildings = (
        Equipment.objects.filter(category__code="FCU", location__building__isnull=False)
        .values_list("location__campus__code", "location__building__code", "location__building__name")
        .distinct()
        .order_by("location__campus__code", "location__building__code")
    )
    rows = list(data.PLANS)
    for i, (campus, building, name) in enumerate(buildings):
        row = data.FCU_PLAN
        rows.append(row._replace(code=f"FCU-{campus}-{building}", name=f"{name} {row.name}",
                                 scope=("category", "FCU", f"{campus}.{building}"), due=7 + i * 13 % 180))  # fmt: skip
    return rows


def _start(row: data.PlanRow, today: dt.date) -> dt.date:
    """The plan's first due date: a year back (its orders made within the demo's year), in phase
    with ``row.due`` for interval plans counted from the due date."""
    first = today - dt.timedelta(days=HISTORY_DAYS - 1 - row.lead)
    kind = row.schedule[0]
    if kind != "every" or row.schedule[3] == "completion":
        return today + dt.timedelta(days=row.due) if kind == "every" else first
    _every, n, unit, _anchor = row.schedule
    anchor = today + dt.timedelta(days=row.due)
    k = 0
    while add_interval(anchor, -(k + 1) * n, unit) >= first:
        k += 1
    return add_interval(anchor, -k * n, unit)


def _seed_plans(counts: dict[str, int], categories: dict[str, int], templates: dict[str, int]) -> None:
    from logistics.org.models import Building, Campus

    existing = set(MaintenancePlan.objects.values_list("code", flat=True))
    rows = [row for row in plan_rows() if row.code not in existing]
    teams = dict(Team.objects.values_list("code", "id"))
    campuses = dict(Campus.objects.values_list("code", "id"))
    buildings = {f"{c}.{b}": pk for c, b, pk in Building.objects.values_list("campus__code", "code", "id")}
    locations = dict(Location.objects.values_list("code", "id"))
    today = timezone.localdate()
    plans, listed = [], []
    for row in rows:
        how, category, place = row.scope
        plan = MaintenancePlan(
            code=row.code, name=row.name, kind=row.kind, checklist_id=templates.get(row.template),
            team_id=teams.get(row.team), lead_days=row.lead, estimated_minutes=row.minutes,
            auto_repair=row.auto_repair, start_date=_start(row, today),
            instructions=f"按《{row.template}》逐项检查并如实记录；发现异常及时报修。" if row.template else "",
        )  # fmt: skip
        if row.schedule[0] == "every":
            _every, plan.interval, plan.interval_unit, plan.anchor = row.schedule
        else:
            plan.schedule = MaintenancePlan.Schedule.CALENDAR
            plan.weekdays = list(row.schedule[1]) if row.schedule[0] == "weekdays" else []
            plan.month_days = list(row.schedule[1]) if row.schedule[0] == "month_days" else []
        if how == "category":
            plan.category_id = categories[category]
            plan.location_id = locations.get(place) if place.startswith("L-") else None
            plan.building_id = buildings.get(place) if "." in place else None
            plan.campus_id = campuses.get(place) if place in campuses else None
        plans.append(plan)
        listed.append((how, category, place))
    MaintenancePlan.objects.bulk_create(plans)
    ids = dict(MaintenancePlan.objects.filter(code__in=[p.code for p in plans]).values_list("code", "id"))
    through = MaintenancePlan.equipment.through
    links = []
    for plan, (how, category, place) in zip(plans, listed, strict=True):
        if how == "category":
            continue
        items = Equipment.objects.filter(category__code=category, location__campus__code=place).exclude(
            status__in=[Status.RETIRED, Status.OUT_OF_SERVICE]
        )
        pks = list(items.order_by("code").values_list("pk", flat=True))
        pks = pks[:1] if how == "item" else pks
        links += [through(maintenanceplan_id=ids[plan.code], equipment_id=pk) for pk in pks]
    through.objects.bulk_create(links)
    counts.update(plans=len(plans), plan_items=len(links))


__all__ = ["item_plan", "plan_rows", "seed", "status_history_add"]
