"""Automatic dispatch: the first active rule (in order) whose conditions an order meets decides who
gets it. Strategies pick among the team members on duty now (``attendance.selectors_duty``): round
robin, or the one with the fewest open orders. Nobody on duty: the order waits in the team queue."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from .models import DispatchRule, Strategy, WorkOrder
from .states import OPEN


def rule_matches(
    rule: DispatchRule,
    wo: WorkOrder,
    at: dt.datetime,
    category_ids: set[int],
    equipment_category_ids: set[int] = frozenset(),
) -> bool:
    """Whether ``wo`` meets every condition the rule sets (``category_ids``: the rule's categories;
    ``equipment_category_ids``: its equipment categories, matched by the item's category or any
    category above it)."""
    location = wo.location
    if category_ids and wo.category_id not in category_ids:
        return False
    if equipment_category_ids:
        if wo.equipment_id is None:
            return False
        if not {c.pk for c in wo.equipment.category.ancestors_and_self()} & equipment_category_ids:
            return False
    if rule.priority and rule.priority != wo.priority:
        return False
    if rule.department_id and rule.department_id != wo.department_id:
        return False
    if rule.location_id and rule.location_id != wo.location_id:
        return False
    if rule.building_id and (location is None or location.building_id != rule.building_id):
        return False
    if rule.campus_id and (location is None or location.campus_id != rule.campus_id):
        return False
    if rule.time_from is not None:
        now = timezone.localtime(at).time()
        if rule.time_from <= rule.time_to:
            return rule.time_from <= now < rule.time_to
        return now >= rule.time_from or now < rule.time_to  # spans midnight
    return True


def matching_rule(wo: WorkOrder, at: dt.datetime) -> DispatchRule | None:
    rules = DispatchRule.objects.filter(is_active=True).prefetch_related("categories", "equipment_categories")
    for rule in rules.order_by("order", "pk"):
        categories = {c.pk for c in rule.categories.all()}
        if rule_matches(rule, wo, at, categories, {c.pk for c in rule.equipment_categories.all()}):
            return rule
    return None


def pick_technician(rule: DispatchRule, at: dt.datetime):
    """The team member the rule's strategy picks among those on duty at ``at``, or None."""
    return _pick(rule.team, at, rule.strategy, rule.last_assigned.employee_no if rule.last_assigned_id else None)


def _pick(team, at: dt.datetime, strategy: str = Strategy.LEAST_LOADED, last: str | None = None):
    from attendance.selectors_duty import staff_on_duty

    on_duty = list(
        staff_on_duty(at=at, team=team)
        .annotate(load=Count("assigned_orders", filter=Q(assigned_orders__status__in=OPEN)))
        .order_by("employee_no")
    )
    if not on_duty:
        return None
    if strategy == Strategy.ROUND_ROBIN:
        following = [s for s in on_duty if last is None or s.employee_no > last]
        return (following or on_duty)[0]
    return min(on_duty, key=lambda s: (s.load, s.employee_no))


@transaction.atomic
def work_order_auto_dispatch(*, work_order: WorkOrder, at: dt.datetime | None = None) -> bool:
    """Apply the dispatch rules to a submitted order. Returns whether it was given to someone; an
    order no rule can place (or whose team has nobody on duty) stays in the team's queue.

    A planned order (maintenance plan) belongs to the plan's team: the rules, written for reported
    faults (nights to the duty team, elevators to the vendor ...), do not apply to it; it goes to
    the least loaded member of its team on duty, or waits in that team's queue."""
    from .services import work_order_dispatch

    at = at or timezone.now()
    wo = WorkOrder.objects.select_related("location", "equipment__category__parent").get(pk=work_order.pk)
    if wo.origin == WorkOrder.Origin.PLAN and wo.team_id:
        person = _pick(wo.team, at)
        if person is None:
            return False
        work_order_dispatch(work_order=wo, assignee=person, team=wo.team, auto=True)
        return True
    rule = matching_rule(wo, at)
    if rule is None:
        return False
    rule = DispatchRule.objects.select_for_update().get(pk=rule.pk)  # round robin: one pick at a time
    if rule.vendor_id:
        work_order_dispatch(work_order=wo, vendor=rule.vendor, team=rule.team, auto=True)
        return True
    person = rule.person if rule.strategy == Strategy.FIXED or not rule.team_id else pick_technician(rule, at)
    if person is None:
        if rule.team_id and wo.team_id != rule.team_id:
            WorkOrder.objects.filter(pk=wo.pk).update(team=rule.team)  # the team's queue
        return False
    work_order_dispatch(work_order=wo, assignee=person, team=rule.team, auto=True)
    rule.last_assigned = person
    rule.save(update_fields=["last_assigned"])
    return True
