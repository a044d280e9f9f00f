"""The pieces of a demo work order being drawn (``demo_history``), and the orders whose status now
is chosen rather than drawn: open orders of every status in the last hours, and the demo logins' own
(``TargetedOrders``, a part of ``demo_history.History``)."""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from logistics.org.models import Staff

from .demo import OPEN_PLANS, OPEN_SETS, P, S
from .models import WorkOrder


class _Order:
    """One order being drawn: what was reported, where, by whom, and its timeline ``events`` of
    ``(at, kind, to_status, actor_id, comment, data_json, payload)`` with ``at`` in epoch seconds."""

    __slots__ = (
        "assignee", "auto", "category", "contact", "creator", "department", "description", "due", "equipment",
        "events", "fault", "id", "kind", "labour", "location", "number", "origin", "parent", "parts", "plan",
        "priority", "queue_team", "requester", "requester_user", "span", "t0", "team", "title", "vendor",
    )  # fmt: skip

    def __init__(self) -> None:
        self.parent = self.requester = self.requester_user = self.creator = self.department = None
        self.location = self.assignee = self.vendor = self.team = self.queue_team = self.plan = None
        self.equipment = self.due = None  # the item worked on; planned work: due time (epoch seconds)
        self.contact = ""
        self.auto = True
        self.span = (0.0, 0.0)


@dataclass
class _Plan:
    """What a planned order must look like: its status now, how long it has been in it (or, for a
    finished one, how many days ago it was reported), and the people and category it has."""

    target: str
    category: str
    age: tuple[float, float] = (0, 0)  # minutes in the target status
    days_ago: int = 0  # finished orders: reported that many days ago
    requester: tuple | None = None
    assignee: int | None = None
    hold: str = ""
    verify: bool | None = None
    fault: int | None = None
    notify: str = ""  # login to notify once written: "technician" or "requester"


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _pick(rng: random.Random, items: Sequence, cum: Sequence[float]):
    return items[bisect(cum, rng.random() * cum[-1])]


def _dispatch_data(auto: bool, assignee: int | None, vendor: int | None) -> str:
    return f'{{"auto": {"true" if auto else "false"}, "assignee": {assignee or "null"}, "vendor": {vendor or "null"}}}'


class TargetedOrders:
    """Orders drawn to end in a chosen status (uses ``History``'s drawing of a life)."""

    def _planned(self) -> dict[dt.date, list[_Order]]:
        """Orders whose status now is chosen: open ones of every status in the last hours, and the
        demo logins' own. Their lives are drawn first and shifted in time, by day of report."""
        rng = self.rng
        plans: list[_Plan] = []
        codes = [row.code for row in self.cats]
        for _ in range(OPEN_SETS[self.scale]):
            for target, low, high, hold in OPEN_PLANS:
                plans.append(_Plan(target, rng.choice(codes), age=(low, high), hold=hold))
        requester = self.login_staff.get("requester")
        if requester is not None:
            spot = next(r for r in Staff.objects.filter(pk=requester).values_list("pk", "department_id", "user_id",
                                                                                     "department__phone"))  # fmt: skip
            me = (spot[0], spot[1], spot[2], f"内线 {spot[3]}" if spot[3] else "")
            if spot[1] in self.dept_locations:
                tech = self.login_staff.get("technician")
                for days, code, verify in ((6, "water_electric", True), (14, "plumbing", True),
                                           (33, "hvac", False), (61, "doors_locks", True), (118, "weak_current", True),
                                           (205, "carpentry", True)):  # fmt: skip
                    plans.append(_Plan(S.CLOSED, code, days_ago=days, requester=me, verify=verify))
                plans.append(_Plan(S.CANCELLED, "other", days_ago=20, requester=me))
                plans.append(_Plan(S.COMPLETED, "hvac", age=(60, 180), requester=me, assignee=tech, fault=0,
                                   notify="requester"))  # fmt: skip
                plans.append(_Plan(S.IN_PROGRESS, "water_electric", age=(20, 60), requester=me, fault=0))
        tech = self.login_staff.get("technician")
        if tech is not None and "hvac" in codes:
            plans += [
                _Plan(S.DISPATCHED, "hvac", age=(3, 8), assignee=tech, fault=1, notify="technician"),
                _Plan(S.DISPATCHED, "hvac", age=(10, 20), assignee=tech, fault=2, notify="technician"),
                _Plan(S.ACCEPTED, "hvac", age=(8, 25), assignee=tech, fault=3),
            ]
        if "team_lead" in self.login_staff and "water_electric" in codes:
            plans.append(_Plan(S.SUBMITTED, "water_electric", age=(5, 15), fault=1))
        by_day: dict[dt.date, list[_Order]] = {}
        for plan in plans:
            order = self._planned_order(plan)
            if order is not None:
                by_day.setdefault(dt.datetime.fromtimestamp(order.t0, self.tz).date(), []).append(order)
        return by_day

    def _planned_order(self, plan: _Plan) -> _Order | None:
        rng = self.rng
        row = self.cat_index.get(plan.category)
        if row is None:
            return None
        o = _Order()
        o.plan, o.category = plan, row
        if plan.days_ago:
            day = self.today - dt.timedelta(days=plan.days_ago)
            o.t0 = dt.datetime.combine(day, dt.time(8), tzinfo=self.tz).timestamp() + rng.uniform(0, 8 * 3600)
        else:
            o.t0 = self.now
        fault = plan.fault if plan.fault is not None else rng.randrange(len(row.faults))
        self._describe(o, fault=fault % len(row.faults), requester=plan.requester)
        if o.priority == P.URGENT and plan.target in (S.SUBMITTED, S.DISPATCHED):
            o.priority = P.HIGH  # an urgent order waiting that long would be an emergency
        hour = dt.datetime.fromtimestamp(o.t0, self.tz).hour
        self._route(o, 12 if plan.target == S.SUBMITTED else hour)
        if plan.assignee is not None:
            o.assignee = plan.assignee
            o.team = o.queue_team = self.staff_team.get(plan.assignee) or o.team
            o.vendor = None
        if plan.target == S.SUBMITTED:
            o.assignee = o.vendor = None
        elif o.assignee is None and o.vendor is None:
            return None  # nobody to give it to
        self._life(o)
        if not plan.days_ago:  # cut at the target status, entered ``age`` minutes ago
            cut = next((i for i, e in enumerate(o.events) if e[2] == plan.target), None)
            if cut is None:
                return None
            del o.events[cut + 1 :]
            shift = self.now - rng.uniform(*plan.age) * 60 - o.events[-1][0]
            o.t0 += shift
            o.events = [(e[0] + shift, *e[1:]) for e in o.events]
            o.span = (o.span[0] + shift, o.span[1] + shift)
        if plan.notify:
            self.login_orders.append(o)
        return o

    def _notify_logins(self) -> None:
        """The inbox of the demo logins: their new orders and the one to verify (as the services
        would have told them)."""
        from django.utils.translation import gettext as _

        from logistics.notifications.services import notify

        if not self.login_orders:
            return
        orders = WorkOrder.objects.in_bulk([o.id for o in self.login_orders])
        with translation.override(settings.LANGUAGE_CODE):
            for planned in self.login_orders:
                wo = orders.get(planned.id)
                if wo is None:
                    continue
                if planned.plan.notify == "technician" and wo.assignee_id:
                    title = _("New work order %(number)s: %(title)s") % {"number": wo.number, "title": wo.title}
                    notify(recipients=[wo.assignee], verb="workorders.dispatched", title=title, target=wo)
                elif planned.plan.notify == "requester" and wo.requester_id:
                    title = _("%(number)s is done: please verify") % {"number": wo.number}
                    notify(recipients=[wo.requester], verb="workorders.completed", title=title, target=wo)
