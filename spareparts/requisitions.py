"""Requisitions from work orders: the technician asks for parts (each line reserves stock in the
warehouse chosen), the keeper approves each line fully or partly or rejects it with a reason, then
issues it; issued parts are charged to the work order at their cost, and unused ones come back.

Every step locks the line, so two keepers clicking at once issue a line once: the second gets a
clear message. Completing or cancelling the work order releases what is still reserved (a hook
registered with ``workorders.hooks``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.errors import DomainError
from logistics.common.numbers import next_number

from .ledger import Line, plain, post, quantity_checked
from .models import RESERVING, LineState, Movement, MovementKind, Requisition, RequisitionLine
from .models.stock import ZERO

# work-order states in which parts may be asked for
REQUESTABLE = ("accepted", "on_site", "in_progress", "on_hold")


def _locked(line: RequisitionLine, *, with_order: bool = False) -> RequisitionLine:
    """The line under a row lock. Locks are always taken work order → line → balances (the order's
    completion releases lines under the order's lock), so steps that charge the order lock it first."""
    if with_order:
        from workorders.models import WorkOrder

        order_id = RequisitionLine.objects.filter(pk=line.pk).values_list("requisition__work_order_id", flat=True)
        WorkOrder.objects.select_for_update(no_key=True).filter(pk__in=order_id).values_list("pk", flat=True).first()
    return (
        RequisitionLine.objects.select_for_update(of=("self",))
        .select_related("item", "warehouse", "requisition")
        .get(pk=line.pk)
    )


def _state_error(line: RequisitionLine) -> DomainError:
    return DomainError(
        _("Line %(item)s of %(number)s is already %(state)s.")
        % {"item": line.item.name, "number": line.requisition.number, "state": line.get_state_display().lower()}
    )


@transaction.atomic
def requisition_create(*, work_order, technician, lines: Iterable[tuple], actor, note: str = "") -> Requisition:
    """Ask for parts for ``work_order``: ``lines`` of (item, warehouse, quantity). Each line
    reserves its quantity at once; one line short of stock refuses the whole request."""
    from workorders.models import WorkOrder

    order = WorkOrder.objects.select_for_update(no_key=True).get(pk=work_order.pk)
    if order.status not in REQUESTABLE:
        raise DomainError(_("Parts can be asked for only while the work is under way."))
    checked = []
    for item, warehouse, quantity in lines:
        if not item.is_active:
            raise DomainError(_("%(item)s is no longer stocked.") % {"item": item.name})
        checked.append((item, warehouse, quantity_checked(item, quantity)))
    if not checked:
        raise DomainError(_("Choose at least one part."))
    if len({(i.pk, w.pk) for i, w, _q in checked}) != len(checked):
        raise DomainError(_("The same part from the same warehouse is listed twice."))
    requisition = Requisition.objects.create(
        number=next_number("RQ"),
        work_order=order,
        requested_by=technician,
        created_by=actor,
        note=(note or "").strip()[:300],
    )
    rows = RequisitionLine.objects.bulk_create(
        [RequisitionLine(requisition=requisition, item=i, warehouse=w, quantity=q) for i, w, q in checked]
    )
    post([Line(item=r.item, warehouse=r.warehouse, reserve=r.quantity) for r in rows], actor=actor)
    notify_keepers(requisition, rows)
    return requisition


@transaction.atomic
def line_approve(*, line: RequisitionLine, actor, quantity=None, reason: str = "") -> RequisitionLine:
    """Approve a pending line in full, or partly (``quantity`` below the request, with a reason):
    what is not approved is released at once."""
    line = _locked(line)
    if line.state != LineState.PENDING:
        raise _state_error(line)
    approved = line.quantity if quantity in (None, "") else quantity_checked(line.item, quantity, label=_("Approved"))
    if approved > line.quantity:
        raise DomainError(_("Approve at most the %(quantity)s asked.") % {"quantity": plain(line.quantity)})
    reason = (reason or "").strip()[:300]
    if approved < line.quantity and not reason:
        raise DomainError(_("Say why less is approved than asked."))
    if approved < line.quantity:
        post([Line(item=line.item, warehouse=line.warehouse, reserve=approved - line.quantity)], actor=actor)
    line.state, line.approved_quantity, line.reason = LineState.APPROVED, approved, reason
    line.decided_by, line.decided_at = actor, timezone.now()
    line.save(update_fields=["state", "approved_quantity", "reason", "decided_by", "decided_at"])
    _notify_requester(line, _("%(item)s × %(quantity)s approved: collect it at %(wh)s"), reason)
    return line


@transaction.atomic
def line_reject(*, line: RequisitionLine, actor, reason: str) -> RequisitionLine:
    line = _locked(line)
    if line.state != LineState.PENDING:
        raise _state_error(line)
    reason = (reason or "").strip()[:300]
    if not reason:
        raise DomainError(_("Give a reason."))
    post([Line(item=line.item, warehouse=line.warehouse, reserve=-line.quantity)], actor=actor)
    line.state, line.reason, line.decided_by, line.decided_at = LineState.REJECTED, reason, actor, timezone.now()
    line.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    _notify_requester(line, _("%(item)s × %(quantity)s rejected at %(wh)s"), reason, level="warning")
    _requisition_settle(line.requisition)
    return line


@transaction.atomic
def line_issue(*, line: RequisitionLine, actor) -> RequisitionLine:
    """Hand out an approved line: the reserved stock leaves at its average cost, charged to the
    work order. Once only, whoever clicks."""
    line = _locked(line, with_order=True)
    if line.state != LineState.APPROVED:
        raise _state_error(line)
    quantity = line.approved_quantity
    [movement] = post(
        [
            Line(
                item=line.item,
                warehouse=line.warehouse,
                quantity=-quantity,
                reserve=-quantity,
                kind=MovementKind.ISSUE,
                work_order_id=line.requisition.work_order_id,
                requisition_line_id=line.pk,
            )
        ],
        actor=actor,
        document=line.requisition.number,
    )
    line.state, line.issued_quantity, line.unit_cost = LineState.ISSUED, quantity, movement.unit_cost
    line.issued_by, line.issued_at = actor, movement.at
    line.save(update_fields=["state", "issued_quantity", "unit_cost", "issued_by", "issued_at"])
    _charge(line.requisition.work_order_id)
    _requisition_settle(line.requisition)
    return line


@transaction.atomic
def line_return(*, line: RequisitionLine, quantity, actor, reason: str = "") -> Movement:
    """Bring back unused parts of an issued line, at the cost they left with; the work order is
    credited."""
    line = _locked(line, with_order=True)
    if line.state != LineState.ISSUED:
        raise DomainError(_("Only issued parts can be returned."))
    quantity = quantity_checked(line.item, quantity, label=_("Returned"))
    left = line.issued_quantity - line.returned_quantity
    if quantity > left:
        raise DomainError(
            _("At most %(left)s %(unit)s of this line can still be returned.")
            % {"left": plain(left), "unit": line.item.unit}
        )
    unit_cost = line.unit_cost
    if quantity == left:  # the last ones bring back exactly what is still charged
        charged = -(line.movements.aggregate(a=Sum("amount"))["a"] or ZERO)
        unit_cost = charged / quantity
    [movement] = post(
        [
            Line(
                item=line.item,
                warehouse=line.warehouse,
                quantity=quantity,
                kind=MovementKind.RETURN,
                unit_cost=unit_cost,
                reason=(reason or "").strip()[:300],
                work_order_id=line.requisition.work_order_id,
                requisition_line_id=line.pk,
            )
        ],
        actor=actor,
        document=line.requisition.number,
    )
    line.returned_quantity += quantity
    line.save(update_fields=["returned_quantity"])
    _charge(line.requisition.work_order_id)
    return movement


def _charge(work_order_id: int) -> None:
    """The order's parts cost: what its issues took out minus what came back, from the ledger."""
    from workorders.services import work_order_parts_cost_set

    total = Movement.objects.filter(work_order_id=work_order_id).aggregate(a=Sum("amount"))["a"] or ZERO
    work_order_parts_cost_set(work_order_id=work_order_id, amount=-total)


def _requisition_settle(requisition: Requisition) -> None:
    """Close a requisition none of whose lines waits for anything."""
    if not requisition.lines.filter(state__in=RESERVING).exists() and requisition.state == Requisition.State.OPEN:
        Requisition.objects.filter(pk=requisition.pk).update(state=Requisition.State.CLOSED)


def requisitions_release(work_order, actor=None) -> int:
    """Release every line of the order still waiting (pending or approved, not issued) and close
    its requisitions. Returns the lines released."""
    lines = list(
        RequisitionLine.objects.select_for_update(of=("self",))
        .select_related("item", "warehouse")
        .filter(requisition__work_order=work_order, state__in=RESERVING)
        .order_by("pk")
    )
    if lines:
        post([Line(item=line.item, warehouse=line.warehouse, reserve=-line.held) for line in lines], actor=actor)
        RequisitionLine.objects.filter(pk__in=[line.pk for line in lines]).update(state=LineState.RELEASED)
    Requisition.objects.filter(work_order=work_order, state=Requisition.State.OPEN).update(
        state=Requisition.State.CLOSED
    )
    return len(lines)


def _on_milestone(work_order, milestone: str, actor) -> None:
    requisitions_release(work_order, actor)


def register_hooks() -> None:
    from workorders.hooks import MilestoneHook, milestone_hooks

    milestone_hooks.register(
        MilestoneHook(key="spareparts.release", milestones=frozenset({"completed", "cancelled"}), handler=_on_milestone)
    )


def notify_keepers(requisition: Requisition, lines: list[RequisitionLine]) -> None:
    from logistics.notifications.services import notify

    keepers = {}
    for line in lines:
        for warehouse in line.warehouse.ancestors_and_self():
            keepers.update({s.pk: s for s in warehouse.keepers.all()})
    if keepers:
        notify(
            recipients=list(keepers.values()),
            verb="spareparts.requisition",
            title=_("Requisition %(number)s for %(order)s")
            % {"number": requisition.number, "order": requisition.work_order.number},
            body=", ".join(f"{line.item.name} × {plain(line.quantity)}" for line in lines)[:500],
            url=requisition_url(requisition),
            target=requisition,
        )


def _notify_requester(line: RequisitionLine, title: str, body: str = "", level: str = "info") -> None:
    """Tell the technician who asked what became of a line (approved: ready to collect; rejected)."""
    from logistics.notifications.services import notify

    requisition = line.requisition
    quantity = line.approved_quantity if line.state == LineState.APPROVED else line.quantity
    values = {"item": line.item.name, "quantity": plain(quantity), "wh": line.warehouse.name}
    notify(recipients=[requisition.requested_by], verb=f"spareparts.line_{line.state}", title=title % values,
           body=body, url=requisition.work_order.get_absolute_url(), level=level, target=requisition)  # fmt: skip


def requisition_url(requisition: Requisition) -> str:
    from django.urls import reverse

    return reverse("spareparts:requisition", args=[requisition.pk])
