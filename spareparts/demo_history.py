"""The year of stock history of the spare-parts demo, replayed event by event in time order and
written in bulk (see ``demo.py`` for what it holds). ``Book.post`` computes exactly as
``ledger.post`` (same moving average, same checks), so ``audit.ledger_verify()`` finds nothing."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
import zlib
from bisect import bisect
from collections import defaultdict
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.bulk import instances_insert
from logistics.common.models import DailyNumber
from logistics.org.models import Building, Campus, Staff

from . import demo_catalog as data
from .demo_book import Book, PlannedLine, PlannedOrder, RequestPlan, limit_rounded
from .demo_catalog import Spec, bin_code
from .models import (
    Balance,
    Item,
    Movement,
    Receipt,
    ReceiptLine,
    Requisition,
    RequisitionLine,
    Stocktake,
    StocktakeLine,
    Transfer,
    TransferLine,
)
from .models import MovementKind as K
from .models.stock import ZERO
from .requisitions import REQUESTABLE

SCALES = ("small", "hospital", "large")
REQUISITION_CAP = {"small": None, "hospital": None, "large": 120_000}  # the most recent done orders with parts
QUIET_ORDERS = {"small": 20, "hospital": 150, "large": 300}  # done orders without parts given a request anyway
SECONDARY_ITEMS = {"small": 15, "hospital": 30, "large": 40}
ADJUSTMENTS = {"small": 36, "hospital": 100, "large": 180}
# finished stocktakes: (days ago, store, area of its first bin)
FINISHED_COUNTS = {scale: ((170, "WH-EAST", "A"), (80, "WH-MAIN", "B"), (260, "WH-MAIN", "C"))[:n]
                   for scale, n in (("small", 2), ("hospital", 3), ("large", 3))}  # fmt: skip
CHUNK = 20_000  # movements per write
M, H, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)
DONE = ("completed", "closed")
# lines of the requests on the orders under way, (outcome, approved in part), cycled over the orders
CURRENT = ((("pending", 0), ("pending", 0)), (("approved", 0), ("pending", 0)), (("approved", 1),),
           (("issued", 0), ("rejected", 0)), (("returned", 0),), (("pending", 0),), (("issued", 0),),
           (("approved", 0),))  # fmt: skip


class History:
    """A year of stock: planned from the demo orders, replayed in time order, written in bulk."""

    def __init__(self, rng: random.Random, scale: str, items: dict[str, tuple[Item, Spec]], warehouses) -> None:
        self.rng, self.scale, self.wh, self.items = rng, scale, warehouses, list(items.values())
        self.item_by_id = {item.pk: item for item, _s in self.items}
        self.specs = {item.pk: spec for item, spec in self.items}
        self.wh_ids = {w.pk: w for w in warehouses.values()}
        self.now, self.tz = timezone.now(), timezone.get_current_timezone()
        self.start = self.now - dt.timedelta(days=366)
        self.heap: list = []
        self.seq = 0
        self.next_ids: dict[type, int] = {}
        self.book = Book(lambda: self.nid(Movement))
        self.queue: dict[type, list] = defaultdict(list)
        self.numbers = defaultdict(int, {(p, d): n for p, d, n in DailyNumber.objects.filter(
            prefix__in=("RC", "TR", "ST", "RQ")).values_list("prefix", "day", "last")})  # fmt: skip
        self.used: dict[tuple[str, dt.date], int] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.moving: dict[int, int] = defaultdict(int)  # transfers in transit from or to a warehouse
        self.waiting: dict[int, int] = defaultdict(int)  # approved lines not issued yet, per warehouse
        self.to_notify: list[tuple[Requisition, list[RequisitionLine]]] = []
        self.charged_orders: set[int] = set()
        self.special: tuple = (None, None)  # the item issued from the bin under count, and when it is counted
        self.open_takes: list[tuple[Stocktake, list[StocktakeLine]]] = []

    # --- helpers ---------------------------------------------------------------------------------
    def push(self, at: dt.datetime, handler, *args) -> None:
        self.seq += 1  # same time: first pushed, first done
        heapq.heappush(self.heap, (at, self.seq, handler, args))

    def nid(self, model) -> int:
        """Explicit ids: rows name each other before they are written (one statement per table and chunk)."""
        if model not in self.next_ids:
            self.next_ids[model] = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.next_ids[model] += 1
        return self.next_ids[model] - 1

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def number(self, prefix: str, at: dt.datetime) -> str:
        day = timezone.localdate(at)
        self.numbers[(prefix, day)] += 1
        self.used[(prefix, day)] = last = self.numbers[(prefix, day)]
        return f"{prefix}-{day:%Y%m%d}-{last:04d}"

    def span(self, start: dt.datetime, end: dt.datetime, low: float, high: float) -> dt.datetime:
        return start + (end - start) * self.rng.uniform(low, high)

    def take(self, spec: Spec, at_least: int = 1) -> Decimal:
        """A quantity asked for: mostly few pieces; measures in halves."""
        low, high = spec.family.take
        if spec.family.fractional:
            return max(Decimal(round((low + (high - low) * self.rng.random() ** 1.5) * 2)) / 2, Decimal(at_least) / 2)
        return Decimal(max(int(low) + int((int(high) - int(low) + 1) * self.rng.random() ** 2), at_least))

    def part_of(self, spec: Spec, quantity: Decimal, share: float) -> Decimal:
        """Some of ``quantity``, less than all: at least one piece or half a measure."""
        step = Decimal("0.5") if spec.family.fractional else Decimal(1)
        return min(max(Decimal(round(float(quantity) * share / float(step))) * step, step), quantity - step)

    def price(self, item: Item, spec: Spec, at: dt.datetime, premium: float = 1.0) -> Decimal:
        phase = zlib.crc32(spec.code.encode()) % 628 / 100
        drift = 0.05 * math.sin(phase + (at - self.start).days / 58) + self.rng.uniform(-0.02, 0.02)
        return (item.unit_cost * Decimal(str(round((1 + drift) * premium, 4)))).quantize(Decimal("0.01"))

    def home(self, store: data.Central, spec: Spec) -> int:
        """The bin of ``store`` that keeps the item: in the area of its category."""
        top = spec.family.category.split("-")[0]
        letter = next((a.letter for a in store.areas if top in a.categories), "")
        return self.wh[bin_code(store.code, letter, zlib.crc32(spec.code.encode()) % data.BINS[self.scale] + 1)].pk

    def route(self, order: PlannedOrder, item: Item, spec: Spec) -> list[int]:
        """Where a line of ``order`` may take ``item`` from, best first: the building's store, the
        campus store, the main store."""
        leaves = []
        sec = self.secondary.get(order.building)
        if sec and item.pk in self.stocked.get(sec.code, ()):
            leaves.append(self.wh[sec.code].pk)
        store = self.store_of.get(order.campus, self.main)
        if item.pk in self.stocked.get(store.code, ()):
            leaves.append(self.home(store, spec))
        return [*leaves, self.home(self.main, spec)]

    # --- run ---------------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        if not self.items or not all(store.code in self.wh for store in data.CENTRAL):
            return {}
        self._load()
        plans = self._plan_requisitions()
        self._plan_stock(plans)
        self._schedule(plans)
        while self.heap:
            at, _seq, handler, args = heapq.heappop(self.heap)
            handler(at, *args)
            if len(self.book.movements) >= CHUNK:
                self._flush()
        for take, lines in self.open_takes:  # counted up to now: written last
            self.queue[Stocktake].append(take)
            self.queue[StocktakeLine] += lines
        self._flush()
        self._finish()
        return dict(self.counts)

    def _load(self) -> None:
        from equipment.models import Category as EquipmentCategory

        users = dict(get_user_model().objects.filter(username__in=("warehouse_keeper", "manager", "technician"))
                     .values_list("username", "id"))  # fmt: skip
        self.keeper, self.manager = users.get("warehouse_keeper"), users.get("manager")
        self.staff_user = dict(Staff.objects.filter(user__isnull=False).values_list("id", "user_id"))
        self.technician = next((s for s, u in self.staff_user.items() if u == users.get("technician")), None)
        campuses = dict(Campus.objects.values_list("code", "id"))
        self.main = data.CENTRAL[0]
        self.store_of = {campuses[s.campus]: s for s in data.CENTRAL if s.campus in campuses}
        buildings = {(c, b): pk for c, b, pk in Building.objects.values_list("campus__code", "code", "id")}
        self.secondary = {buildings[(s.campus, s.building)]: s for s in data.SECONDARY
                          if (s.campus, s.building) in buildings and s.code in self.wh}  # fmt: skip
        self.stk = {
            "counting": self.wh[bin_code("WH-MAIN", "D", 1)].pk,
            "submitted": self.wh[bin_code("WH-EAST", "B", 1)].pk,
        }
        fits = dict(EquipmentCategory.objects.values_list("code", "id"))
        pools = defaultdict(list)
        for item, spec in self.items:
            if item.is_active:
                for key in [*spec.family.orders, *(("fit", fits[c]) for c in spec.family.equipment if c in fits)]:
                    pools[key].append((item, spec))
        self.pools = {key: (pairs, list(accumulate(s.popularity for _i, s in pairs))) for key, pairs in pools.items()}

    def _orders(self, queryset, end_field: str | None) -> list[PlannedOrder]:
        fields = ("id", "category__code", "assignee_id", "accepted_at", "arrived_at", end_field or "id",
                  "location__campus_id", "location__building_id", "equipment__category_id")  # fmt: skip
        orders = []
        for pk, category, who, accepted, arrived, end, campus, building, fits in queryset.values_list(*fields):
            start = arrived or accepted
            end = max(self.now - 2 * M, start) if end_field is None else max(end, min(start + 20 * M, self.now - M))
            if start > self.start + DAY:
                orders.append(PlannedOrder(pk, category, who, start, end, campus, building, fits))
        return orders

    def pick(self, order: PlannedOrder, n: int, exclude=frozenset()) -> list[tuple[Item, Spec]]:
        """``n`` different parts for the kind of work (most often fitting the order's equipment)."""
        pool = self.pools.get(order.category) or self.pools.get("other")
        if ("fit", order.fits) in self.pools and self.rng.random() < 0.7:
            pool = self.pools[("fit", order.fits)]
        chosen: dict[int, tuple[Item, Spec]] = {}
        for _try in range(n * 6 if pool else 0):
            item, spec = pool[0][min(bisect(pool[1], self.rng.random() * pool[1][-1]), len(pool[0]) - 1)]
            if item.pk not in exclude:
                chosen.setdefault(item.pk, (item, spec))
            if len(chosen) == n:
                break
        return list(chosen.values())

    # --- planning ----------------------------------------------------------------------------------
    def _plan_requisitions(self) -> list[RequestPlan]:
        from workorders.models import WorkOrder

        rng, plans = self.rng, []
        base = WorkOrder.objects.filter(accepted_at__isnull=False, assignee__isnull=False).order_by("id")
        done = base.filter(status__in=DONE, completed_at__isnull=False)
        with_parts = done.filter(parts_cost__gt=0)
        if REQUISITION_CAP[self.scale]:
            with_parts = with_parts.order_by("-completed_at")[: REQUISITION_CAP[self.scale]]
        for order in self._orders(with_parts, "completed_at"):
            lines = []
            for item, spec in self.pick(order, rng.choices((1, 2, 3), (60, 30, 10))[0]):
                partial = rng.random() < 0.05
                quantity = self.take(spec, 2 if partial else 1)
                approved = self.part_of(spec, quantity, 0.5) if partial else quantity
                returns = rng.random() < 0.08 and approved >= 2
                lines.append(PlannedLine(item, spec, quantity, "returned" if returns else "issued", approved,
                                   self.part_of(spec, approved, 0.3) if returns else ZERO))  # fmt: skip
            if lines and rng.random() < 0.05:
                taken = {line.item.pk for line in lines}
                lines += [PlannedLine(i, s, self.take(s), "rejected") for i, s in self.pick(order, 1, taken)]
            plans.append(self._timed(order, lines))
        for order in self._orders(base.filter(status="cancelled"), "updated_at"):
            if rng.random() < 0.3:  # asked for parts, then the order was cancelled: released
                lines = [
                    PlannedLine(i, s, self.take(s), "released") for i, s in self.pick(order, rng.choice((1, 1, 2)))
                ]
                for line in lines:
                    line.approved = line.quantity if rng.random() < 0.4 else None
                plans.append(self._timed(order, lines))
        quiet = self._orders(done.filter(parts_cost=0).order_by("-completed_at")[: QUIET_ORDERS[self.scale] * 8],
                             "completed_at")  # fmt: skip
        for order in sorted(rng.sample(quiet, min(QUIET_ORDERS[self.scale], len(quiet))), key=lambda o: o.id):
            outcome = rng.choice(("released", "rejected"))
            plans.append(self._timed(order, [PlannedLine(i, s, self.take(s), outcome) for i, s in self.pick(order, 1)]))
        plans += self._plan_current(self._orders(base.filter(status__in=REQUESTABLE), None))
        return [plan for plan in plans if plan.lines]

    def _timed(self, order: PlannedOrder, lines: list[PlannedLine], current: bool = False) -> RequestPlan:
        """When each step of each line happens, between the order's start and end (returns after it)."""
        at, end = self.span(order.start, order.end, 0.1, 0.4), order.end
        for line in lines:
            decide = line.times["decide"] = self.span(at, end, 0.1, 0.4)
            issue = line.times["issue"] = self.span(decide, end, 0.1, 0.5)
            later = min(end + dt.timedelta(hours=self.rng.uniform(1, 30)), self.now - M)
            line.times["return"] = self.span(issue, end, 0.4, 0.8) if current else later
            line.times["release"] = end
        return RequestPlan(order, at, lines, current)

    def _plan_current(self, orders: list[PlannedOrder]) -> list[RequestPlan]:
        """Requests on the orders under way, the technician login's first and the main campus's next:
        every line state for the keepers and technicians to see and act on."""
        main_id = next((c for c, s in self.store_of.items() if s is self.main), None)
        counted = {item.pk for item, spec in self.items if self.home(self.main, spec) == self.stk["counting"]}
        orders = sorted(orders, key=lambda o: (o.assignee != self.technician, o.campus not in (main_id, None),
                                               o.start, o.id))  # fmt: skip
        plans = []
        for n, order in enumerate(orders):
            pattern, lines = CURRENT[n % len(CURRENT)], []
            for (outcome, partial), (item, spec) in zip(pattern, self.pick(order, len(pattern), counted), strict=False):
                quantity = self.take(spec, 2 if partial or outcome == "returned" else 1)
                approved = self.part_of(spec, quantity, 0.5) if partial else quantity
                returned = self.part_of(spec, approved, 0.3) if outcome == "returned" else ZERO
                lines.append(PlannedLine(item, spec, quantity, outcome, approved, returned))
            plans.append(self._timed(order, lines, current=True))
        # one issue from the bin being counted, after the count began: its line is counted against that book
        early = [o for o in orders if o.start < self.now - 100 * M]  # the main campus's first (sorted so)
        order = early[0] if early else None
        stocked = [(i, s) for i, s in self.items if i.pk in counted and i.is_active]
        if order and stocked and max(order.start, self.now - 3 * H) < self.now - 80 * M:
            at = max(order.start, self.now - 3 * H) + 20 * M
            item, spec = max(stocked, key=lambda pair: (pair[1].popularity, pair[0].code))
            line = PlannedLine(item, spec, Decimal(1), "issued", Decimal(1), force=self.stk["counting"])
            line.times.update(decide=at + 10 * M, issue=at + 20 * M)
            plans.append(RequestPlan(order, at, [line], True))
            self.special = (item.pk, at + 30 * M)
        return plans

    def _plan_stock(self, plans: list[RequestPlan]) -> None:
        """What each store keeps and its limits, from the demand the plans make (over twelve months)."""
        rng, by_building, by_campus = self.rng, defaultdict(int), defaultdict(int)
        for plan in plans:
            for line in plan.lines:
                by_building[(plan.order.building, line.item.pk)] += 1
                by_campus[(plan.order.campus, line.item.pk)] += 1
        self.stocked: dict[str, set[int]] = {}
        for campus, store in self.store_of.items():
            share, least = {"WH-MAIN": (1.0, 0), "WH-EAST": (0.4, 1), "WH-OPD": (0.1, 2)}[store.code]
            self.stocked[store.code] = {i.pk for i, _s in self.items if (i.is_active or store is self.main) and (
                rng.random() < share or (least and by_campus[(campus, i.pk)] >= least))}  # fmt: skip
        for building, sec in self.secondary.items():
            kept = sec.categories
            ranked = sorted(((n, -i) for (b, i), n in by_building.items() if b == building and n >= 2
                             and self.item_by_id[i].is_active and self.specs[i].family.category[:2] in kept),
                            reverse=True)  # fmt: skip
            self.stocked[sec.code] = {-i for _n, i in ranked[: SECONDARY_ITEMS[self.scale]]}
        demand: dict[tuple[int, int], float] = defaultdict(float)
        for plan in plans:
            for line in plan.lines:
                demand[(line.item.pk, self.route(plan.order, line.item, line.spec)[0])] += float(
                    line.approved or line.quantity
                )
        for sec in self.secondary.values():  # the secondary stores are filled from their campus store
            store, leaf = self.store_of[self.wh[sec.code].campus_id], self.wh[sec.code].pk
            for item_id in sorted(self.stocked[sec.code]):
                demand[(item_id, self.home(store, self.specs[item_id]))] += demand[(item_id, leaf)]
                self._limits(item_id, leaf, demand[(item_id, leaf)] / 12, central=False)
        self.central_leaves = [(item, spec, self.home(store, spec), store) for store in self.store_of.values()
                               for item, spec in self.items if item.pk in self.stocked[store.code]]  # fmt: skip
        for item, _spec, leaf, _store in self.central_leaves:
            self._limits(item.pk, leaf, demand[(item.pk, leaf)] / 12, central=True)

    def _limits(self, item_id: int, leaf: int, monthly: float, central: bool) -> None:
        b, spec, item = self.book.rows[(item_id, leaf)], self.specs[item_id], self.item_by_id[item_id]
        fractional = spec.family.fractional
        if not central:
            b.low = limit_rounded(monthly * 0.6, fractional)
            b.high = b.low + limit_rounded(monthly * 1.2 + (5 if fractional else 1), fractional)
        elif monthly:
            b.low = limit_rounded(monthly + (0 if fractional else 1), fractional)
            b.high = b.low + limit_rounded(monthly * 2.5 + (10 if fractional else 2), fractional)
        elif spec.family.critical and item.is_active:  # kept however little is used
            b.low, b.high = (Decimal(5), Decimal(20)) if fractional else (Decimal(1), Decimal(3))

    # --- the replay --------------------------------------------------------------------------------
    def _schedule(self, plans: list[RequestPlan]) -> None:
        now, first = self.now, timezone.localdate(self.start)
        self.push(self.local(first, 8), self._opening)
        for weeks in range(2, 53, 2):  # purchases, and transfers a week later, till a week or two ago
            if self.local(first + dt.timedelta(weeks=weeks), 10) < now - 8 * DAY:
                for store in self.store_of.values():
                    self.push(self.local(first + dt.timedelta(weeks=weeks), 10), self._purchase, store)
            if self.local(first + dt.timedelta(weeks=weeks - 1), 14) < now - 2 * DAY:
                for sec in self.secondary.values():
                    self.push(self.local(first + dt.timedelta(weeks=weeks - 1), 14), self._transfer_round, sec)
        for _n in range(ADJUSTMENTS[self.scale]):
            self.push(self.start + DAY * self.rng.uniform(10, 360), self._adjust)
        today = timezone.localdate(now)
        for days, store, area in FINISHED_COUNTS[self.scale]:
            leaf = self.wh[bin_code(store, area, 1)].pk
            self.push(self.local(today - days * DAY, 9), self._count_start, "approved", leaf)
        self.push(self.local(today - DAY, 14), self._count_start, "submitted", self.stk["submitted"])
        self.push(now - 3 * H, self._count_start, "counting", self.stk["counting"])
        self.push(now - 20 * H, self._in_transit)
        for plan in plans:
            self.push(plan.at, self._request, plan)

    def _receipt(self, at, leaf: int, lines, note: str, vendor=None) -> None:
        receipt = Receipt(id=self.nid(Receipt), number=self.number("RC", at), warehouse_id=leaf, vendor_id=vendor,
                          reference=f"SH{at:%Y%m%d}-{self.rng.randrange(1, 99):02d}" if vendor else "", note=note,
                          received_by_id=self.keeper, received_at=at)  # fmt: skip
        self.queue[Receipt].append(receipt)
        for item, quantity, cost in lines:
            self.queue[ReceiptLine].append(ReceiptLine(id=self.nid(ReceiptLine), receipt=receipt, item=item,
                                                       quantity=quantity, unit_cost=cost))  # fmt: skip
            self.book.post(item, leaf, quantity, at=at, kind=K.RECEIPT, unit_cost=cost, actor=self.keeper,
                           document=receipt.number)  # fmt: skip
        self.counts["receipts"] += 1

    def _opening(self, at) -> None:
        """The stock taken over when the system went live: between the limits, or a few."""
        by_leaf = defaultdict(list)
        for item, spec, leaf, _store in self.central_leaves:
            b, fractional = self.book.rows[(item.pk, leaf)], spec.family.fractional
            if b.high is not None:
                quantity = limit_rounded(
                    float(b.low + (b.high - b.low) * Decimal(self.rng.uniform(0.5, 1))), fractional
                )
            else:
                quantity = Decimal(self.rng.randrange(4, 21) * 5 if fractional else self.rng.randrange(2, 9))
            by_leaf[leaf].append((item, quantity, item.unit_cost))
        for leaf, lines in by_leaf.items():
            self._receipt(at, leaf, lines, data.RECEIPT_NOTES["opening"])

    def _purchase(self, at, store: data.Central) -> None:
        """What fell below its minimum is bought up to its maximum: a receipt per bin and vendor."""
        groups = defaultdict(list)
        for item, spec, leaf, of in self.central_leaves:
            b = self.book.rows[(item.pk, leaf)]
            if of is store and b.low is not None and b.available < b.low and b.on_hand < b.high:
                quantity = (b.high - b.on_hand) * (2 if self.rng.random() < 0.03 else 1)  # now and then a bulk buy
                groups[(leaf, item.vendor_id)].append((item, quantity, self.price(item, spec, at)))
        for (leaf, vendor), lines in groups.items():
            self._receipt(at, leaf, lines, data.RECEIPT_NOTES["cycle"], vendor)

    def _ship(self, at, source: int, destination: int, lines, received: bool) -> None:
        arrive = self.local(timezone.localdate(at) + DAY, 9, self.rng.randrange(0, 50))
        transfer = Transfer(id=self.nid(Transfer), number=self.number("TR", at), source_id=source,
                            destination_id=destination, note=data.TRANSFER_NOTE, shipped_by_id=self.keeper,
                            shipped_at=at)  # fmt: skip
        if received:
            transfer.state, transfer.received_by_id, transfer.received_at = Transfer.State.RECEIVED, self.keeper, arrive
            self.push(arrive, self._receive, transfer)
        transfer.rows = []
        for item, quantity in lines:
            out = self.book.post(item, source, -quantity, at=at, kind=K.TRANSFER_OUT, actor=self.keeper,
                                 document=transfer.number)  # fmt: skip
            transfer.rows.append(TransferLine(id=self.nid(TransferLine), transfer=transfer, item=item,
                                              quantity=quantity, amount=-out.amount))  # fmt: skip
        self.queue[Transfer].append(transfer)
        self.queue[TransferLine] += transfer.rows
        self.moving[source] += 1
        self.moving[destination] += 1
        self.counts["transfers"] += 1

    def _receive(self, at, transfer: Transfer) -> None:
        for row in transfer.rows:
            cost = row.amount / row.quantity  # the value it left with
            self.book.post(row.item, transfer.destination_id, row.quantity, at=at, kind=K.TRANSFER_IN, unit_cost=cost,
                           actor=self.keeper, document=transfer.number)  # fmt: skip
        self.moving[transfer.source_id] -= 1
        self.moving[transfer.destination_id] -= 1

    def _transfer_round(self, at, sec: data.Secondary) -> None:
        """The secondary store's lines below their minimum, refilled from the campus store."""
        destination, store = self.wh[sec.code].pk, self.store_of[self.wh[sec.code].campus_id]
        by_source = defaultdict(list)
        for item_id in sorted(self.stocked[sec.code]):
            b, source = self.book.rows[(item_id, destination)], self.home(store, self.specs[item_id])
            quantity = min(b.high - b.on_hand, self.book.rows[(item_id, source)].available)
            if b.available < b.low and quantity > 0:
                by_source[source].append((self.item_by_id[item_id], quantity))
        for source, lines in by_source.items():
            self._ship(at, source, destination, lines, received=True)

    def _in_transit(self, at) -> None:
        """Yesterday's transfer to the first secondary store: not received yet."""
        sec = next(iter(self.secondary.values()), None)
        if sec is None:
            return
        store, destination, by_source = (
            self.store_of[self.wh[sec.code].campus_id],
            self.wh[sec.code].pk,
            defaultdict(list),
        )
        for item_id in sorted(self.stocked[sec.code]) or [i.pk for i, _s in self.items[:5]]:
            source = self.home(store, self.specs[item_id])
            have = self.book.rows[(item_id, source)].available
            if source not in self.stk.values() and have >= 2:
                by_source[source].append((self.item_by_id[item_id], min(have // 2, Decimal(10))))
        if by_source:
            source, lines = max(by_source.items(), key=lambda pair: (len(pair[1]), -pair[0]))
            self._ship(at, source, destination, lines[:3], received=False)

    def _adjust(self, at) -> None:
        item, spec, leaf, _store = self.rng.choice(self.central_leaves)
        step = Decimal("0.5") if spec.family.fractional else Decimal(1)
        if self.rng.random() < 0.8:
            quantity, reason = -step * self.rng.randint(1, 2), self.rng.choice(data.ADJUST_LOSS)
            if self.book.rows[(item.pk, leaf)].available + quantity < 0:
                return
        else:
            quantity, reason = step, self.rng.choice(data.ADJUST_GAIN)
        self.book.post(item, leaf, quantity, at=at, kind=K.ADJUSTMENT, actor=self.keeper, reason=reason)
        self.counts["adjustments"] += 1

    # --- stocktakes ----------------------------------------------------------------------------------
    def _count_start(self, at, state: str, leaf: int) -> None:
        """A count sheet of the book now, counted over two hours and closed (under way: partly counted)."""
        if self.moving[leaf] or self.waiting[leaf]:  # as the service: not while stock is on its way
            if at + 40 * M < self.now:
                self.push(at + 10 * M, self._count_start, state, leaf)
            return
        take = Stocktake(id=self.nid(Stocktake), number=self.number("ST", at), warehouse_id=leaf, state=state,
                         started_by_id=self.keeper, started_at=at,
                         note=self.rng.choice(data.STOCKTAKE_NOTES))  # fmt: skip
        book = [(i, b.on_hand) for (i, wh), b in self.book.rows.items() if wh == leaf and (b.on_hand or b.low)]
        lines = [StocktakeLine(id=self.nid(StocktakeLine), stocktake=take, item_id=i, book_quantity=q) for i, q in book]
        counted, special, end = lines, (None, None), at + 2 * H
        if state == "counting":
            special, end = self.special, min(at + 150 * M, self.now - 5 * M)
            counted = self.rng.sample(lines, min(max(len(lines) * 3 // 5, 1), len(lines) - 1))
            counted += [line for line in lines if line.item_id == special[0] and line not in counted]
            self.open_takes.append((take, lines))
        else:
            self.push(at + 3 * H, self._count_close, take, lines)
        odd = self.rng.sample(counted, min({"approved": 4, "submitted": 2}.get(state, 1), len(counted)))
        for line in counted:
            when = max(special[1], at + 5 * M) if line.item_id == special[0] else self.span(at + 10 * M, end, 0, 1)
            self.push(when, self._count, take, line, line in odd)
        self.counts["stocktakes"] += 1

    def _count(self, at, take: Stocktake, line: StocktakeLine, odd: bool) -> None:
        b = self.book.rows[(line.item_id, take.warehouse_id)]
        step = Decimal("0.5") if self.item_by_id[line.item_id].fractional else Decimal(1)
        diff = (-step if b.available >= 5 * step and self.rng.random() < 0.7 else step) if odd else ZERO
        line.book_at_count, line.counted_quantity = b.on_hand, b.on_hand + diff
        line.counted_by_id, line.counted_at = self.keeper, at

    def _count_close(self, at, take: Stocktake, lines: list[StocktakeLine]) -> None:
        """Submitted; a finished count approved by the manager into stocktake movements."""
        take.submitted_at = at
        if take.state == Stocktake.State.APPROVED:
            take.decided_by_id, take.decided_at = self.manager, at + 3 * H
            for line in lines:
                b = self.book.rows[(line.item_id, take.warehouse_id)]
                if line.difference and b.on_hand + line.difference >= b.reserved:
                    self.book.post(self.item_by_id[line.item_id], take.warehouse_id, line.difference, at=at + 3 * H,
                                   kind=K.STOCKTAKE, actor=self.manager, reason=_("Stocktake difference"),
                                   document=take.number)  # fmt: skip
        self.queue[Stocktake].append(take)
        self.queue[StocktakeLine] += lines

    # --- requisitions --------------------------------------------------------------------------------
    def _request(self, at, plan: RequestPlan) -> None:
        """The technician asks (each line reserves where the part is), then each line's steps follow."""
        order, by = plan.order, self.staff_user.get(plan.order.assignee)
        waiting = any(line.outcome in ("pending", "approved") for line in plan.lines)
        requisition = Requisition(id=self.nid(Requisition), number=self.number("RQ", at), work_order_id=order.id,
                                  requested_by_id=order.assignee, created_by_id=by, created_at=at,
                                  state="open" if waiting else "closed")  # fmt: skip
        self.queue[Requisition].append(requisition)
        self.charged_orders.add(order.id)
        pending = []
        for line in plan.lines:
            leaves = [line.force] if line.force else self.route(order, line.item, line.spec)
            fits = [w for w in leaves[:-1] if self.book.rows[(line.item.pk, w)].available >= line.quantity]
            line.leaf, outcome, times = fits[0] if fits else leaves[-1], line.outcome, line.times
            self._ensure(at, line)
            self.book.post(line.item, line.leaf, reserve=line.quantity, at=at, actor=by)
            line.row = row = RequisitionLine(
                id=self.nid(RequisitionLine), requisition=requisition, item=line.item, warehouse=self.wh_ids[line.leaf],
                quantity=line.quantity, state="issued" if outcome == "returned" else outcome,
            )  # fmt: skip
            if outcome in ("approved", "issued", "returned") or (outcome == "released" and line.approved):
                row.approved_quantity, row.decided_by_id, row.decided_at = line.approved, self.keeper, times["decide"]
                row.reason = self.rng.choice(data.PARTIAL_REASONS) if line.approved < line.quantity else ""
                self.push(times["decide"], self._approve, line)
            elif outcome == "rejected":
                row.reason, row.decided_by_id, row.decided_at = (
                    self.rng.choice(data.REJECT_REASONS),
                    self.keeper,
                    times["decide"],
                )
                self.push(times["decide"], self._release, line, line.quantity)
            if outcome in ("issued", "returned"):
                self.push(times["issue"], self._issue, line)
            else:  # final as planned: written now
                self.queue[RequisitionLine].append(row)
            if outcome == "released":
                self.push(times["release"], self._release, line, None)
            pending += [row] if outcome == "pending" else []
            self.counts["requisition_lines"] += 1
        if plan.current and pending:
            self.to_notify.append((requisition, pending))
        self.counts["requisitions"] += 1

    def _ensure(self, at, line: PlannedLine) -> None:
        """An urgent purchase when the store holds less than is asked."""
        b = self.book.rows[(line.item.pk, line.leaf)]
        if b.available < line.quantity:
            wanted = max(line.quantity - b.available, (b.high or ZERO) - b.on_hand)
            wanted = Decimal(math.ceil(wanted * 2)) / 2 if line.item.fractional else Decimal(math.ceil(wanted))
            self._receipt(at, line.leaf, [(line.item, wanted, self.price(line.item, line.spec, at, 1.08))],
                          data.RECEIPT_NOTES["urgent"], line.item.vendor_id)  # fmt: skip

    def _approve(self, at, line: PlannedLine) -> None:
        if line.approved < line.quantity:  # approved in part: the rest is released at once
            self.book.post(line.item, line.leaf, reserve=line.approved - line.quantity, at=at, actor=self.keeper)
        self.waiting[line.leaf] += 1

    def _release(self, at, line: PlannedLine, held: Decimal | None) -> None:
        if held is None:  # with the order's completion or cancellation: whatever it still holds
            held = line.approved or line.quantity
            self.waiting[line.leaf] -= 1 if line.approved else 0
        self.book.post(line.item, line.leaf, reserve=-held, at=at)

    def _issue(self, at, line: PlannedLine) -> None:
        row, quantity, requisition = line.row, line.approved, line.row.requisition
        movement = self.book.post(line.item, line.leaf, -quantity, -quantity, at=at, kind=K.ISSUE, line=row,
                                  actor=self.keeper, document=requisition.number,
                                  work_order=requisition.work_order_id)  # fmt: skip
        row.issued_quantity, row.returned_quantity, row.unit_cost = quantity, line.returned, movement.unit_cost
        row.issued_by_id, row.issued_at = self.keeper, at
        self.waiting[line.leaf] -= 1
        self.queue[RequisitionLine].append(row)
        if line.returned:
            self.push(line.times["return"], self._return, line)

    def _return(self, at, line: PlannedLine) -> None:
        """Unused parts back at the cost they left with (part of the line: the issue's unit cost)."""
        self.book.post(line.item, line.leaf, line.returned, at=at, kind=K.RETURN, unit_cost=line.row.unit_cost,
                       actor=self.keeper, reason=self.rng.choice(data.RETURN_REASONS),
                       document=line.row.requisition.number, work_order=line.row.requisition.work_order_id,
                       line=line.row)  # fmt: skip

    # --- writing -------------------------------------------------------------------------------------
    def _flush(self) -> None:
        self.queue[Movement] += self.book.movements
        self.book.movements = []
        for model, rows in self.queue.items():
            instances_insert(model, rows)
        self.queue.clear()

    def _finish(self) -> None:
        """Balances (alerts raised as the service raises them), number counters, parts costs, keepers told."""
        from workorders.models import WorkOrder
        from workorders.services import work_orders_parts_cost_set

        from .alerts import alerts_check, level_of
        from .requisitions import notify_keepers

        balances = [Balance(id=self.nid(Balance), item=self.item_by_id[i], warehouse=self.wh_ids[w], on_hand=b.on_hand,
                            reserved=b.reserved, value=b.value, min_quantity=b.low, max_quantity=b.high,
                            updated_at=b.at or self.start) for (i, w), b in self.book.rows.items()]  # fmt: skip
        instances_insert(Balance, balances)
        with connection.cursor() as cursor:  # the id sequences past the ids given here
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.next_ids)):
                cursor.execute(sql)
        self.counts.update(movements=self.book.written, balances=len(balances))
        self.counts["stock_alerts"] = alerts_check([b for b in balances if level_of(b)])
        existing = set(DailyNumber.objects.filter(prefix__in=("RC", "TR", "ST", "RQ")).values_list("prefix", "day"))
        DailyNumber.objects.bulk_create([DailyNumber(prefix=p, day=d, last=n) for (p, d), n in self.used.items()
                                         if (p, d) not in existing], batch_size=1000)  # fmt: skip
        for (prefix, day), last in self.used.items():
            if (prefix, day) in existing:  # later documents of the day continue after the demo's
                DailyNumber.objects.filter(prefix=prefix, day=day, last__lt=last).update(last=last)
        costs = dict(WorkOrder.objects.filter(pk__in=self.charged_orders).values_list("pk", "parts_cost"))
        charged = {order_id: -self.book.charged.get(order_id, ZERO) for order_id in self.charged_orders}
        work_orders_parts_cost_set({pk: amount for pk, amount in charged.items() if costs.get(pk) != amount})
        for requisition, rows in self.to_notify:
            notify_keepers(requisition, rows)
