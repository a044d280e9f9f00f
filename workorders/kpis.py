"""The figures of work-order performance, one definition for the dashboard pages, the API and the
exports: how many orders, how fast they were answered and resolved, how many were fixed the first
time, closed, finished on time and rated, and who carries the load.

``work_order_kpis(queryset)`` takes orders already filtered (``filters.WorkOrderFilter`` over
``selectors.orders_visible_to``) and reports three groups: repair orders (repairs and assistance
requests), planned orders (inspections and maintenance) and all of them. It costs a fixed number of
queries whatever the size of the table: one aggregate query for every count, mean and (on
PostgreSQL) 90th percentile, two grouped queries per group for the workload tables and, on SQLite,
two-row ``ORDER BY … LIMIT 2 OFFSET k`` queries for the percentiles.

Percentiles follow PostgreSQL's ``percentile_cont``: the value at rank ``f × (N − 1)`` of the sorted
values, interpolated linearly between the two nearest rows, so both databases report the same
figure for the same orders. Times are minutes; rates are fractions from 0 to 1 (None when there is
nothing to divide by, e.g. no closed order yet)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from django.db import connections
from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Func, Q, QuerySet, Sum
from django.db.models.aggregates import Aggregate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .filters import overdue_q
from .models import Kind, Priority, Status, WorkOrder
from .states import OPEN

P90 = 0.9
TOP = 50  # rows of each workload table
DONE = (Status.COMPLETED, Status.CLOSED)
GROUPS: dict[str, tuple[str, ...]] = {
    "repair": (Kind.REPAIR, Kind.ASSISTANCE),
    "planned": (Kind.INSPECTION, Kind.MAINTENANCE),
    "all": tuple(Kind.values),
}


@dataclass(frozen=True)
class Target:
    """A figure the hospital expects: ``value`` is the bound, ``higher_is_better`` says whether it is
    a floor (rates) or a ceiling (minutes); ``path`` finds the figure in a group's KPIs."""

    label: str | Promise
    value: float
    higher_is_better: bool
    path: tuple[str, ...]

    def met(self, figure: float | None) -> bool | None:
        if figure is None:
            return None
        return figure >= self.value if self.higher_is_better else figure <= self.value


TARGETS: dict[str, Target] = {
    "response_mean_minutes": Target(_("Mean response time (minutes)"), 30, False, ("response_minutes", "mean")),
    "closure_rate": Target(_("Closure rate"), 0.98, True, ("closure_rate",)),
    "urgent_on_time_rate": Target(_("Urgent orders resolved on time"), 0.95, True, ("urgent_on_time_rate",)),
    "first_time_fix_rate": Target(_("First-time fix rate"), 0.90, True, ("first_time_fix_rate",)),
    "auto_dispatch_rate": Target(_("Auto-dispatch rate"), 0.80, True, ("auto_dispatch_rate",)),
}


class Durations(TypedDict):
    count: int
    mean: float | None
    p90: float | None


class Satisfaction(TypedDict):
    rated: int
    mean: float | None
    distribution: dict[int, int]


class TechnicianLoad(TypedDict):
    id: int
    name: str
    open: int
    completed: int
    labour_minutes: int


class TeamLoad(TypedDict):
    id: int
    name: str
    total: int
    open: int
    completed: int
    labour_minutes: int


class TargetCheck(TypedDict):
    kpi: str
    label: str
    target: float
    higher_is_better: bool
    value: float | None
    met: bool | None


class GroupKpis(TypedDict):
    total: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    overdue: int
    auto_closed: int
    response_minutes: Durations
    resolution_minutes: Durations
    first_time_fix_rate: float | None
    closure_rate: float | None
    reopen_rate: float | None
    urgent_on_time_rate: float | None
    auto_dispatch_rate: float | None
    satisfaction: Satisfaction
    technicians: list[TechnicianLoad]
    teams: list[TeamLoad]
    targets: list[TargetCheck]


class Kpis(TypedDict):
    repair: GroupKpis
    planned: GroupKpis
    all: GroupKpis


# --- SQL building blocks ---------------------------------------------------------------------------
class Minutes(Func):
    """Minutes from the second datetime to the first, as a float (NULL when either is missing):
    epoch seconds of the interval on PostgreSQL, a ``julianday`` difference on SQLite."""

    arity = 2
    output_field = FloatField()
    template = "(EXTRACT(EPOCH FROM (%(expressions)s))::double precision / 60.0)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="((julianday(%(expressions)s)) * 1440.0)", arg_joiner=") - julianday(",
            **extra_context,
        )  # fmt: skip


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(f) WITHIN GROUP (ORDER BY …)``."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


RESPONSE = Minutes(F("accepted_at"), F("submitted_at"))
RESOLUTION = ExpressionWrapper(
    Minutes(F("completed_at"), F("submitted_at")) - F("held_minutes"), output_field=FloatField()
)


# --- percentiles -----------------------------------------------------------------------------------
def percentile_rank(count: int, fraction: float = P90) -> tuple[int, float]:
    """Where ``percentile_cont`` reads among ``count`` sorted values: the index of the lower row and
    the weight of the next one (0 when the rank falls exactly on a row)."""
    position = fraction * (count - 1)
    low = math.floor(position)
    return low, position - low


def interpolate(rows: Sequence[float], weight: float) -> float:
    """The value between the lower row and the next (``rows`` holds one or two sorted values)."""
    return rows[0] + (rows[-1] - rows[0]) * weight


def percentile_cont(values: Sequence[float], fraction: float = P90) -> float | None:
    """``percentile_cont`` of plain numbers (None for none): the reference both databases match."""
    ordered = sorted(values)
    if not ordered:
        return None
    low, weight = percentile_rank(len(ordered), fraction)
    return interpolate(ordered[low : low + 2], weight)


def percentile_by_offset(queryset: QuerySet, expression, count: int, fraction: float = P90) -> float | None:
    """``percentile_cont`` of ``expression`` over the ``count`` rows where it is not NULL, reading only
    the one or two rows at the rank (``ORDER BY … LIMIT 2 OFFSET k``): for databases without
    ordered-set aggregates (SQLite)."""
    if not count:
        return None
    low, weight = percentile_rank(count, fraction)
    rows = list(
        queryset.annotate(kpi_value=expression)
        .filter(kpi_value__isnull=False)
        .order_by("kpi_value")
        .values_list("kpi_value", flat=True)[low : low + 2]
    )
    return interpolate(rows, weight) if rows else None


# --- the KPIs --------------------------------------------------------------------------------------
def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _aggregates(group: str, kinds: tuple[str, ...], *, postgres: bool, now: dt.datetime) -> dict[str, Any]:
    """The aggregate expressions of one group, keyed ``<group>__<figure>``."""
    scope = Q() if group == "all" else Q(kind__in=kinds)

    def count(condition: Q | None = None) -> Count:
        where = scope & condition if condition is not None else scope
        return Count("pk", filter=where or None)

    done = Q(status__in=DONE)
    urgent_done = Q(priority=Priority.URGENT, resolution_due__isnull=False, completed_at__isnull=False) & done
    figures: dict[str, Any] = {
        "total": count(),
        **{f"status_{status}": count(Q(status=status)) for status in Status.values},
        **{f"kind_{kind}": count(Q(kind=kind)) for kind in kinds},
        "overdue": count(overdue_q(now)),
        "auto_closed": count(Q(auto_closed=True)),
        "closed_first_time": count(Q(status=Status.CLOSED, reopen_count=0)),
        "reopened": count(Q(reopen_count__gt=0)),
        "done_once": count(done | Q(reopen_count__gt=0)),
        "urgent_done": count(urgent_done),
        "urgent_on_time": count(urgent_done & Q(completed_at__lte=F("resolution_due"))),
        "dispatched": count(Q(dispatched_at__isnull=False)),
        "auto_dispatched": count(Q(dispatched_at__isnull=False, auto_dispatched=True)),
        "response_count": count(Q(accepted_at__isnull=False)),
        "response_mean": Avg(RESPONSE, filter=scope or None),
        "resolution_count": count(Q(completed_at__isnull=False)),
        "resolution_mean": Avg(RESOLUTION, filter=scope or None),
        "rated": count(Q(rating__isnull=False)),
        "rating_mean": Avg("rating", filter=scope or None),
        **{f"rating_{stars}": count(Q(rating=stars)) for stars in range(1, 6)},
    }
    if postgres:
        figures["response_p90"] = PercentileCont(RESPONSE, P90, filter=scope or None)
        figures["resolution_p90"] = PercentileCont(RESOLUTION, P90, filter=scope or None)
    return {f"{group}__{name}": expression for name, expression in figures.items()}


def _technicians(orders: QuerySet) -> list[TechnicianLoad]:
    rows = (
        orders.filter(assignee__isnull=False)
        .order_by()
        .values("assignee_id", "assignee__name")
        .annotate(
            n_open=Count("pk", filter=Q(status__in=OPEN)),
            n_done=Count("pk", filter=Q(status__in=DONE)),
            labour=Sum("labour_minutes", filter=Q(status__in=DONE), default=0),
        )
        .order_by("-n_open", "-n_done", "assignee__name", "assignee_id")[:TOP]
    )
    return [
        TechnicianLoad(
            id=r["assignee_id"],
            name=r["assignee__name"],
            open=r["n_open"],
            completed=r["n_done"],
            labour_minutes=r["labour"],
        )
        for r in rows
    ]


def _teams(orders: QuerySet) -> list[TeamLoad]:
    rows = (
        orders.filter(team__isnull=False)
        .order_by()
        .values("team_id", "team__name")
        .annotate(
            n_total=Count("pk"),
            n_open=Count("pk", filter=Q(status__in=OPEN)),
            n_done=Count("pk", filter=Q(status__in=DONE)),
            labour=Sum("labour_minutes", filter=Q(status__in=DONE), default=0),
        )
        .order_by("-n_open", "-n_total", "team__name", "team_id")[:TOP]
    )
    return [
        TeamLoad(
            id=r["team_id"],
            name=r["team__name"],
            total=r["n_total"],
            open=r["n_open"],
            completed=r["n_done"],
            labour_minutes=r["labour"],
        )
        for r in rows
    ]


def _targets(group: GroupKpis) -> list[TargetCheck]:
    checks: list[TargetCheck] = []
    for key, target in TARGETS.items():
        figure: Any = group
        for part in target.path:
            figure = figure[part]
        checks.append(
            TargetCheck(kpi=key, label=str(target.label), target=target.value,
                        higher_is_better=target.higher_is_better, value=figure, met=target.met(figure))
        )  # fmt: skip
    return checks


def _group(queryset: QuerySet, group: str, kinds: tuple[str, ...], row: dict[str, Any], postgres: bool) -> GroupKpis:
    def get(name: str) -> Any:
        return row[f"{group}__{name}"]

    orders = queryset if group == "all" else queryset.filter(kind__in=kinds)
    if postgres:
        response_p90, resolution_p90 = get("response_p90"), get("resolution_p90")
    else:
        response_p90 = percentile_by_offset(orders, RESPONSE, get("response_count"))
        resolution_p90 = percentile_by_offset(orders, RESOLUTION, get("resolution_count"))
    closed = get(f"status_{Status.CLOSED}")
    kpis = GroupKpis(
        total=get("total"),
        by_status={status: get(f"status_{status}") for status in Status.values},
        by_kind={kind: get(f"kind_{kind}") for kind in kinds},
        overdue=get("overdue"),
        auto_closed=get("auto_closed"),
        response_minutes=Durations(
            count=get("response_count"), mean=_round(get("response_mean")), p90=_round(response_p90)
        ),
        resolution_minutes=Durations(
            count=get("resolution_count"), mean=_round(get("resolution_mean")), p90=_round(resolution_p90)
        ),
        first_time_fix_rate=_rate(get("closed_first_time"), closed),
        closure_rate=_rate(closed, get("total") - get(f"status_{Status.CANCELLED}")),
        reopen_rate=_rate(get("reopened"), get("done_once")),
        urgent_on_time_rate=_rate(get("urgent_on_time"), get("urgent_done")),
        auto_dispatch_rate=_rate(get("auto_dispatched"), get("dispatched")),
        satisfaction=Satisfaction(
            rated=get("rated"),
            mean=_round(get("rating_mean")),
            distribution={stars: get(f"rating_{stars}") for stars in range(1, 6)},
        ),
        technicians=_technicians(orders),
        teams=_teams(orders),
        targets=[],
    )
    kpis["targets"] = _targets(kpis)
    return kpis


def work_order_kpis(queryset: QuerySet[WorkOrder], *, now: dt.datetime | None = None) -> Kpis:
    """The KPIs of the given (already filtered) orders, for repair orders, planned orders and all.

    Each group holds: ``total``; ``by_status`` and ``by_kind`` counts; ``overdue`` (open orders past
    a target at ``now``); ``auto_closed``; ``response_minutes`` (report → accepted, by the latest
    acceptance) and ``resolution_minutes`` (report → completed, minus the minutes on hold), each
    ``{count, mean, p90}``; ``first_time_fix_rate`` (closed orders never reopened / closed);
    ``closure_rate`` (closed / all but the cancelled); ``reopen_rate`` (orders sent back at least
    once / orders reported done at least once); ``urgent_on_time_rate`` (urgent orders completed by
    their resolution target / urgent completed or closed orders that have one);
    ``auto_dispatch_rate`` (dispatched automatically / dispatched); ``satisfaction`` ``{rated, mean,
    distribution {1..5: count}}``; the ``technicians`` and ``teams`` with the most open orders (top
    50: open, completed, labour minutes of the completed ones); and ``targets``, each hospital
    target of ``TARGETS`` with the figure and whether it is met."""
    now = now or timezone.now()
    postgres = connections[queryset.db].vendor == "postgresql"
    expressions: dict[str, Any] = {}
    for group, kinds in GROUPS.items():
        expressions.update(_aggregates(group, kinds, postgres=postgres, now=now))
    row = queryset.order_by().aggregate(**expressions)
    return Kpis(**{group: _group(queryset, group, kinds, row, postgres) for group, kinds in GROUPS.items()})


__all__ = ["TARGETS", "Kpis", "Target", "percentile_cont", "work_order_kpis"]
