"""Read API: terminals, runs, punches filtered by staff, terminal and time range."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance.services import PunchIn, pin_mapping_create, punches_record
from devices.services import terminal_register
from logistics.org.api_auth import api_token_issue
from logistics.org.models import Campus, Department, Staff
from logistics.org.services import roles_sync


@pytest.fixture
def data(db):
    roles_sync()
    terminal_register(name="门诊楼1层", host="10.20.1.15", serial="SN-A")
    campus = Campus.objects.create(code="M", name="本部")
    dept = Department.objects.create(code="L", name="后勤", campus=campus, kind="logistics")
    wang = Staff.objects.create(employee_no="200001", name="王建国", department=dept)
    t = dt.datetime(2026, 11, 20, 7, 55)
    punches_record(
        terminal_serial="SN-A",
        tz="Asia/Shanghai",
        source="pull",
        punches=[PunchIn("200001", t), PunchIn("200001", t + dt.timedelta(hours=9)), PunchIn("777", t)],
    )
    punches_record(terminal_serial="SN-B", tz="Asia/Shanghai", source="push", punches=[PunchIn("200002", t)])
    pin_mapping_create(pin="777", staff=wang, valid_from=dt.date(2026, 1, 1))
    return {"wang": wang}


def test_punches_by_staff_include_mapped_pins(client_as, make_user, data):
    client = client_as(make_user("aa", roles=("attendance_admin",)))
    body = client.get("/api/v1/punches/", {"staff": data["wang"].pk}).json()
    assert body["count"] == 3
    assert {p["pin"] for p in body["results"]} == {"200001", "777"}
    assert body["results"][0]["local_time"].startswith("2026-11-20T")


def test_punches_by_terminal_and_time_range(client_as, make_user, data):
    client = client_as(make_user("aa", roles=("attendance_admin",)))
    by_terminal = client.get("/api/v1/punches/", {"terminal": "SN-B"}).json()
    assert [p["pin"] for p in by_terminal["results"]] == ["200002"]
    morning = client.get(
        "/api/v1/punches/", {"since": "2026-11-20T07:00:00+08:00", "until": "2026-11-20T12:00:00+08:00"}
    ).json()
    assert morning["count"] == 3


def test_reading_needs_the_view_permission(client_as, make_user, data):
    assert client_as(make_user("nurse", roles=("requester",))).get("/api/v1/punches/").status_code == 403
    assert client_as(make_user("tech", roles=("technician",))).get("/api/v1/terminals/").status_code == 403


def test_integration_token_reads_terminals(client, make_user, data):
    integration = make_user("his", roles=("team_lead",))
    _, key = api_token_issue(name="HIS", user=integration, scopes=["read"], actor=None)
    body = client.get("/api/v1/terminals/", headers={"Authorization": f"Token {key}"}).json()
    assert [t["serial"] for t in body["results"]] == ["SN-A"]
    assert "comm_password" not in body["results"][0]
