"""The documents stock moves under: receipts, transfers (shipped, then received), stocktakes and
requisitions from work orders. Each carries a human-readable number (``logistics.common.numbers``)
that its movements repeat."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .stock import MONEY, QUANTITY, UNIT_COST, ZERO, Item, Warehouse

_USER = {"on_delete": models.PROTECT, "null": True, "blank": True, "related_name": "+"}


class Receipt(models.Model):
    """Stock received into a warehouse (from a vendor or a purchase), posted at once."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    vendor = models.ForeignKey(
        "org.Vendor", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("vendor")
    )
    reference = models.CharField(_("delivery note / invoice"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"), **_USER)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.number


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), **UNIT_COST)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="spareparts_receiptline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="spareparts_receiptline_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}×{self.quantity}"


class Transfer(models.Model):
    """Stock moved between warehouses in two steps: shipped (out of the source, in transit), then
    received at the destination at the cost it left with."""

    class State(models.TextChoices):
        IN_TRANSIT = "in_transit", _("In transit")
        RECEIVED = "received", _("Received")

    number = models.CharField(_("number"), max_length=30, unique=True)
    source = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    destination = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.IN_TRANSIT)
    note = models.CharField(_("note"), max_length=300, blank=True)
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("shipped by"), **_USER)
    shipped_at = models.DateTimeField(_("shipped at"), default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"), **_USER)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-shipped_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(source=F("destination")), name="spareparts_transfer_two_places")
        ]
        indexes = [models.Index(fields=["state"], name="spareparts_tr_state_idx")]

    def __str__(self) -> str:
        return self.number


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    amount = models.DecimalField(_("value"), **MONEY, default=ZERO)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="spareparts_transferline_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}×{self.quantity}"


class Stocktake(models.Model):
    """A count of one leaf warehouse: book quantities snapshotted at the start, counts entered line
    by line (each with the book quantity at that moment, so movements during the count are
    accounted for), differences reviewed and approved into stocktake movements."""

    class State(models.TextChoices):
        COUNTING = "counting", _("Counting")
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("warehouse")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.COUNTING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), **_USER)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), **_USER)
    decided_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-started_at"]
        permissions = [("approve_stocktake", _("Can approve stocktake differences"))]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse"],
                condition=Q(state__in=("counting", "submitted")),
                name="spareparts_stocktake_one_open_per_warehouse",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("spareparts:stocktake", args=[self.pk])


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    book_quantity = models.DecimalField(_("book at start"), **QUANTITY)
    counted_quantity = models.DecimalField(_("counted"), **QUANTITY, null=True, blank=True)
    book_at_count = models.DecimalField(_("book when counted"), **QUANTITY, null=True, blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("counted by"), **_USER)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    class Meta:
        ordering = ["item__code"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "item"], name="spareparts_stocktakeline_unique"),
            models.CheckConstraint(
                condition=Q(counted_quantity__gte=0) | Q(counted_quantity__isnull=True),
                name="spareparts_stocktakeline_count_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}×{self.counted_quantity}"

    @property
    def difference(self):
        if self.counted_quantity is None or self.book_at_count is None:
            return None
        return self.counted_quantity - self.book_at_count


class Requisition(models.Model):
    """Parts asked for a work order by the technician working it; each line reserves stock in the
    warehouse chosen, and the keeper approves (fully, partly) or rejects it, then issues it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("number"), max_length=30, unique=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, related_name="requisitions", verbose_name=_("work order")
    )
    requested_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="requisitions", verbose_name=_("requested by")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, **_USER)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="spareparts_req_state_idx")]

    def __str__(self) -> str:
        return self.number


class LineState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved, to issue")
    REJECTED = "rejected", _("Rejected")
    ISSUED = "issued", _("Issued")
    RELEASED = "released", _("Released")


# what a line holds reserved, by state: requested while pending, approved until issued
RESERVING = (LineState.PENDING, LineState.APPROVED)


class RequisitionLine(models.Model):
    State = LineState

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="requisition_lines", verbose_name=_("item"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="requisition_lines", verbose_name=_("warehouse")
    )
    quantity = models.DecimalField(_("requested"), **QUANTITY)
    approved_quantity = models.DecimalField(_("approved"), **QUANTITY, null=True, blank=True)
    issued_quantity = models.DecimalField(_("issued"), **QUANTITY, default=ZERO)
    returned_quantity = models.DecimalField(_("returned"), **QUANTITY, default=ZERO)
    unit_cost = models.DecimalField(_("unit cost"), **UNIT_COST, null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=LineState.choices, default=LineState.PENDING)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), **_USER)
    decided_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), **_USER)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        ordering = ["pk"]
        indexes = [models.Index(fields=["warehouse", "state"], name="spareparts_reqline_q_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="spareparts_reqline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(approved_quantity__isnull=True) | Q(approved_quantity__lte=F("quantity")),
                name="spareparts_reqline_approved_within_requested",
            ),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0) & Q(returned_quantity__lte=F("issued_quantity")),
                name="spareparts_reqline_returned_within_issued",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requisition_id}/{self.pk} {self.item_id}×{self.quantity}"

    @property
    def held(self):
        """What this line keeps reserved now."""
        if self.state == LineState.PENDING:
            return self.quantity
        if self.state == LineState.APPROVED:
            return self.approved_quantity or ZERO
        return ZERO

    @property
    def charged(self):
        """The value charged to the work order: issued minus returned, at the issue cost."""
        if not self.unit_cost:
            return ZERO
        return ((self.issued_quantity - self.returned_quantity) * self.unit_cost).quantize(ZERO.scaleb(-2))
