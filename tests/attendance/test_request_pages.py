"""Request pages: the permission matrix (who may open, approve, reject, cancel), the forms with the
services' refusals shown as form errors, the approval queue with inline htmx decisions and bulk
approval, and the query count of the queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRequest, LeaveBalance, LeaveType, Punch, RequestStatus
from attendance.services import leave_request_submit, overtime_request_submit, request_approve
from logistics.org.models import Campus, Department, Staff, Team
from logistics.org.roles import ATTENDANCE_ADMIN, MANAGER, REQUESTER, TEAM_LEAD, TECHNICIAN
from logistics.org.services import roles_sync

MONDAY = dt.date(2030, 3, 4)  # a week without public holidays
HX = {"HX-Request": "true"}


@pytest.fixture
def org(db, make_user):
    """Two teams with their leads, a technician in each, the attendance administrator, a manager,
    a nurse without a tracked staff record, and three leave types: annual (5 days a year, the
    administrator too from 3 days), sick (no balance, the lead alone), personal (from 3 days the
    administrator too)."""
    roles_sync()
    campus = Campus.objects.create(code="M", name="本部")
    dept = Department.objects.create(code="L", name="后勤", campus=campus, kind="logistics")

    def person(no: str, name: str, team: Team | None, role: str | None = TECHNICIAN) -> Staff:
        user = make_user(f"u{no}", roles=(role,) if role else ())
        return Staff.objects.create(
            employee_no=no, name=name, department=dept, team=team, attendance_tracked=True, user=user
        )

    hvac = Team.objects.create(code="HVAC", name="空调组", campus=campus)
    power = Team.objects.create(code="POWER", name="水电组", campus=campus)
    lead = person("100001", "李组长", hvac, TEAM_LEAD)
    other_lead = person("100002", "赵组长", power, TEAM_LEAD)
    Team.objects.filter(pk=hvac.pk).update(lead=lead)
    Team.objects.filter(pk=power.pk).update(lead=other_lead)
    worker = person("200001", "王建国", hvac)
    colleague = person("200002", "陈师傅", power)
    # The default types come with a migration; their figures are set here so the tests say them.
    types = {
        "annual": {"has_balance": True, "default_days": Decimal("5"), "admin_approval_from_days": Decimal("3")},
        "sick": {"has_balance": False, "admin_approval_from_days": None},
        "personal": {"has_balance": False, "admin_approval_from_days": Decimal("3")},
    }
    annual, sick, personal = (
        LeaveType.objects.update_or_create(code=code, defaults={"name": name, "is_active": True, **types[code]})[0]
        for code, name in (("annual", "年假"), ("sick", "病假"), ("personal", "事假"))
    )
    return SimpleNamespace(
        campus=campus,
        dept=dept,
        hvac=Team.objects.get(pk=hvac.pk),
        power=Team.objects.get(pk=power.pk),
        lead=Staff.objects.get(pk=lead.pk),
        other_lead=other_lead,
        worker=Staff.objects.get(pk=worker.pk),
        colleague=Staff.objects.get(pk=colleague.pk),
        admin=make_user("kaoqin", roles=(ATTENDANCE_ADMIN,)),
        manager=make_user("jingli", roles=(MANAGER,)),
        nurse=make_user("hushi", roles=(REQUESTER,)),
        annual=annual,
        sick=sick,
        personal=personal,
        person=person,
    )


def leave(org, staff=None, *, days: int = 1, leave_type=None, start: dt.date = MONDAY) -> AttendanceRequest:
    staff = staff or org.worker
    return leave_request_submit(
        staff=staff,
        leave_type=leave_type or org.sick,
        start_date=start,
        end_date=start + dt.timedelta(days=days - 1),
        reason="发烧",
        actor=staff.user,
    )


def status_of(req: AttendanceRequest) -> str:
    return AttendanceRequest.objects.values_list("status", flat=True).get(pk=req.pk)


# --- who may open what ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["request_list", "request_leave_create", "request_overtime_create", "request_correction_create", "request_queue"],
)
def test_anonymous_goes_to_login(client, db, name):
    response = client.get(reverse(f"attendance:{name}"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_anonymous_cannot_open_or_decide_a_request(client, org):
    req = leave(org)
    assert client.get(reverse("attendance:request_detail", args=[req.pk]))["Location"].startswith("/accounts/login/")
    client.post(reverse("attendance:request_approve", args=[req.pk]))
    assert status_of(req) == RequestStatus.PENDING_LEAD


def test_requester_sees_their_own_request_but_not_someone_elses(client_as, org):
    mine, theirs = leave(org), leave(org, org.colleague)
    client = client_as(org.worker.user)
    page = client.get(reverse("attendance:request_detail", args=[mine.pk]))
    assert page.status_code == 200 and "发烧" in page.content.decode()
    assert 'id="approve-form"' not in page.content.decode()  # nobody approves their own request
    assert 'id="cancel-form"' in page.content.decode()
    assert client.get(reverse("attendance:request_detail", args=[theirs.pk])).status_code == 404
    listing = client.get(reverse("attendance:request_list")).content.decode()
    assert f'data-request="{mine.pk}"' in listing and f'data-request="{theirs.pk}"' not in listing


def test_lead_of_another_team_gets_404_and_cannot_approve(client_as, org):
    req = leave(org)
    client = client_as(org.other_lead.user)
    assert client.get(reverse("attendance:request_detail", args=[req.pk])).status_code == 404
    assert client.post(reverse("attendance:request_approve", args=[req.pk])).status_code == 404
    assert client.post(reverse("attendance:request_reject", args=[req.pk]), {"reject-comment": "x"}).status_code == 404
    assert status_of(req) == RequestStatus.PENDING_LEAD


def test_user_without_the_permission_gets_403_on_the_queue(client_as, org):
    assert client_as(org.worker.user).get(reverse("attendance:request_queue")).status_code == 403
    assert client_as(org.nurse).post(reverse("attendance:request_bulk_approve"), {"ids": [1]}).status_code == 403


def test_manager_may_look_but_not_decide(client_as, org):
    req = leave(org)
    client = client_as(org.manager)
    page = client.get(reverse("attendance:request_detail", args=[req.pk]))
    assert page.status_code == 200 and 'id="approve-form"' not in page.content.decode()
    assert client.post(reverse("attendance:request_approve", args=[req.pk])).status_code == 403
    assert status_of(req) == RequestStatus.PENDING_LEAD


def test_requester_cannot_approve_their_own_request(client_as, org):
    req = leave(org)
    assert client_as(org.worker.user).post(reverse("attendance:request_approve", args=[req.pk])).status_code == 403
    assert status_of(req) == RequestStatus.PENDING_LEAD


# --- decisions -----------------------------------------------------------------------------------
def test_lead_approves_their_team_members_request(client_as, org):
    req = leave(org)
    client = client_as(org.lead.user)
    page = client.get(reverse("attendance:request_detail", args=[req.pk])).content.decode()
    assert 'id="approve-form"' in page and 'id="reject-form"' in page
    response = client.post(reverse("attendance:request_approve", args=[req.pk]), {"approve-comment": "好好休息"})
    assert response.status_code == 302 and response["Location"] == reverse("attendance:request_detail", args=[req.pk])
    assert status_of(req) == RequestStatus.APPROVED
    assert list(req.events.values_list("kind", "comment")) == [("submitted", ""), ("approved", "好好休息")]
    again = client.post(reverse("attendance:request_approve", args=[req.pk]), follow=True)
    assert 'id="action-errors"' in again.content.decode()  # decided already: explained, not a crash


def test_request_needing_the_administrator_waits_for_them_after_the_lead(client_as, org):
    req = leave(org, days=3, leave_type=org.personal)  # 3 days of personal leave: the administrator too
    assert req.needs_admin
    client_as(org.lead.user).post(reverse("attendance:request_approve", args=[req.pk]))
    assert status_of(req) == RequestStatus.PENDING_ADMIN
    lead_page = client_as(org.lead.user).get(reverse("attendance:request_detail", args=[req.pk])).content.decode()
    assert 'id="approve-form"' not in lead_page  # the lead's step is done
    assert client_as(org.lead.user).post(reverse("attendance:request_approve", args=[req.pk])).status_code == 403
    client_as(org.admin).post(reverse("attendance:request_approve", args=[req.pk]))
    assert status_of(req) == RequestStatus.APPROVED
    assert list(req.events.values_list("kind", flat=True)) == ["submitted", "lead_approved", "approved"]


def test_reject_without_a_reason_is_a_form_error_and_changes_nothing(client_as, org):
    req = leave(org)
    client = client_as(org.lead.user)
    response = client.post(reverse("attendance:request_reject", args=[req.pk]), {"reject-comment": "  "})
    assert response.status_code == 200 and 'id="reject-error"' in response.content.decode()
    assert status_of(req) == RequestStatus.PENDING_LEAD and req.events.count() == 1
    client.post(reverse("attendance:request_reject", args=[req.pk]), {"reject-comment": "人手不够"})
    assert status_of(req) == RequestStatus.REJECTED
    assert req.events.last().comment == "人手不够"


def test_requester_withdraws_an_open_request(client_as, org):
    req = leave(org)
    response = client_as(org.worker.user).post(reverse("attendance:request_cancel", args=[req.pk]))
    assert response.status_code == 302 and status_of(req) == RequestStatus.CANCELLED


def test_only_the_administrator_revokes_an_approved_request(client_as, org):
    req = leave(org)
    request_approve(request=req, actor=org.lead.user)
    worker = client_as(org.worker.user)
    assert 'id="cancel-form"' not in worker.get(reverse("attendance:request_detail", args=[req.pk])).content.decode()
    assert worker.post(reverse("attendance:request_cancel", args=[req.pk])).status_code == 403
    assert status_of(req) == RequestStatus.APPROVED
    admin = client_as(org.admin)
    assert 'id="cancel-form"' in admin.get(reverse("attendance:request_detail", args=[req.pk])).content.decode()
    admin.post(reverse("attendance:request_cancel", args=[req.pk]), {"cancel-comment": "录错了"})
    assert status_of(req) == RequestStatus.CANCELLED


def test_htmx_decision_on_the_request_page_returns_the_updated_body(client_as, org):
    req = leave(org)
    response = client_as(org.lead.user).post(reverse("attendance:request_approve", args=[req.pk]), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-status="approved"' in html and response["HX-Trigger"] == "attendance-requests-changed"


# --- forms ---------------------------------------------------------------------------------------
def test_leave_form_shows_the_balance_and_submits(client_as, org):
    LeaveBalance.objects.create(
        staff=org.worker, year=timezone.localdate().year, leave_type=org.annual, entitled_days=7
    )
    client = client_as(org.worker.user)
    page = client.get(reverse("attendance:request_leave_create"), headers={"Accept-Language": "en"}).content.decode()
    assert "年假 (7 of 7 days left)" in page
    data = {"leave_type": org.annual.pk, "portion": "full", "start_date": "2030-03-04", "end_date": "2030-03-06",
            "reason": "回老家"}  # fmt: skip
    response = client.post(reverse("attendance:request_leave_create"), data)
    req = AttendanceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("attendance:request_detail", args=[req.pk])
    assert (req.days, req.status, req.staff, req.created_by) == (3, "pending_lead", org.worker, org.worker.user)


def test_leave_beyond_the_balance_is_a_form_error(client_as, org):
    client = client_as(org.worker.user)
    data = {"leave_type": org.annual.pk, "portion": "full", "start_date": "2030-03-04", "end_date": "2030-03-11",
            "reason": "旅游"}  # fmt: skip  # six working days, five a year by default
    response = client.post(reverse("attendance:request_leave_create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and "alert-danger" in html and "2030" in html
    assert not AttendanceRequest.objects.exists()


def test_hours_leave_and_its_day_count_preview(client_as, org):
    client = client_as(org.worker.user)
    data = {"leave_type": org.sick.pk, "portion": "hours", "start_date": "2030-03-05", "start_time": "09:00",
            "end_time": "11:00", "reason": "看牙"}  # fmt: skip
    preview = client.get(reverse("attendance:request_leave_days"), data, headers=HX).content.decode()
    assert 'id="leave-days-preview"' in preview and "0.3" in preview
    client.post(reverse("attendance:request_leave_create"), data)
    req = AttendanceRequest.objects.get()
    assert (req.portion, req.minutes, req.days) == ("hours", 120, Decimal("0.3"))
    assert (req.start_at, req.end_at) == (dt.datetime(2030, 3, 5, 9), dt.datetime(2030, 3, 5, 11))


def test_overtime_ending_before_it_starts_ends_the_next_day(client_as, org):
    client = client_as(org.worker.user)
    data = {"date": "2030-03-08", "start_time": "22:00", "end_time": "02:00", "reason": "抢修冷水机组"}
    assert client.post(reverse("attendance:request_overtime_create"), data).status_code == 302
    req = AttendanceRequest.objects.get()
    assert (req.kind, req.start_at, req.end_at, req.minutes) == (
        "overtime", dt.datetime(2030, 3, 8, 22), dt.datetime(2030, 3, 9, 2), 240
    )  # fmt: skip
    assert req.status == RequestStatus.PENDING_LEAD and req.needs_admin  # overtime: the administrator too


def test_correction_in_the_future_is_a_form_error(client_as, org):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = {"date": tomorrow.isoformat(), "time": "08:00", "reason": "忘记打卡"}
    response = client_as(org.worker.user).post(reverse("attendance:request_correction_create"), data)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert not AttendanceRequest.objects.exists()


def test_correction_form_is_prefilled_from_the_day_panel_link(client_as, org):
    url = reverse("attendance:request_correction_create") + "?date=2030-03-04&time=08:00"
    html = client_as(org.worker.user).get(url).content.decode()
    assert 'value="2030-03-04"' in html and 'value="08:00"' in html


def test_approved_correction_becomes_a_punch(client_as, org):
    day = timezone.localdate() - dt.timedelta(days=1)
    client = client_as(org.worker.user)
    client.post(reverse("attendance:request_correction_create"), {"date": day, "time": "08:00", "reason": "忘记打卡"})
    req = AttendanceRequest.objects.get()
    client_as(org.lead.user).post(reverse("attendance:request_approve", args=[req.pk]))
    punch = Punch.objects.get(source="correction")
    assert (punch.pin, punch.local_time) == ("200001", dt.datetime.combine(day, dt.time(8)))
    assert AttendanceRequest.objects.get().correction_punch == punch


def test_user_without_a_tracked_staff_record_gets_a_message_not_a_form(client_as, org):
    client = client_as(org.nurse)
    for name in ("request_leave_create", "request_overtime_create", "request_correction_create", "request_list"):
        html = client.get(reverse(f"attendance:{name}")).content.decode()
        assert 'id="no-staff"' in html and 'id="request-form"' not in html
    client.post(reverse("attendance:request_overtime_create"), {"date": "2030-03-08", "start_time": "22:00",
                                                                "end_time": "23:00", "reason": "x"})  # fmt: skip
    assert not AttendanceRequest.objects.exists()


def test_my_requests_filter_by_kind_and_status(client_as, org):
    sick = leave(org)
    overtime = overtime_request_submit(
        staff=org.worker, start_at=dt.datetime(2030, 3, 8, 18), end_at=dt.datetime(2030, 3, 8, 20), reason="加班",
        actor=org.worker.user,
    )  # fmt: skip
    client = client_as(org.worker.user)
    html = client.get(reverse("attendance:request_list"), {"kind": "overtime"}, headers=HX).content.decode()
    assert f'data-request="{overtime.pk}"' in html and f'data-request="{sick.pk}"' not in html
    assert "<html" not in html
    html = client.get(reverse("attendance:request_list"), {"status": "approved"}).content.decode()
    assert 'id="request-list-empty"' in html


# --- the approval queue --------------------------------------------------------------------------
def test_queue_shows_what_the_user_can_decide(client_as, org):
    mine, theirs = leave(org), leave(org, org.colleague)
    html = client_as(org.lead.user).get(reverse("attendance:request_queue")).content.decode()
    assert f'id="request-row-{mine.pk}"' in html and f'id="request-row-{theirs.pk}"' not in html
    html = client_as(org.admin).get(reverse("attendance:request_queue")).content.decode()
    assert f'id="request-row-{mine.pk}"' in html and f'id="request-row-{theirs.pk}"' in html


def test_inline_approve_and_reject_from_the_queue(client_as, org):
    first, second = leave(org), leave(org, start=MONDAY + dt.timedelta(days=7))
    client = client_as(org.lead.user)
    row = client.post(reverse("attendance:request_approve", args=[first.pk]), {"partial": "row"}, headers=HX)
    html = row.content.decode()
    assert (
        html.strip().startswith(f'<div class="card" id="request-row-{first.pk}"') and 'data-status="approved"' in html
    )
    assert row["HX-Trigger"] == "attendance-requests-changed"
    refused = client.post(reverse("attendance:request_reject", args=[second.pk]), {"partial": "row"}, headers=HX)
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()
    assert "HX-Trigger" not in refused and status_of(second) == RequestStatus.PENDING_LEAD
    client.post(reverse("attendance:request_reject", args=[second.pk]), {"partial": "row", "reject-comment": "不行"},
                headers=HX)  # fmt: skip
    assert status_of(second) == RequestStatus.REJECTED


def test_bulk_approve_approves_only_what_the_user_may_decide(client_as, org):
    mine = [leave(org, start=MONDAY + dt.timedelta(days=7 * i)) for i in range(3)]
    theirs = leave(org, org.colleague)
    client = client_as(org.lead.user)
    response = client.post(reverse("attendance:request_bulk_approve"), {"ids": [r.pk for r in [*mine, theirs]]},
                           headers=HX)  # fmt: skip
    assert response.status_code == 200 and 'id="bulk-result"' in response.content.decode()
    assert [status_of(r) for r in mine] == [RequestStatus.APPROVED] * 3
    assert status_of(theirs) == RequestStatus.PENDING_LEAD
    assert 'id="queue-empty"' in response.content.decode()


def test_queue_query_count_does_not_grow_with_rows(client_as, org, django_assert_max_num_queries):
    for i in range(30):
        who = org.person(f"3{i:05d}", f"员工{i}", org.hvac if i % 2 else org.power)
        leave(org, who)
    client = client_as(org.admin)
    client.get(reverse("attendance:request_queue"))  # warm up sessions and permission caches
    with django_assert_max_num_queries(15):
        response = client.get(reverse("attendance:request_queue"))
    assert response.content.decode().count('id="request-row-') == 30
