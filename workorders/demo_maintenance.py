"""Planned maintenance in the demo year of work orders (see ``demo``): the occurrences of the
equipment demo's plans, their orders and checklists, and the repair orders failed lines opened.

Each plan is played through the year as the morning job (``maintenance.plans_generate``, beat
``workorders-plans-generate`` at 05:10 and 12:10) would have run it: a due date's order is made
``lead_days`` ahead, with one occurrence and one checklist (the template's lines) per item the plan
covered then (items out of service or retired then are left out, items added later join at the next
run); made on its due day it goes straight to a member of the plan's team, made ahead it waits for
the team lead or the dispatcher. Then it is accepted, worked and completed: mostly on or before its
due date, sometimes late, sometimes not at all, and an order not done when the plan's next due
date comes is cancelled with its occurrences missed (``occurrences_mark_missed``). Plans counted
from completions count each next due date from the completion. Lines are filled between the start
of the work and its completion; a measurement out of range or a failed check opens a repair order
for the item (at once on plans with ``auto_repair``, else often by a click after the work), which
moves the item's status like every repair (``demo_repairs``).

Up to the last morning run exactly what the job would have made exists: the job run now makes
nothing twice and marks nothing missed before its time, and what falls due later is the job's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from equipment.models import ChecklistItem, MaintenancePlan
from equipment.models import Status as ItemStatus
from equipment.schedules import add_interval, counts_from_completion, due_dates

from .checklists import _found
from .demo import ORIG, PRIORITIES, E, Fault, K, P, S
from .demo_order import _dispatch_data, _lognormal, _Order, _pick
from .demo_repairs import INF, PRESET, EquipmentHistory
from .demo_writers import _CopyWriter, _SqlWriter
from .maintenance import PLAN_KIND_TO_ORDER_KIND, _description, _title, order_category_for
from .models import ChecklistEntry, Occurrence, OccurrenceState

ONE_DAY = dt.timedelta(days=1)
RUNS = (dt.time(5, 10), dt.time(12, 10))  # the beat's plans_generate
MISSED, LATE = 0.05, 0.08  # shares of the orders not done at all, and done after their due date
AUTO_SHARE = 0.35  # orders made on their due day that find a team member on duty at 05:10
FAIL_MEASURE, FAIL_CHECK = 0.006, 0.003
CLICK_SHARE = 0.6  # failed lines of plans without automatic repair orders that get one by a click
PARTS_SHARE = 0.12
WORK_CAP = 7 * 3600  # wall time of one order's work; the labour minutes add up every item
TEXT_ANSWERS = ("运行正常", "已记录，无异常", "参数正常，已清洁", "按规程完成，记录已归档", "检查完毕，设备状态良好")
REPAIRS = (("部件老化", "更换老化部件，调试后恢复正常。"), ("接线松动", "紧固接线，复测正常。"),
           ("传感器漂移", "校准传感器，参数恢复正常。"), ("积尘堵塞", "清洁疏通，试运行正常。"))  # fmt: skip
OCCURRENCE_FIELDS = ("id", "plan_id", "equipment_id", "due_date", "work_order_id", "state", "created_at", "done_at")
ENTRY_FIELDS = ("occurrence_id", "order", "label", "kind", "unit", "min_value", "max_value", "required", "guidance",
                "passed", "number", "text", "ok", "filled_by_id", "filled_at", "repair_order_id")  # fmt: skip
LEFT_OUT = (ItemStatus.RETIRED, ItemStatus.OUT_OF_SERVICE)


class MaintenanceHistory(EquipmentHistory):
    """The year of orders with the plans' occurrences, planned orders and checklists."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.occurrences: list[tuple] = []  # (plan, item, due, order, state, created, done at)
        self.entries: list[tuple] = []  # (occurrence index, line, passed, number, text, ok, by, at, repair)
        self.planned_orders = 0

    def _load(self) -> bool:
        if not super()._load():
            return False
        self.plans = list(MaintenancePlan.objects.filter(is_active=True).select_related("category").order_by("pk"))
        if self.plans and self.items:  # planned work comes from the plans, not from the reports' draw
            self.cats = [row._replace(planned=0) for row in self.cats]
            self.cat_index = {row.code: row for row in self.cats}
        return True

    # --- time ------------------------------------------------------------------------------------
    def _at(self, day: dt.date, time: dt.time) -> float:
        return dt.datetime.combine(day, time, tzinfo=self.tz).timestamp()

    def _day_of(self, seconds: float) -> dt.date:
        return dt.datetime.fromtimestamp(seconds, self.tz).date()

    def _next_run(self, seconds: float) -> float:
        """The first run of the morning job at or after ``seconds``."""
        day = self._day_of(seconds)
        while True:
            for run in RUNS:
                at = self._at(day, run)
                if at >= seconds:
                    return at
            day += ONE_DAY

    # --- the plans ---------------------------------------------------------------------------------
    def _planned(self) -> dict[dt.date, list[_Order]]:
        by_day = super()._planned()
        if not self.plans or not self.items:
            return by_day
        with translation.override(settings.LANGUAGE_CODE):
            orders = self._maintenance()
        for o in orders:
            by_day.setdefault(self._day_of(o.t0), []).append(o)
        self.total += self.planned_orders  # on top of the reports (the repairs they open are among them)
        return by_day

    def _maintenance(self) -> list[_Order]:
        from equipment.models import Category as ItemCategory

        self.window = self._at(self.today - dt.timedelta(days=364), dt.time())
        listed: dict[int, set[int]] = defaultdict(set)
        for plan_id, item_id in MaintenancePlan.equipment.through.objects.values_list(
            "maintenanceplan_id", "equipment_id"
        ):
            listed[plan_id].add(item_id)
        children: dict[int | None, list[int]] = defaultdict(list)
        for pk, parent in ItemCategory.objects.values_list("pk", "parent_id"):
            children[parent].append(pk)
        lines: dict[int, list[dict]] = defaultdict(list)
        for line in ChecklistItem.objects.filter(template__in=[p.checklist_id for p in self.plans]).values(
            "template_id", "order", "label", "kind", "unit", "min_value", "max_value", "required", "guidance"
        ):
            lines[line.pop("template_id")].append(line)
        orders: list[_Order] = []
        order_categories = {}  # equipment category → work-order category
        for n, plan in enumerate(self.plans):
            items = self._scope(plan, listed[plan.pk], children)
            if not items or not self.members.get(plan.team_id):
                continue
            kind = plan.category or items[0].obj.category
            if kind.pk not in order_categories:
                order_categories[kind.pk] = order_category_for(kind)
            category = order_categories[kind.pk]
            row = self.cat_index.get(category.code) if category else None
            if row is None:
                continue
            play = self._play_completion if counts_from_completion(plan) else self._play_dates
            orders += play(plan, items, row, lines.get(plan.checklist_id, []), n * 3.0)
        return orders

    def _scope(self, plan: MaintenancePlan, listed: set[int], children) -> list:
        """The items a plan covers, whatever their status now (``plan_equipment`` leaves out those
        retired or out of service today; the history has them while they were in use)."""
        categories, frontier = set(), [plan.category_id] if plan.category_id else []
        while frontier:
            categories.update(frontier)
            frontier = [c for pk in frontier for c in children.get(pk, ())]
        return [
            item
            for item in self.items.values()
            if item.id in listed
            or (
                item.category_id in categories
                and plan.location_id in (None, item.location)
                and plan.building_id in (None, item.building)
                and plan.campus_id in (None, item.campus)
            )
        ]

    def _play_dates(self, plan, items, row, lines, offset: float) -> list[_Order]:
        """Plans whose due dates come from the calendar or the first due date. An item out of
        service (or not there yet) when a due date's order is made is left out; the first run
        after it is back catches up as ``plans_generate`` does: a due date whose next one has come
        is recorded missed without an order, the current one gets an order of its own (an item
        that has no occurrence yet starts from that day)."""
        end = self.today + dt.timedelta(days=plan.lead_days)
        dues = due_dates(plan, plan.start_date, end + dt.timedelta(days=400))
        orders, recorded = [], set()
        for i, due in enumerate(dues):
            if due > end:
                break
            following = dues[i + 1] if i + 1 < len(dues) else None
            base = self._at(due - dt.timedelta(days=plan.lead_days), RUNS[0]) + offset
            groups: dict[float, list] = defaultdict(list)
            for item in items:
                back = item.back_at(base, LEFT_OUT)
                made = base if back == base else self._next_run(back) if back < INF else INF
                if not self.window <= made <= self.now:
                    continue
                day = self._day_of(made)
                if item.id not in recorded and day > due:
                    continue
                recorded.add(item.id)
                if following is not None and following <= day:
                    self.occurrences.append((plan.pk, item.id, due, None, OccurrenceState.MISSED, made, None))
                else:
                    groups[made].append(item)
            for made, group in sorted(groups.items()):
                orders += self._order(plan, row, lines, group, due, made, following)[0]
        return orders

    def _play_completion(self, plan, items, row, lines, offset: float) -> list[_Order]:
        """Plans counted from completions: each group of items that started together goes on from
        its own completions (items added later start at the first run after they joined)."""
        lead = dt.timedelta(days=plan.lead_days)
        base = self._at(plan.start_date - lead, RUNS[0]) + offset
        cohorts: dict[tuple, list] = defaultdict(list)
        for item in items:
            made = max(base, self._next_run(item.created))
            cohorts[(max(plan.start_date, self._day_of(made)), made)].append(item)
        orders = []
        for (due, made), group in sorted(cohorts.items()):
            while self.window <= made <= self.now and group:
                made_orders, done = self._order(plan, row, lines, group, due, made, None)
                orders += made_orders
                if done is None or done > self.now:
                    break
                due = add_interval(self._day_of(done), plan.interval, plan.interval_unit)
                made = max(self._at(due - lead, RUNS[0]) + offset, self._next_run(done))
                group = [item for item in group if item.status_at(made) not in LEFT_OUT]
        return orders

    # --- one order -----------------------------------------------------------------------------------
    def _order(self, plan, row, lines, items, due: dt.date, made: float, following: dt.date | None):
        """The order of one due date for ``items``, made at ``made``: its timeline, occurrences and
        checklists, and the repair orders its failed lines opened. Returns those orders and the
        time of its completion (None when it is not completed)."""
        rng, now = self.rng, self.now
        o = _Order()
        o.plan, o.category, o.t0, o.kind = PRESET, row, made, PLAN_KIND_TO_ORDER_KIND[plan.kind].value
        o.priority, o.origin, o.team = P.NORMAL, ORIG.PLAN, plan.team_id
        o.queue_team = plan.team_id
        objs = [item.obj for item in items]
        o.title, o.description = _title(plan, objs, due), _description(plan, objs)
        o.location = items[0].location if len({i.location for i in items}) == 1 else None
        o.department = items[0].department if len({i.department for i in items}) == 1 else None
        o.equipment = items[0].id if len(items) == 1 else None
        o.due = self._at(due + ONE_DAY, dt.time())
        self.planned_orders += 1
        # what becomes of it
        period = (following - due).days if following else 0
        draw = rng.random()
        missed = MISSED if period <= 31 else MISSED / 3  # long cycles are done late rather than skipped
        if following is not None and draw < missed:
            outcome, late = "missed", 0
        elif draw < missed + LATE and (following is None or period >= 2):
            outcome, late = "late", rng.randint(1, min(period - 1, 10) if following else 12)
        else:
            outcome, late = "on_time", 0
        ev: list[tuple] = [(made, E.SUBMITTED, S.SUBMITTED, None, "", f'{{"origin": "{ORIG.PLAN}", "demo": true}}',
                            None)]  # fmt: skip
        o.events = ev
        tech_pool = self.members[plan.team_id]
        o.assignee = rng.choice(tech_pool)
        made_on_due_day = self._day_of(made) >= due
        dispatched = not (outcome == "missed" and rng.random() < 0.4)
        if made_on_due_day and rng.random() < AUTO_SHARE:
            t, by, o.auto = made + rng.uniform(2, 30), None, True
        else:
            day = due if made_on_due_day else max(self._day_of(made), due - dt.timedelta(days=rng.randint(0, 3)))
            t = max(self._at(day, dt.time(7, 45)) + rng.uniform(0, 6000), made + 60)
            lead_user = self.lead_user.get(plan.team_id)
            by, o.auto = lead_user if lead_user and rng.random() < 0.7 else self.dispatcher_user, False
        tech = self.user_of.get(o.assignee)
        if outcome == "missed":
            if dispatched:
                ev.append((t, E.DISPATCHED, S.DISPATCHED, by, "", _dispatch_data(o.auto, o.assignee, None),
                           (o.auto, o.assignee)))  # fmt: skip
                if rng.random() < 0.5:
                    ev.append((t + _lognormal(rng, 1200, 0.8) + 30, E.ACCEPTED, S.ACCEPTED, tech, "", "{}", None))
            cancel = self._at(following, RUNS[0]) + rng.uniform(1, 20)
            ev.append((cancel, E.CANCELLED, S.CANCELLED, None, _("Missed: the plan's next occurrence is due."), "{}",
                       None))  # fmt: skip
            state = OccurrenceState.MISSED if cancel <= now else OccurrenceState.OPEN
            for item in items:
                self.occurrences.append((plan.pk, item.id, due, o, state, made, None))
                self._blank(lines, len(self.occurrences) - 1)
            o.span, o.labour, o.parts, o.fault = (made, made), 0, "0.00", self._fault(items, 0)
            return [o], None
        ev.append((t, E.DISPATCHED, S.DISPATCHED, by, "", _dispatch_data(o.auto, o.assignee, None),
                   (o.auto, o.assignee)))  # fmt: skip
        accepted = t + max(_lognormal(rng, 1200, 0.8), 30)
        ev.append((accepted, E.ACCEPTED, S.ACCEPTED, tech, "", "{}", None))
        if outcome == "late":
            day = due + dt.timedelta(days=late)
        elif made_on_due_day or rng.random() < 0.6:
            day = due
        else:
            day = due - dt.timedelta(days=rng.randint(1, 3))
        day = max(day, self._day_of(accepted))
        minutes = plan.estimated_minutes * len(items) * rng.uniform(0.8, 1.2)
        wall = max(min(minutes * 60, WORK_CAP), 600)
        arrived = max(self._at(day, dt.time(8, 30)) + rng.uniform(0, 5.5 * 3600), accepted + rng.uniform(600, 2400))
        started = arrived + rng.uniform(60, 300)
        done = started + wall
        ev.append((arrived, E.ARRIVED, S.ON_SITE, tech, "", f'{{"location": {o.location or "null"}}}', None))
        ev.append((started, E.STARTED, S.IN_PROGRESS, tech, "", "{}", None))
        ev.append((done, E.COMPLETED, S.COMPLETED, tech, "", "{}", None))
        ev.append((done + self.auto_close + rng.uniform(5, 90), E.AUTO_CLOSED, S.CLOSED, None, "", "{}", None))
        o.span = (accepted, done)
        o.labour = min(int(minutes), 7 * 24 * 60)
        o.parts = f"{_lognormal(rng, 60, 0.8):.2f}" if rng.random() < PARTS_SHARE else "0.00"
        state = OccurrenceState.DONE if done <= now else OccurrenceState.OPEN
        repairs: list[_Order] = []
        steps = max(len(items) * len(lines), 1)
        for n, item in enumerate(items):
            self.occurrences.append((plan.pk, item.id, due, o, state, made, done if done <= now else None))
            for k, line in enumerate(lines):
                at = started + wall * (n * len(lines) + k + 1) / (steps + 1)
                repair = self._fill(plan, row, line, len(self.occurrences) - 1, item, o, at, done, tech)
                if repair is not None:
                    repairs.append(repair)
        o.fault = self._fault(items, len(repairs))
        return [o, *repairs], done

    def _fault(self, items, repairs: int) -> Fault:
        findings = f"按计划完成 {len(items)} 台设备的检查保养，各项正常，记录已归档。"
        if repairs:
            findings = f"按计划完成 {len(items)} 台设备的检查保养；{repairs} 项不合格，已开维修工单。"
        return Fault("", "N", "", findings, "", "按规程完成检查、清洁和记录。")

    def _blank(self, lines: list[dict], occurrence: int) -> None:
        self.entries.extend((occurrence, line, None, None, "", None, None, None, None) for line in lines)

    def _fill(self, plan, row, line, occurrence: int, item, parent: _Order, at: float, done: float, tech):
        """One line of a worked order: filled by ``at`` (when that has come), maybe failed, maybe
        with the repair order it opened."""
        rng = self.rng
        if at > self.now or line["kind"] == ChecklistEntry.Kind.PHOTO:  # no photos in the demo
            self.entries.append((occurrence, line, None, None, "", None, None, None, None))
            return None
        passed = number = None
        text = ""
        if line["kind"] == ChecklistEntry.Kind.CHECK:
            passed = ok = rng.random() >= FAIL_CHECK
        elif line["kind"] == ChecklistEntry.Kind.MEASURE:
            low, high = float(line["min_value"]), float(line["max_value"])
            width = high - low
            if rng.random() < FAIL_MEASURE:  # out of range, by 5 to 30 % of the range
                off = width * rng.uniform(0.05, 0.3)
                value = high + off if rng.random() < 0.5 else low - off
            else:
                value = min(max(rng.gauss((low + high) / 2, width / 8), low), high)
            number = Decimal(f"{value:.3f}")
            ok = line["min_value"] <= number <= line["max_value"]
        else:
            text, ok = rng.choice(TEXT_ANSWERS), True
        repair = None
        if not ok:
            if plan.auto_repair:
                opened, by = at + 1, tech
            elif rng.random() < CLICK_SHARE:
                opened, by = done + rng.uniform(600, 3 * 3600), self.lead_user.get(plan.team_id) or tech
            else:
                opened = None
            if opened is not None and opened <= self.now:
                found = _found(ChecklistEntry(number=number, **line))
                repair = self._repair(row, item, parent, opened, by, found, plan.auto_repair)
        self.entries.append((occurrence, line, passed, number, text, ok, tech, at, repair))
        return repair

    def _repair(self, row, item, parent: _Order, t0: float, creator, found: str, urgent: bool) -> _Order | None:
        """The repair order a failed line opened (kept only if the item was free for all of it)."""
        rng = self.rng
        r = _Order()
        r.category, r.t0, r.kind, r.origin = row, t0, K.REPAIR, ORIG.ORDER
        r.priority = _pick(rng, PRIORITIES, self.profile_cum["H" if urgent else "N"])
        cause, actions = rng.choice(REPAIRS)
        r.fault = Fault("", "N", found, f"复核确认：{found}", cause, actions)
        r.title, r.description, r.creator = found, found, creator
        r.location, r.department, r.equipment = item.location, item.department, item.id
        r.parent = parent  # its id once numbered (``_attach``)
        self._route(r, dt.datetime.fromtimestamp(t0, self.tz).hour)
        self._life(r)
        start, end = self._span(r)
        if not self.reserve(item.id, start, end):
            return None
        r.plan = PRESET
        return r

    def _attach(self, o: _Order) -> None:
        if o.plan is PRESET and isinstance(o.parent, _Order):
            parent, found = o.parent, o.description
            o.parent = parent.id
            status = next((e[2] for e in reversed(parent.events) if e[0] <= o.t0), S.IN_PROGRESS)
            with translation.override(settings.LANGUAGE_CODE):
                o.title = (_("Found in %(order)s: %(found)s") % {"order": parent.number, "found": found})[:120]
                note = _("Repair order %(number)s opened for %(item)s: %(found)s") % {
                    "number": o.number, "item": self.items[o.equipment].obj, "found": found}  # fmt: skip
            self.event_rows.append((parent.id, E.NOTE, status, status, o.creator, self.stamp(o.t0), note[:500], "{}"))
        super()._attach(o)

    # --- writing -------------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        counts = super().run()
        counts.update(planned_orders=self.planned_orders, occurrences=len(self.occurrences),
                      checklist_entries=len(self.entries))  # fmt: skip
        if not self.occurrences:
            return counts
        writer = _CopyWriter(self.tz) if connection.vendor == "postgresql" else _SqlWriter(self.tz)
        stamp = writer.stamp
        first = (Occurrence.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        writer.rows(Occurrence, OCCURRENCE_FIELDS, [
            (first + i, plan, item, due.isoformat(), order and order.id, state, stamp(made), at and stamp(at))
            for i, (plan, item, due, order, state, made, at) in enumerate(self.occurrences)
        ])  # fmt: skip
        writer.rows(ChecklistEntry, ENTRY_FIELDS, [
            (first + occurrence, line["order"], line["label"], line["kind"], line["unit"], _text(line["min_value"]),
             _text(line["max_value"]), line["required"], line["guidance"], passed, _text(number), text, ok, by,
             None if at is None else stamp(at), None if repair is None else repair.id)
            for occurrence, line, passed, number, text, ok, by, at, repair in self.entries
        ])  # fmt: skip
        writer.done((Occurrence, ChecklistEntry))
        return counts


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
