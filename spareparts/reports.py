"""Report selectors of the spare-parts app: stock by warehouse and category, consumption, slow-moving
stock, level alerts with a reorder suggestion, and the figures of a stocktake sheet.

Each report reads a fixed, small number of queries (one aggregate plus the trees it is laid out
on), whatever the number of rows, and uses portable ORM aggregation only, so PostgreSQL and the
embedded SQLite give the same figures. Who sees what: keepers the warehouses they keep (and the
locations below them), managers and system administrators everything (``report_scope``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from logistics.common.registries import user_roles

from .ledger import money
from .models import Balance, Item, ItemCategory, Movement, MovementKind, Stocktake, Transfer, TransferLine, Warehouse
from .models.stock import ZERO
from .permissions import kept_warehouse_ids

REPORT_PERMISSION = "spareparts.view_movement"
SLOW_DEFAULT_DAYS = 180


# --- who sees what ------------------------------------------------------------------------------
def report_scope(user) -> set[int] | None:
    """The warehouse ids ``user``'s reports cover: None for all (managers, system administrators,
    superusers), else the warehouses they keep with everything below them (maybe none)."""
    from logistics.org.roles import MANAGER, SYSADMIN

    if not user.is_authenticated:
        return set()
    if user.is_superuser or user_roles(user) & {MANAGER, SYSADMIN}:
        return None
    return kept_warehouse_ids(user)


def can_view_reports(user) -> bool:
    """Keepers, managers and system administrators (technicians hold no ledger permission)."""
    return user.is_authenticated and user.has_perm(REPORT_PERMISSION)


def scoped(queryset: QuerySet, scope: set[int] | None, field_name: str = "warehouse_id") -> QuerySet:
    return queryset if scope is None else queryset.filter(**{f"{field_name}__in": scope})


# --- trees ----------------------------------------------------------------------------------------
class Tree:
    """A parent/child tree (warehouses or part categories) read in one query, for subtrees and
    for rolling figures up to every ancestor."""

    def __init__(self, nodes: Iterable) -> None:
        self.nodes = {node.pk: node for node in nodes}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for node in sorted(self.nodes.values(), key=lambda n: n.code):
            parent = node.parent_id if node.parent_id in self.nodes else None
            self.children[parent].append(node.pk)

    def subtree(self, pk: int) -> set[int]:
        found, frontier = {pk}, [pk]
        while frontier:
            frontier = [c for p in frontier for c in self.children.get(p, ()) if c not in found]
            found.update(frontier)
        return found

    def ancestors(self, pk: int) -> list[int]:
        """``pk`` and the nodes above it, nearest first."""
        chain, node = [], pk
        while node is not None and node in self.nodes and node not in chain:
            chain.append(node)
            node = self.nodes[node].parent_id
        return chain

    def walk(self, parent: int | None = None, depth: int = 0):
        """Every node below ``parent`` depth first, in code order, with its depth."""
        for pk in self.children.get(parent, ()):
            yield self.nodes[pk], depth
            yield from self.walk(pk, depth + 1)


def warehouse_tree() -> Tree:
    return Tree(
        Warehouse.objects.select_related("campus").only(
            "pk", "code", "name", "kind", "parent_id", "is_active", "campus__name"
        )
    )


def category_tree() -> Tree:
    return Tree(ItemCategory.objects.only("pk", "code", "name", "parent_id"))


# --- stock by warehouse and category --------------------------------------------------------------
@dataclass
class Figures:
    """Stock held: ``lines`` counts the balances with stock (an item once per location)."""

    lines: int = 0
    quantity: Decimal = ZERO
    value: Decimal = ZERO

    def add(self, other: Figures) -> None:
        self.lines += other.lines
        self.quantity += other.quantity
        self.value += other.value


@dataclass
class TreeRow:
    node: object
    depth: int
    figures: Figures
    own: bool  # the node holds stock itself (a leaf), rather than only below it


@dataclass
class StockReport:
    by_warehouse: list[TreeRow]
    by_category: list[TreeRow]
    cells: list[dict]  # warehouse × category, for the detail sheet
    total: Figures


def _rolled_up(tree: Tree, own: dict[int, Figures]) -> list[TreeRow]:
    totals: dict[int, Figures] = defaultdict(Figures)
    for pk, figures in own.items():
        for node in tree.ancestors(pk):
            totals[node].add(figures)
    return [TreeRow(node, depth, totals[node.pk], node.pk in own) for node, depth in tree.walk() if node.pk in totals]


def stock_report(balances: QuerySet[Balance]) -> StockReport:
    """Quantity and value held by warehouse (each node with everything below it) and by part
    category (likewise), from one aggregate over ``balances`` (already scoped and filtered)."""
    rows = list(
        balances.filter(on_hand__gt=0)
        .order_by()
        .values("warehouse_id", "item__category_id")
        .annotate(lines=Count("pk"), quantity=Sum("on_hand"), value=Sum("value"))
    )
    warehouses, categories = warehouse_tree(), category_tree()
    by_wh: dict[int, Figures] = defaultdict(Figures)
    by_cat: dict[int, Figures] = defaultdict(Figures)
    total = Figures()
    cells = []
    for row in rows:
        figures = Figures(row["lines"], row["quantity"] or ZERO, row["value"] or ZERO)
        by_wh[row["warehouse_id"]].add(figures)
        by_cat[row["item__category_id"]].add(figures)
        total.add(figures)
        cells.append(
            {
                "warehouse": warehouses.nodes.get(row["warehouse_id"]),
                "category": categories.nodes.get(row["item__category_id"]),
                "figures": figures,
            }
        )
    cells.sort(key=lambda c: (c["warehouse"].code, c["category"].code))
    return StockReport(_rolled_up(warehouses, by_wh), _rolled_up(categories, by_cat), cells, total)


# --- consumption --------------------------------------------------------------------------------
# group → (values() keys: the first is the group's identity)
CONSUMPTION_GROUPS: dict[str, tuple[str, ...]] = {
    "month": ("month",),
    "department": ("work_order__department_id", "work_order__department__name"),
    "equipment_category": ("work_order__equipment__category_id", "work_order__equipment__category__name"),
    "work_order": ("work_order_id", "work_order__number", "work_order__title"),
    "technician": (
        "requisition_line__requisition__requested_by_id",
        "requisition_line__requisition__requested_by__name",
    ),
    "item": ("item_id", "item__code", "item__name", "item__unit"),
    "category": ("item__category_id", "item__category__name"),
}


@dataclass
class ConsumptionRow:
    """Parts used by one group: issued minus returned, in quantity and value (positive figures)."""

    key: object
    label: str = ""
    detail: str = ""
    issued_quantity: Decimal = ZERO
    returned_quantity: Decimal = ZERO
    issued_value: Decimal = ZERO
    returned_value: Decimal = ZERO

    @property
    def quantity(self) -> Decimal:
        return self.issued_quantity - self.returned_quantity

    @property
    def value(self) -> Decimal:
        return self.issued_value - self.returned_value

    def add(self, other: ConsumptionRow) -> None:
        self.issued_quantity += other.issued_quantity
        self.returned_quantity += other.returned_quantity
        self.issued_value += other.issued_value
        self.returned_value += other.returned_value


def _month_of(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def consumption_report(movements: QuerySet[Movement], group: str) -> tuple[list[ConsumptionRow], ConsumptionRow]:
    """Issues minus returns of ``movements`` (scoped and filtered) by ``group`` (a key of
    ``CONSUMPTION_GROUPS``): one aggregate query. Months in order, other groups by value used."""
    keys = CONSUMPTION_GROUPS[group]
    queryset = movements.filter(kind__in=(MovementKind.ISSUE, MovementKind.RETURN)).order_by()
    if group == "month":
        queryset = queryset.annotate(month=TruncMonth("at"))
    issue, back = Q(kind=MovementKind.ISSUE), Q(kind=MovementKind.RETURN)
    aggregated = queryset.values(*keys).annotate(
        iq=Sum("quantity", filter=issue),
        iv=Sum("amount", filter=issue),
        rq=Sum("quantity", filter=back),
        rv=Sum("amount", filter=back),
    )
    rows: dict[object, ConsumptionRow] = {}
    for values in aggregated:
        key = _month_of(values["month"]) if group == "month" else values[keys[0]]
        row = ConsumptionRow(
            key=key,
            issued_quantity=-(values["iq"] or ZERO),
            issued_value=-(values["iv"] or ZERO),
            returned_quantity=values["rq"] or ZERO,
            returned_value=values["rv"] or ZERO,
        )
        if group == "month":
            row.label = f"{key:%Y-%m}" if key else ""
        elif key is not None and group == "work_order":
            row.label, row.detail = values["work_order__number"], values["work_order__title"]
        elif key is not None and group == "item":
            row.label = f"{values['item__code']} {values['item__name']}"
        elif key is not None:
            row.label = str(values[keys[-1]])
        if key in rows:  # two months that fold into one local month (never in practice)
            rows[key].add(row)
        else:
            rows[key] = row
    total = ConsumptionRow(key="total")
    for row in rows.values():
        total.add(row)
    if group == "month":
        ordered = sorted(rows.values(), key=lambda r: r.key or dt.date.min)
    else:
        ordered = sorted(rows.values(), key=lambda r: (-r.value, r.key is None, r.label))
    return ordered, total


# --- slow-moving stock ------------------------------------------------------------------------
def slow_moving(balances: QuerySet[Balance], *, days: int = SLOW_DEFAULT_DAYS, now: dt.datetime | None = None):
    """Balances holding stock that has not been issued from their warehouse for ``days`` days:
    idle since the last issue there, or (never issued) since the first movement there, so stock
    that has just arrived is not called slow. Most value first. Returns the queryset (rows with
    ``last_issue``, ``idle_since``) and the total (count, value)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    same = {"item_id": OuterRef("item_id"), "warehouse_id": OuterRef("warehouse_id")}
    last_issue = Movement.objects.filter(kind=MovementKind.ISSUE, **same).order_by("-at").values("at")[:1]
    first_in = Movement.objects.filter(**same).order_by("at").values("at")[:1]
    rows = (
        balances.filter(on_hand__gt=0)
        .annotate(last_issue=Subquery(last_issue), first_in=Subquery(first_in))
        .annotate(idle_since=Coalesce("last_issue", "first_in"))
        .filter(idle_since__lt=cutoff)
    )
    total = rows.order_by().aggregate(count=Count("pk"), value=Sum("value"))
    ordered = rows.select_related("item__category", "warehouse__parent").order_by(
        "-value", "item__code", "warehouse__code"
    )
    return ordered, {"count": total["count"] or 0, "value": total["value"] or ZERO, "cutoff": cutoff}


# --- level alerts and the reorder suggestion ------------------------------------------------------
@dataclass
class AlertRow:
    balance: Balance
    in_transit: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.balance.available

    @property
    def shortfall(self) -> Decimal:
        return (self.balance.min_quantity or ZERO) - self.available

    @property
    def excess(self) -> Decimal:
        return self.balance.on_hand - (self.balance.max_quantity or ZERO)


@dataclass
class ReorderLine:
    item: Item
    warehouse: Warehouse
    available: Decimal
    in_transit: Decimal
    target: Decimal
    quantity: Decimal
    unit_cost: Decimal

    @property
    def value(self) -> Decimal:
        return money(self.quantity * self.unit_cost)


@dataclass
class VendorGroup:
    vendor: object
    lines: list[ReorderLine] = field(default_factory=list)

    @property
    def value(self) -> Decimal:
        return sum((line.value for line in self.lines), ZERO)


@dataclass
class AlertReport:
    low: list[AlertRow]
    high: list[AlertRow]
    reorder: list[VendorGroup]

    @property
    def reorder_value(self) -> Decimal:
        return sum((group.value for group in self.reorder), ZERO)


def alert_balances(balances: QuerySet[Balance]) -> QuerySet[Balance]:
    """Balances of active items in active warehouses below their minimum (available = on hand −
    reserved) or above their maximum (on hand), as ``alerts.level_of`` judges them."""
    available = F("on_hand") - F("reserved")
    return (
        balances.filter(item__is_active=True, warehouse__is_active=True)
        .alias(available_now=available)
        .filter(
            Q(min_quantity__isnull=False, available_now__lt=F("min_quantity"))
            | Q(max_quantity__isnull=False, on_hand__gt=F("max_quantity"))
        )
    )


def in_transit_to(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Decimal]:
    """Quantity shipped towards each (item id, warehouse id) and not yet received: one query."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = (
        TransferLine.objects.filter(
            transfer__state=Transfer.State.IN_TRANSIT,
            item_id__in={i for i, _w in pairs},
            transfer__destination_id__in={w for _i, w in pairs},
        )
        .order_by()
        .values("item_id", "transfer__destination_id")
        .annotate(quantity=Sum("quantity"))
    )
    found = {(r["item_id"], r["transfer__destination_id"]): r["quantity"] or ZERO for r in rows}
    return {pair: found.get(pair, ZERO) for pair in pairs}


def _order_quantity(item: Item, wanted: Decimal) -> Decimal:
    if item.fractional:
        return wanted.quantize(Decimal("0.001"), rounding=ROUND_CEILING)
    return wanted.to_integral_value(rounding=ROUND_CEILING)


def alert_report(balances: QuerySet[Balance]) -> AlertReport:
    """Below minimum and above maximum (one query), and what to order for each balance below its
    minimum: up to the maximum (twice the minimum where there is no maximum), less what is
    available and what is already in transit to that warehouse (one more query), grouped by the
    item's vendor at its standard cost."""
    rows = list(
        alert_balances(balances)
        .select_related("item__vendor", "item__category", "warehouse__parent")
        .order_by("warehouse__code", "item__code")
    )
    low = [r for r in rows if r.min_quantity is not None and r.available < r.min_quantity]
    high = [r for r in rows if r.max_quantity is not None and r.on_hand > r.max_quantity]
    transit = in_transit_to((b.item_id, b.warehouse_id) for b in low)
    groups: dict[object, VendorGroup] = {}
    for balance in low:
        target = balance.max_quantity if balance.max_quantity is not None else 2 * balance.min_quantity
        coming = transit.get((balance.item_id, balance.warehouse_id), ZERO)
        wanted = target - balance.available - coming
        if wanted <= 0:
            continue
        item = balance.item
        line = ReorderLine(
            item=item,
            warehouse=balance.warehouse,
            available=balance.available,
            in_transit=coming,
            target=target,
            quantity=_order_quantity(item, wanted),
            unit_cost=item.unit_cost,
        )
        groups.setdefault(item.vendor_id, VendorGroup(item.vendor)).lines.append(line)
    reorder = sorted(groups.values(), key=lambda g: (g.vendor is None, g.vendor.name if g.vendor else ""))
    return AlertReport(
        low=[AlertRow(b, transit.get((b.item_id, b.warehouse_id), ZERO)) for b in low],
        high=[AlertRow(b) for b in high],
        reorder=reorder,
    )


def below_minimum(user, limit: int = 10) -> list[Balance]:
    """The first ``limit`` balances below their minimum in ``user``'s warehouses, furthest below
    first: the dashboard's list for keepers and managers."""
    available = F("on_hand") - F("reserved")
    rows = (
        scoped(Balance.objects.filter(item__is_active=True, warehouse__is_active=True), report_scope(user))
        .alias(available_now=available)
        .filter(min_quantity__isnull=False, available_now__lt=F("min_quantity"))
        .annotate(short=F("min_quantity") - available)
        .select_related("item", "warehouse")
        .order_by("-short", "item__code")
    )
    return list(rows[:limit])


# --- stocktake sheet --------------------------------------------------------------------------------
@dataclass
class SheetLine:
    """One line of a count sheet with its review figures: the book at the start, what moved while
    counting (book when counted − book at start), the difference (counted − book when counted)
    and its value (at the warehouse's average cost; once approved, the value actually posted)."""

    line: object
    unit_cost: Decimal
    posted: Decimal | None = None

    @property
    def moved(self) -> Decimal | None:
        if self.line.book_at_count is None:
            return None
        return self.line.book_at_count - self.line.book_quantity

    @property
    def difference(self) -> Decimal | None:
        return self.line.difference

    @property
    def value(self) -> Decimal | None:
        if self.posted is not None:
            return self.posted
        difference = self.difference
        return None if difference is None else money(difference * self.unit_cost)


@dataclass
class Sheet:
    lines: list[SheetLine]
    counted: int
    total: int
    gain: Decimal
    loss: Decimal

    @property
    def net(self) -> Decimal:
        return self.gain + self.loss

    @property
    def differing(self) -> int:
        return sum(1 for s in self.lines if s.difference)


def stocktake_sheet(take: Stocktake, *, only_uncounted: bool = False) -> Sheet:
    """The lines of a count with their figures (three queries: lines, balances, posted movements)."""
    lines = list(take.lines.select_related("item", "counted_by").order_by("item__code"))
    balances = {
        b.item_id: b
        for b in Balance.objects.filter(warehouse_id=take.warehouse_id, item_id__in=[line.item_id for line in lines])
    }
    posted: dict[int, Decimal] = {}
    if take.state == Stocktake.State.APPROVED:
        rows = (
            Movement.objects.filter(document=take.number, kind=MovementKind.STOCKTAKE, warehouse_id=take.warehouse_id)
            .order_by()
            .values("item_id")
            .annotate(amount=Sum("amount"))
        )
        posted = {r["item_id"]: r["amount"] for r in rows}
    sheet_lines = []
    for line in lines:
        balance = balances.get(line.item_id)
        cost = balance.average_cost if balance is not None and balance.on_hand else line.item.unit_cost
        approved = take.state == Stocktake.State.APPROVED
        sheet_lines.append(SheetLine(line, cost, posted.get(line.item_id, ZERO) if approved else None))
    gain = sum((s.value for s in sheet_lines if s.value and s.value > 0), ZERO)
    loss = sum((s.value for s in sheet_lines if s.value and s.value < 0), ZERO)
    counted = sum(1 for s in sheet_lines if s.line.counted_quantity is not None)
    shown = [s for s in sheet_lines if s.line.counted_quantity is None] if only_uncounted else sheet_lines
    return Sheet(shown, counted, len(sheet_lines), gain, loss)


def stocktakes_visible_to(user) -> QuerySet[Stocktake]:
    return scoped(
        Stocktake.objects.select_related("warehouse__parent", "warehouse__campus", "started_by", "decided_by"),
        report_scope(user),
    )
