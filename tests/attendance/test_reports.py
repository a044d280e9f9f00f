"""Attendance reports: lateness and absence by department and month, scoped, with chart data."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from attendance.models import DailyResult
from logistics.org.models import Campus, Department, Staff, Team
from logistics.org.roles import MANAGER, TEAM_LEAD, TECHNICIAN
from logistics.org.services import roles_sync

pytestmark = pytest.mark.django_db
URL = "/attendance/reports/"


@pytest.fixture
def data(make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    repair = Department.objects.create(code="repair", name="维修科", campus=campus)
    security = Department.objects.create(code="security", name="保卫科", campus=campus)
    hvac, guards = Team.objects.create(code="hvac", name="HVAC"), Team.objects.create(code="guards", name="Guards")
    lead_user = make_user("lead", roles=(TEAM_LEAD,))
    lead = Staff.objects.create(employee_no="1", name="Lead", team=hvac, department=repair, user=lead_user,
                                attendance_tracked=True)  # fmt: skip
    hvac.lead = lead
    hvac.save()
    guard = Staff.objects.create(
        employee_no="2", name="Guard", team=guards, department=security, attendance_tracked=True
    )
    september, october = dt.date(2026, 9, 3), dt.date(2026, 10, 5)
    for person, day, status, late, absent in (
        (lead, september, "late", 12, False),
        (lead, october, "late", 20, False),
        (lead, october + dt.timedelta(1), "late", 5, False),
        (guard, october, "absent", 0, True),
    ):
        DailyResult.objects.create(staff=person, date=day, day_type="workday", status=status, late_minutes=late,
                                   absent=absent)  # fmt: skip
    return {"lead": lead_user}


def chart(html: str) -> dict:
    return json.loads(
        re.search(r'<script id="report-chart-data" type="application/json">(.*?)</script>', html, re.S)[1]
    )


def test_manager_sees_every_department_by_month(client_as, make_user, data):
    html = (
        client_as(make_user("boss", roles=(MANAGER,))).get(URL, {"from": "2026-09", "to": "2026-10"}).content.decode()
    )
    data_ = chart(html)
    assert data_["labels"] == ["2026-09", "2026-10"]
    assert data_["late"]["维修科"] == [1, 2]
    # The guard has no results in September: a gap on the chart, not a month without absences.
    assert data_["absent"]["保卫科"] == [None, 1]
    assert "vendor/chart.js/chart.umd.min.js" in html


def test_team_lead_sees_only_their_team_and_others_are_refused(client, client_as, make_user, data):
    html = client_as(data["lead"]).get(URL, {"from": "2026-09", "to": "2026-10"}).content.decode()
    assert set(chart(html)["late"]) == {"维修科"}
    assert "保卫科" not in html
    assert client_as(make_user("tech", roles=(TECHNICIAN,))).get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_no_results_and_bad_filters_do_not_break_the_page(client_as, make_user, data):
    boss = client_as(make_user("boss", roles=(MANAGER,)))
    empty = boss.get(URL, {"from": "2020-01", "to": "2020-02"}, headers={"Accept-Language": "en"})
    assert empty.status_code == 200 and "No attendance results in this period." in empty.content.decode()
    assert boss.get(URL, {"from": "junk", "to": "2026-99", "team": "x", "department": "-1"}).status_code == 200


def test_report_query_count_does_not_grow_with_people(client_as, make_user, data, django_assert_max_num_queries):
    boss = client_as(make_user("boss", roles=(MANAGER,)))
    team = Team.objects.get(code="hvac")
    for i in range(40):
        person = Staff.objects.create(employee_no=f"9{i:03d}", name=f"P{i}", team=team, attendance_tracked=True)
        DailyResult.objects.create(staff=person, date=dt.date(2026, 10, 7), day_type="workday", status="late",
                                   late_minutes=7)  # fmt: skip
    with django_assert_max_num_queries(15):
        assert boss.get(URL, {"from": "2026-09", "to": "2026-10"}).status_code == 200
