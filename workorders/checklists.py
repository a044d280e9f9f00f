"""Filling the checklist of a planned order, and the repair order a failed line opens.

A line is filled by the order's technician (the responsible one or a helper) while the work is on
site or in progress: a yes/no check, a measurement (judged against the line's range), a text or a
photo. A failed check or a measurement out of range marks the line failed; the plan decides whether
that opens a repair order for the item at once or offers it with one click. A line may be filled
again until the order is completed; a repair order is opened once per line, whatever the clicks."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.errors import DomainError

from .models import Attachment, ChecklistEntry, EventKind, Status, WorkOrder

FILLABLE = (Status.ON_SITE, Status.IN_PROGRESS)
LIMIT = Decimal("1e9")


def _number(value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number, such as 15.5.")) from None
    if not number.is_finite() or not math.isfinite(float(number)) or abs(number) >= LIMIT:
        raise DomainError(_("Enter a number, such as 15.5."))
    return number.quantize(Decimal("0.001"))


def within(entry: ChecklistEntry, number: Decimal) -> bool:
    return (entry.min_value is None or number >= entry.min_value) and (
        entry.max_value is None or number <= entry.max_value
    )


def _lock(entry: ChecklistEntry) -> tuple[ChecklistEntry, WorkOrder]:
    related = ("occurrence__plan", "occurrence__equipment")
    entry = ChecklistEntry.objects.select_for_update().select_related(*related).get(pk=entry.pk)
    order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=entry.occurrence.work_order_id)
    return entry, order


@transaction.atomic
def checklist_entry_fill(*, entry: ChecklistEntry, actor, technician, passed: bool | None = None,
                         number=None, text: str = "", photo: Attachment | None = None) -> ChecklistEntry:  # fmt: skip
    """Record what the technician found on one line (``technician`` None: the dispatcher records a
    vendor's findings). Refused, changing nothing: the order is not being worked, the technician is
    not on it, or the value does not fit the line."""
    from .services import _is_actor_technician

    entry, order = _lock(entry)
    if order.status not in FILLABLE:
        raise DomainError(_("The checklist is filled while the work is on site or in progress."))
    if technician is not None:
        _is_actor_technician(order, technician)
    elif order.vendor_id is None or order.assignee_id is not None:  # only a vendor's order is filled for them
        raise DomainError(_("This order is not assigned to you."), code="forbidden")
    text = (text or "").strip()
    if len(text) > 500:
        raise DomainError(_("%(field)s is longer than %(limit)d characters.") % {"field": _("Text"), "limit": 500})
    entry.passed, entry.number, entry.photo = None, None, None
    if entry.kind == ChecklistEntry.Kind.CHECK:
        if passed not in (True, False):
            raise DomainError(_("Answer yes or no."))
        entry.passed, entry.ok = passed, passed
    elif entry.kind == ChecklistEntry.Kind.MEASURE:
        entry.number = _number(number)
        entry.ok = within(entry, entry.number)
    elif entry.kind == ChecklistEntry.Kind.PHOTO:
        if photo is None or photo.work_order_id != order.pk or not photo.is_image:
            raise DomainError(_("Take a photo for this line."))
        entry.photo, entry.ok = photo, True
    else:
        if entry.required and not text:
            raise DomainError(_("%(field)s is required.") % {"field": entry.label})
        entry.ok = True
    entry.text = text
    entry.filled_by, entry.filled_at = actor, timezone.now()
    entry.save(update_fields=["passed", "number", "text", "photo", "ok", "filled_by", "filled_at"])
    if entry.ok is False and entry.occurrence.plan.auto_repair and entry.repair_order_id is None:
        _repair(entry, order, actor)
    return entry


def _found(entry: ChecklistEntry) -> str:
    if entry.kind == ChecklistEntry.Kind.MEASURE:
        low = "" if entry.min_value is None else f"{entry.min_value.normalize()}"
        high = "" if entry.max_value is None else f"{entry.max_value.normalize()}"
        return _("%(label)s: %(value)s %(unit)s, expected %(low)s–%(high)s %(unit)s") % {
            "label": entry.label, "value": entry.number.normalize(), "unit": entry.unit, "low": low, "high": high,
        }  # fmt: skip
    return _("%(label)s: failed") % {"label": entry.label}


def _repair(entry: ChecklistEntry, order: WorkOrder, actor) -> WorkOrder:
    from .services import _event, work_order_create

    item = entry.occurrence.equipment
    found = _found(entry)
    repair = work_order_create(
        category=order.category,
        title=_("Found in %(order)s: %(found)s") % {"order": order.number, "found": found},
        description="\n".join(filter(None, [found, entry.text])),
        kind=WorkOrder.Kind.REPAIR,
        origin=WorkOrder.Origin.ORDER,
        equipment=item,
        parent=order,
        actor=actor,
    )
    entry.repair_order = repair
    entry.save(update_fields=["repair_order"])
    _event(order, EventKind.NOTE, actor, order.status, _("Repair order %(number)s opened for %(item)s: %(found)s")
           % {"number": repair.number, "item": item, "found": found})  # fmt: skip
    return repair


@transaction.atomic
def checklist_entry_repair(*, entry: ChecklistEntry, actor) -> WorkOrder:
    """Open a repair order for the item of a failed line (the one-click way). A second click, or two
    at once, returns the order the first one opened."""
    entry, order = _lock(entry)
    if entry.repair_order_id is not None:
        return entry.repair_order
    if entry.ok is not False:
        raise DomainError(_("Only a failed line opens a repair order."))
    return _repair(entry, order, actor)
