"""Maintenance and inspection plans: what is checked or serviced, on which items, how often, how
far ahead the order is made, by which team, with which checklist.

A plan covers one item, a list of items, or every item of a category at a place (campus, building
or location), resolved when orders are generated so that new items join their category's plans.
The schedule is either an interval (every N days / weeks / months, counted from the due date or from
the last completion) or a calendar (weekdays and/or days of the month); the date arithmetic is in
``equipment.schedules``. The orders themselves, one per plan occurrence with one checklist per item,
are made and run by ``workorders`` (which sits above this app)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logistics.common.models import TimeStampedModel
from logistics.org.models import code_validator

from .ledger import Category, Equipment


class ChecklistTemplate(TimeStampedModel):
    """A reusable checklist (chiller monthly service, elevator daily round ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="checklists",
        verbose_name=_("for category"),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)


class ChecklistItem(models.Model):
    """One line of a checklist: a yes/no check, a measurement with its acceptable range and unit,
    a free text, or a photo. A failed check or a measurement out of range marks the line failed."""

    class Kind(models.TextChoices):
        CHECK = "check", _("Check (yes/no)")
        MEASURE = "measure", _("Measurement")
        TEXT = "text", _("Text")
        PHOTO = "photo", _("Photo")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("item"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CHECK)
    unit = models.CharField(_("unit"), max_length=15, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=12, decimal_places=3, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=12, decimal_places=3, null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    guidance = models.CharField(_("guidance"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="equipment_checklistitem_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(kind="measure") | (Q(min_value__isnull=True) & Q(max_value__isnull=True)),
                name="equipment_checklistitem_range_only_for_measure",
            ),
        ]

    def __str__(self) -> str:
        return str(self.label)


class PlanKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    MAINTENANCE = "maintenance", _("Maintenance")
    CERTIFICATION = "certification", _("Certification")


class ScheduleKind(models.TextChoices):
    INTERVAL = "interval", _("Every N days, weeks or months")
    CALENDAR = "calendar", _("On weekdays or days of the month")


class IntervalUnit(models.TextChoices):
    DAY = "day", _("days")
    WEEK = "week", _("weeks")
    MONTH = "month", _("months")


class Anchor(models.TextChoices):
    DUE = "due", _("from the due date")
    COMPLETION = "completion", _("from the last completion")


def _weekdays_valid(value) -> None:
    if not isinstance(value, list) or any(not isinstance(d, int) or not 0 <= d <= 6 for d in value):
        raise ValidationError(_("Weekdays are numbers from 0 (Monday) to 6 (Sunday)."))


def _month_days_valid(value) -> None:
    if not isinstance(value, list) or any(not isinstance(d, int) or not 1 <= d <= 31 for d in value):
        raise ValidationError(_("Days of the month are numbers from 1 to 31 (31: the month's last day)."))


class MaintenancePlan(TimeStampedModel):
    """A preventive maintenance, inspection or certification plan."""

    Kind = PlanKind
    Schedule = ScheduleKind
    Unit = IntervalUnit
    Anchor = Anchor

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=14, choices=PlanKind.choices, default=PlanKind.MAINTENANCE)
    # scope: listed items, or every item of a category (and the categories below it) at a place
    equipment = models.ManyToManyField(Equipment, blank=True, related_name="plans", verbose_name=_("items"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="plans",
        verbose_name=_("all items of category"),
    )  # fmt: skip
    campus = models.ForeignKey("org.Campus", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("at campus"))  # fmt: skip
    building = models.ForeignKey("org.Building", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("in building"))  # fmt: skip
    location = models.ForeignKey("org.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("at location"))  # fmt: skip
    # schedule
    schedule = models.CharField(_("schedule"), max_length=10, choices=ScheduleKind.choices,
                                default=ScheduleKind.INTERVAL)  # fmt: skip
    interval = models.PositiveSmallIntegerField(_("every"), default=1, validators=[MinValueValidator(1),
                                                                                   MaxValueValidator(366)])  # fmt: skip
    interval_unit = models.CharField(_("unit"), max_length=6, choices=IntervalUnit.choices, default=IntervalUnit.MONTH)
    anchor = models.CharField(_("counted"), max_length=10, choices=Anchor.choices, default=Anchor.DUE)
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True, validators=[_weekdays_valid],
                                help_text=_("0 = Monday … 6 = Sunday"))  # fmt: skip
    month_days = models.JSONField(_("days of the month"), default=list, blank=True, validators=[_month_days_valid],
                                  help_text=_("1–31; 31 means the month's last day"))  # fmt: skip
    start_date = models.DateField(_("first due on"))
    end_date = models.DateField(_("last due on"), null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(_("order made days ahead"), default=0,
                                                 validators=[MaxValueValidator(90)])  # fmt: skip
    # the work
    checklist = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="plans", verbose_name=_("checklist"))  # fmt: skip
    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("team"))  # fmt: skip
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=60)
    instructions = models.TextField(_("instructions"), max_length=2000, blank=True)
    auto_repair = models.BooleanField(
        _("open repair orders automatically"), default=False,
        help_text=_("A failed check or a measurement out of range opens a repair order for the item at once."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PlanKind.values), name="equipment_plan_kind_valid"),
            models.CheckConstraint(condition=Q(schedule__in=ScheduleKind.values), name="equipment_plan_schedule_valid"),
            models.CheckConstraint(
                condition=Q(interval_unit__in=IntervalUnit.values), name="equipment_plan_unit_valid"
            ),
            models.CheckConstraint(condition=Q(anchor__in=Anchor.values), name="equipment_plan_anchor_valid"),
            models.CheckConstraint(condition=Q(interval__gte=1), name="equipment_plan_interval_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="equipment_plan_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("equipment:plan_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.schedule == ScheduleKind.CALENDAR:
            if not self.weekdays and not self.month_days:
                raise ValidationError(_("A calendar schedule needs weekdays or days of the month."))
            if self.anchor == Anchor.COMPLETION:
                raise ValidationError({"anchor": _("A calendar schedule is counted from its dates, not completions.")})
        if (self.campus_id or self.building_id or self.location_id) and not self.category_id:
            raise ValidationError({"category": _("A place scope needs the category of the items there.")})
