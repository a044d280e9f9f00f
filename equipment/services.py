"""Writes of the equipment ledger."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.errors import DomainError

from .models import Equipment, Status, StatusChange


@transaction.atomic
def equipment_status_set(*, equipment: Equipment, status: str, actor=None, reason: str = "",
                         reference: str = "", at=None) -> bool:  # fmt: skip
    """Move an item to ``status`` with a history row (the base of downtime, MTBF and MTTR). Returns
    False when it already had that status. A retired item stays retired."""
    if status not in Status.values:
        raise DomainError(_("Unknown equipment status."))
    item = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if item.status == status:
        return False
    if item.status == Status.RETIRED:
        raise DomainError(_("%(item)s is retired; its status no longer changes.") % {"item": item})
    at = at or timezone.now()
    StatusChange.objects.create(equipment=item, from_status=item.status, to_status=status, at=at, actor=actor,
                                reason=(reason or "")[:300], reference=(reference or "")[:30])  # fmt: skip
    item.status, item.status_since = status, at
    item.save(update_fields=["status", "status_since", "updated_at"])
    equipment.status, equipment.status_since = status, at
    return True


# --- certificates ------------------------------------------------------------------------------
# reminder stages: days before expiry; 0 is "expired today or earlier"
REMINDER_STAGES = (30, 7, 0)


def certificate_reminders_send(today=None) -> int:
    """Tell the maintainer team's lead and the managers that a certificate expires within 30 days,
    within 7 days, or has expired: each stage once per certificate (recorded in ``reminded``, under
    a row lock, so a rerun or a second worker sends nothing twice). Retired items are skipped.
    Returns the number of reminders sent."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from logistics.notifications.services import notify
    from logistics.org.roles import MANAGER

    from .models import Certificate

    today = today or timezone.localdate()
    managers = list(get_user_model().objects.filter(is_active=True, groups__name=MANAGER))
    sent = 0
    due = Certificate.objects.filter(expires_on__lte=today + dt.timedelta(days=REMINDER_STAGES[0])).exclude(
        equipment__status=Status.RETIRED
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            cert = (
                Certificate.objects.select_for_update(of=("self",))
                .select_related("equipment__maintainer_team__lead")
                .get(pk=pk)
            )
            days_left = (cert.expires_on - today).days
            stages = [s for s in REMINDER_STAGES if days_left <= s and s not in cert.reminded]
            if not stages:
                continue
            stage = min(stages)  # the most urgent one that applies; the earlier ones are implied
            cert.reminded = sorted({*cert.reminded, *stages}, reverse=True)
            cert.save(update_fields=["reminded"])
            item = cert.equipment
            team = item.maintainer_team
            values = {"kind": cert.kind, "item": item, "date": cert.expires_on, "days": days_left}
            if stage == 0:
                title = _("%(kind)s of %(item)s expired on %(date)s") % values
            else:
                title = _("%(kind)s of %(item)s expires on %(date)s (in %(days)d days)") % values
            recipients = [*managers, *([team.lead] if team and team.lead_id else [])]
            if recipients:
                level = "danger" if stage <= 7 else "warning"
                notify(recipients=recipients, verb="equipment.certificate_expiring", title=title, level=level,
                       target=item, url=item.get_absolute_url())  # fmt: skip
            sent += 1
    return sent
