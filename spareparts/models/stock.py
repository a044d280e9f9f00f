"""Items, warehouses, balances and the append-only stock ledger.

Every change of stock is a ``Movement`` row (never updated, never deleted); the ``Balance`` of an
item in a warehouse (on hand, reserved, value) changes in the same transaction, under a row lock
taken in a fixed order (``ledger.py``). The database refuses a negative on-hand, a negative
reservation and a reservation larger than the stock, whatever the code above it does."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.common.models import TimeStampedModel

QUANTITY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 16, "decimal_places": 2}
UNIT_COST = {"max_digits": 14, "decimal_places": 4}
ZERO = Decimal("0")


def _token() -> str:
    return uuid.uuid4().hex[:12]


class ItemCategory(models.Model):
    """A category of spare parts (electrical, plumbing, HVAC filters ...), as a tree."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )

    class Meta:
        verbose_name = _("part category")
        verbose_name_plural = _("part categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Item(TimeStampedModel):
    """A spare part as stocked: what it is, how it is counted, what it costs, what it fits."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=12, help_text=_("个, 只, 套, 米, 升 ..."))
    fractional = models.BooleanField(
        _("fractional quantities"),
        default=False,
        help_text=_("Counted in measures (metres, litres) rather than whole pieces."),
    )
    category = models.ForeignKey(
        ItemCategory, on_delete=models.PROTECT, related_name="items", verbose_name=_("category")
    )
    barcode = models.CharField(_("barcode"), max_length=64, unique=True, null=True, blank=True)
    unit_cost = models.DecimalField(
        _("standard unit cost"),
        **UNIT_COST,
        default=ZERO,
        help_text=_("Used for stock found where the warehouse holds none."),
    )
    vendor = models.ForeignKey(
        "org.Vendor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("vendor")
    )
    equipment_categories = models.ManyToManyField(
        "equipment.Category", blank=True, related_name="+", verbose_name=_("fits equipment categories")
    )
    is_active = models.BooleanField(_("active"), default=True)
    qr_token = models.CharField(_("label token"), max_length=16, unique=True, default=_token, editable=False)

    class Meta:
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(unit_cost__gte=0), name="spareparts_item_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("spareparts:item", args=[self.pk])


class Warehouse(TimeStampedModel):
    """A store as a tree: campus store → building or floor store → area → bin. Stock is held in
    leaves only; keepers of a warehouse keep everything below it."""

    class Kind(models.TextChoices):
        STORE = "store", _("Store")
        AREA = "area", _("Store area")
        BIN = "bin", _("Bin")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.STORE)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    campus = models.ForeignKey("org.Campus", on_delete=models.PROTECT, related_name="+", verbose_name=_("campus"))
    building = models.ForeignKey(
        "org.Building", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    floor = models.ForeignKey(
        "org.Floor", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("floor")
    )
    keepers = models.ManyToManyField("org.Staff", blank=True, related_name="kept_warehouses", verbose_name=_("keepers"))
    is_active = models.BooleanField(_("active"), default=True)
    qr_token = models.CharField(_("label token"), max_length=16, unique=True, default=_token, editable=False)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("spareparts:warehouse", args=[self.pk])

    def ancestors_and_self(self) -> list[Warehouse]:
        chain, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class Balance(models.Model):
    """The stock of an item in a leaf warehouse: on hand, reserved for requisitions, and its value
    (moving weighted average cost = value / on hand). Minimum and maximum drive the alerts."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="balances", verbose_name=_("item"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="balances", verbose_name=_("warehouse")
    )
    on_hand = models.DecimalField(_("on hand"), **QUANTITY, default=ZERO)
    reserved = models.DecimalField(_("reserved"), **QUANTITY, default=ZERO)
    value = models.DecimalField(_("value"), **MONEY, default=ZERO)
    min_quantity = models.DecimalField(_("minimum"), **QUANTITY, null=True, blank=True)
    max_quantity = models.DecimalField(_("maximum"), **QUANTITY, null=True, blank=True)
    alert = models.CharField(
        _("alert raised"),
        max_length=4,
        blank=True,
        editable=False,
        help_text=_("low or high: the alert already sent for the current level."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["item", "warehouse"], name="spareparts_balance_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="spareparts_balance_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="spareparts_balance_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="spareparts_balance_reserved_within_on_hand"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="spareparts_balance_value_not_negative"),
        ]
        indexes = [models.Index(fields=["warehouse", "item"], name="spareparts_balance_wh_idx")]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.warehouse_id} {self.on_hand}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def average_cost(self) -> Decimal:
        return (self.value / self.on_hand).quantize(Decimal("0.0001")) if self.on_hand else ZERO


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue")
    RETURN = "return", _("Return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUSTMENT = "adjustment", _("Adjustment")
    STOCKTAKE = "stocktake", _("Stocktake")


class Movement(models.Model):
    """One change of stock, written once: signed quantity and value, the balance after it, who did
    it, why, and the document it belongs to. Never updated or deleted (a PostgreSQL trigger refuses
    both); a correction is another movement."""

    Kind = MovementKind

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements", verbose_name=_("item"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="movements", verbose_name=_("warehouse")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), **UNIT_COST)
    amount = models.DecimalField(_("amount"), **MONEY)
    on_hand_after = models.DecimalField(_("on hand after"), **QUANTITY)
    value_after = models.DecimalField(_("value after"), **MONEY)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    document = models.CharField(_("document"), max_length=30, blank=True, db_index=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="part_movements",
        verbose_name=_("work order"),
    )
    requisition_line = models.ForeignKey(
        "spareparts.RequisitionLine", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["item", "warehouse", "at"], name="spareparts_mv_item_idx"),
            models.Index(fields=["warehouse", "at"], name="spareparts_mv_wh_idx"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="spareparts_movement_not_zero")]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id}@{self.warehouse_id} {self.quantity}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("stock movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("stock movements are append-only")
