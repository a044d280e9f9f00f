"""Reads of the work-orders app: who sees which orders, duplicates, work lists."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import WorkOrder
from .states import OPEN

LIST_RELATED = ("category", "team", "assignee", "vendor", "requester", "department", "location")


def with_list_related(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """The related rows a list shows, fetched as a few small queries by primary key rather than as
    seven joins (planning a seven-join query over a million orders costs more than running it)."""
    return orders.select_related("category").prefetch_related(*[r for r in LIST_RELATED if r != "category"])


def sees_all_orders(user) -> bool:
    """Dispatchers, managers and system administrators (and superusers) see every order."""
    from logistics.common.registries import user_roles
    from logistics.org.roles import DISPATCHER, MANAGER, SYSADMIN

    return bool(user.is_authenticated and (user.is_superuser or user_roles(user) & {DISPATCHER, MANAGER, SYSADMIN}))


def orders_visible_to(user) -> QuerySet[WorkOrder]:
    """The orders a user may open: every order for dispatchers, managers and system administrators;
    otherwise the orders they asked for or entered, the orders of the teams they lead or belong to,
    and the orders they work on (responsible or helping). Anything else is a 404."""
    orders = WorkOrder.objects.all()
    if not user.is_authenticated:
        return orders.none()
    if sees_all_orders(user):
        return orders
    scope = Q(created_by=user) | Q(requester__user=user) | Q(team__lead__user=user)
    staff = getattr(user, "staff", None)
    if staff is not None:
        scope |= Q(assignee=staff) | Q(helpers=staff)
        if staff.team_id:
            scope |= Q(team_id=staff.team_id)
    return orders.filter(pk__in=WorkOrder.objects.filter(scope).values("pk"))


def is_dispatcher(user) -> bool:
    """May assign, reassign and move vendor orders along: dispatchers, team leads (their teams'
    orders, scoped by ``orders_visible_to``) and superusers."""
    return user.is_authenticated and user.has_perm("workorders.change_workorder")


def my_tasks(staff) -> QuerySet[WorkOrder]:
    """A technician's open orders (responsible or helping), most urgent first."""
    from django.db.models import Case, IntegerField, Value, When

    rank = Case(
        When(priority="urgent", then=Value(0)), When(priority="high", then=Value(1)),
        When(priority="normal", then=Value(2)), default=Value(3), output_field=IntegerField(),
    )  # fmt: skip
    return (
        WorkOrder.objects.filter(Q(assignee=staff) | Q(helpers=staff), status__in=OPEN)
        .distinct()
        .select_related(*LIST_RELATED)
        .annotate(rank=rank)
        .order_by("rank", "submitted_at")
    )


def open_duplicates(*, category, location=None, equipment=None) -> QuerySet[WorkOrder]:
    """Open orders for the same item, or of the same category at the same place: the form warns
    before a second report of the same fault."""
    scope = Q()
    if equipment is not None:
        scope |= Q(equipment=equipment)
    if location is not None:
        scope |= Q(category=category, location=location)
    if not scope:
        return WorkOrder.objects.none()
    return WorkOrder.objects.filter(scope, status__in=OPEN).order_by("-submitted_at")
