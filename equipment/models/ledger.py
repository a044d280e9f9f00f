"""The equipment ledger: every item the logistics department maintains (HVAC, power, elevators,
water, medical gas, fire safety ...), where it stands, who maintains it, its status with history,
technical parameters, documents and the certificates regulated equipment must keep valid.

The item's QR label encodes ``/e/<qr_token>`` under PUBLIC_BASE_URL (like a location's ``/l/``):
scanning opens the item's page with "report a fault" and, for technicians, "arrived". Work orders
point at equipment (``workorders`` sits above this app); the history of an item on its page is read
through ``workorders.selectors``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.common.models import TimeStampedModel
from logistics.org.models import code_validator, new_qr_token


class Category(models.Model):
    """A node of the equipment category tree (HVAC → chiller, AHU, fan coil; power → transformer,
    switchgear, generator, UPS ...). ``regulated``: items need valid certificates (elevators,
    pressure vessels, medical gas)."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    regulated = models.BooleanField(_("regulated (certificates required)"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("equipment category")
        verbose_name_plural = _("equipment categories")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="equipment_category_not_own_parent")
        ]

    def __str__(self) -> str:
        return str(self.name)

    def ancestors_and_self(self) -> list[Category]:
        """This category and the ones above it, nearest first (the tree is a few levels deep)."""
        chain, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class Parameter(models.Model):
    """A technical parameter items of a category carry (rated power, capacity, refrigerant ...)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="parameters")
    key = models.SlugField(_("key"), max_length=30)
    label = models.CharField(_("label"), max_length=50)
    unit = models.CharField(_("unit"), max_length=15, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("technical parameter")
        verbose_name_plural = _("technical parameters")
        ordering = ["category", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["category", "key"], name="equipment_parameter_unique_key")]

    def __str__(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else str(self.label)


class Status(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    FAULTY = "faulty", _("Faulty")
    UNDER_REPAIR = "under_repair", _("Under repair")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")
    RETIRED = "retired", _("Retired")


class Equipment(TimeStampedModel):
    """One item of the ledger."""

    Status = Status

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items", verbose_name=_("category"))
    model = models.CharField(_("model"), max_length=60, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=60, blank=True)
    serial = models.CharField(_("serial number"), max_length=60, blank=True)
    location = models.ForeignKey(
        "org.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="equipment",
        verbose_name=_("location"),
    )  # fmt: skip
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="equipment",
        verbose_name=_("department"),
    )  # fmt: skip
    maintainer_team = models.ForeignKey(
        "org.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="equipment",
        verbose_name=_("maintained by (team)"),
    )  # fmt: skip
    maintainer_vendor = models.ForeignKey(
        "org.Vendor", on_delete=models.SET_NULL, null=True, blank=True, related_name="equipment",
        verbose_name=_("maintained by (vendor)"),
    )  # fmt: skip
    install_date = models.DateField(_("installed on"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_SERVICE)
    status_since = models.DateTimeField(_("status since"), default=timezone.now)
    parameters = models.JSONField(_("technical parameters"), default=dict, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    qr_token = models.CharField(_("QR token"), max_length=32, unique=True, default=new_qr_token, editable=False)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="equipment_equipment_status_valid"),
            models.CheckConstraint(
                condition=Q(warranty_end__isnull=True)
                | Q(install_date__isnull=True)
                | Q(warranty_end__gte=models.F("install_date")),
                name="equipment_equipment_warranty_after_install",
            ),
        ]
        indexes = [
            models.Index(fields=["category", "status"], name="equipment_category_status_idx"),
            models.Index(fields=["location"], name="equipment_location_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("equipment:detail", args=[self.pk])


class StatusChange(models.Model):
    """One change of an item's status: the history behind downtime, MTBF and MTTR. ``reference``
    is the work order number that caused it, if any (a plain value: work orders sit above)."""

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")  # fmt: skip
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reference = models.CharField(_("reference"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["equipment", "at"], name="equipment_statuschange_idx")]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.from_status}→{self.to_status}"


def _document_path(instance, filename: str) -> str:
    return f"equipment/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A manual, drawing or photo of an item; served through the item's page only."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Manual")
        DRAWING = "drawing", _("Drawing")
        PHOTO = "photo", _("Photo")
        OTHER = "other", _("Other")

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("equipment document")
        verbose_name_plural = _("equipment documents")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return str(self.title)


class Certificate(models.Model):
    """A certificate a regulated item must keep valid (elevator inspection, pressure vessel, medical
    gas ...). Reminders go out 30 and 7 days before ``expires_on``; ``reminded`` records which."""

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("kind"), max_length=60)
    number = models.CharField(_("certificate number"), max_length=60)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    reminded = models.JSONField(_("reminders sent"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")), name="equipment_certificate_expires_after_issue"
            ),
            models.UniqueConstraint(fields=["equipment", "kind", "number"], name="equipment_certificate_unique"),
        ]
        indexes = [models.Index(fields=["expires_on"], name="equipment_certificate_exp_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"
