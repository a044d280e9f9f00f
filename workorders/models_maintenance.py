"""Planned work: the occurrences of maintenance plans (``equipment.MaintenancePlan``) and the
checklists filled on their orders.

An ``Occurrence`` is one due date of one plan for one item; (plan, item, due date) is unique, which
is what makes generation idempotent under reruns and concurrent workers. An occurrence not done when
the plan's next one falls due is missed; a missed occurrence found while catching up after an outage
is recorded without an order. Each occurrence carries the checklist of its item, a copy of the plan's
template lines taken when the order was made (a template edited later does not change past results).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from equipment.models import ChecklistItem


class OccurrenceState(models.TextChoices):
    OPEN = "open", _("Due")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class Occurrence(models.Model):
    State = OccurrenceState

    plan = models.ForeignKey("equipment.MaintenancePlan", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("plan"))  # fmt: skip
    equipment = models.ForeignKey("equipment.Equipment", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("equipment"))  # fmt: skip
    due_date = models.DateField(_("due on"))
    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="occurrences", verbose_name=_("work order"))  # fmt: skip
    state = models.CharField(_("state"), max_length=10, choices=OccurrenceState.choices, default=OccurrenceState.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan occurrence")
        verbose_name_plural = _("plan occurrences")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "equipment", "due_date"], name="workorders_occurrence_once"),
            models.CheckConstraint(condition=Q(state__in=OccurrenceState.values), name="workorders_occurrence_state"),
        ]
        indexes = [
            models.Index(fields=["state", "due_date"], name="workorders_occ_state_due_idx"),
            models.Index(fields=["equipment", "due_date"], name="workorders_occ_item_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.equipment_id}@{self.due_date}"

    @property
    def on_time(self) -> bool:
        return self.done_at is not None and timezone.localdate(self.done_at) <= self.due_date


class ChecklistEntry(models.Model):
    """One checklist line for one item on a planned order, and what the technician found."""

    Kind = ChecklistItem.Kind

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="entries")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("item"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=15, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=12, decimal_places=3, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=12, decimal_places=3, null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    guidance = models.CharField(_("guidance"), max_length=300, blank=True)
    # what was found
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    number = models.DecimalField(_("value"), max_digits=12, decimal_places=3, null=True, blank=True)
    text = models.CharField(_("text"), max_length=500, blank=True)
    photo = models.ForeignKey("workorders.Attachment", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("photo"))  # fmt: skip
    ok = models.BooleanField(_("within limits"), null=True, blank=True)
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")  # fmt: skip
    filled_at = models.DateTimeField(_("filled at"), null=True, blank=True)
    repair_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("repair order"))  # fmt: skip

    class Meta:
        verbose_name = _("checklist entry")
        verbose_name_plural = _("checklist entries")
        ordering = ["occurrence", "order", "pk"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def filled(self) -> bool:
        return self.filled_at is not None

    @property
    def failed(self) -> bool:
        return self.ok is False
