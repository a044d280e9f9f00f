"""The figures of the equipment ledger, one definition for the KPI page, the API and exports: how
much of the equipment is in good condition (完好率) now and over a period, how long items were down,
how often they failed, how long their repairs took (MTTR) and how long they ran between failures
(MTBF), overall and by category (top level and the item's own), campus, building and department.

Everything comes from the ledger: each item's status history (``StatusChange``) and current status.
An item's time is cut into intervals, one per status it held: before its first change, the
``from_status`` of that change (when it names one); from each change, its ``to_status`` until the
next change (the last one until now). An item without history has held its current status since
the earlier of ``status_since`` and ``created_at``. An item's time starts at that earlier moment
(or at its first change if that is earlier still), never before. Only the part of an interval inside the period
counts, and a period ends at ``now`` at the latest: the future has no figures yet.

Definitions (hours; rates are fractions from 0 to 1, None when there is nothing to divide by):

- ``good_rate_now``: items in service / items not retired, from the current status.
- ``good_rate``: item-hours in service / item-hours not retired, over the period (time-weighted).
- ``downtime_hours``: item-hours faulty, under repair or out of service in the period.
- ``failures``: changes into faulty in the period from any status but faulty or under repair (a
  fault reported again while the item is being repaired belongs to that repair).
- ``repairs`` and ``mttr_hours``: a repair runs from the first change into faulty after the item was
  last in service to its next change into service; the repairs that end in the period and their
  mean length (the part before the period included).
- ``mtbf_hours``: item-hours in service in the period / failures in the period.

It costs three queries whatever the number of items (about half a second on PostgreSQL for a year
of 5,000 items with 107,000 changes: ``benchmarks/equipment_kpis.py``): the items with what they are grouped by, the
category tree, and one aggregate over the history. That one numbers each item's changes with window
functions (the next change's time, the row number, a running count of returns to service that
tells the repairs apart) and adds the intervals up per item in the database, so a year of history of
thousands of items comes back as one row per item. Times are seconds since 1970 as floats on both
PostgreSQL and SQLite, so both report the same figures."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TypedDict

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, F, FloatField, Func, IntegerField, QuerySet, Sum, Value, When, Window
from django.db.models.functions import Coalesce, Lead, Least, RowNumber
from django.utils import timezone

from .models import Category, Equipment, Status, StatusChange

DOWN = (Status.FAULTY, Status.UNDER_REPAIR, Status.OUT_OF_SERVICE)
TRACKED = (Status.IN_SERVICE, *DOWN)  # the statuses whose time counts: a retired item's does not
RELAPSE = (Status.FAULTY, Status.UNDER_REPAIR)  # into faulty from these: the same repair, not a failure
WORST = 20  # rows of the worst-items table
HOUR = 3600.0


# --- results ---------------------------------------------------------------------------------------
class PeriodFigures(TypedDict):
    """What the period's history says of an item or a group of items."""

    good_rate: float | None
    in_service_hours: float
    downtime_hours: float
    failures: int
    repairs: int
    mttr_hours: float | None
    mtbf_hours: float | None


class Figures(PeriodFigures):
    items: int  # not retired now
    in_service: int  # in service now
    good_rate_now: float | None


class GroupFigures(Figures):
    id: int | None  # None: items with no value for the grouping (no department, no building ...)
    name: str


class ItemFigures(PeriodFigures):
    id: int
    code: str
    name: str
    category: str
    status: str


class EquipmentKpis(TypedDict):
    start: dt.datetime
    end: dt.datetime  # where the period was measured up to: its end, or now if that is earlier
    period_hours: float
    overall: Figures
    by_top_category: list[GroupFigures]
    by_category: list[GroupFigures]
    by_campus: list[GroupFigures]
    by_building: list[GroupFigures]
    by_department: list[GroupFigures]
    worst_items: list[ItemFigures]


# --- SQL building blocks ---------------------------------------------------------------------------
class EpochSeconds(Func):
    """Seconds since 1970-01-01 UTC of a datetime as a float: ``date_part('epoch', …)`` on PostgreSQL,
    a ``julianday`` difference on SQLite (which stores datetimes as UTC text)."""

    arity = 1
    output_field = FloatField()
    template = "date_part('epoch', %(expressions)s)"  # a double; EXTRACT's numeric is slower

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra_context
        )


def _history(items: QuerySet[Equipment]) -> QuerySet:
    """One row per status change of the items, numbered within its item: ``t`` its time, ``t_next``
    the next change's (NULL for the last), ``n`` its rank, ``episode`` how many returns to service
    came before it (a repair's changes and the return that ends it share one number), ``t_origin``
    when the item's time starts."""
    per_item = {"partition_by": [F("equipment_id")], "order_by": [F("at").asc(), F("pk").asc()]}
    returns = Case(When(to_status=Status.IN_SERVICE, then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        StatusChange.objects.using(items.db)
        .filter(equipment__in=items.order_by().values("pk"))
        .order_by()
        .annotate(
            t=EpochSeconds("at"),
            t_next=Window(Lead(EpochSeconds("at")), **per_item),
            n=Window(RowNumber(), **per_item),
            # returns to service before this row: the running count up to it, less its own (one frame
            # for every window, so the database sorts and scans each item's rows once)
            episode=Window(Sum(returns), **per_item) - returns,
            t_origin=Least(EpochSeconds("equipment__created_at"), EpochSeconds("equipment__status_since")),
        )
        .values("equipment_id", "from_status", "to_status", "t", "t_next", "n", "episode", "t_origin")
    )


def _literal(value: str | float) -> str:
    """A status code or a number written into the SQL text (nothing from a request ever is)."""
    if isinstance(value, float):
        return repr(value)
    if not re.fullmatch(r"[a-z_]+", value):
        raise ValueError(value)
    return f"'{value}'"


def _history_sql(items: QuerySet[Equipment], start: float, end: float) -> tuple[str, tuple]:
    """Per item: seconds in each status within [start, end), failures, repairs ending in the period
    and their seconds. The window query is wrapped in plain SQL both databases speak."""
    s, e = _literal(start), _literal(end)

    def clip(lo: str, hi: str) -> str:  # the length of [lo, hi) inside [start, end)
        lo, hi = f"(CASE WHEN {lo} > {s} THEN {lo} ELSE {s} END)", f"(CASE WHEN {hi} < {e} THEN {hi} ELSE {e} END)"
        return f"(CASE WHEN {hi} > {lo} THEN {hi} - {lo} ELSE 0.0 END)"

    inner = _history(items)
    history, params = inner.query.get_compiler(using=inner.db).as_sql()
    # Only the ORM's compiled window query, numbers and status codes are written into this text.
    spans = (
        "SELECT equipment_id, episode, from_status, to_status, t, "  # noqa: S608
        f"{clip('t', f'COALESCE(t_next, {e})')} AS span, "
        f"CASE WHEN n = 1 THEN {clip('t_origin', 't')} ELSE 0.0 END AS before_first "
        f"FROM ({history}) history"
    )
    in_period = f"t >= {s} AND t < {e}"
    relapse = ", ".join(_literal(status) for status in RELAPSE)
    faulty, in_service = _literal(Status.FAULTY), _literal(Status.IN_SERVICE)
    by_status = ", ".join(
        f"SUM(CASE WHEN to_status = {_literal(status)} THEN span ELSE 0.0 END)"
        f" + SUM(CASE WHEN from_status = {_literal(status)} THEN before_first ELSE 0.0 END) AS s_{status}"
        for status in TRACKED
    )
    episodes = (
        f"SELECT equipment_id, {by_status}, "  # noqa: S608
        f"SUM(CASE WHEN to_status = {faulty} AND from_status NOT IN ({relapse}) AND {in_period} THEN 1 ELSE 0 END)"
        " AS failures, "
        f"MIN(CASE WHEN to_status = {faulty} THEN t END) AS repair_start, "
        f"MAX(CASE WHEN to_status = {in_service} THEN t END) AS repair_end "
        f"FROM ({spans}) spans GROUP BY equipment_id, episode"
    )
    ended = f"repair_start IS NOT NULL AND repair_end >= {s} AND repair_end < {e}"
    sql = (
        "SELECT equipment_id, " + ", ".join(f"SUM(s_{status})" for status in TRACKED) + ", SUM(failures), "
        f"SUM(CASE WHEN {ended} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {ended} THEN repair_end - repair_start ELSE 0.0 END) "
        f"FROM ({episodes}) episodes GROUP BY equipment_id"
    )
    return sql, params


def _history_totals(items: QuerySet[Equipment], start: float, end: float) -> dict[int, tuple]:
    """``_history_sql``'s rows by item id (none for an empty selection, which has no SQL)."""
    try:
        sql, params = _history_sql(items, start, end)
    except EmptyResultSet:  # ``none()``
        return {}
    with connections[items.db].cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


# --- adding up -------------------------------------------------------------------------------------
@dataclass
class _Tally:
    """Seconds per status, failures and repairs of one item or of a group of items."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TRACKED, 0.0))
    failures: int = 0
    repairs: int = 0
    repair_seconds: float = 0.0
    items: int = 0
    in_service: int = 0

    def add(self, other: _Tally) -> None:
        for status, seconds in other.seconds.items():
            self.seconds[status] += seconds
        self.failures += other.failures
        self.repairs += other.repairs
        self.repair_seconds += other.repair_seconds
        self.items += other.items
        self.in_service += other.in_service

    def figures(self) -> Figures:
        up = self.seconds[Status.IN_SERVICE]
        down = sum(self.seconds[status] for status in DOWN)
        return Figures(
            items=self.items,
            in_service=self.in_service,
            good_rate_now=_rate(self.in_service, self.items),
            good_rate=_rate(up, up + down),
            in_service_hours=_hours(up),
            downtime_hours=_hours(down),
            failures=self.failures,
            repairs=self.repairs,
            mttr_hours=_hours(self.repair_seconds / self.repairs) if self.repairs else None,
            mtbf_hours=_hours(up / self.failures) if self.failures else None,
        )


def _rate(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(seconds: float) -> float:
    return round(seconds / HOUR, 2)


ITEM_FIELDS = ("pk", "code", "name", "status", "status_since", "created_at", "category_id", "department_id",
               "department__name", "location__building_id", "location__building__name", "campus_id",
               "campus_name")  # fmt: skip


def _items(items: QuerySet[Equipment]) -> list[dict]:
    """The items with what they are grouped by; the campus is the location's, else the department's
    (as ``EquipmentFilter`` has it)."""
    return list(
        items.order_by()
        .annotate(
            campus_id=Coalesce(F("location__campus_id"), F("department__campus_id")),
            campus_name=Coalesce(F("location__campus__name"), F("department__campus__name")),
        )
        .values(*ITEM_FIELDS)
    )


def _categories(db: str) -> tuple[dict[int, str], dict[int, int], list[int]]:
    """Names, the top-level category of each category, and the tree's display order."""
    rows = list(Category.objects.using(db).values_list("pk", "name", "parent_id"))
    names = {pk: name for pk, name, _ in rows}
    parents = {pk: parent for pk, _, parent in rows}
    tops: dict[int, int] = {}
    for pk in parents:
        node, seen = pk, set()
        while parents.get(node) is not None and node not in seen:  # a broken loop stops, not hangs
            seen.add(node)
            node = parents[node]
        tops[pk] = node
    return names, tops, [pk for pk, _, _ in rows]


def _group(
    rows: Iterable[tuple[dict, _Tally]],
    key: Callable[[dict], Hashable],
    name: Callable[[dict], str | None],
    order: Callable[[GroupFigures], tuple] | None = None,
) -> list[GroupFigures]:
    """The figures of the items grouped by ``key`` (named by ``name``), in ``order`` (by name)."""
    tallies: dict[Hashable, _Tally] = defaultdict(_Tally)
    names: dict[Hashable, str] = {}
    for item, tally in rows:
        group = key(item)
        tallies[group].add(tally)
        names[group] = name(item) or ""
    groups = [GroupFigures(id=group, name=names[group], **tally.figures()) for group, tally in tallies.items()]
    return sorted(groups, key=order or (lambda g: (g["id"] is None, g["name"], g["id"] or 0)))


def equipment_kpis(
    items: QuerySet[Equipment] | None = None, *, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> EquipmentKpis:
    """The KPIs of ``items`` (already filtered; the whole ledger by default) over [start, end)."""
    items = Equipment.objects.all() if items is None else items
    now = now or timezone.now()
    until = max(start, min(end, now))
    s, e = start.timestamp(), until.timestamp()
    rows = _items(items)
    names, tops, tree_order = _categories(items.db)
    history = _history_totals(items, s, e)

    tallies: list[tuple[dict, _Tally]] = []
    for item in rows:
        tally = _Tally()
        if item["status"] != Status.RETIRED:
            tally.items = 1
            tally.in_service = int(item["status"] == Status.IN_SERVICE)
        found = history.get(item["pk"])
        if found is not None:
            *seconds, failures, repairs, repair_seconds = found
            tally.seconds = {status: float(value or 0) for status, value in zip(TRACKED, seconds, strict=True)}
            tally.failures, tally.repairs, tally.repair_seconds = int(failures), int(repairs), float(repair_seconds)
        elif item["status"] in TRACKED:  # no history: the current status since the item's time began
            origin = min(item["created_at"], item["status_since"]).timestamp()
            tally.seconds[item["status"]] = max(0.0, e - max(s, origin))
        tallies.append((item, tally))

    overall = _Tally()
    for _, tally in tallies:
        overall.add(tally)
    rank = {pk: i for i, pk in enumerate(tree_order)}

    def in_tree(group: GroupFigures) -> tuple:
        return rank.get(group["id"], len(rank)), group["id"] or 0

    return EquipmentKpis(
        start=start,
        end=until,
        period_hours=_hours(e - s),
        overall=overall.figures(),
        by_top_category=_group(
            tallies, lambda i: tops.get(i["category_id"]), lambda i: names.get(tops.get(i["category_id"])), in_tree
        ),
        by_category=_group(tallies, lambda i: i["category_id"], lambda i: names.get(i["category_id"]), in_tree),
        by_campus=_group(tallies, lambda i: i["campus_id"], lambda i: i["campus_name"]),
        by_building=_group(tallies, lambda i: i["location__building_id"], lambda i: i["location__building__name"]),
        by_department=_group(tallies, lambda i: i["department_id"], lambda i: i["department__name"]),
        worst_items=_worst(tallies, names),
    )


def _worst(tallies: list[tuple[dict, _Tally]], category_names: dict[int, str]) -> list[ItemFigures]:
    """The items down longest in the period (those down at all), then by code."""
    down = [(item, tally, tally.figures()) for item, tally in tallies]
    down = [row for row in down if row[2]["downtime_hours"] > 0]
    down.sort(key=lambda row: (-row[2]["downtime_hours"], row[0]["code"]))
    period = PeriodFigures.__annotations__
    return [
        ItemFigures(id=item["pk"], code=item["code"], name=item["name"], status=item["status"],
                    category=category_names.get(item["category_id"], ""),
                    **{key: value for key, value in figures.items() if key in period})  # type: ignore[typeddict-item]
        for item, _, figures in down[:WORST]
    ]  # fmt: skip


__all__ = ["EquipmentKpis", "Figures", "GroupFigures", "ItemFigures", "PeriodFigures", "equipment_kpis"]
