"""Work-order services: numbering, SLA due times, the loop from report to rated close, who may act,
the arrival scan (presence evidence for attendance), bad input, and races on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from attendance.models import PresenceEvidence
from logistics.common.errors import DomainError, InvalidTransition
from logistics.notifications.models import Notification
from logistics.org.models import Building, Campus, Floor, Location, Staff, Team
from tests.conftest import race
from workorders.models import Category, SlaPolicy, WorkOrder, WorkOrderEvent
from workorders.services import (
    location_matches,
    work_order_accept,
    work_order_arrive,
    work_order_auto_close,
    work_order_cancel,
    work_order_complete,
    work_order_create,
    work_order_dispatch,
    work_order_hold,
    work_order_reject,
    work_order_start,
    work_order_verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in English (the catalogue's zh-hans is the site default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def org(make_user):
    campus = Campus.objects.create(code="MAIN", name="本部")
    building = Building.objects.create(campus=campus, code="B1", name="门诊楼")
    floor = Floor.objects.create(building=building, code="F5", name="5F")
    ward = Location.objects.create(
        campus=campus, building=building, floor=floor, code="5B", name="5B病区", kind="ward_area"
    )
    room = Location.objects.create(campus=campus, building=building, floor=floor, code="5B-12", name="5B-12病房")
    elsewhere = Location.objects.create(campus=campus, code="PLANT", name="动力中心", kind="plant_room")
    team = Team.objects.create(code="hvac", name="空调班")
    lead = Staff.objects.create(employee_no="1", name="班长", team=team, user=make_user("lead"))
    team.lead = lead
    team.save()
    tech = Staff.objects.create(
        employee_no="2", name="张师傅", team=team, user=make_user("tech"), attendance_tracked=True
    )
    other = Staff.objects.create(employee_no="3", name="李师傅", team=team, user=make_user("other"))
    nurse = Staff.objects.create(employee_no="9", name="护士长", user=make_user("nurse"))
    hvac = Category.objects.create(code="hvac", name="空调", team=team)
    SlaPolicy.objects.create(priority="urgent", response_minutes=15, resolution_minutes=240)
    SlaPolicy.objects.create(priority="urgent", category=hvac, response_minutes=10, resolution_minutes=120)
    return dict(ward=ward, room=room, elsewhere=elsewhere, team=team, lead=lead, tech=tech, other=other,
                nurse=nurse, hvac=hvac)  # fmt: skip


def new(org, **kw):
    kw.setdefault("priority", "urgent")
    kw.setdefault("title", "5B空调不制冷")
    return work_order_create(category=org["hvac"], requester=org["nurse"], location=org["ward"],
                             actor=org["nurse"].user, **kw)  # fmt: skip


def test_numbers_are_daily_and_dues_come_from_the_category_policy(org):
    first, second = new(org), new(org)
    today = timezone.localdate()
    assert first.number == f"WO-{today:%Y%m%d}-0001" and second.number == f"WO-{today:%Y%m%d}-0002"
    assert first.response_due - first.submitted_at == dt.timedelta(minutes=10)  # the category's own policy
    assert first.resolution_due - first.submitted_at == dt.timedelta(minutes=120)
    assert first.team == org["team"] and first.status == "submitted"
    normal = new(org, priority="normal")
    assert normal.response_due is None  # no policy for normal priority


def test_the_whole_loop_to_a_rated_close(org):
    wo = new(org)
    tech, nurse = org["tech"], org["nurse"]
    work_order_dispatch(work_order=wo, assignee=tech, actor=org["lead"].user)
    dispatched = Notification.objects.get(recipient=tech.user, verb="workorders.dispatched")
    assert dispatched.url == f"/workorders/{wo.pk}/"  # the notice opens the order
    work_order_accept(work_order=wo, technician=tech, actor=tech.user)
    assert Notification.objects.filter(recipient=nurse.user, verb="workorders.accepted").exists()
    work_order_arrive(work_order=wo, technician=tech, scanned_location=org["room"], actor=tech.user)
    evidence = PresenceEvidence.objects.get(staff=tech)
    assert (evidence.source, evidence.reference) == ("workorder", wo.number)
    work_order_start(work_order=wo, technician=tech, actor=tech.user)
    work_order_hold(work_order=wo, technician=tech, reason="parts", comment="等压缩机", actor=tech.user)
    work_order_start(work_order=wo, technician=tech, actor=tech.user)
    work_order_complete(work_order=wo, technician=tech, findings="压缩机损坏", actions="更换压缩机", labour_minutes=90,
                        actor=tech.user)  # fmt: skip
    # The requester rejects once: reopened and dispatched again to the same technician.
    work_order_verify(work_order=wo, actor=nurse.user, accept=False, comment="仍然不制冷")
    wo.refresh_from_db()
    assert (wo.status, wo.reopen_count, wo.assignee) == ("dispatched", 1, tech)
    work_order_accept(work_order=wo, technician=tech, actor=tech.user)
    work_order_arrive(work_order=wo, technician=tech, scanned_location=org["ward"], actor=tech.user)
    work_order_complete(work_order=wo, technician=tech, findings="补充冷媒", labour_minutes=30, actor=tech.user)
    work_order_verify(work_order=wo, actor=nurse.user, accept=True, rating=5, comment="好")
    wo.refresh_from_db()
    assert (wo.status, wo.rating, wo.auto_closed) == ("closed", 5, False)
    kinds = list(WorkOrderEvent.objects.filter(work_order=wo).values_list("kind", flat=True))
    assert kinds == ["submitted", "dispatched", "accepted", "arrived", "started", "held", "resumed", "completed",
                     "reopened", "accepted", "arrived", "completed", "verified"]  # fmt: skip


def test_only_the_assignee_acts_and_only_the_requester_verifies(org):
    wo = new(org)
    work_order_dispatch(work_order=wo, assignee=org["tech"], actor=None)
    with pytest.raises(DomainError, match="not assigned to you"):
        work_order_accept(work_order=wo, technician=org["other"], actor=org["other"].user)
    work_order_accept(work_order=wo, technician=org["tech"])
    work_order_arrive(work_order=wo, technician=org["tech"], scanned_location=org["ward"])
    work_order_complete(work_order=wo, technician=org["tech"], findings="ok")
    with pytest.raises(DomainError, match="Only the requester"):
        work_order_verify(work_order=wo, actor=org["tech"].user, accept=True, rating=5)
    with pytest.raises(DomainError, match="from 1 to 5"):
        work_order_verify(work_order=wo, actor=org["nurse"].user, accept=True, rating=6)
    with pytest.raises(DomainError):
        work_order_verify(work_order=wo, actor=org["nurse"].user, accept=False, comment="")  # reason required
    assert WorkOrder.objects.get(pk=wo.pk).status == "completed"


def test_arrival_scan_must_be_the_place_or_inside_it(org):
    assert location_matches(org["ward"], org["room"])  # a room on the ward's floor
    assert not location_matches(org["room"], org["ward"])  # a room does not contain the ward
    assert not location_matches(org["ward"], org["elsewhere"])
    wo = new(org)
    work_order_dispatch(work_order=wo, assignee=org["tech"])
    work_order_accept(work_order=wo, technician=org["tech"])
    with pytest.raises(DomainError, match="动力中心"):
        work_order_arrive(work_order=wo, technician=org["tech"], scanned_location=org["elsewhere"])
    wo.refresh_from_db()
    assert wo.status == "accepted" and not PresenceEvidence.objects.exists()


def test_out_of_order_and_bad_input_change_nothing(org):
    wo = new(org)
    with pytest.raises(InvalidTransition):
        work_order_accept(work_order=wo, technician=org["tech"])  # not dispatched yet
    with pytest.raises(DomainError):
        new(org, title="  ")
    with pytest.raises(DomainError):
        new(org, title="x" * 121)
    with pytest.raises(DomainError):
        new(org, priority="whenever")
    work_order_dispatch(work_order=wo, assignee=org["tech"])
    work_order_reject(work_order=wo, technician=org["tech"], reason="不是我的专业")
    wo.refresh_from_db()
    assert (wo.status, wo.assignee) == ("submitted", None)
    assert Notification.objects.filter(recipient=org["lead"].user, verb="workorders.rejected").exists()
    work_order_cancel(work_order=wo, reason="重复报修", actor=org["lead"].user)
    with pytest.raises(InvalidTransition):
        work_order_cancel(work_order=wo, reason="again", actor=org["lead"].user)
    assert WorkOrder.objects.count() == 1


def test_auto_close_only_closes_unverified_completed_orders(org):
    wo = new(org)
    work_order_dispatch(work_order=wo, assignee=org["tech"])
    assert work_order_auto_close(work_order=wo) is False
    work_order_accept(work_order=wo, technician=org["tech"])
    work_order_arrive(work_order=wo, technician=org["tech"], scanned_location=org["ward"])
    work_order_complete(work_order=wo, technician=org["tech"], findings="ok")
    assert work_order_auto_close(work_order=wo) is True
    wo.refresh_from_db()
    assert (wo.status, wo.auto_closed) == ("closed", True)


@pytest.mark.django_db(transaction=True)
def test_two_accepts_and_verify_racing_auto_close(org):
    wo = new(org)
    work_order_dispatch(work_order=wo, assignee=org["tech"])
    wo.helpers.add(org["other"])
    outcomes = race(lambda: work_order_accept(work_order=wo, technician=org["tech"]),
                     lambda: work_order_accept(work_order=wo, technician=org["other"]))  # fmt: skip
    assert outcomes == ["InvalidTransition", "ok"]
    assert WorkOrderEvent.objects.filter(work_order=wo, kind="accepted").count() == 1

    work_order_arrive(work_order=wo, technician=org["tech"], scanned_location=org["ward"])
    outcomes = race(lambda: work_order_complete(work_order=wo, technician=org["tech"], findings="a"),
                     lambda: work_order_complete(work_order=wo, technician=org["tech"], findings="b"))  # fmt: skip
    assert outcomes == ["InvalidTransition", "ok"]
    outcomes = race(lambda: work_order_verify(work_order=wo, actor=org["nurse"].user, accept=True, rating=4),
                     lambda: work_order_auto_close(work_order=wo))  # fmt: skip
    wo.refresh_from_db()
    assert wo.status == "closed"
    assert wo.auto_closed == (wo.rating is None)  # exactly one of them closed it
    assert WorkOrderEvent.objects.filter(work_order=wo, kind__in=["verified", "auto_closed"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_report_at_once_file_one_order(org):
    import uuid

    key = uuid.uuid4()
    outcomes = race(*[lambda: new(org, submission_key=key) for _ in range(2)])
    assert outcomes == ["ok", "ok"]
    assert WorkOrder.objects.filter(submission_key=key).count() == 1
    assert WorkOrder.objects.get().number.endswith("-0001")
