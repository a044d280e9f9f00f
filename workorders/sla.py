"""SLA watch: overdue responses and resolutions are escalated once per level (team lead, then the
managers once twice the target has passed), and completed orders nobody verified in time close by
themselves. Both run from beat and are idempotent."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SlaEscalation, Status, WorkOrder
from .services import work_order_auto_close

AWAITING_RESPONSE = (Status.SUBMITTED, Status.DISPATCHED)
UNRESOLVED = (Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE, Status.IN_PROGRESS,
              Status.ON_HOLD)  # fmt: skip


def _unresolved() -> tuple[str, ...]:
    """Orders on hold are not overdue while their hold time is excluded from the target."""
    if settings.WORKORDER_SLA_EXCLUDE_HOLD:
        return tuple(s for s in UNRESOLVED if s != Status.ON_HOLD)
    return UNRESOLVED


def _level(wo: WorkOrder, due: dt.datetime, now: dt.datetime) -> int:
    """1 once the target has passed, 2 once it has passed by the target's own length again."""
    return 2 if now >= due + (due - wo.submitted_at) else 1


def _managers():
    from logistics.org.models import Staff
    from logistics.org.roles import MANAGER

    return list(Staff.objects.filter(user__groups__name=MANAGER, user__is_active=True).distinct())


def sla_check(*, now: dt.datetime | None = None) -> int:
    """Notify for every overdue order and level not notified yet. Returns the notices sent."""
    from logistics.notifications.services import notify

    now = now or timezone.now()
    sent = 0
    candidates = [
        ("response", WorkOrder.objects.filter(status__in=AWAITING_RESPONSE, response_due__lt=now)),
        ("resolution", WorkOrder.objects.filter(status__in=_unresolved(), resolution_due__lt=now)),
    ]
    managers = None
    for kind, orders in candidates:
        for wo in orders.select_related("team__lead"):
            due = wo.response_due if kind == "response" else wo.resolution_due
            for level in range(1, _level(wo, due, now) + 1):
                try:
                    with transaction.atomic():
                        SlaEscalation.objects.create(work_order=wo, kind=kind, level=level, at=now)
                        if level == 1:
                            recipients = [wo.team.lead] if wo.team_id and wo.team.lead_id else []
                        else:
                            managers = managers if managers is not None else _managers()
                            recipients = managers
                        if recipients:
                            title = (_("%(number)s: no response in time") if kind == "response"
                                     else _("%(number)s: not resolved in time")) % {"number": wo.number}  # fmt: skip
                            notify(recipients=recipients, verb=f"workorders.overdue_{kind}", title=title,
                                   target=wo, level="warning", url=wo.get_absolute_url())  # fmt: skip
                        sent += 1
                except IntegrityError:
                    continue  # this level was notified before (or by a concurrent check)
    return sent


def auto_close_due(*, now: dt.datetime | None = None) -> int:
    """Close completed orders not verified within WORKORDER_AUTO_CLOSE_DAYS, marked as such."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.WORKORDER_AUTO_CLOSE_DAYS)
    closed = 0
    for wo in WorkOrder.objects.filter(status=Status.COMPLETED, completed_at__lt=limit).order_by("pk"):
        closed += work_order_auto_close(work_order=wo, now=now)
    return closed
