"""Who may do what with stock. Keepers act on the warehouses they keep and everything below them;
system administrators on all. Requisitions are seen by the keepers of their lines' warehouses and by
whoever may see their work order; parts are asked for by the people working the order."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from workorders.selectors import orders_visible_to

from .models import RESERVING, LineState, Requisition, RequisitionLine, Warehouse
from .requisitions import REQUESTABLE
from .selectors import subtree_ids


def kept_warehouse_ids(user) -> set[int] | None:
    """The ids of the warehouses ``user`` keeps (with every location below them), or None for
    all of them (superusers and system administrators)."""
    from logistics.org.roles import SYSADMIN

    if not user.is_authenticated:
        return set()
    if user.is_superuser or user.groups.filter(name=SYSADMIN).exists():
        return None
    staff = getattr(user, "staff", None)
    if staff is None:
        return set()
    return subtree_ids(Warehouse, Warehouse.objects.filter(keepers=staff).values_list("pk", flat=True))


def can_keep(user, warehouse: Warehouse) -> bool:
    return keeps(user, warehouse.pk)


def kept_cached(user) -> set[int] | None:
    """``kept_warehouse_ids`` once per request (it walks the warehouse tree)."""
    if not hasattr(user, "_spareparts_kept"):
        user._spareparts_kept = kept_warehouse_ids(user)
    return user._spareparts_kept


def keeps(user, warehouse_id: int) -> bool:
    kept = kept_cached(user)
    return kept is None or warehouse_id in kept


def staff_of(user):
    try:
        return user.staff if user.is_authenticated else None
    except ObjectDoesNotExist:
        return None


def works_on(user, wo):
    """The user's staff record when they work the order (responsible or helping), else None."""
    staff = staff_of(user)
    if staff is None:
        return None
    if wo.assignee_id == staff.pk or wo.helpers.filter(pk=staff.pk).exists():
        return staff
    return None


def may_request(user, wo) -> bool:
    return wo.status in REQUESTABLE and works_on(user, wo) is not None


def requisitions_visible_to(user) -> QuerySet[Requisition]:
    """Requisitions a user may open: keepers of any of its lines' warehouses, system administrators
    (all warehouses), and whoever may see its work order (managers see every order). Else 404."""
    if not user.is_authenticated:
        return Requisition.objects.none()
    kept = kept_cached(user)
    if kept is None:
        return Requisition.objects.all()
    scope = Q(work_order__in=orders_visible_to(user).values("pk"))
    if kept:
        scope |= Q(pk__in=RequisitionLine.objects.filter(warehouse_id__in=kept).values("requisition_id"))
    return Requisition.objects.filter(scope)


def may_take_back(user, line: RequisitionLine, worker, staff) -> bool:
    """Unused parts come back through a keeper of the line's warehouse, the people working the order
    or the one who asked for them (also after the order is completed)."""
    asked_by = staff is not None and line.requisition.requested_by_id == staff.pk
    return worker is not None or asked_by or keeps(user, line.warehouse_id)


def may_return(user, line: RequisitionLine, worker, staff) -> bool:
    """Whether to offer the return form: an issued line with parts still out, to those above."""
    if line.state != LineState.ISSUED or line.issued_quantity <= line.returned_quantity:
        return False
    return may_take_back(user, line, worker, staff)


def waiting_lines(user) -> QuerySet[RequisitionLine]:
    """Lines waiting for a keeper: in the warehouses the user keeps; for people who keep none
    (managers, team leads) the lines of the orders they may see."""
    lines = RequisitionLine.objects.filter(state__in=RESERVING)
    kept = kept_cached(user)
    if kept is None:
        return lines
    if kept:
        return lines.filter(warehouse_id__in=kept)
    return lines.filter(requisition__work_order__in=orders_visible_to(user).values("pk"))
