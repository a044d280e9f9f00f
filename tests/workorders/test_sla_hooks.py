"""SLA escalation once per level, auto-close of unverified orders, milestone hooks for other apps,
and the duplicate guard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from logistics.notifications.models import Notification
from logistics.org.models import Campus, Location, Staff, Team
from logistics.org.roles import MANAGER
from workorders.hooks import MilestoneHook, milestone_hooks
from workorders.models import Category, SlaEscalation, WorkOrder
from workorders.selectors import open_duplicates
from workorders.services import (
    work_order_accept,
    work_order_cancel,
    work_order_complete,
    work_order_create,
    work_order_dispatch,
)
from workorders.sla import auto_close_due, sla_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(make_user):
    campus = Campus.objects.create(code="MAIN", name="本部")
    place = Location.objects.create(campus=campus, code="5B", name="5B病区")
    team = Team.objects.create(code="hvac", name="空调班")
    lead = Staff.objects.create(employee_no="1", name="班长", team=team, user=make_user("lead"))
    team.lead = lead
    team.save()
    boss = Staff.objects.create(employee_no="8", name="主任", user=make_user("boss", roles=(MANAGER,)))
    tech = Staff.objects.create(employee_no="2", name="张师傅", team=team, user=make_user("tech"))
    return dict(place=place, team=team, lead=lead, boss=boss, tech=tech,
                hvac=Category.objects.create(code="hvac", name="空调", team=team))  # fmt: skip


def order(org, **kw):
    return work_order_create(category=org["hvac"], title="不制冷", location=org["place"], **kw)


def test_overdue_response_escalates_once_per_level(org):
    wo = order(org)
    start = timezone.now()
    WorkOrder.objects.filter(pk=wo.pk).update(submitted_at=start, response_due=start + dt.timedelta(minutes=30))
    assert sla_check(now=start + dt.timedelta(minutes=10)) == 0  # not overdue yet
    assert sla_check(now=start + dt.timedelta(minutes=31)) == 1
    assert sla_check(now=start + dt.timedelta(minutes=32)) == 0  # level 1 already sent
    lead_notes = Notification.objects.filter(recipient=org["lead"].user, verb="workorders.overdue_response")
    assert lead_notes.count() == 1
    assert sla_check(now=start + dt.timedelta(minutes=61)) == 1  # twice the target: the managers
    assert Notification.objects.filter(recipient=org["boss"].user, verb="workorders.overdue_response").count() == 1
    assert sla_check(now=start + dt.timedelta(minutes=90)) == 0
    # Accepted: no longer awaiting a response, nothing more about it.
    work_order_dispatch(work_order=wo, assignee=org["tech"])
    work_order_accept(work_order=wo, technician=org["tech"])
    assert SlaEscalation.objects.filter(work_order=wo).count() == 2


def test_unverified_completed_orders_close_after_the_configured_days(org, settings):
    settings.WORKORDER_AUTO_CLOSE_DAYS = 3
    old, recent = order(org), order(org)
    for wo in (old, recent):
        work_order_dispatch(work_order=wo, assignee=org["tech"])
        work_order_accept(work_order=wo, technician=org["tech"])
        WorkOrder.objects.filter(pk=wo.pk).update(status="on_site")
        work_order_complete(work_order=wo, technician=org["tech"], findings="ok")
    WorkOrder.objects.filter(pk=old.pk).update(completed_at=timezone.now() - dt.timedelta(days=4))
    assert auto_close_due() == 1
    assert auto_close_due() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.auto_closed, recent.status) == ("closed", True, "completed")


def test_milestone_hooks_run_in_the_transaction(org):
    seen = []

    def record(wo, milestone, actor):
        seen.append((wo.number, milestone))

    milestone_hooks.register(MilestoneHook("test.seen", frozenset({"dispatched", "cancelled"}), record))

    def refuse(wo, milestone, actor):
        raise RuntimeError("spare parts cannot release the requisition")

    try:
        wo = order(org)
        work_order_dispatch(work_order=wo, assignee=org["tech"])
        assert seen == [(wo.number, "dispatched")]
        milestone_hooks.register(MilestoneHook("test.refuse", frozenset({"cancelled"}), refuse))
        with pytest.raises(RuntimeError):
            work_order_cancel(work_order=wo, reason="重复", actor=None)
        assert WorkOrder.objects.get(pk=wo.pk).status == "dispatched"  # the milestone did not happen
    finally:
        milestone_hooks.unregister("test.seen")
        milestone_hooks.unregister("test.refuse")
    with pytest.raises(ValueError):
        MilestoneHook("bad", frozenset({"exploded"}), refuse)


def test_duplicate_guard_lists_open_orders_of_the_same_fault(org):
    first = order(org)
    assert list(open_duplicates(category=org["hvac"], location=org["place"])) == [first]
    work_order_cancel(work_order=first, reason="误报", actor=None)
    assert not open_duplicates(category=org["hvac"], location=org["place"]).exists()
    assert not open_duplicates(category=org["hvac"], location=None).exists()


def _on_hold(org, minutes_ago: int):
    from workorders.services import work_order_arrive, work_order_hold

    wo = order(org, priority="urgent")
    work_order_dispatch(work_order=wo, assignee=org["tech"])
    work_order_accept(work_order=wo, technician=org["tech"])
    work_order_arrive(work_order=wo, technician=org["tech"], scanned_location=org["place"])
    work_order_hold(work_order=wo, technician=org["tech"], reason="parts")
    due = timezone.now() + dt.timedelta(minutes=30)
    WorkOrder.objects.filter(pk=wo.pk).update(
        held_since=timezone.now() - dt.timedelta(minutes=minutes_ago), resolution_due=due
    )
    return WorkOrder.objects.get(pk=wo.pk), due


def test_time_on_hold_moves_the_resolution_target_and_is_not_overdue(org, settings):
    from workorders.services import work_order_start

    settings.WORKORDER_SLA_EXCLUDE_HOLD = True
    wo, due = _on_hold(org, minutes_ago=90)
    # waiting for parts past the target: no escalation while on hold
    assert sla_check(now=due + dt.timedelta(minutes=5)) == 0
    work_order_start(work_order=wo, technician=org["tech"])
    wo.refresh_from_db()
    assert wo.held_minutes == 90 and wo.held_since is None
    assert abs((wo.resolution_due - due) - dt.timedelta(minutes=90)) < dt.timedelta(seconds=5)


def test_time_on_hold_counts_when_configured(org, settings):
    from workorders.services import work_order_start

    settings.WORKORDER_SLA_EXCLUDE_HOLD = False
    wo, due = _on_hold(org, minutes_ago=90)
    assert sla_check(now=due + dt.timedelta(minutes=5)) == 1
    work_order_start(work_order=wo, technician=org["tech"])
    wo.refresh_from_db()
    assert wo.held_minutes == 90 and wo.resolution_due == due


def test_assistance_is_a_linked_child_order_and_escalation_reaches_the_lead(org):
    from django.utils import translation

    from workorders.services import work_order_escalate, work_order_request_assistance

    water_team = Team.objects.create(code="water", name="水电班")
    water = Category.objects.create(code="water", name="水电", team=water_team)
    with translation.override("en"):
        wo = order(org)
        work_order_dispatch(work_order=wo, assignee=org["tech"])
        with pytest.raises(Exception, match="under way"):
            work_order_request_assistance(work_order=wo, technician=org["tech"], category=water, description="需要断电")
        work_order_accept(work_order=wo, technician=org["tech"])
        child = work_order_request_assistance(work_order=wo, technician=org["tech"], category=water,
                                              description="需要水电班断电配合")  # fmt: skip
        assert (child.parent, child.kind, child.origin, child.team, child.location) == (
            wo, "assistance", "order", water_team, org["place"])  # fmt: skip
        assert wo.events.filter(kind="assistance", data__number=child.number).exists()
        work_order_escalate(work_order=wo, technician=org["tech"], reason="压缩机损坏，需要决定是否更换")
        assert Notification.objects.filter(recipient=org["lead"].user, verb="workorders.escalated").exists()
        other = Staff.objects.create(employee_no="3", name="李师傅", team=org["team"])
        with pytest.raises(Exception, match="not assigned to you"):
            work_order_escalate(work_order=wo, technician=other, reason="x")
