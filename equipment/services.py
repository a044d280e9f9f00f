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
