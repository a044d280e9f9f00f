"""Attendance API: daily results scoped like the pages; requests submitted and decided through the
same services as the pages, with tokens limited by scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from attendance.models import AttendanceRequest, DailyResult, LeaveBalance, LeaveType, RosterEntry, ShiftType
from logistics.org.api_auth import api_token_issue
from logistics.org.models import Staff, Team
from logistics.org.roles import MANAGER, TEAM_LEAD, TECHNICIAN
from logistics.org.services import roles_sync

pytestmark = pytest.mark.django_db
T = dt.time


@pytest.fixture
def world(make_user):
    roles_sync()
    lead_user = make_user("lead", roles=(TEAM_LEAD,))
    tech_user = make_user("tech", roles=(TECHNICIAN,))
    other_user = make_user("other", roles=(TECHNICIAN,))
    hvac, power = Team.objects.create(code="hvac", name="HVAC"), Team.objects.create(code="power", name="Power")
    lead = Staff.objects.create(employee_no="1", name="Lead", team=hvac, user=lead_user, attendance_tracked=True)
    hvac.lead = lead
    hvac.save()
    tech = Staff.objects.create(employee_no="2", name="Tech", team=hvac, user=tech_user, attendance_tracked=True)
    other = Staff.objects.create(employee_no="3", name="Other", team=power, user=other_user, attendance_tracked=True)
    day = timezone.localdate() - dt.timedelta(days=3)
    for person in (lead, tech, other):
        DailyResult.objects.create(staff=person, date=day, day_type="workday", status="late", late_minutes=12)
    annual, _ = LeaveType.objects.get_or_create(code="annual", defaults={"name": "年假", "symbol": "年"})
    annual.has_balance = True
    annual.save()
    LeaveBalance.objects.create(staff=tech, year=day.year, leave_type=annual, entitled_days=Decimal("5"))
    shift = ShiftType.objects.create(code="D", name="Day", start=T(8), end=T(17))
    return dict(lead=lead_user, tech=tech_user, other=other_user, tech_staff=tech, day=day, shift=shift, annual=annual)


def test_daily_results_are_scoped(world, client_as, make_user):
    url = "/api/v1/attendance/daily-results/"
    lead = client_as(world["lead"]).get(url).json()
    assert sorted(r["employee_no"] for r in lead["results"]) == ["1", "2"]  # own team only
    assert client_as(world["tech"]).get(url).status_code == 403  # no view_dailyresult
    manager = make_user("boss", roles=(MANAGER,))
    everyone = client_as(manager).get(url, {"status": "late", "date_from": world["day"].isoformat()}).json()
    assert everyone["count"] == 3
    assert everyone["results"][0]["late_minutes"] == 12


def test_submit_and_approve_leave_through_the_api(world, client_as):
    day = timezone.localdate() + dt.timedelta(days=7)
    RosterEntry.objects.create(staff=world["tech_staff"], date=day, shift=world["shift"])
    tech = client_as(world["tech"])
    response = tech.post(
        "/api/v1/attendance/requests/",
        {"kind": "leave", "leave_type": "annual", "start_date": day, "end_date": day, "reason": "家事"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["days"]) == ("pending_lead", "1.0")

    # Too many days for the balance: a translated 400, nothing stored.
    far = day + dt.timedelta(days=30)
    refused = tech.post(
        "/api/v1/attendance/requests/",
        {"kind": "leave", "leave_type": "annual", "start_date": far, "end_date": far + dt.timedelta(days=9),
         "reason": "长假"},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 400
    assert AttendanceRequest.objects.count() == 1

    # The requester cannot approve their own request; another team's member cannot even see it.
    assert tech.post(f"/api/v1/attendance/requests/{created['id']}/approve/", {}).status_code == 403
    assert client_as(world["other"]).post(f"/api/v1/attendance/requests/{created['id']}/approve/").status_code == 404
    approved = client_as(world["lead"]).post(f"/api/v1/attendance/requests/{created['id']}/approve/", {"comment": "ok"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert [e["kind"] for e in approved.json()["events"]] == ["submitted", "approved"]
    again = client_as(world["lead"]).post(f"/api/v1/attendance/requests/{created['id']}/approve/")
    assert again.status_code in (403, 409)


def test_correction_needs_a_local_time_and_tokens_need_the_scope(world, client):
    _token, read_only = api_token_issue(name="app", user=world["tech"], scopes=["read"], actor=world["tech"])
    headers = {"HTTP_AUTHORIZATION": f"Token {read_only}"}
    body = {"kind": "correction", "start_at": (timezone.localtime() - dt.timedelta(hours=3)).strftime(
        "%Y-%m-%dT%H:%M:00"), "reason": "忘记打卡"}  # fmt: skip
    assert client.get("/api/v1/attendance/requests/", **headers).status_code == 200
    refused = client.post("/api/v1/attendance/requests/", body, content_type="application/json", **headers)
    assert refused.status_code == 403
    _token, writer = api_token_issue(
        name="app2", user=world["tech"], scopes=["read", "attendance_requests"], actor=world["tech"]
    )
    headers = {"HTTP_AUTHORIZATION": f"Token {writer}"}
    ok = client.post("/api/v1/attendance/requests/", body, content_type="application/json", **headers)
    assert ok.status_code == 201, ok.content
    aware = dict(body, start_at="2026-11-20T08:00:00+08:00")
    bad = client.post("/api/v1/attendance/requests/", aware, content_type="application/json", **headers)
    assert bad.status_code == 400


def test_monthly_totals_are_scoped_and_validated(world, client_as, make_user):
    day = world["day"]
    month = f"{day:%Y-%m}"
    url = "/api/v1/attendance/monthly-totals/"
    lead = client_as(world["lead"]).get(url, {"month": month}).json()
    assert lead["month"] == month
    assert sorted(r["employee_no"] for r in lead["results"]) == ["1", "2"]
    tech = next(r for r in lead["results"] if r["employee_no"] == "2")
    assert tech["totals"]["late_count"] == 1 and tech["totals"]["late_minutes"] == 12
    assert len(tech["days"]) >= 28
    assert client_as(world["lead"]).get(url, {"month": "2026-13"}).status_code == 400
    assert client_as(world["lead"]).get(url).status_code == 400
    assert client_as(world["tech"]).get(url, {"month": month}).status_code == 403
    manager = client_as(make_user("boss", roles=(MANAGER,)))
    assert len(manager.get(url, {"month": month}).json()["results"]) == 3
