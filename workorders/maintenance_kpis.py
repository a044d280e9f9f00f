"""The figures of planned maintenance and of what equipment costs to keep running, for the equipment
KPI page and API (which compose them with ``equipment.kpis``).

Compliance counts the occurrences (one per plan, item and due date) due in the period: the days
whose midnight falls in [start, end). Cancelled ones are left out, and so are open ones not yet past
due (they may still be done on time). Of the rest, each is:

- done on time: done on or before its due date (local date of ``done_at``, as ``Occurrence.on_time``);
- done late: done after its due date;
- missed: marked missed (its plan's next due date came first);
- overdue: still open after its due date.

``rate`` = done on time / (done on time + done late + missed + overdue), overall and by plan kind,
by the item's category and by the plan's team. One grouped query serves all four.

Cost: the orders on the items (any kind: repairs and planned work) completed in [start, end), not
cancelled: the parts cost, the labour hours, and the labour at ``EQUIPMENT_LABOUR_RATE_PER_HOUR``
(0 by default, so the cost is the parts alone until the hospital sets a rate). An order for several
items at once (a plan's round) names no item and is not counted. One grouped query, per item, added
up by category and overall."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from equipment.models import Equipment, PlanKind

from .models import Status, WorkOrder
from .models_maintenance import Occurrence, OccurrenceState

ONE_DAY = dt.timedelta(days=1)
TOP = 20  # rows of the costliest-items table
CENT = Decimal("0.01")
OUTCOMES = ("on_time", "late", "missed", "overdue", "not_due")


class Compliance(TypedDict):
    due: int  # the denominator: done on time, done late, missed or overdue
    done_on_time: int
    done_late: int
    missed: int
    overdue: int
    not_yet_due: int  # open and not past due: not counted
    rate: float | None


class GroupCompliance(Compliance):
    id: int | str | None
    name: str


class Cost(TypedDict):
    orders: int
    parts_cost: Decimal
    labour_hours: float
    labour_cost: Decimal
    total_cost: Decimal


class GroupCost(Cost):
    id: int | None
    name: str


class ItemCost(Cost):
    id: int
    code: str
    name: str


class MaintenanceKpis(TypedDict):
    first_day: dt.date
    last_day: dt.date
    compliance: Compliance
    by_plan_kind: list[GroupCompliance]
    by_category: list[GroupCompliance]
    by_team: list[GroupCompliance]
    labour_rate_per_hour: Decimal
    cost: Cost
    cost_by_category: list[GroupCost]
    costliest_items: list[ItemCost]


def period_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and last day whose (local) midnight falls in [start, end)."""
    first, last = timezone.localtime(start), timezone.localtime(end)
    first_day = first.date() if first.time() == dt.time.min else first.date() + ONE_DAY
    last_day = last.date() - ONE_DAY if last.time() == dt.time.min else last.date()
    return first_day, last_day


def _labour_rate() -> Decimal:
    return Decimal(str(settings.EQUIPMENT_LABOUR_RATE_PER_HOUR))


# --- compliance ------------------------------------------------------------------------------------
def _compliance(counts: dict[str, int]) -> Compliance:
    due = counts["on_time"] + counts["late"] + counts["missed"] + counts["overdue"]
    return Compliance(
        due=due,
        done_on_time=counts["on_time"],
        done_late=counts["late"],
        missed=counts["missed"],
        overdue=counts["overdue"],
        not_yet_due=counts["not_due"],
        rate=round(counts["on_time"] / due, 4) if due else None,
    )


def _occurrence_rows(
    equipment: QuerySet[Equipment] | None, first_day: dt.date, last_day: dt.date, today: dt.date
) -> list[dict]:
    """Occurrences due in the period by outcome, grouped by plan kind, item category and plan team."""
    done = Q(state=OccurrenceState.DONE)
    opened = Q(state=OccurrenceState.OPEN)
    occurrences = Occurrence.objects.filter(due_date__gte=first_day, due_date__lte=last_day).exclude(
        state=OccurrenceState.CANCELLED
    )
    if equipment is not None:
        occurrences = occurrences.using(equipment.db).filter(equipment__in=equipment.order_by().values("pk"))
    return list(
        occurrences.annotate(done_day=TruncDate("done_at"))
        .values(
            "plan__kind", "equipment__category_id", "equipment__category__name", "plan__team_id", "plan__team__name"
        )
        .annotate(
            done=Count("pk", filter=done),
            on_time=Count("pk", filter=done & Q(done_day__lte=F("due_date"))),
            missed=Count("pk", filter=Q(state=OccurrenceState.MISSED)),
            overdue=Count("pk", filter=opened & Q(due_date__lt=today)),
            not_due=Count("pk", filter=opened & Q(due_date__gte=today)),
        )
        .order_by()
    )


def _tally(rows: list[dict], key: Callable[[dict], Hashable]) -> dict[Hashable, dict[str, int]]:
    """Outcome counts per group (``key`` of a row); ``late`` is done less done on time."""
    groups: dict[Hashable, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for row in rows:
        counts = groups[key(row)]
        counts["on_time"] += row["on_time"]
        counts["late"] += row["done"] - row["on_time"]
        for outcome in ("missed", "overdue", "not_due"):
            counts[outcome] += row[outcome]
    return groups


def _groups(rows: list[dict], key: str, name: Callable[[dict], str]) -> list[GroupCompliance]:
    names = {row[key]: name(row) or "" for row in rows}
    groups = [
        GroupCompliance(id=group, name=names[group], **_compliance(counts))
        for group, counts in _tally(rows, lambda row: row[key]).items()
    ]
    return sorted(groups, key=lambda g: (g["id"] is None, g["name"], str(g["id"])))


# --- cost ------------------------------------------------------------------------------------------
def _cost(orders: int, parts: Decimal | None, minutes: int | None, rate: Decimal) -> Cost:
    minutes = minutes or 0
    parts = Decimal(parts or 0).quantize(CENT)
    labour = (Decimal(minutes) * rate / 60).quantize(CENT)
    return Cost(orders=orders, parts_cost=parts, labour_hours=round(minutes / 60, 2), labour_cost=labour,
                total_cost=parts + labour)  # fmt: skip


def _cost_rows(equipment: QuerySet[Equipment] | None, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Per item: orders completed in the period, their parts cost and labour minutes."""
    orders = WorkOrder.objects.filter(equipment__isnull=False, completed_at__gte=start, completed_at__lt=end).exclude(
        status=Status.CANCELLED
    )
    if equipment is not None:
        orders = orders.using(equipment.db).filter(equipment__in=equipment.order_by().values("pk"))
    return list(
        orders.values(
            "equipment_id", "equipment__code", "equipment__name", "equipment__category_id", "equipment__category__name"
        )
        .annotate(orders=Count("pk"), parts=Sum("parts_cost"), minutes=Sum("labour_minutes"))
        .order_by()
    )


def _summed(rows: list[dict], rate: Decimal) -> Cost:
    parts = sum((row["parts"] or 0 for row in rows), Decimal(0))
    return _cost(sum(row["orders"] for row in rows), parts, sum(row["minutes"] or 0 for row in rows), rate)


def _cost_by_category(rows: list[dict], rate: Decimal) -> list[GroupCost]:
    by_category: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_category[row["equipment__category_id"]].append(row)
    groups = [
        GroupCost(id=pk, name=group[0]["equipment__category__name"], **_summed(group, rate))
        for pk, group in by_category.items()
    ]
    return sorted(groups, key=lambda g: (-g["total_cost"], g["name"]))


def maintenance_kpis(
    equipment: QuerySet[Equipment] | None = None,
    *,
    start: dt.datetime,
    end: dt.datetime,
    today: dt.date | None = None,
) -> MaintenanceKpis:
    """Compliance with the maintenance plans and the cost of the orders on ``equipment`` (already
    filtered; every item by default) over [start, end). Two queries."""
    today = today or timezone.localdate()
    first_day, last_day = period_days(start, end)
    rows = _occurrence_rows(equipment, first_day, last_day, today)
    overall = _tally(rows, lambda row: None).get(None, dict.fromkeys(OUTCOMES, 0))
    kinds = _groups(rows, "plan__kind", lambda row: str(PlanKind(row["plan__kind"]).label))

    rate = _labour_rate()
    costs = _cost_rows(equipment, start, end)
    items = [
        ItemCost(id=row["equipment_id"], code=row["equipment__code"], name=row["equipment__name"],
                 **_cost(row["orders"], row["parts"], row["minutes"], rate))
        for row in costs
    ]  # fmt: skip
    return MaintenanceKpis(
        first_day=first_day,
        last_day=last_day,
        compliance=_compliance(overall),
        by_plan_kind=kinds,
        by_category=_groups(rows, "equipment__category_id", lambda row: row["equipment__category__name"]),
        by_team=_groups(rows, "plan__team_id", lambda row: row["plan__team__name"]),
        labour_rate_per_hour=rate,
        cost=_summed(costs, rate),
        cost_by_category=_cost_by_category(costs, rate),
        costliest_items=sorted(items, key=lambda i: (-i["total_cost"], i["code"]))[:TOP],
    )


__all__ = ["MaintenanceKpis", "maintenance_kpis", "period_days"]
