"""Reads of the spare-parts app shared by pages, the API and other apps' panels."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum

from .models import (
    Balance,
    Item,
    ItemCategory,
    Movement,
    Requisition,
    RequisitionLine,
    Transfer,
    TransferLine,
    Warehouse,
)
from .models.stock import ZERO


def subtree_ids(model, roots) -> set[int]:
    """The ids of ``roots`` (ids) and of every row below them in a ``parent`` tree (warehouses,
    part categories): one query per level."""
    ids = set(roots)
    frontier = set(ids)
    while frontier:
        frontier = set(model.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def warehouse_subtree_ids(warehouse: Warehouse | int) -> list[int]:
    """The ids of a warehouse and every location below it."""
    return sorted(subtree_ids(Warehouse, [warehouse if isinstance(warehouse, int) else warehouse.pk]))


def category_subtree_ids(category: ItemCategory | int) -> list[int]:
    """The ids of a part category and every category below it."""
    return sorted(subtree_ids(ItemCategory, [category if isinstance(category, int) else category.pk]))


def leaf_warehouses() -> QuerySet[Warehouse]:
    """Active warehouses that hold stock (no location below them)."""
    return Warehouse.objects.filter(is_active=True).exclude(Exists(Warehouse.objects.filter(parent=OuterRef("pk"))))


def availability(item: Item) -> list[Balance]:
    """Where ``item`` can be had: its balances with stock available, most available first, with
    the warehouse and its campus."""
    return list(
        Balance.objects.filter(item=item, on_hand__gt=F("reserved"), warehouse__is_active=True)
        .select_related("warehouse__campus", "warehouse__parent")
        .order_by("-on_hand", "warehouse__code")
    )


def balances(queryset: QuerySet[Balance] | None = None) -> QuerySet[Balance]:
    """Balances with their item (category, unit) and warehouse for lists."""
    queryset = Balance.objects.all() if queryset is None else queryset
    return queryset.select_related("item__category", "warehouse__campus", "warehouse__parent")


def in_transit(item: Item | None = None) -> Decimal:
    """Quantity shipped and not yet received (of ``item``, or of everything)."""
    lines = TransferLine.objects.filter(transfer__state=Transfer.State.IN_TRANSIT)
    if item is not None:
        lines = lines.filter(item=item)
    return lines.aggregate(q=Sum("quantity"))["q"] or ZERO


def item_ledger(item: Item, warehouse: Warehouse | None = None) -> QuerySet[Movement]:
    movements = Movement.objects.filter(item=item)
    if warehouse is not None:
        movements = movements.filter(warehouse=warehouse)
    return movements.select_related("warehouse", "actor", "work_order").order_by("-at", "-pk")


def work_order_requisitions(work_order) -> QuerySet[Requisition]:
    """The requisitions of a work order with their lines (item, warehouse) for its parts panel."""
    from django.db.models import Prefetch

    lines = RequisitionLine.objects.select_related("item", "warehouse").order_by("pk")
    return (
        Requisition.objects.filter(work_order=work_order)
        .select_related("requested_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("created_at", "pk")
    )


def parts_used_on(item, limit: int = 20) -> tuple[list[dict], Decimal]:
    """The parts the repairs of an equipment item used (issued minus returned, by part, most
    valuable first) and their total value."""
    from .models import MovementKind

    rows = (
        Movement.objects.filter(work_order__equipment=item, kind__in=(MovementKind.ISSUE, MovementKind.RETURN))
        .values("item__code", "item__name", "item__unit")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"), orders=Count("work_order", distinct=True))
        .order_by("amount", "item__code")
    )
    used = [{**r, "quantity": -r["quantity"], "amount": -r["amount"]} for r in rows if r["quantity"]]
    return used[:limit], sum((r["amount"] for r in used), ZERO)
