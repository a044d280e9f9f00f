"""The year of demo work orders: each order's life drawn milestone by milestone (see ``demo``)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import deque
from itertools import accumulate

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from logistics.org.models import Location, Staff, Team, Vendor

from .demo import (
    AUTO_SHARE,
    CANCEL_REASONS,
    CANCEL_SHARE,
    CANCEL_STAGES,
    CATEGORIES,
    CHUNK,
    DEMO_MARK,
    HISTORY_DAYS,
    HOLD_REASONS,
    HOLD_SHARE,
    HOLD_WEIGHTS,
    HOLDS,
    HOUR_WEIGHTS,
    HVAC_SEASON,
    NIGHT,
    NOTES,
    ORIG,
    PLANNED_FAULT,
    PRIORITIES,
    PROFILES,
    RATING_COMMENTS,
    RATING_WEIGHTS,
    REJECT_REASONS,
    REJECT_SHARE,
    REOPEN_REASONS,
    REOPEN_SHARE,
    RESPONSE_MEDIAN,
    RESPONSE_SIGMA,
    VERIFY_SHARE,
    WEEKDAY_WEIGHTS,
    WORK_MEDIAN_HOURS,
    WORK_SIGMA,
    E,
    K,
    P,
    S,
)
from .demo_order import TargetedOrders, _dispatch_data, _lognormal, _Order, _pick
from .demo_writers import _CopyWriter, _SqlWriter, _Writer
from .models import (
    Category,
    DailySequence,
    DispatchRule,
    SlaPolicy,
)


class History(TargetedOrders):
    """Draws and writes the orders, day by day from a year ago to now."""

    def __init__(self, rng: random.Random, scale: str, total: int, categories: dict[str, Category]) -> None:
        self.rng = rng
        self.scale = scale
        self.total = total
        self.tz = timezone.get_default_timezone()
        self.now = timezone.now().timestamp()
        self.today = timezone.localdate()
        self.categories = categories
        self.exclude_hold = settings.WORKORDER_SLA_EXCLUDE_HOLD
        self.auto_close = settings.WORKORDER_AUTO_CLOSE_DAYS * 86400
        self.rows: list[tuple] = []
        self.event_rows: list[tuple] = []
        self.helper_rows: list[tuple[int, int]] = []
        self.written = {"work_orders": 0, "events": 0}
        self.recent: deque[_Order] = deque(maxlen=60)  # parents for assistance orders
        self.round_robin = 0
        self.login_orders: list[_Order] = []

    # --- what exists ---------------------------------------------------------------------------
    def _load(self) -> bool:
        """People, places and rules of the demo hospital; False when there is nothing to work with."""
        from logistics.org.demo import LOGIN_STAFF, employee_no
        from logistics.org.demo_names import VENDORS

        User = get_user_model()
        cats = [row for row in CATEGORIES if row.code in self.categories and self.categories[row.code].is_active]
        if not cats:
            return False
        self.cats = cats
        self.cat_ids = {row.code: self.categories[row.code].pk for row in cats}
        teams = {t.code: t for t in Team.objects.filter(is_active=True)}
        self.team_ids = {code: t.pk for code, t in teams.items()}
        staff = list(
            Staff.objects.filter(is_active=True)
            .order_by("employee_no")
            .values_list("pk", "employee_no", "team_id", "department_id", "phone", "user_id", "department__phone")
        )
        leads = {t.lead_id for t in teams.values()}
        self.user_of = {pk: user for pk, _no, _t, _d, _p, user, _dp in staff if user}
        self.members: dict[int, list[int]] = {}
        for pk, _no, team, *_rest in staff:
            if team is not None and pk not in leads:
                self.members.setdefault(team, []).append(pk)
        for t in teams.values():  # a team of one: its lead does the work
            if t.lead_id and t.pk not in self.members:
                self.members[t.pk] = [t.lead_id]
        self.staff_team = {pk: team for pk, _no, team, *_rest in staff}
        # Places: each department's own, the elevator halls by building, plant rooms by code suffix.
        locations = list(Location.objects.filter(is_active=True).values_list("pk", "code", "department_id",
                                                                              "building_id", "kind"))  # fmt: skip
        self.dept_locations: dict[int, list[int]] = {}
        lifts: dict[int | None, list[int]] = {}
        self.plant: dict[str, list[int]] = {}
        self.building_of = {pk: building for pk, _c, _d, building, _k in locations}
        for pk, code, department, building, kind in locations:
            if department is not None:
                self.dept_locations.setdefault(department, []).append(pk)
            elif code.endswith("-LIFT"):
                lifts.setdefault(building, []).append(pk)
            elif kind == "plant_room":
                self.plant.setdefault(code.rsplit("-", 1)[-1], []).append(pk)
        self.all_lifts = [pk for group in lifts.values() for pk in group]
        self.lifts_near = {
            department: lifts.get(self.building_of[places[0]]) or self.all_lifts
            for department, places in self.dept_locations.items()
        }
        # Requesters: department staff with a place of their own, demo logins aside (their orders
        # are planned below).
        self.requesters = [
            (pk, department, user, f"内线 {dept_phone}" if dept_phone else phone)
            for pk, _no, team, department, phone, user, dept_phone in staff
            if team is None and user is None and department in self.dept_locations
        ]
        if not self.requesters or not self.members:
            return False
        self.logins = {u.username: u.pk for u in User.objects.filter(username__in=[*LOGIN_STAFF, "dispatcher"])}
        self.login_staff = {
            username: pk for pk, _no, _t, _d, _p, user, _dp in staff for username, uid in self.logins.items()
            if user == uid
        }  # fmt: skip
        self.dispatcher_user = self.logins.get("dispatcher")
        self.lead_user = {t.pk: self.user_of.get(t.lead_id) for t in teams.values() if t.lead_id}
        by_no = {no: pk for pk, no, *_rest in staff}
        self.gas_person = by_no.get(employee_no("T-GAS", 2))
        vendor_name = next((row.name for row in VENDORS if row.key == "elevator"), "")
        vendor = Vendor.objects.filter(name=vendor_name, is_active=True).values_list("pk", flat=True).first()
        self.elevator_vendor = vendor if DispatchRule.objects.filter(vendor_id=vendor).exists() else None
        self.night_team = self.team_ids.get("T-WE")
        # SLA targets in seconds by (priority, category code).
        general = {p.priority: p for p in SlaPolicy.objects.filter(category__isnull=True)}
        specific = {(p.priority, p.category_id): p for p in SlaPolicy.objects.filter(category__isnull=False)}
        self.sla: dict[tuple[str, str], tuple[int, int] | None] = {}
        for row in cats:
            for priority in PRIORITIES:
                policy = specific.get((priority, self.cat_ids[row.code])) or general.get(priority)
                self.sla[(priority, row.code)] = (
                    (policy.response_minutes * 60, policy.resolution_minutes * 60) if policy else None
                )
        # Draw tables.
        self.cat_index = {row.code: row for row in cats}
        self.profile_cum = {k: list(accumulate(w)) for k, w in PROFILES.items()}
        self.hour_cum = list(accumulate(HOUR_WEIGHTS))
        self.cat_cum = {
            month: list(accumulate(row.weight * (HVAC_SEASON.get(month, 0.8) if row.code == "hvac" else 1)
                                   for row in cats))
            for month in range(1, 13)
        }  # fmt: skip
        self.hold_cum = list(accumulate(HOLD_WEIGHTS))
        self.cancel_cum = list(accumulate(w for _s, w in CANCEL_STAGES))
        self.rating_cum = {late: list(accumulate(w)) for late, w in RATING_WEIGHTS.items()}
        return True

    # --- run -----------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        if self.total <= 0 or not self._load():
            return {"work_orders": 0, "events": 0}
        writer = _CopyWriter(self.tz) if connection.vendor == "postgresql" else _SqlWriter(self.tz)
        self.stamp = writer.stamp
        sequences = dict(DailySequence.objects.values_list("day", "last"))
        self.next_id = writer.first_id()
        planned = self._planned()
        days = [self.today - dt.timedelta(days=n) for n in range(HISTORY_DAYS - 1, -1, -1)]
        starts = [dt.datetime.combine(day, dt.time(), tzinfo=self.tz).timestamp() for day in days]
        # Orders per day: by weekday, season, and for today only the part of the day gone by.
        elapsed = min(max((self.now - starts[-1]) / 3600, 0), 24)
        today_share = sum(HOUR_WEIGHTS[: int(elapsed)]) + HOUR_WEIGHTS[min(int(elapsed), 23)] * (elapsed % 1)
        weights = [WEEKDAY_WEIGHTS[day.weekday()] * (1.1 if day.month in (6, 7, 8) else 1.0) for day in days]
        weights[-1] *= today_share / sum(HOUR_WEIGHTS)
        cum = list(accumulate(weights))
        done = 0
        used: dict[dt.date, int] = {}
        drawn = max(self.total - sum(len(orders) for orders in planned.values()), 0)
        for i, day in enumerate(days):
            upto = round(drawn * cum[i] / cum[-1])
            orders = self._day(day, starts[i], upto - done)
            done = upto
            orders += planned.pop(day, [])
            orders.sort(key=lambda o: o.t0)
            first = sequences.get(day, 0)
            stamp = f"WO-{day:%Y%m%d}-"
            for n, order in enumerate(orders, start=first + 1):
                order.id = self.next_id
                self.next_id += 1
                order.number = f"{stamp}{n:04d}"
                self._finish(order)
            if orders:
                used[day] = first + len(orders)
            if len(self.rows) >= CHUNK:
                self._flush(writer)
        self._flush(writer)
        writer.done()
        _raise_sequences(used, sequences)
        self._notify_logins()
        return {**self.written, "daily_sequences": len(used)}

    def _flush(self, writer: _Writer) -> None:
        writer.orders(self.rows)
        writer.events(self.event_rows)
        writer.helpers(self.helper_rows)
        self.written["work_orders"] += len(self.rows)
        self.written["events"] += len(self.event_rows)
        self.rows, self.event_rows, self.helper_rows = [], [], []

    # --- drawing an order ------------------------------------------------------------------------
    def _day(self, day: dt.date, start: float, count: int) -> list[_Order]:
        rng, now = self.rng, self.now
        cat_cum, hour_cum, cats = self.cat_cum[day.month], self.hour_cum, self.cats
        hours = range(24)
        orders = []
        for _ in range(count):
            for _try in range(10):
                t0 = start + _pick(rng, hours, hour_cum) * 3600 + rng.random() * 3600
                if t0 < now:
                    break
            else:
                t0 = start + rng.random() * max(now - start, 1)
            o = _Order()
            o.t0 = t0
            o.category = _pick(rng, cats, cat_cum)
            self._describe(o)
            orders.append(o)
        return orders

    def _describe(self, o: _Order, fault: int | None = None, requester: tuple | None = None) -> None:
        """Kind, priority, what and where, who reported it (``requester``: forced)."""
        rng, row = self.rng, o.category
        draw = rng.random()
        if requester is None and fault is None and draw < row.planned and row.inspection:
            o.kind = K.INSPECTION if rng.random() < 0.5 else K.MAINTENANCE
            o.priority = P.NORMAL if rng.random() < 0.6 else P.LOW
            o.fault = PLANNED_FAULT
            o.title = row.inspection if o.kind == K.INSPECTION else row.maintenance
            o.description = PLANNED_FAULT.description
            o.origin = ORIG.PLAN
            suffix = rng.choice(row.plant)
            places = self.plant.get(suffix) or [p for places in self.plant.values() for p in places]
            o.location = rng.choice(places) if places else None
            return
        o.kind = K.ASSISTANCE if requester is None and fault is None and draw > 0.97 else K.REPAIR
        o.fault = row.faults[fault] if fault is not None else rng.choice(row.faults)
        o.priority = _pick(rng, PRIORITIES, self.profile_cum[o.fault.profile])
        o.title = o.fault.title
        o.description = o.fault.description
        staff_id, department, user, contact = requester or rng.choice(self.requesters)
        o.requester, o.department, o.requester_user = staff_id, department, user
        places = self.lifts_near.get(department) if row.code == "elevator" else None
        o.location = rng.choice(places or self.dept_locations.get(department) or [None])
        if requester is None and rng.random() < 0.22:
            o.origin, o.creator, o.contact = ORIG.SERVICE_DESK, self.dispatcher_user, contact
        else:
            o.origin, o.creator = ORIG.PERSON, user

    def _route(self, o: _Order, hour: int) -> None:
        """Who gets the order, as the rules would decide (or the dispatcher, by hand)."""
        rng, row = self.rng, o.category
        team = self.team_ids.get(row.team)
        night = hour >= NIGHT[0] or hour < NIGHT[1]
        o.vendor = o.assignee = None
        if row.code == "elevator" and self.elevator_vendor:
            o.team, o.vendor = team, self.elevator_vendor
        elif row.code == "medical_gas" and self.gas_person and rng.random() < 0.7:
            o.team, o.assignee = team, self.gas_person
        elif row.code == "medical_gas" and team in self.members:  # the person is away: by hand
            o.team, o.assignee = team, rng.choice(self.members[team])
            o.queue_team, o.auto = team, False
            return
        elif night and self.night_team in self.members and row.code != "medical_gas":
            pool = self.members[self.night_team]
            self.round_robin += 1
            o.team, o.assignee = self.night_team, pool[self.round_robin % len(pool)]
        elif team in self.members:
            o.team, o.assignee = team, rng.choice(self.members[team])
        else:
            o.team = team
        o.queue_team = o.team
        o.auto = rng.random() < AUTO_SHARE

    def _life(self, o: _Order) -> None:
        """The order's timeline from the report to its close (or cancellation), ignoring the
        present; ``_finish`` cuts it at now."""
        rng, plan = self.rng, o.plan
        ev: list[tuple] = []
        o.events = ev
        t0 = t = o.t0
        data = f'{{"origin": "{o.origin}", "{DEMO_MARK}": true}}'
        ev.append((t, E.SUBMITTED, S.SUBMITTED, o.creator, "", data, None))
        if plan is not None:
            cancel = S.DISPATCHED if plan.target == S.CANCELLED else None
        else:
            cancel = _pick(rng, CANCEL_STAGES, self.cancel_cum)[0] if rng.random() < CANCEL_SHARE else None
        canceller = o.requester_user if o.requester_user and rng.random() < 0.5 else self.dispatcher_user
        if cancel == S.SUBMITTED or (o.assignee is None and o.vendor is None) or (plan and plan.target == S.SUBMITTED):
            if cancel:
                ev.append((t + _lognormal(rng, 25 * 60, 0.8), E.CANCELLED, S.CANCELLED, canceller,
                           rng.choice(CANCEL_REASONS), "{}", None))  # fmt: skip
            o.span = (t0, t0)
            return
        tech = self.user_of.get(o.assignee) if o.assignee else None
        # dispatch
        if o.auto:
            t += rng.uniform(1, 30)
            by = None
        else:
            t += _lognormal(rng, (3 if o.priority == P.URGENT else 6) * 60, 0.7)
            by = self.lead_user.get(o.team) if rng.random() < 0.3 and self.lead_user.get(o.team) else None
            by = by or self.dispatcher_user
        ev.append((t, E.DISPATCHED, S.DISPATCHED, by, "", _dispatch_data(o.auto, o.assignee, o.vendor),
                   (o.auto, o.assignee)))  # fmt: skip
        if cancel == S.DISPATCHED:
            ev.append((t + _lognormal(rng, 20 * 60, 0.8), E.CANCELLED, S.CANCELLED, canceller,
                       rng.choice(CANCEL_REASONS), "{}", None))  # fmt: skip
            o.span = (t0, t0)
            return
        respond = _lognormal(rng, RESPONSE_MEDIAN[o.priority] * 60, RESPONSE_SIGMA)
        pool = self.members.get(o.team, ())
        if plan is None and o.assignee and len(pool) > 1 and rng.random() < REJECT_SHARE:
            t += rng.uniform(60, 480)
            ev.append((t, E.REJECTED, S.SUBMITTED, tech, rng.choice(REJECT_REASONS), f'{{"technician": {o.assignee}}}',
                       None))  # fmt: skip
            o.assignee = rng.choice([p for p in pool if p != o.assignee])
            tech = self.user_of.get(o.assignee)
            t += rng.uniform(120, 900)
            o.auto = False
            ev.append((t, E.DISPATCHED, S.DISPATCHED, self.dispatcher_user, "",
                       _dispatch_data(False, o.assignee, o.vendor), (False, o.assignee)))  # fmt: skip
        t = max(t0 + respond, t + rng.uniform(20, 90))
        t_accepted = t
        ev.append((t, E.ACCEPTED, S.ACCEPTED, tech, "", "{}", None))
        if cancel == S.ACCEPTED:
            ev.append((t + _lognormal(rng, 15 * 60, 0.8), E.CANCELLED, S.CANCELLED, canceller,
                       rng.choice(CANCEL_REASONS), "{}", None))  # fmt: skip
            o.span = (t0, t0)
            return
        t = self._work(o, ev, t, tech, cancel, canceller)
        if t is None:
            o.span = (t0, t0)
            return
        o.span = (t_accepted, t)
        # reopened by the requester, done again
        if plan is None and o.requester and rng.random() < REOPEN_SHARE:
            t += min(_lognormal(rng, 2 * 3600, 0.8), 2.5 * 86400)
            ev.append((t, E.REOPENED, S.DISPATCHED, o.requester_user, rng.choice(REOPEN_REASONS), "{}", "reopen"))
            t += _lognormal(rng, 25 * 60, 0.6)
            ev.append((t, E.ACCEPTED, S.ACCEPTED, tech, "", "{}", None))
            t = self._work(o, ev, t, tech, None, canceller, again=True)
        # verified and rated by the requester, or closed automatically
        verify = plan.verify if plan is not None and plan.verify is not None else rng.random() < VERIFY_SHARE
        delay = _lognormal(rng, 5 * 3600, 1.1) if o.requester and verify else self.auto_close + 1
        if delay < self.auto_close:
            sla = self.sla.get((o.priority, o.category.code))
            late = bool(sla) and t - t0 > sla[1] + self._held(ev)
            rating = _pick(rng, (1, 2, 3, 4, 5), self.rating_cum[late])
            if any(e[1] == E.REOPENED for e in ev):
                rating = max(1, rating - 1)
            comment = rng.choice(RATING_COMMENTS[rating]) if rng.random() < 0.35 else ""
            ev.append((t + delay, E.VERIFIED, S.CLOSED, o.requester_user, comment, f'{{"rating": {rating}}}',
                       (rating, comment)))  # fmt: skip
        else:
            ev.append((t + self.auto_close + rng.uniform(5, 90), E.AUTO_CLOSED, S.CLOSED, None, "", "{}", None))

    @staticmethod
    def _held(ev: list[tuple]) -> float:
        """Seconds on hold along a timeline (held → resumed)."""
        total, since = 0.0, None
        for at, kind, *_rest in ev:
            if kind == E.HELD:
                since = at
            elif kind == E.RESUMED and since is not None:
                total += at - since
                since = None
        return total

    def _work(self, o: _Order, ev: list, t: float, tech, cancel, canceller, again: bool = False) -> float | None:
        """Travel, arrival, the work (with a hold sometimes) and completion. Returns the time of
        completion, or None when the order was cancelled during the work."""
        rng, plan, row = self.rng, o.plan, o.category
        travel = 5 * 60 if o.priority == P.URGENT else 10 * 60
        t += _lognormal(rng, travel, 0.5)
        ev.append((t, E.ARRIVED, S.ON_SITE, tech, "", f'{{"location": {o.location or "null"}}}', None))
        t += rng.uniform(30, 300)
        ev.append((t, E.STARTED, S.IN_PROGRESS, tech, "", "{}", None))
        work = max(_lognormal(rng, WORK_MEDIAN_HOURS[o.priority] * 3600 * row.work, WORK_SIGMA[o.priority]), 600)
        if again:
            work *= rng.uniform(0.3, 0.8)
        if cancel == S.IN_PROGRESS:
            ev.append((t + work * rng.uniform(0.1, 0.6), E.CANCELLED, S.CANCELLED, canceller,
                       rng.choice(CANCEL_REASONS), "{}", None))  # fmt: skip
            return None
        hold = plan.hold if plan is not None else ""
        if not hold and plan is None and not again and rng.random() < HOLD_SHARE:
            hold = _pick(rng, HOLD_REASONS, self.hold_cum)
        if hold:
            t_hold = t + work * rng.uniform(0.2, 0.6)
            median, comment = HOLDS[hold]
            ev.append((t_hold, E.HELD, S.ON_HOLD, tech, comment, f'{{"reason": "{hold}"}}', hold))
            length = _lognormal(rng, median * 3600, 0.7)
            if rng.random() < 0.3:
                ev.append((t_hold + length * rng.uniform(0.2, 0.8), E.NOTE, S.ON_HOLD, self.dispatcher_user,
                           rng.choice(NOTES), "{}", None))  # fmt: skip
            ev.append((t_hold + length, E.RESUMED, S.IN_PROGRESS, tech, "", "{}", None))
            t += length
        t += work
        ev.append((t, E.COMPLETED, S.COMPLETED, tech, "", "{}", None))
        if not again:
            o.labour = min(int(work / 60 * rng.uniform(0.7, 1.2)), 7 * 24 * 60)
            o.parts = f"{_lognormal(rng, 90, 1.0):.2f}" if rng.random() < 0.35 else "0.00"
        return t

    # --- planned orders -------------------------------------------------------------------------
    # --- from timeline to rows ------------------------------------------------------------------
    def _finish(self, o: _Order) -> None:
        """Draw the life of a history order (planned ones have theirs), link an assistance order to
        the order it helps, then derive the fields from the timeline up to now and queue the rows."""
        rng = self.rng
        if o.plan is None:
            if o.kind == K.ASSISTANCE:
                self._link(o)
            self._route(o, dt.datetime.fromtimestamp(o.t0, self.tz).hour)
            self._life(o)
        self._attach(o)
        now, stamp = self.now, self.stamp
        row = o.category
        sla = self.sla.get((o.priority, row.code))
        t0 = o.t0
        status = S.SUBMITTED
        team, assignee, vendor, auto = o.queue_team or self.team_ids.get(row.team), None, None, False
        dispatched = accepted = arrived = completed = closed = held_since = None
        hold_reason, held, rating, rating_comment, reopened, auto_closed = "", 0.0, None, "", 0, False
        done = False
        events, wo_id = self.event_rows, o.id
        submitted = last = stamp(t0)
        for at, kind, to, actor, comment, data, payload in o.events:
            if at > now:
                break
            when = last = stamp(at) if at != t0 else submitted
            events.append((wo_id, kind, status if kind != E.SUBMITTED else "", to, actor, when, comment, data))
            status = to
            if kind == E.DISPATCHED:
                dispatched, (auto, assignee) = when, payload
                team, vendor = o.team, o.vendor
            elif kind == E.ACCEPTED:
                accepted = when
            elif kind == E.ARRIVED:
                arrived = when
            elif kind == E.COMPLETED:
                completed, done = when, True
            elif kind == E.HELD:
                held_since, hold_reason = at, payload
            elif kind == E.RESUMED or (kind == E.CANCELLED and held_since is not None):
                held += at - held_since
                held_since, hold_reason = None, ""
            elif kind == E.REJECTED:
                assignee = None
            elif kind == E.REOPENED:
                completed, reopened = None, reopened + 1
            elif kind == E.VERIFIED:
                closed, (rating, rating_comment) = when, payload
            elif kind == E.AUTO_CLOSED:
                closed, auto_closed = when, True
        response_due = resolution_due = None
        if o.due is not None:  # planned work: no response target, done by the end of its due day
            resolution_due = stamp(o.due)
        elif sla:
            response_due = stamp(t0 + sla[0])
            resolution_due = stamp(t0 + sla[1] + (held if self.exclude_hold else 0))
        fault = o.fault
        self.rows.append((
            wo_id, o.number, o.kind, self.cat_ids[row.code], o.priority, o.title, o.description, o.origin,
            o.requester, o.contact, o.department, o.location, o.parent, team, assignee, vendor, status,
            hold_reason, auto, response_due, resolution_due, submitted, dispatched, accepted, arrived, completed,
            closed, auto_closed, fault.findings if done else "", fault.cause if done else "",
            fault.actions if done else "", o.labour if done else 0, o.parts if done else "0.00", rating,
            rating_comment, reopened, stamp(held_since) if held_since is not None else None, int(held // 60),
            o.creator, submitted, last, o.equipment,
        ))  # fmt: skip
        if assignee and o.kind == K.REPAIR and rng.random() < 0.04:
            pool = [p for p in self.members.get(team, ()) if p != assignee]
            if pool:
                self.helper_rows.append((wo_id, rng.choice(pool)))
        if o.kind == K.REPAIR and o.span[1] > o.span[0]:
            self.recent.append(o)

    def _attach(self, o: _Order) -> None:
        """Called once an order's timeline is drawn and its number given, before its rows are made:
        a subclass adds what goes with it (the item it is about, its planned work)."""

    def _link(self, o: _Order) -> None:
        """An assistance order: asked for by the technician of a recent order of another trade at
        work at that moment, at its place; otherwise it stays a plain repair report."""
        for parent in reversed(self.recent):
            if parent.category is not o.category and parent.span[0] <= o.t0 < parent.span[1] and parent.assignee:
                o.parent, o.origin = parent.id, ORIG.ORDER
                o.requester, o.requester_user = parent.assignee, self.user_of.get(parent.assignee)
                o.creator, o.contact = o.requester_user, ""
                o.department, o.location = parent.department, parent.location
                o.title = f"协助 {parent.number}：{parent.title}"[:120]
                o.description = f"{parent.title}，需要{o.category.name}专业协助处理。"
                status = next((e[2] for e in reversed(parent.events) if e[0] <= o.t0), S.IN_PROGRESS)
                self.event_rows.append((
                    parent.id, E.ASSISTANCE, status, status, o.creator, self.stamp(o.t0), o.description,
                    json.dumps({"child": o.id, "number": o.number}),
                ))  # fmt: skip
                return
        o.kind = K.REPAIR


def _raise_sequences(used: dict[dt.date, int], existing: dict[dt.date, int]) -> None:
    """Each day's counter up to the last number used, so orders filed later continue after them."""
    DailySequence.objects.bulk_create(
        [DailySequence(day=day, last=last) for day, last in used.items() if day not in existing], batch_size=1000
    )
    for day, last in used.items():
        if day in existing and existing[day] < last:
            DailySequence.objects.filter(day=day, last__lt=last).update(last=last)


# --- writers ----------------------------------------------------------------------------------------
