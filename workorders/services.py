"""Writes of the work-orders app: one service per transition.

Each locks the order row (``select_for_update``), checks the transition (``states.py``) and who may
make it, sets the fields, writes a ``WorkOrderEvent`` and schedules notifications through the
outbox, all in one transaction: a second accept of the same order fails with ``InvalidTransition``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.errors import DomainError

from .hooks import run_hooks
from .models import Category, DailySequence, EventKind, Priority, SlaPolicy, Status, WorkOrder, WorkOrderEvent
from .states import OPEN, ensure_transition

TITLE_MAX = 120
TEXT_MAX = 4000


# --- helpers -------------------------------------------------------------------------------------
def _number(now: dt.datetime) -> str:
    """``WO-YYYYMMDD-NNNN``: the day's counter, incremented under a row lock (no two orders share a
    number, whatever the concurrency)."""
    day = timezone.localdate(now)
    DailySequence.objects.get_or_create(day=day)
    DailySequence.objects.filter(day=day).update(last=F("last") + 1)
    last = DailySequence.objects.select_for_update().get(day=day).last
    return f"WO-{day:%Y%m%d}-{last:04d}"


def sla_for(*, priority: str, category: Category) -> SlaPolicy | None:
    """The category's own policy for the priority, else the priority's general one."""
    policies = SlaPolicy.objects.filter(priority=priority).filter(Q(category=category) | Q(category__isnull=True))
    return min(policies, key=lambda p: p.category_id is None, default=None)


def _locked(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)


def _begin(work_order: WorkOrder, target: str, technician=None) -> tuple[WorkOrder, str]:
    """The start of every transition: lock the row, check the move, then (for a technician's step)
    that the order is theirs. Returns the locked order and the status it had."""
    wo = _locked(work_order)
    before = wo.status
    ensure_transition(before, target)
    if technician is not None:
        _is_actor_technician(wo, technician)
    return wo, before


def _event(wo: WorkOrder, kind: str, actor, from_status: str, comment: str = "", **data) -> WorkOrderEvent:
    return WorkOrderEvent.objects.create(
        work_order=wo, kind=kind, actor=actor, from_status=from_status, to_status=wo.status,
        comment=(comment or "")[:500], data=data,
    )  # fmt: skip


def _notify(recipients, verb: str, title: str, wo: WorkOrder, actor, level: str = "info") -> None:
    from logistics.notifications.services import notify

    recipients = [r for r in recipients if r is not None]
    if recipients:
        notify(recipients=recipients, verb=verb, title=title, target=wo, actor=actor, level=level,
               url=wo.get_absolute_url())  # fmt: skip


def _text(value: str, limit: int, label: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("%(field)s is required.") % {"field": label})
    if len(value) > limit:
        raise DomainError(_("%(field)s is longer than %(limit)d characters.") % {"field": label, "limit": limit})
    return value


def _is_actor_technician(wo: WorkOrder, technician) -> None:
    if wo.assignee_id != technician.pk and not wo.helpers.filter(pk=technician.pk).exists():
        raise DomainError(_("This order is not assigned to you."), code="forbidden")


# --- create and dispatch --------------------------------------------------------------------------
@transaction.atomic
def work_order_create(
    *,
    category: Category,
    title: str,
    description: str = "",
    priority: str = Priority.NORMAL,
    kind: str = WorkOrder.Kind.REPAIR,
    origin: str = WorkOrder.Origin.PERSON,
    requester=None,
    contact: str = "",
    department=None,
    location=None,
    equipment=None,
    parent: WorkOrder | None = None,
    actor=None,
    auto_dispatch: bool = True,
    submission_key=None,
    team=None,
    due: dt.datetime | None = None,
) -> WorkOrder:
    """File a new order: numbered, due times from the SLA policy, routed to the category's default
    team's queue, then given to someone by the dispatch rules (``dispatch.py``) when one applies.
    Refused: an inactive category, an unknown priority or kind, empty or oversized text.
    A ``submission_key`` seen before returns the order it made (a replayed form post files nothing).
    Planned work passes its ``team`` and its ``due`` time (no response target, resolution by ``due``)."""
    if submission_key is not None:
        # the day's number row lock serializes filing: a concurrent post with the same key waits
        # here and then finds the order the first one made
        day = timezone.localdate()
        DailySequence.objects.get_or_create(day=day)
        DailySequence.objects.select_for_update().get(day=day)
        existing = WorkOrder.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            existing.replayed = True  # the caller adds nothing more (photos) to it
            return existing
    if not category.is_active:
        raise DomainError(_("This category is no longer in use."))
    if priority not in Priority.values or kind not in WorkOrder.Kind.values or origin not in WorkOrder.Origin.values:
        raise DomainError(_("Unknown priority, kind or origin."))
    title = _text(title, TITLE_MAX, _("Title"), required=True)
    if equipment is not None:  # the item tells where and for whom, unless the reporter said otherwise
        location = location or equipment.location
        department = department or equipment.department
    description = _text(description, TEXT_MAX, _("Description"))
    now = timezone.now()
    policy = sla_for(priority=priority, category=category)
    wo = WorkOrder.objects.create(
        number=_number(now),
        kind=kind,
        category=category,
        priority=priority,
        title=title,
        description=description,
        origin=origin,
        requester=requester,
        contact=_text(contact, 60, _("Contact")),
        department=department or (requester.department if requester else None) or (location and location.department),
        location=location,
        equipment=equipment,
        parent=parent,
        team=team or category.team,
        submitted_at=now,
        response_due=None if due else now + dt.timedelta(minutes=policy.response_minutes) if policy else None,
        resolution_due=due or (now + dt.timedelta(minutes=policy.resolution_minutes) if policy else None),
        created_by=actor,
        submission_key=submission_key,
    )
    _event(wo, EventKind.SUBMITTED, actor, "", origin=origin)
    if equipment is not None and kind == WorkOrder.Kind.REPAIR:
        _equipment_status(wo, "faulty", actor)
    if auto_dispatch:
        from .dispatch import work_order_auto_dispatch

        work_order_auto_dispatch(work_order=wo, at=now)
        wo.refresh_from_db()
    return wo


@transaction.atomic
def work_order_dispatch(
    *, work_order: WorkOrder, team=None, assignee=None, vendor=None, actor=None, auto: bool = False
) -> WorkOrder:
    """Give the order to a technician (and their team), or to an outside vendor; also reassigns a
    dispatched or accepted order. Refused without anyone to give it to, or to an inactive person."""
    wo = _locked(work_order)
    if assignee is None and vendor is None:
        raise DomainError(_("Choose a technician or a vendor."))
    if assignee is not None and not assignee.is_active:
        raise DomainError(_("%(name)s is not active.") % {"name": assignee.name})
    before = wo.status
    ensure_transition(before, Status.DISPATCHED)
    wo.status = Status.DISPATCHED
    wo.assignee, wo.vendor = assignee, vendor
    wo.team = team or (assignee.team if assignee else None) or wo.team
    wo.dispatched_at, wo.auto_dispatched = timezone.now(), auto
    wo.save(update_fields=["status", "assignee", "vendor", "team", "dispatched_at", "auto_dispatched", "updated_at"])
    _event(wo, EventKind.DISPATCHED, actor, before, auto=auto, assignee=getattr(assignee, "pk", None),
           vendor=getattr(vendor, "pk", None))  # fmt: skip
    run_hooks(wo, "dispatched", actor)
    level = "warning" if wo.priority == Priority.URGENT else "info"
    title = _("New work order %(number)s: %(title)s") % {"number": wo.number, "title": wo.title}
    _notify([assignee], "workorders.dispatched", title, wo, actor, level)
    return wo


# --- the technician's steps ------------------------------------------------------------------------
@transaction.atomic
def work_order_accept(*, work_order: WorkOrder, technician, actor=None) -> WorkOrder:
    """The assigned technician takes the order. A second accept fails with InvalidTransition."""
    wo, before = _begin(work_order, Status.ACCEPTED, technician)
    wo.status, wo.accepted_at = Status.ACCEPTED, timezone.now()
    wo.save(update_fields=["status", "accepted_at", "updated_at"])
    _event(wo, EventKind.ACCEPTED, actor, before)
    run_hooks(wo, "accepted", actor)
    who = technician.name if technician is not None else str(wo.vendor or "")
    _notify([wo.requester], "workorders.accepted", _("%(number)s accepted by %(name)s")
            % {"number": wo.number, "name": who}, wo, actor)  # fmt: skip
    return wo


@transaction.atomic
def work_order_reject(*, work_order: WorkOrder, technician, reason: str, actor=None) -> WorkOrder:
    """The assigned technician hands the order back to dispatch, with a reason its team lead sees."""
    reason = _text(reason, 500, _("Reason"), required=True)
    wo, before = _begin(work_order, Status.SUBMITTED, technician)
    wo.status, wo.assignee = Status.SUBMITTED, None
    wo.save(update_fields=["status", "assignee", "updated_at"])
    _event(wo, EventKind.REJECTED, actor, before, reason, technician=technician.pk)
    lead = wo.team.lead if wo.team_id else None
    _notify([lead], "workorders.rejected", _("%(number)s handed back by %(name)s")
            % {"number": wo.number, "name": technician.name}, wo, actor, "warning")  # fmt: skip
    return wo


def location_matches(order_location, scanned) -> bool:
    """Whether a scanned place is the order's location or inside it: the same location, or, for an
    area (ward area, corridor, outdoor), any location on the same floor of the same building."""
    if order_location is None or scanned is None:
        return False
    if order_location.pk == scanned.pk:
        return True
    areas = {"ward_area", "corridor", "outdoor"}
    return (
        order_location.kind in areas
        and order_location.building_id is not None
        and order_location.building_id == scanned.building_id
        and order_location.floor_id == scanned.floor_id
    )


def _equipment_status(wo: WorkOrder, status: str, actor) -> None:
    """Keep the item's status in step with its repair (faulty → under repair → in service), with
    the order's number in the item's history. Retired items are left alone."""
    from equipment.models import Status as EquipmentStatus
    from equipment.services import equipment_status_set

    if wo.equipment_id is None or wo.kind != WorkOrder.Kind.REPAIR:
        return
    item = wo.equipment
    if item.status == EquipmentStatus.RETIRED:
        return
    equipment_status_set(equipment=item, status=status, actor=actor, reference=wo.number,
                         reason=str(WorkOrder.Status(wo.status).label))  # fmt: skip


@transaction.atomic
def work_order_arrive(
    *, work_order: WorkOrder, technician, scanned_location=None, scanned_equipment=None, actor=None
) -> WorkOrder:
    """The technician scanned the place's QR on arrival. A place that is not the order's (or inside
    it) is refused with a clear message. The arrival is recorded as presence evidence for attendance
    (it can stand for a forgotten check-in; it never adds paid minutes)."""
    from attendance.services import presence_evidence_record

    wo, before = _begin(work_order, Status.ON_SITE, technician)
    if scanned_equipment is not None:
        if wo.equipment_id != scanned_equipment.pk and not (
            wo.equipment_id is None and wo.location_id and location_matches(wo.location, scanned_equipment.location)
        ):
            raise DomainError(
                _("You scanned %(scanned)s, but this order is for %(item)s.")
                % {"scanned": scanned_equipment, "item": wo.equipment or wo.location}
            )
        scanned_location = scanned_equipment.location
    elif wo.location_id and not location_matches(wo.location, scanned_location):
        raise DomainError(
            _("You scanned %(scanned)s, but this order is at %(place)s.")
            % {"scanned": scanned_location, "place": wo.location}
        )
    now = timezone.now()
    wo.status, wo.arrived_at = Status.ON_SITE, now
    wo.save(update_fields=["status", "arrived_at", "updated_at"])
    _event(wo, EventKind.ARRIVED, actor, before, location=getattr(scanned_location, "pk", None),
           equipment=getattr(scanned_equipment, "pk", None))  # fmt: skip
    run_hooks(wo, "arrived", actor)
    if technician is not None:
        presence_evidence_record(
            staff=technician, at=now, source="workorder", reference=wo.number, place=str(scanned_location or "")
        )
    return wo


@transaction.atomic
def work_order_start(*, work_order: WorkOrder, technician, actor=None) -> WorkOrder:
    """Start the work on site, or resume it after a hold (the hold's minutes are counted and, when
    WORKORDER_SLA_EXCLUDE_HOLD is on, added to the resolution target)."""
    wo, before = _begin(work_order, Status.IN_PROGRESS, technician)
    wo.status, wo.hold_reason = Status.IN_PROGRESS, ""
    _end_hold(wo, timezone.now())
    wo.save(update_fields=["status", "hold_reason", "held_since", "held_minutes", "resolution_due", "updated_at"])
    _event(wo, EventKind.RESUMED if before == Status.ON_HOLD else EventKind.STARTED, actor, before)
    _equipment_status(wo, "under_repair", actor)
    return wo


def _end_hold(wo: WorkOrder, now: dt.datetime) -> None:
    if wo.held_since is None:
        return
    held = max(now - wo.held_since, dt.timedelta(0))
    wo.held_minutes += int(held.total_seconds() // 60)
    if settings.WORKORDER_SLA_EXCLUDE_HOLD and wo.resolution_due is not None:
        wo.resolution_due += held
    wo.held_since = None


@transaction.atomic
def work_order_hold(*, work_order: WorkOrder, technician, reason: str, comment: str = "", actor=None) -> WorkOrder:
    """Pause the work (waiting for parts, the vendor, access ...)."""
    if reason not in WorkOrder.HoldReason.values:
        raise DomainError(_("Choose why the work is on hold."))
    wo, before = _begin(work_order, Status.ON_HOLD, technician)
    wo.status, wo.hold_reason, wo.held_since = Status.ON_HOLD, reason, timezone.now()
    wo.save(update_fields=["status", "hold_reason", "held_since", "updated_at"])
    _event(wo, EventKind.HELD, actor, before, comment, reason=reason)
    return wo


@transaction.atomic
def work_order_complete(
    *, work_order: WorkOrder, technician, findings: str, cause: str = "", actions: str = "",
    labour_minutes: int = 0, actor=None,
) -> WorkOrder:  # fmt: skip
    """The technician reports the work done; the requester verifies next."""
    findings = _text(findings, TEXT_MAX, _("Findings"), required=True)
    if not isinstance(labour_minutes, int) or labour_minutes < 0 or labour_minutes > 24 * 60 * 7:
        raise DomainError(_("Labour minutes must be between 0 and a week."))
    wo, before = _begin(work_order, Status.COMPLETED, technician)
    wo.status, wo.completed_at = Status.COMPLETED, timezone.now()
    wo.findings = findings
    wo.cause = _text(cause, 2000, _("Cause"))
    wo.actions = _text(actions, TEXT_MAX, _("Actions taken"))
    wo.labour_minutes = labour_minutes
    wo.save(update_fields=["status", "completed_at", "findings", "cause", "actions", "labour_minutes", "updated_at"])
    _event(wo, EventKind.COMPLETED, actor, before)
    _equipment_status(wo, "in_service", actor)
    run_hooks(wo, "completed", actor)
    _notify([wo.requester], "workorders.completed", _("%(number)s is done: please verify")
            % {"number": wo.number}, wo, actor)  # fmt: skip
    return wo


# --- close -----------------------------------------------------------------------------------------
@transaction.atomic
def work_order_verify(
    *, work_order: WorkOrder, actor, accept: bool, rating: int | None = None, comment: str = ""
) -> WorkOrder:
    """The requester confirms the work (rating 1–5, comment) → closed, or rejects it with a reason →
    dispatched again to the same people (reopened). Only the requester may verify."""
    wo = _locked(work_order)
    requester_user = wo.requester.user_id if wo.requester_id else None
    if requester_user != actor.pk:
        raise DomainError(_("Only the requester can verify this order."), code="forbidden")
    before = wo.status
    comment = _text(comment, 500, _("Comment"), required=not accept)
    if accept:
        if rating not in (1, 2, 3, 4, 5):
            raise DomainError(_("Rate the work from 1 to 5."))
        ensure_transition(before, Status.CLOSED)
        wo.status, wo.closed_at, wo.rating, wo.rating_comment = Status.CLOSED, timezone.now(), rating, comment
        wo.save(update_fields=["status", "closed_at", "rating", "rating_comment", "updated_at"])
        _event(wo, EventKind.VERIFIED, actor, before, comment, rating=rating)
        run_hooks(wo, "closed", actor)
        return wo
    ensure_transition(before, Status.DISPATCHED)
    wo.status, wo.reopen_count, wo.completed_at = Status.DISPATCHED, wo.reopen_count + 1, None
    wo.save(update_fields=["status", "reopen_count", "completed_at", "updated_at"])
    _event(wo, EventKind.REOPENED, actor, before, comment)
    run_hooks(wo, "reopened", actor)
    lead = wo.team.lead if wo.team_id else None
    _notify([wo.assignee, lead], "workorders.reopened", _("%(number)s reopened by the requester")
            % {"number": wo.number}, wo, actor, "warning")  # fmt: skip
    return wo


@transaction.atomic
def work_order_auto_close(*, work_order: WorkOrder, now: dt.datetime | None = None) -> bool:
    """Close a completed order nobody verified in time, marked as closed automatically. Returns
    False (and changes nothing) when the requester verified or reopened it meanwhile."""
    wo = _locked(work_order)
    if wo.status != Status.COMPLETED:
        return False
    before = wo.status
    wo.status, wo.closed_at, wo.auto_closed = Status.CLOSED, now or timezone.now(), True
    wo.save(update_fields=["status", "closed_at", "auto_closed", "updated_at"])
    _event(wo, EventKind.AUTO_CLOSED, None, before)
    run_hooks(wo, "closed", None)
    return True


@transaction.atomic
def work_order_cancel(*, work_order: WorkOrder, reason: str, actor) -> WorkOrder:
    """Cancel an open order, with a reason."""
    reason = _text(reason, 500, _("Reason"), required=True)
    wo, before = _begin(work_order, Status.CANCELLED)
    wo.status, wo.hold_reason = Status.CANCELLED, ""
    _end_hold(wo, timezone.now())
    wo.save(update_fields=["status", "hold_reason", "held_since", "held_minutes", "resolution_due", "updated_at"])
    _event(wo, EventKind.CANCELLED, actor, before, reason)
    _equipment_restore(wo, actor)
    run_hooks(wo, "cancelled", actor)
    return wo


def _equipment_restore(wo: WorkOrder, actor) -> None:
    """A cancelled repair gives the item back the status it had before the order made it faulty,
    unless another open repair of the same item still holds it."""
    from equipment.models import Status as EquipmentStatus
    from equipment.selectors import status_before
    from equipment.services import equipment_status_set

    if wo.equipment_id is None or wo.kind != WorkOrder.Kind.REPAIR:
        return
    others = WorkOrder.objects.filter(equipment_id=wo.equipment_id, kind=WorkOrder.Kind.REPAIR, status__in=OPEN)
    if others.exclude(pk=wo.pk).exists():
        return
    item = wo.equipment
    if item.status not in (EquipmentStatus.FAULTY, EquipmentStatus.UNDER_REPAIR):
        return
    previous = status_before(item, wo.number)
    if previous and previous != item.status:
        equipment_status_set(equipment=item, status=previous, actor=actor, reference=wo.number,
                             reason=str(WorkOrder.Status.CANCELLED.label))  # fmt: skip


def work_order_parts_cost_set(*, work_order_id: int, amount) -> None:
    """The parts charged to an order, as the spare-parts ledger counts them (issued minus returned)."""
    if amount < 0:
        raise DomainError(_("A parts cost cannot be negative."))
    WorkOrder.objects.filter(pk=work_order_id).update(parts_cost=amount, updated_at=timezone.now())


def work_orders_parts_cost_set(amounts: dict[int, Decimal]) -> int:
    """``work_order_parts_cost_set`` for many orders at once (loading data): {order id: amount}."""
    if any(amount < 0 for amount in amounts.values()):
        raise DomainError(_("A parts cost cannot be negative."))
    now = timezone.now()
    orders = [WorkOrder(pk=pk, parts_cost=amount, updated_at=now) for pk, amount in amounts.items()]
    WorkOrder.objects.bulk_update(orders, ["parts_cost", "updated_at"], batch_size=2000)
    return len(orders)


# --- help, escalation, notes ----------------------------------------------------------------------
@transaction.atomic
def work_order_request_assistance(
    *, work_order: WorkOrder, technician, category: Category, description: str, actor=None
) -> WorkOrder:
    """Ask another team for help: a linked child order (kind assistance) at the same place, routed
    by the child's category like any new order. The parent's timeline records it."""
    wo = _locked(work_order)
    if wo.status not in (Status.ACCEPTED, Status.ON_SITE, Status.IN_PROGRESS, Status.ON_HOLD):
        raise DomainError(_("Assistance can be requested only while the work is under way."))
    if technician is not None:
        _is_actor_technician(wo, technician)
    description = _text(description, TEXT_MAX, _("What help is needed"), required=True)
    child = work_order_create(
        category=category, title=_("Assistance for %(number)s") % {"number": wo.number}, description=description,
        priority=wo.priority, kind=WorkOrder.Kind.ASSISTANCE, origin=WorkOrder.Origin.ORDER,
        requester=technician or wo.requester, department=wo.department, location=wo.location, parent=wo, actor=actor,
    )  # fmt: skip
    _event(wo, EventKind.ASSISTANCE, actor, wo.status, description[:500], child=child.pk, number=child.number)
    return child


@transaction.atomic
def work_order_escalate(*, work_order: WorkOrder, technician, reason: str, actor=None) -> WorkOrder:
    """The technician asks the team lead to step in (beyond their skills, needs a decision ...)."""
    reason = _text(reason, 500, _("Reason"), required=True)
    wo = _locked(work_order)
    if wo.status not in OPEN:
        raise DomainError(_("Only an open order can be escalated."))
    if technician is not None:
        _is_actor_technician(wo, technician)
    _event(wo, EventKind.ESCALATED, actor, wo.status, reason)
    lead = wo.team.lead if wo.team_id else None
    _notify([lead], "workorders.escalated", _("%(number)s escalated: %(reason)s")
            % {"number": wo.number, "reason": reason[:80]}, wo, actor, "warning")  # fmt: skip
    return wo


@transaction.atomic
def work_order_set_helpers(*, work_order: WorkOrder, helpers, actor=None) -> WorkOrder:
    """Who works alongside the responsible technician (they may then report arrival, progress and
    completion too). Only on an open order with someone responsible; the newcomers are notified."""
    wo = _locked(work_order)
    if wo.status not in OPEN or wo.assignee_id is None:
        raise DomainError(_("Helpers can join only an open order that has a responsible technician."))
    helpers = {h for h in helpers if h.pk != wo.assignee_id}
    if any(not h.is_active for h in helpers):
        raise DomainError(_("Only active staff can help."))
    before = set(wo.helpers.all())
    wo.helpers.set(helpers)
    _event(wo, EventKind.HELPERS, actor, wo.status, "、".join(sorted(h.name for h in helpers))[:500],
           helpers=sorted(h.pk for h in helpers))  # fmt: skip
    title = _("You help with %(number)s: %(title)s") % {"number": wo.number, "title": wo.title}
    _notify(sorted(helpers - before, key=lambda h: h.pk), "workorders.helper", title, wo, actor)
    return wo


@transaction.atomic
def work_order_note(*, work_order: WorkOrder, text: str, actor) -> WorkOrder:
    """A remark on the timeline (a call with the vendor, an access arrangement ...)."""
    text = _text(text, 500, _("Note"), required=True)
    wo = _locked(work_order)
    _event(wo, EventKind.NOTE, actor, wo.status, text)
    return wo


__all__ = [
    "location_matches",
    "sla_for",
    "work_order_accept",
    "work_order_arrive",
    "work_order_auto_close",
    "work_order_cancel",
    "work_order_complete",
    "work_order_create",
    "work_order_dispatch",
    "work_order_escalate",
    "work_order_hold",
    "work_order_note",
    "work_order_reject",
    "work_order_request_assistance",
    "work_order_set_helpers",
    "work_order_start",
    "work_order_verify",
]  # fmt: skip
