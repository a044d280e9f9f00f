"""Repairs of the demo ledger's items in the demo year of work orders (see ``demo``).

``EquipmentHistory`` extends the year of orders (``demo_history.History``) with the equipment
ledger that ``equipment.demo`` loaded: reported faults that concern an item (an air conditioner
that does not cool, a tripped distribution box, a stuck elevator ...) name one at the order's place,
department or building, and every repair order on an item moves the item as the services do: faulty
when the order is filed, under repair when the work starts, in service when it is completed (a
cancelled repair gives the item back the status it had). An item is given to a repair only while it
was in service in the ledger's own history (not out of service, not retired, no other repair under
way), so each item's history stays one chain of statuses; the changes carry the order's number and
are added through ``equipment.demo.status_history_add`` (the ledger's tables are the equipment
app's to write).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections import defaultdict
from itertools import pairwise

from django.conf import settings
from django.utils import translation

from equipment.models import Equipment, StatusChange
from equipment.models import Status as ItemStatus

from .demo import E, K
from .demo_history import History
from .demo_order import _Order
from .models import Status

INF = math.inf
LINK_SHARE = 0.8  # of the reports about a kind of item that name one
# Reported faults that concern an item: title → (equipment categories, where to look for it: the
# order's location, its department, its building or its campus).
FAULT_EQUIPMENT: dict[str, tuple[tuple[str, ...], str]] = {
    "空调不制冷": (("FCU", "SPLIT_AC"), "location"),
    "空调漏水": (("FCU", "SPLIT_AC"), "location"),
    "空调噪音大": (("FCU", "SPLIT_AC"), "location"),
    "手术间温湿度超标": (("PURIFY_AHU",), "department"),
    "新风口有异味": (("FAU",), "building"),
    "配电箱跳闸": (("DIST_BOX",), "location"),
    "整层停电": (("DIST_BOX",), "building"),
    "热水器不出热水": (("WATER_HEATER",), "department"),
    "病区停水": (("PUMP",), "building"),
    "电梯困人": (("PASSENGER_LIFT", "BED_LIFT"), "building"),
    "电梯门关不上": (("PASSENGER_LIFT", "BED_LIFT", "FREIGHT_LIFT"), "building"),
    "电梯运行异响": (("PASSENGER_LIFT", "BED_LIFT", "FREIGHT_LIFT"), "building"),
    "电梯按钮失灵": (("PASSENGER_LIFT", "BED_LIFT"), "building"),
    "电梯平层不准": (("BED_LIFT", "PASSENGER_LIFT"), "building"),
    "中心供氧压力报警": (("GAS_ALARM",), "department"),
    "呼叫器不响": (("NURSE_CALL",), "department"),
    "监控画面黑屏": (("CCTV",), "building"),
    "洗地机无法启动": (("SCRUBBER",), "campus"),
    "紫外线消毒车故障": (("UV_CART",), "department"),
}
# What an order's step does to its item (the services' ``_equipment_status``).
STEP_STATUS = {E.SUBMITTED: ItemStatus.FAULTY, E.STARTED: ItemStatus.UNDER_REPAIR, E.RESUMED: ItemStatus.UNDER_REPAIR,
               E.COMPLETED: ItemStatus.IN_SERVICE}  # fmt: skip


class _Item:
    """What the demo needs of one ledger item."""

    __slots__ = ("blocked", "building", "campus", "category", "category_id", "changes", "created", "department",
                 "first", "id", "location", "obj")  # fmt: skip

    def __init__(self, obj: Equipment) -> None:
        self.obj, self.id, self.category, self.category_id = obj, obj.pk, obj.category.code, obj.category_id
        self.location = obj.location_id
        self.building = obj.location.building_id if obj.location_id else None
        self.campus = obj.location.campus_id if obj.location_id else None
        self.department = obj.department_id
        self.created = obj.created_at.timestamp()
        self.first = obj.status  # the status before its first change (its status when it has none)
        self.changes: list[tuple[float, str]] = []  # (at, to), oldest first
        self.blocked: list[tuple[float, float]] = []  # spans it was not free for a repair

    def status_at(self, at: float) -> str:
        i = bisect_right(self.changes, (at, "~"))
        return self.changes[i - 1][1] if i else self.first

    def back_at(self, at: float, away: tuple[str, ...]) -> float:
        """The first moment from ``at`` on when it exists and is in none of the ``away`` statuses
        (``at`` itself if it is; infinity if that never comes)."""
        at = max(at, self.created)
        if self.status_at(at) not in away:
            return at
        i = bisect_right(self.changes, (at, "~"))
        return next((when for when, status in self.changes[i:] if status not in away), INF)

    def free(self, start: float, end: float) -> bool:
        return start >= self.created and not any(a < end and start < b for a, b in self.blocked)


class EquipmentHistory(History):
    """The year of orders, with repairs that name the ledger's items and move their status."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items: dict[int, _Item] = {}
        self.status_rows: list[tuple] = []
        self.linked = 0

    # --- what exists ---------------------------------------------------------------------------
    def _load(self) -> bool:
        if not super()._load():
            return False
        related = ("category", "location")
        for obj in Equipment.objects.select_related(*related).order_by("code"):
            self.items[obj.pk] = _Item(obj)
        for item_id, before, after, at in StatusChange.objects.order_by("equipment_id", "at", "pk").values_list(
            "equipment_id", "from_status", "to_status", "at"
        ):
            item = self.items[item_id]
            if not item.changes:
                item.first = before or after
            item.changes.append((at.timestamp(), after))
        for item in self.items.values():
            statuses = [(-INF, item.first), *item.changes, (INF, "")]
            item.blocked = [(a, b) for (a, status), (b, _n) in pairwise(statuses) if status != ItemStatus.IN_SERVICE]
        # where to look for the item of a report: (category, place kind, place id) → items
        self.item_index: dict[tuple, list[_Item]] = defaultdict(list)
        for item in self.items.values():
            for kind, key in (("location", item.location), ("department", item.department),
                              ("building", item.building), ("campus", item.campus)):  # fmt: skip
                if key is not None:
                    self.item_index[(item.category, kind, key)].append(item)
        self.location_place = {row[0]: row[1:] for row in self._location_rows()}
        return True

    @staticmethod
    def _location_rows():
        from logistics.org.models import Location

        return Location.objects.values_list("pk", "department_id", "building_id", "campus_id")

    # --- reported faults name an item ------------------------------------------------------------
    def _attach(self, o: _Order) -> None:
        """A report about a kind of item names one that was free for its whole repair; every
        repair on an item then moves the item's status along the order's timeline."""
        super()._attach(o)
        if o.equipment is None and o.kind == K.REPAIR and o.plan is not PRESET:
            self._name_item(o)
        if o.equipment is not None and o.kind == K.REPAIR:
            self._item_steps(o)

    def _name_item(self, o: _Order) -> None:
        found = FAULT_EQUIPMENT.get(o.title)
        if found is None or not self.items or self.rng.random() >= LINK_SHARE:
            return
        categories, kind = found
        department, building, campus = self.location_place.get(o.location, (o.department, None, None))
        key = {"location": o.location, "department": o.department or department, "building": building,
               "campus": campus}[kind]  # fmt: skip
        start, end = self._span(o)
        pool = [item for c in categories for item in self.item_index.get((c, kind, key), ()) if item.free(start, end)]
        if pool:
            item = self.rng.choice(pool)
            o.equipment = item.id
            item.blocked.append((start, end))
            self.linked += 1

    def _span(self, o: _Order) -> tuple[float, float]:
        """From the report to the completion (or cancellation) that ends the repair; open: forever."""
        end = INF
        for at, kind, *_rest in o.events:
            if at > self.now:
                break
            if kind in (E.COMPLETED, E.CANCELLED):
                end = at
            elif kind == E.REOPENED:
                end = INF
        return o.t0, end

    def reserve(self, item_id: int, start: float, end: float) -> bool:
        """Hold ``item_id`` for a repair over [start, end) if it is free then."""
        item = self.items.get(item_id)
        if item is None or not item.free(start, end):
            return False
        item.blocked.append((start, end))
        return True

    def _item_steps(self, o: _Order) -> None:
        status = before = ItemStatus.IN_SERVICE  # a repair is only given an item in service
        for at, kind, to, *_rest in o.events:
            if at > self.now:
                break
            target = STEP_STATUS.get(kind)
            if kind == E.CANCELLED and status in (ItemStatus.FAULTY, ItemStatus.UNDER_REPAIR):
                target = before
            if target is None or target == status:
                continue
            self.status_rows.append((o.equipment, status, target, at, self.status_label(to), o.number))
            status = target

    def status_label(self, status: str) -> str:
        labels = self.__dict__.setdefault("_labels", {})
        if status not in labels:
            with translation.override(settings.LANGUAGE_CODE):
                labels[status] = str(Status(status).label)
        return labels[status]

    # --- writing -------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        counts = super().run()
        from equipment.demo import status_history_add

        tz = self.tz
        rows = [(item, before, after, dt.datetime.fromtimestamp(at, tz), reason, number)
                for item, before, after, at, reason, number in self.status_rows]  # fmt: skip
        counts.update(reports_on_items=self.linked, status_changes=status_history_add(rows))
        return counts


class _Preset:
    """Marks an order whose timeline is drawn beforehand (``_Order.plan``): ``_finish`` keeps it."""


PRESET = _Preset()
