"""Work orders: repair requests and planned work, from report to rated close.

A ``WorkOrder`` moves through the states of ``states.py``; every move is one service in
``services.py`` that writes a ``WorkOrderEvent``, so the timeline and the SLA clocks come from the
events. Categories and SLA targets are configuration (admin)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.common.models import TimeStampedModel


class Category(models.Model):
    """What kind of work (HVAC, water & electricity, elevator, plumbing, medical gas ...): drives
    dispatch and SLA targets. Managed in the admin."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    team = models.ForeignKey(
        "org.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("default team"), help_text=_("Where orders of this category go when no rule matches."),
    )  # fmt: skip
    equipment_categories = models.ManyToManyField(
        "equipment.Category", blank=True, related_name="+", verbose_name=_("equipment categories"),
        help_text=_("Work on equipment of these categories (and the ones below them) falls under this category: "
                    "reports from an item's label and planned maintenance use it."),
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("work order category")
        verbose_name_plural = _("work order categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return str(self.name)


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class SlaPolicy(models.Model):
    """Response and resolution targets for a priority, optionally for one category (a category's
    own policy wins over the priority's general one)."""

    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="sla_policies",
        verbose_name=_("category"),
    )  # fmt: skip
    response_minutes = models.PositiveIntegerField(_("response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority", "category"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "category"], name="workorders_slapolicy_unique"),
            models.UniqueConstraint(
                fields=["priority"], condition=Q(category__isnull=True), name="workorders_slapolicy_one_general"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="workorders_slapolicy_priority_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} {self.category or ''}".strip()


class Kind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    INSPECTION = "inspection", _("Inspection")
    MAINTENANCE = "maintenance", _("Maintenance")
    ASSISTANCE = "assistance", _("Assistance")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    ON_SITE = "on_site", _("On site")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed, awaiting verification")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class HoldReason(models.TextChoices):
    PARTS = "parts", _("Waiting for parts")
    VENDOR = "vendor", _("Waiting for the vendor")
    ACCESS = "access", _("Waiting for access")
    REQUESTER = "requester", _("Waiting for the requester")
    OTHER = "other", _("Other")


class Origin(models.TextChoices):
    PERSON = "person", _("Reported by a person")
    SERVICE_DESK = "service_desk", _("Service desk, on a caller's behalf")
    PLAN = "plan", _("Maintenance plan")
    ORDER = "order", _("Another order")
    API = "api", _("API")


class WorkOrder(TimeStampedModel):
    """One piece of work: who asked, where, what, who does it, and every milestone's time."""

    Kind = Kind
    Status = Status
    Priority = Priority
    HoldReason = HoldReason
    Origin = Origin

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REPAIR)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="orders", verbose_name=_("category"))
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, default=Origin.PERSON)
    requester = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="requested_orders",
        verbose_name=_("requester"),
    )  # fmt: skip
    contact = models.CharField(_("contact"), max_length=60, blank=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )  # fmt: skip
    location = models.ForeignKey(
        "org.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("location")
    )
    equipment = models.ForeignKey(
        "equipment.Equipment", on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders",
        verbose_name=_("equipment"),
    )  # fmt: skip
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("from order"),
    )  # fmt: skip
    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    assignee = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_orders",
        verbose_name=_("responsible technician"),
    )  # fmt: skip
    vendor = models.ForeignKey(
        "org.Vendor", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("vendor")
    )
    helpers = models.ManyToManyField("org.Staff", blank=True, related_name="helped_orders", verbose_name=_("helpers"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    hold_reason = models.CharField(_("hold reason"), max_length=10, choices=HoldReason.choices, blank=True)
    auto_dispatched = models.BooleanField(_("dispatched automatically"), default=False)
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    auto_closed = models.BooleanField(_("closed automatically"), default=False)
    findings = models.TextField(_("findings"), max_length=4000, blank=True)
    cause = models.TextField(_("cause"), max_length=2000, blank=True)
    actions = models.TextField(_("actions taken"), max_length=4000, blank=True)
    labour_minutes = models.PositiveIntegerField(_("labour (minutes)"), default=0)
    parts_cost = models.DecimalField(_("parts cost"), max_digits=12, decimal_places=2, default=Decimal("0"))
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    held_since = models.DateTimeField(_("on hold since"), null=True, blank=True)
    held_minutes = models.PositiveIntegerField(_("minutes on hold"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("entered by"),
    )  # fmt: skip
    # the form's one-time key: a replayed or double-clicked submission finds the order it made
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="workorders_workorder_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="workorders_workorder_kind_valid"),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="workorders_workorder_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="workorders_workorder_rating_range",
            ),
            models.CheckConstraint(condition=Q(parts_cost__gte=0), name="workorders_workorder_parts_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(status="on_hold") | Q(hold_reason=""), name="workorders_workorder_hold_reason_only_on_hold"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "team"], name="workorders_wo_status_team_idx"),
            models.Index(fields=["assignee", "status"], name="workorders_wo_assignee_idx"),
            models.Index(fields=["submitted_at"], name="workorders_wo_submitted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("workorders:detail", args=[self.pk])


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected by the technician")
    ARRIVED = "arrived", _("Arrived on site")
    STARTED = "started", _("Work started")
    HELD = "held", _("Put on hold")
    RESUMED = "resumed", _("Resumed")
    COMPLETED = "completed", _("Completed")
    VERIFIED = "verified", _("Verified and rated")
    REOPENED = "reopened", _("Reopened by the requester")
    AUTO_CLOSED = "auto_closed", _("Closed automatically")
    CANCELLED = "cancelled", _("Cancelled")
    ESCALATED = "escalated", _("Escalated to the team lead")
    ASSISTANCE = "assistance", _("Assistance requested")
    NOTE = "note", _("Note")
    HELPERS = "helpers", _("Helpers changed")


class WorkOrderEvent(models.Model):
    """One step on an order's timeline: what happened, who did it, from which status to which, and
    any data of the step (reason, scanned place, rating)."""

    Kind = EventKind

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["work_order", "at"], name="workorders_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.kind}"


class AttachmentStage(models.TextChoices):
    REPORT = "report", _("Reported with the order")
    WORK = "work", _("During the work")
    COMPLETION = "completion", _("On completion")
    VENDOR_REPORT = "vendor_report", _("Vendor's report")
    CHECKLIST = "checklist", _("Checklist photo")


def _attachment_path(instance, filename: str) -> str:
    # the stored name is ours (no user-supplied path parts); the original name is kept in the row
    return f"workorders/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class Attachment(models.Model):
    """A photo (or a vendor's PDF report) on an order. Served only through the order's page, to
    whoever may see the order; never from a public media URL."""

    Stage = AttachmentStage

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    stage = models.CharField(_("stage"), max_length=14, choices=AttachmentStage.choices)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=AttachmentStage.values), name="workorders_attachment_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}.get(
            self.content_type, ".bin"
        )

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class DailySequence(models.Model):
    """The last number handed out on a day, for ``WO-YYYYMMDD-NNNN`` (incremented under a row lock)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("work order number sequence")
        verbose_name_plural = _("work order number sequences")

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class Strategy(models.TextChoices):
    FIXED = "fixed", _("Fixed person")
    ROUND_ROBIN = "round_robin", _("Round robin among those on duty")
    LEAST_LOADED = "least_loaded", _("Least loaded among those on duty")


class DispatchRule(models.Model):
    """An ordered rule of automatic dispatch: when an order matches every condition given (empty =
    any), it goes to the person, the vendor, or a member of the team picked by the strategy among
    those on duty now; with nobody on duty it waits in the team's queue."""

    Strategy = Strategy

    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name=_("categories"))
    equipment_categories = models.ManyToManyField(
        "equipment.Category", blank=True, related_name="+", verbose_name=_("equipment categories"),
        help_text=_("Matches the order's equipment in one of these categories or below them."),
    )  # fmt: skip
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, blank=True)
    campus = models.ForeignKey("org.Campus", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name=_("campus"))  # fmt: skip
    building = models.ForeignKey("org.Building", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 verbose_name=_("building"))  # fmt: skip
    location = models.ForeignKey("org.Location", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 verbose_name=_("location"))  # fmt: skip
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="+", verbose_name=_("department"))  # fmt: skip
    time_from = models.TimeField(_("from (time of day)"), null=True, blank=True)
    time_to = models.TimeField(
        _("to (time of day)"), null=True, blank=True, help_text=_("Before the start time: the rule spans midnight.")
    )
    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("team"))  # fmt: skip
    person = models.ForeignKey("org.Staff", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name=_("person"))  # fmt: skip
    vendor = models.ForeignKey("org.Vendor", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name=_("vendor"))  # fmt: skip
    strategy = models.CharField(_("strategy"), max_length=12, choices=Strategy.choices, default=Strategy.LEAST_LOADED)
    last_assigned = models.ForeignKey("org.Staff", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", editable=False)  # fmt: skip

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(person__isnull=False) | Q(vendor__isnull=False),
                name="workorders_dispatchrule_has_target",
            ),
            models.CheckConstraint(
                condition=Q(time_from__isnull=True, time_to__isnull=True)
                | Q(time_from__isnull=False, time_to__isnull=False),
                name="workorders_dispatchrule_time_both_or_none",
            ),
            models.CheckConstraint(
                condition=Q(strategy__in=Strategy.values), name="workorders_dispatchrule_strategy_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)


class SlaEscalation(models.Model):
    """One overdue notice sent for an order: ``kind`` response or resolution, ``level`` 1 (team
    lead) or 2 (manager). Unique, so the minute-by-minute check notifies each level once."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(max_length=10, choices=[("response", _("Response")), ("resolution", _("Resolution"))])
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SLA escalation")
        verbose_name_plural = _("SLA escalations")
        constraints = [
            models.UniqueConstraint(fields=["work_order", "kind", "level"], name="workorders_slaescalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.kind} L{self.level}"


from .models_maintenance import ChecklistEntry, Occurrence, OccurrenceState  # noqa: E402, F401 - models of planned work
