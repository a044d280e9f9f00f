"""What the work-order pages share: fetching an order the user may see (else 404), the user's
own staff record, and which workflow buttons a user gets on an order."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import get_object_or_404

from ..models import Status, WorkOrder
from ..selectors import LIST_RELATED, is_dispatcher, orders_visible_to
from ..states import OPEN, TRANSITIONS

STATUS_CSS = {
    Status.SUBMITTED: "secondary",
    Status.DISPATCHED: "info",
    Status.ACCEPTED: "primary",
    Status.ON_SITE: "primary",
    Status.IN_PROGRESS: "primary",
    Status.ON_HOLD: "warning",
    Status.COMPLETED: "success",
    Status.CLOSED: "dark",
    Status.CANCELLED: "light",
}
PRIORITY_CSS = {"urgent": "danger", "high": "warning", "normal": "secondary", "low": "light"}


def own_staff(user):
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except ObjectDoesNotExist:
        return None


def visible_order(user, pk: int) -> WorkOrder:
    """The order, if the user may see it; otherwise 404 (whether it exists is not revealed)."""
    related = (*LIST_RELATED, "location__building", "location__campus", "parent", "equipment")
    qs = orders_visible_to(user).select_related(*related)
    return get_object_or_404(qs, pk=pk)


def actions_for(user, wo: WorkOrder) -> set[str]:
    """The steps this user may take on this order now (the services check again when posted)."""
    staff = own_staff(user)
    status = wo.status
    allowed = TRANSITIONS.get(status, frozenset())
    actions: set[str] = set()
    dispatcher = is_dispatcher(user)
    is_worker = staff is not None and (
        wo.assignee_id == staff.pk or (status in OPEN and wo.helpers.filter(pk=staff.pk).exists())
    )
    # a vendor's order is moved along by the dispatcher on the vendor's behalf
    acts_for_vendor = dispatcher and wo.vendor_id is not None and wo.assignee_id is None
    if is_worker or acts_for_vendor:
        if Status.ACCEPTED in allowed and status == Status.DISPATCHED:
            actions.add("accept")
            if is_worker:
                actions.add("reject")
        if Status.ON_SITE in allowed:
            actions.add("arrive")
        if status == Status.ON_SITE:
            actions.add("start")
        if status == Status.ON_HOLD:
            actions.add("resume")
        if Status.ON_HOLD in allowed:
            actions.add("hold")
        if Status.COMPLETED in allowed:
            actions.add("complete")
        if status in (Status.ACCEPTED, Status.ON_SITE, Status.IN_PROGRESS, Status.ON_HOLD):
            actions.update({"assistance", "photos"})
        if status in OPEN and is_worker:
            actions.add("escalate")
    if wo.assignee_id and status in OPEN and (dispatcher or (staff is not None and wo.assignee_id == staff.pk)):
        actions.add("helpers")
    if dispatcher:
        if status in (Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED):
            actions.add("dispatch")
        if Status.CANCELLED in allowed:
            actions.add("cancel")
    requester = wo.requester is not None and wo.requester.user_id == user.pk
    if requester:
        if status == Status.COMPLETED:
            actions.add("verify")
        if status in (Status.SUBMITTED, Status.DISPATCHED):
            actions.add("cancel")
    if dispatcher or is_worker or (wo.team_id and wo.team.lead_id and wo.team.lead.user_id == user.pk):
        actions.add("note")
    return actions
