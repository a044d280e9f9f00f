"""Automatic dispatch: ordered rules, least loaded or round robin among the team members on duty
now (attendance), the team queue when nobody is, vendors, and time windows across midnight."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from attendance.models import RosterEntry, ShiftType
from attendance.services import PunchIn, punches_record
from logistics.org.models import Campus, Location, Staff, Team, Vendor
from workorders.dispatch import rule_matches
from workorders.models import Category, DispatchRule, WorkOrder
from workorders.services import work_order_create, work_order_dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    campus = Campus.objects.create(code="MAIN", name="本部")
    place = Location.objects.create(campus=campus, code="5B", name="5B病区")
    team = Team.objects.create(code="hvac", name="空调班")
    now = timezone.localtime()
    start = now - dt.timedelta(hours=2)
    # A shift around now (it may cross midnight: the rules handle that).
    shift = ShiftType.objects.create(code="AC", name="空调班", team=team, start=start.time().replace(microsecond=0),
                                     end=(now + dt.timedelta(hours=6)).time().replace(microsecond=0))  # fmt: skip
    people = {}
    for no, name, on_duty in (("101", "甲", True), ("102", "乙", True), ("103", "丙", False)):
        person = Staff.objects.create(employee_no=no, name=name, team=team, attendance_tracked=True)
        RosterEntry.objects.create(staff=person, date=start.date(), shift=shift)
        if on_duty:
            punch = (now - dt.timedelta(hours=1)).replace(tzinfo=None, microsecond=0)
            punches_record(terminal_serial="T1", tz="Asia/Shanghai", punches=[PunchIn(no, punch)], source="pull")
        people[name] = person
    hvac = Category.objects.create(code="hvac", name="空调", team=team)
    return dict(place=place, team=team, hvac=hvac, **people)


def report(world, **kw):
    return work_order_create(category=world["hvac"], title="不制冷", location=world["place"], **kw)


def test_least_loaded_on_duty_technician_gets_the_order(world):
    DispatchRule.objects.create(name="空调", team=world["team"], strategy="least_loaded")
    busy = work_order_create(category=world["hvac"], title="旧单", auto_dispatch=False)
    work_order_dispatch(work_order=busy, assignee=world["甲"])
    wo = report(world)
    assert (wo.status, wo.assignee, wo.auto_dispatched) == ("dispatched", world["乙"], True)
    # 丙 is rostered but has not punched in: never chosen.
    assert report(world).assignee in (world["甲"], world["乙"])


def test_round_robin_alternates_among_those_on_duty(world):
    DispatchRule.objects.create(name="轮流", team=world["team"], strategy="round_robin")
    assert [report(world).assignee.name for _ in range(3)] == ["甲", "乙", "甲"]


def test_nobody_on_duty_leaves_the_order_in_the_team_queue(world):
    night = Team.objects.create(code="night", name="夜班组")
    DispatchRule.objects.create(name="夜间", team=night, strategy="least_loaded")
    wo = report(world)
    assert (wo.status, wo.assignee, wo.team, wo.auto_dispatched) == ("submitted", None, night, False)


def test_rules_apply_in_order_and_only_when_they_match(world):
    vendor = Vendor.objects.create(name="大金售后")
    DispatchRule.objects.create(name="紧急给厂家", order=1, priority="urgent", vendor=vendor)
    other = Category.objects.create(code="water", name="水电")
    wrong = DispatchRule.objects.create(name="只管水电", order=2, team=world["team"], strategy="least_loaded")
    wrong.categories.add(other)
    DispatchRule.objects.create(name="固定给丙", order=3, person=world["丙"], strategy="fixed")
    urgent = report(world, priority="urgent")
    assert (urgent.vendor, urgent.assignee, urgent.status) == (vendor, None, "dispatched")
    normal = report(world)
    assert normal.assignee == world["丙"]  # the water rule does not match an HVAC order
    assert WorkOrder.objects.filter(auto_dispatched=True).count() == 2


def test_a_planned_order_goes_to_its_plan_team_whatever_the_rules_say(world):
    night = Team.objects.create(code="night", name="夜班组")
    DispatchRule.objects.create(name="全天给夜班组", order=1, team=night, strategy="least_loaded")
    reported = report(world)
    assert (reported.team, reported.assignee) == (night, None)  # the rule catches a reported fault
    planned = work_order_create(category=world["hvac"], title="空调机组月保", kind="maintenance", origin="plan",
                                location=world["place"], team=world["team"])  # fmt: skip
    assert planned.team == world["team"] and planned.assignee in (world["甲"], world["乙"])  # on duty in its team
    assert planned.auto_dispatched is True
    nobody = Team.objects.create(code="idle", name="无人班组")
    waiting = work_order_create(category=world["hvac"], title="巡检", kind="inspection", origin="plan",
                                location=world["place"], team=nobody)  # fmt: skip
    assert (waiting.status, waiting.team, waiting.assignee) == ("submitted", nobody, None)


def test_time_window_across_midnight():
    rule = DispatchRule(name="夜间", time_from=dt.time(20), time_to=dt.time(8))
    wo = WorkOrder(priority="normal")
    zone = timezone.get_default_timezone()
    at = lambda h: dt.datetime(2026, 11, 21, h, 30, tzinfo=zone)  # noqa: E731
    assert rule_matches(rule, wo, at(23), set()) and rule_matches(rule, wo, at(2), set())
    assert not rule_matches(rule, wo, at(12), set())
    day = DispatchRule(name="白天", time_from=dt.time(8), time_to=dt.time(20))
    assert rule_matches(day, wo, at(12), set()) and not rule_matches(day, wo, at(21), set())
