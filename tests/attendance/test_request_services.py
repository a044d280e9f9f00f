"""Request services: the workflow (who approves at which step, transitions that cannot happen),
how many days a leave takes, overlaps, hours, balances, correction limits, and the days queued for
recomputation by approvals and revocations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from attendance.models import (
    AttendanceRequest,
    CalendarDay,
    DirtyDay,
    LeaveBalance,
    Punch,
    RequestStatus,
    RosterEntry,
    ShiftType,
)
from attendance.services import (
    correction_request_submit,
    leave_balance,
    leave_days,
    leave_request_submit,
    overtime_request_submit,
    request_approve,
    request_cancel,
    request_reject,
)
from logistics.common.errors import DomainError, InvalidTransition
from logistics.org.models import Staff

from . import test_request_pages as shared

org = shared.org  # the people and leave types of the request pages' tests
MONDAY = shared.MONDAY

D = dt.timedelta(days=1)


def submit(org, staff=None, *, start=MONDAY, end=None, leave_type=None, portion="full", start_at=None, end_at=None):
    staff = staff or org.worker
    return leave_request_submit(
        staff=staff, leave_type=leave_type or org.sick, start_date=start, end_date=end or start, portion=portion,
        start_at=start_at, end_at=end_at, reason="事由", actor=staff.user,
    )  # fmt: skip


def dirty(staff) -> set[dt.date]:
    return set(DirtyDay.objects.filter(staff=staff).values_list("date", flat=True))


# --- workflow ------------------------------------------------------------------------------------
def test_lead_approval_is_final_when_no_second_step_is_needed(org):
    req = submit(org)
    assert (req.status, req.needs_admin) == (RequestStatus.PENDING_LEAD, False)
    req = request_approve(request=req, actor=org.lead.user, comment="ok")
    assert req.status == RequestStatus.APPROVED and req.decided_at is not None


def test_approving_or_rejecting_twice_is_an_invalid_transition(org):
    req = submit(org)
    request_approve(request=req, actor=org.lead.user)
    with pytest.raises(InvalidTransition):
        request_approve(request=req, actor=org.lead.user)
    with pytest.raises(InvalidTransition):
        request_reject(request=req, actor=org.admin, comment="no")
    rejected = submit(org, start=MONDAY + 7 * D)
    request_reject(request=rejected, actor=org.lead.user, comment="人手不够")
    with pytest.raises(InvalidTransition):
        request_approve(request=rejected, actor=org.admin)
    with pytest.raises(InvalidTransition):
        request_cancel(request=rejected, actor=org.worker.user)
    assert AttendanceRequest.objects.get(pk=rejected.pk).events.count() == 2


def test_second_step_goes_to_the_administrator(org):
    req = submit(org, end=MONDAY + 2 * D, leave_type=org.personal)  # 3 days ≥ 3: the administrator too
    req = request_approve(request=req, actor=org.lead.user)
    assert req.status == RequestStatus.PENDING_ADMIN
    with pytest.raises(DomainError):  # the lead's step is done
        request_approve(request=req, actor=org.lead.user)
    assert request_approve(request=req, actor=org.admin).status == RequestStatus.APPROVED
    assert list(req.events.values_list("kind", flat=True)) == ["submitted", "lead_approved", "approved"]


def test_administrator_may_decide_at_the_first_step(org):
    req = submit(org, end=MONDAY + 2 * D, leave_type=org.personal)
    assert request_approve(request=req, actor=org.admin).status == RequestStatus.APPROVED


def test_lead_of_another_team_cannot_decide(org):
    req = submit(org)
    with pytest.raises(DomainError):
        request_approve(request=req, actor=org.other_lead.user)
    with pytest.raises(DomainError):
        request_reject(request=req, actor=org.other_lead.user, comment="no")
    assert AttendanceRequest.objects.get(pk=req.pk).status == RequestStatus.PENDING_LEAD


def test_a_leads_own_request_and_a_team_without_lead_go_to_the_administrator(org):
    own = submit(org, org.lead)
    assert own.status == RequestStatus.PENDING_ADMIN
    with pytest.raises(DomainError):
        request_approve(request=own, actor=org.lead.user)
    loner = org.person("300001", "孤独", None)
    assert submit(org, loner).status == RequestStatus.PENDING_ADMIN


def test_reject_needs_a_reason(org):
    req = submit(org)
    with pytest.raises(DomainError):
        request_reject(request=req, actor=org.lead.user, comment="  ")
    assert AttendanceRequest.objects.get(pk=req.pk).status == RequestStatus.PENDING_LEAD


def test_untracked_staff_cannot_ask(org):
    Staff.objects.filter(pk=org.worker.pk).update(attendance_tracked=False)
    with pytest.raises(DomainError):
        submit(org, Staff.objects.get(pk=org.worker.pk))


# --- leave days ----------------------------------------------------------------------------------
def test_leave_days_count_calendar_workdays_without_a_roster(org):
    week = {"staff": org.worker, "start_date": MONDAY, "end_date": MONDAY + 6 * D, "portion": "full"}
    assert leave_days(**week) == 5
    CalendarDay.objects.create(date=MONDAY + 2 * D, kind="holiday", name="节日")
    CalendarDay.objects.create(date=MONDAY + 5 * D, kind="workday", name="调休上班")
    assert leave_days(**week) == 5  # Wednesday off, Saturday worked
    assert leave_days(staff=org.worker, start_date=MONDAY + 2 * D, end_date=MONDAY + 2 * D, portion="am") == 0


def test_leave_days_count_rostered_days_for_shift_workers(org):
    night = ShiftType.objects.create(code="N", name="夜班", start=dt.time(20), end=dt.time(8))
    for offset in (0, 3, 6):  # night, off, off, night ...
        RosterEntry.objects.create(staff=org.worker, date=MONDAY + offset * D, shift=night)
    assert leave_days(staff=org.worker, start_date=MONDAY, end_date=MONDAY + 6 * D, portion="full") == 3
    assert leave_days(staff=org.worker, start_date=MONDAY + D, end_date=MONDAY + D, portion="full") == 0
    assert leave_days(staff=org.worker, start_date=MONDAY + 3 * D, end_date=MONDAY + 3 * D, portion="pm") == 0.5
    with pytest.raises(DomainError):  # a weekday that is a day off for this person: no leave needed
        submit(org, start=MONDAY + D, leave_type=org.annual)
    assert leave_balance(staff=org.worker, leave_type=org.annual, year=2030)["available"] == 5


def test_overlapping_leave_is_refused(org):
    submit(org, end=MONDAY + 2 * D)
    with pytest.raises(DomainError):
        submit(org, start=MONDAY + 2 * D, end=MONDAY + 4 * D)
    friday = MONDAY + 4 * D
    submit(org, start=friday, portion="am")
    submit(org, start=friday, portion="pm")  # the other half of the day is fine
    with pytest.raises(DomainError):
        submit(org, start=friday, portion="am")
    rejected = AttendanceRequest.objects.get(start_date=MONDAY)
    request_reject(request=rejected, actor=org.lead.user, comment="no")
    submit(org, start=MONDAY + D)  # a rejected leave no longer blocks its days


def test_hours_leave(org):
    tuesday = MONDAY + D
    at = lambda h, m=0: dt.datetime.combine(tuesday, dt.time(h, m))  # noqa: E731
    req = submit(org, start=tuesday, portion="hours", start_at=at(9), end_at=at(11))
    assert (req.minutes, req.days, req.end_date) == (120, Decimal("0.3"), tuesday)
    submit(org, start=tuesday, portion="hours", start_at=at(14), end_at=at(15, 30))
    with pytest.raises(DomainError):  # overlaps 09:00–11:00
        submit(org, start=tuesday, portion="hours", start_at=at(10), end_at=at(12))
    with pytest.raises(DomainError):  # end before start
        submit(org, start=MONDAY + 2 * D, portion="hours", start_at=at(11), end_at=at(9))
    with pytest.raises(DomainError):  # full day over the same day
        submit(org, start=tuesday)


def test_balance_counts_pending_and_approved_and_refuses_beyond_it(org):
    LeaveBalance.objects.create(staff=org.worker, year=2030, leave_type=org.annual, entitled_days=3, carried_days=1)
    first = submit(org, end=MONDAY + D, leave_type=org.annual)
    request_approve(request=first, actor=org.lead.user)
    submit(org, start=MONDAY + 7 * D, leave_type=org.annual)
    balance = leave_balance(staff=org.worker, leave_type=org.annual, year=2030)
    assert balance == {"entitled": 4, "used": 2, "pending": 1, "available": 1}
    with pytest.raises(DomainError, match="2030"):
        submit(org, start=MONDAY + 14 * D, end=MONDAY + 15 * D, leave_type=org.annual)
    request_cancel(request=first, actor=org.admin)  # revoked: the days return
    assert leave_balance(staff=org.worker, leave_type=org.annual, year=2030)["available"] == 3


def test_balance_without_a_row_is_the_types_default(org):
    assert leave_balance(staff=org.worker, leave_type=org.annual, year=2031)["entitled"] == 5
    assert leave_balance(staff=org.worker, leave_type=org.sick, year=2031) is None


def test_leave_cannot_cross_a_year_end(org):
    with pytest.raises(DomainError):
        submit(org, start=dt.date(2030, 12, 30), end=dt.date(2031, 1, 2))


# --- overtime ------------------------------------------------------------------------------------
def test_overlapping_overtime_is_refused(org):
    at = lambda h: dt.datetime.combine(MONDAY, dt.time(h))  # noqa: E731
    overtime_request_submit(staff=org.worker, start_at=at(18), end_at=at(21), reason="抢修", actor=org.worker.user)
    with pytest.raises(DomainError):
        overtime_request_submit(staff=org.worker, start_at=at(20), end_at=at(22), reason="抢修", actor=org.worker.user)
    overtime_request_submit(staff=org.worker, start_at=at(21), end_at=at(23), reason="抢修", actor=org.worker.user)


# --- corrections ---------------------------------------------------------------------------------
NOW = dt.datetime(2030, 3, 15, 12, 0)  # local wall clock


@pytest.fixture
def clock(monkeypatch):
    """The services read the time through ``timezone.now``: fix it at NOW."""
    zone = timezone.get_default_timezone()
    monkeypatch.setattr(timezone, "now", lambda: NOW.replace(tzinfo=zone))


def correction(org, at: dt.datetime):
    return correction_request_submit(staff=org.worker, punch_at=at, reason="忘记打卡", actor=org.worker.user)


def test_correction_limits(org, settings, clock):
    settings.ATTENDANCE_CORRECTIONS_PER_MONTH = 2
    with pytest.raises(DomainError):
        correction(org, NOW + dt.timedelta(minutes=5))  # the future
    with pytest.raises(DomainError):
        correction(org, NOW - dt.timedelta(days=settings.ATTENDANCE_CORRECTION_MAX_DAYS + 1))  # too long ago
    correction(org, dt.datetime(2030, 3, 1, 8, 0, 25))  # stored to the minute
    with pytest.raises(DomainError):  # the same minute twice
        correction(org, dt.datetime(2030, 3, 1, 8, 0))
    correction(org, dt.datetime(2030, 3, 2, 8, 0))
    with pytest.raises(DomainError, match="2"):  # the third in March
        correction(org, dt.datetime(2030, 3, 3, 8, 0))
    correction(org, dt.datetime(2030, 2, 28, 8, 0))  # February has its own count
    assert AttendanceRequest.objects.filter(kind="correction").count() == 3
    assert AttendanceRequest.objects.filter(start_at=dt.datetime(2030, 3, 1, 8, 0)).exists()


def test_rejected_corrections_do_not_count_towards_the_limit(org, settings, clock):
    settings.ATTENDANCE_CORRECTIONS_PER_MONTH = 1
    first = correction(org, dt.datetime(2030, 3, 10, 8, 0))
    request_reject(request=first, actor=org.lead.user, comment="有打卡记录")
    correction(org, dt.datetime(2030, 3, 11, 8, 0))


def _now_local() -> dt.datetime:
    return timezone.localtime().replace(tzinfo=None, second=0, microsecond=0)


def test_approved_correction_is_a_punch_and_cannot_be_revoked(org):
    at = _now_local() - dt.timedelta(hours=1)
    req = request_approve(request=correction(org, at), actor=org.lead.user)
    punch = Punch.objects.get(source="correction")
    assert req.correction_punch == punch and (punch.pin, punch.local_time) == ("200001", at)
    assert punch.created_by == org.lead.user and punch.terminal_serial == ""
    assert timezone.localtime(punch.punched_at).replace(tzinfo=None) == at
    with pytest.raises(DomainError):
        request_cancel(request=req, actor=org.admin)


# --- recomputation -------------------------------------------------------------------------------
def test_approval_marks_the_days_around_the_leave_dirty(org):
    req = submit(org, end=MONDAY + D)
    assert not dirty(org.worker)  # a pending request changes nothing yet
    request_approve(request=req, actor=org.lead.user)
    assert dirty(org.worker) == {MONDAY - D, MONDAY, MONDAY + D, MONDAY + 2 * D}


def test_revocation_by_the_administrator_marks_the_days_dirty(org):
    req = request_approve(request=submit(org), actor=org.lead.user)
    DirtyDay.objects.all().delete()
    with pytest.raises(DomainError):  # the requester cannot take back an approved leave
        request_cancel(request=req, actor=org.worker.user)
    assert not dirty(org.worker)
    assert request_cancel(request=req, actor=org.admin, comment="录错").status == RequestStatus.CANCELLED
    assert dirty(org.worker) == {MONDAY - D, MONDAY, MONDAY + D}


def test_withdrawing_an_open_request_changes_no_results(org):
    req = submit(org)
    assert request_cancel(request=req, actor=org.worker.user).status == RequestStatus.CANCELLED
    assert not dirty(org.worker)
    with pytest.raises(DomainError):  # somebody else cannot withdraw it
        request_cancel(request=submit(org, start=MONDAY + D), actor=org.colleague.user)
