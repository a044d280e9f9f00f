"""Planned work: due maintenance plans become work orders, and the occurrences follow their orders.

``plans_generate(today)`` (the daily beat task, and "generate now" on a plan's page) walks the active
plans. For each plan, under a lock on the plan's row, it works out for every item the plan covers the
due dates that have come within the plan's lead time and have no occurrence yet, and makes one order
per due date with one checklist per item. (plan, item, due date) is unique, so a rerun, a second
worker or a retried task makes nothing twice. After an outage, a due date whose next one has already
come is recorded as missed without an order; only the current one gets an order.

``occurrences_mark_missed(today)`` marks an occurrence missed once the plan's next due date has come
and it is not done, and cancels its order if nobody started it. Completing an order marks its
occurrences done (refused while a required checklist line is empty); reopening undoes that;
cancelling cancels them (``register_hooks``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from equipment.models import Equipment, MaintenancePlan, PlanKind
from equipment.schedules import counts_from_completion, due_dates, due_from_completion, next_due_after
from equipment.selectors import plan_equipment, plans_active_on
from logistics.common.errors import DomainError

from .models import Category, ChecklistEntry, Occurrence, OccurrenceState, Status, WorkOrder

logger = logging.getLogger(__name__)

ONE_DAY = dt.timedelta(days=1)
PLAN_KIND_TO_ORDER_KIND = {
    PlanKind.INSPECTION: WorkOrder.Kind.INSPECTION,
    PlanKind.MAINTENANCE: WorkOrder.Kind.MAINTENANCE,
    PlanKind.CERTIFICATION: WorkOrder.Kind.INSPECTION,  # arranging the authority's inspection
}
# an order nobody has started yet is cancelled when all its occurrences are missed
NOT_STARTED = (Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED)
OPEN = OccurrenceState.OPEN


@dataclass
class GenerationResult:
    orders: list[WorkOrder] = field(default_factory=list)
    occurrences: int = 0
    missed: int = 0
    failed_plans: list[str] = field(default_factory=list)


def order_category_for(equipment_category, *, fallback: bool = True) -> Category | None:
    """The work-order category whose equipment categories include this one or the nearest category
    above it; else (``fallback``) the first active category, so planned work is never lost for want
    of a mapping."""
    chain = [c.pk for c in equipment_category.ancestors_and_self()] if equipment_category else []
    mapped = {
        ec: cat
        for cat in Category.objects.filter(is_active=True, equipment_categories__in=chain).prefetch_related(
            "equipment_categories"
        )
        for ec in cat.equipment_categories.values_list("pk", flat=True)
    }
    for pk in chain:
        if pk in mapped:
            return mapped[pk]
    if not fallback:
        return None
    return Category.objects.filter(is_active=True).order_by("order", "code").first()


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + ONE_DAY, dt.time.min))


def _due_for(plan: MaintenancePlan, history: dict | None, today: dt.date, horizon: dt.date) -> list[dt.date]:
    """The due dates of one (plan, item) to record now, oldest first."""
    if counts_from_completion(plan):
        if history and history["open"]:
            return []  # the current one is not done: the next is counted from its completion
        if history and history["last_done"]:
            due = due_from_completion(plan, timezone.localdate(history["last_done"]))
        else:
            due = max(plan.start_date, today)
        if history and due <= history["last_due"]:  # the last one was missed or cancelled
            due = max(today, history["last_due"] + ONE_DAY)
        if due > horizon or (plan.end_date and due > plan.end_date):
            return []
        return [due]
    start = history["last_due"] + ONE_DAY if history else today
    return due_dates(plan, start, horizon)


def _title(plan: MaintenancePlan, items: list[Equipment], due: dt.date) -> str:
    what = items[0].name if len(items) == 1 else _("%(count)d items") % {"count": len(items)}
    return f"{plan.name} · {what} · {due:%Y-%m-%d}"[:120]


LISTED_ITEMS = 10  # items named in an order's description


def _description(plan: MaintenancePlan, items: list[Equipment]) -> str:
    lines = [plan.instructions.strip()] if plan.instructions.strip() else []
    lines.append(_("Plan %(code)s, estimated %(minutes)d minutes per item.")
                 % {"code": plan.code, "minutes": plan.estimated_minutes})  # fmt: skip
    listed = items[:LISTED_ITEMS]
    lines += [f"- {item.code} {item.name}" + (f" @ {item.location}" if item.location_id else "") for item in listed]
    if len(items) > len(listed):  # the checklist on the order names every item
        lines.append(_("… and %(count)d more items: see the checklist.") % {"count": len(items) - len(listed)})
    return "\n".join(lines)[:4000]


def _common(items: list[Equipment], attr: str):
    values = {getattr(item, f"{attr}_id") for item in items}
    return getattr(items[0], attr) if len(values) == 1 else None


def _order_for(plan: MaintenancePlan, items: list[Equipment], due: dt.date, today: dt.date) -> WorkOrder:
    from .services import work_order_create

    category = order_category_for(plan.category or items[0].category)
    if category is None:
        raise DomainError(_("No active work-order category for planned work."))
    return work_order_create(
        category=category,
        title=_title(plan, items, due),
        description=_description(plan, items),
        kind=PLAN_KIND_TO_ORDER_KIND[plan.kind],
        origin=WorkOrder.Origin.PLAN,
        equipment=items[0] if len(items) == 1 else None,
        location=_common(items, "location"),
        department=_common(items, "department"),
        team=plan.team,
        due=_end_of(due),
        auto_dispatch=due <= today,  # orders made ahead wait in the team's queue until planned
    )


def _checklist_rows(plan: MaintenancePlan) -> list[dict]:
    if plan.checklist_id is None:
        return []
    return [
        {"order": line.order, "label": line.label, "kind": line.kind, "unit": line.unit,
         "min_value": line.min_value, "max_value": line.max_value, "required": line.required,
         "guidance": line.guidance}
        for line in plan.checklist.items.all()
    ]  # fmt: skip


@transaction.atomic
def plan_generate(plan: MaintenancePlan, today: dt.date | None = None) -> GenerationResult:
    """Record the plan's due occurrences up to its lead time and make their orders. Idempotent."""
    today = today or timezone.localdate()
    result = GenerationResult()
    # one generation of a plan at a time: a second worker waits here, then finds the rows made
    plan = MaintenancePlan.objects.select_for_update(of=("self",)).select_related("checklist").get(pk=plan.pk)
    if not plan.is_active:
        return result
    horizon = today + dt.timedelta(days=plan.lead_days)
    items = list(plan_equipment(plan))
    history = {
        row["equipment_id"]: row
        for row in Occurrence.objects.filter(plan=plan, equipment__in=[i.pk for i in items])
        .values("equipment_id")
        .annotate(last_due=Max("due_date"), last_done=Max("done_at"), open=Count("pk", filter=Q(state=OPEN)))
    }
    to_order: dict[dt.date, list[Equipment]] = defaultdict(list)
    missed: list[Occurrence] = []
    for item in items:
        for due in _due_for(plan, history.get(item.pk), today, horizon):
            following = None if counts_from_completion(plan) else next_due_after(plan, due)
            if following is not None and following <= today:
                missed.append(Occurrence(plan=plan, equipment=item, due_date=due, state=OccurrenceState.MISSED))
            else:
                to_order[due].append(item)
    Occurrence.objects.bulk_create(missed)
    result.missed = len(missed)
    lines = _checklist_rows(plan)
    for due in sorted(to_order):
        group = to_order[due]
        order = _order_for(plan, group, due, today)
        occurrences = Occurrence.objects.bulk_create(
            [Occurrence(plan=plan, equipment=item, due_date=due, work_order=order) for item in group]
        )
        ChecklistEntry.objects.bulk_create(
            [ChecklistEntry(occurrence=occ, **line) for occ in occurrences for line in lines]
        )
        result.orders.append(order)
        result.occurrences += len(occurrences)
    return result


def plans_generate(today: dt.date | None = None, plans=None) -> GenerationResult:
    """Generate every active plan (or the given ones), each in its own transaction: a plan that
    fails (no category, a database error) is logged and reported, the others go on."""
    today = today or timezone.localdate()
    total = GenerationResult()
    for plan in plans if plans is not None else plans_active_on(today).order_by("pk"):
        try:
            one = plan_generate(plan, today)
        except DomainError as exc:
            logger.warning("maintenance plan %s not generated: %s", plan.code, exc)
            total.failed_plans.append(plan.code)
            continue
        total.orders += one.orders
        total.occurrences += one.occurrences
        total.missed += one.missed
    return total


def occurrences_mark_missed(today: dt.date | None = None) -> int:
    """Open occurrences whose plan's next due date has come are missed; an order none of whose
    occurrences is still due is cancelled when nobody has started it. Returns how many were missed."""
    from .services import work_order_cancel

    today = today or timezone.localdate()
    stale = Occurrence.objects.filter(state=OccurrenceState.OPEN, due_date__lt=today)
    plans = {p.pk: p for p in MaintenancePlan.objects.filter(pk__in=stale.values("plan_id"))}
    missed, orders = 0, set()
    for plan_id, due in stale.values_list("plan_id", "due_date").distinct():
        plan = plans[plan_id]
        if counts_from_completion(plan):
            continue  # counted from completions: late, never superseded
        following = next_due_after(plan, due)
        if following is None or following > today:
            continue
        with transaction.atomic():
            rows = Occurrence.objects.filter(plan_id=plan_id, due_date=due, state=OccurrenceState.OPEN)
            orders.update(rows.exclude(work_order=None).values_list("work_order_id", flat=True))
            missed += rows.update(state=OccurrenceState.MISSED)
    for order in WorkOrder.objects.filter(pk__in=orders, status__in=NOT_STARTED).order_by("pk"):
        if not order.occurrences.filter(state=OccurrenceState.OPEN).exists():
            with contextlib.suppress(DomainError):  # started meanwhile: the technician finishes it late
                work_order_cancel(work_order=order, reason=_("Missed: the plan's next occurrence is due."), actor=None)
    return missed


# --- the orders' milestones ----------------------------------------------------------------------
def _on_milestone(wo: WorkOrder, milestone: str, actor) -> None:
    occurrences = Occurrence.objects.filter(work_order=wo)
    if milestone == "completed":
        empty = ChecklistEntry.objects.filter(occurrence__work_order=wo, required=True, filled_at=None)
        if empty.exists():
            raise DomainError(
                _("Fill in the checklist first: %(count)d required lines are empty.") % {"count": empty.count()}
            )
        occurrences.filter(state__in=[OccurrenceState.OPEN, OccurrenceState.MISSED]).update(done_at=wo.completed_at)
        occurrences.filter(state=OccurrenceState.OPEN).update(state=OccurrenceState.DONE)
    elif milestone == "reopened":
        occurrences.filter(state=OccurrenceState.DONE).update(state=OccurrenceState.OPEN)
        occurrences.update(done_at=None)
    elif milestone == "cancelled":
        occurrences.filter(state=OccurrenceState.OPEN).update(state=OccurrenceState.CANCELLED)


def register_hooks() -> None:
    from .hooks import MilestoneHook, milestone_hooks

    milestone_hooks.register(MilestoneHook(key="workorders.maintenance", handler=_on_milestone, order=10,
                                           milestones=frozenset({"completed", "reopened", "cancelled"})))  # fmt: skip
