"""On duty now: ``staff_on_duty`` around midnight, 24-hour duty, split shifts, leave, PIN mappings,
and the board page (permissions, scoping, filters, htmx refresh, query count)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRequest, LeaveType, PresenceEvidence, RosterEntry, ShiftType
from attendance.selectors_duty import DutyState, duty_board, staff_on_duty
from attendance.services import PunchIn, pin_mapping_create, punches_record
from logistics.org.models import Campus, Department, Staff, Team
from logistics.org.services import roles_sync

SH = ZoneInfo("Asia/Shanghai")
D = dt.date(2026, 11, 10)  # a Tuesday, in the past (punches in the future are refused)
NEXT = D + dt.timedelta(days=1)
T = dt.time


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(hour, minute))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local(day, hour, minute).replace(tzinfo=SH)


def punch(pin: str, *moments: dt.datetime) -> None:
    result = punches_record(
        terminal_serial="SN-DUTY", tz="Asia/Shanghai", punches=[PunchIn(pin, m) for m in moments], source="pull"
    )
    assert result.new == len(moments)


def on_duty(moment: dt.datetime, **kwargs) -> set[str]:
    return {s.employee_no for s in staff_on_duty(at=moment, **kwargs)}


def states(moment: dt.datetime, **kwargs) -> dict[str, str]:
    return {row.staff.employee_no: row.state for row in duty_board(at=moment, **kwargs)}


@pytest.fixture
def org(db):
    north = Campus.objects.create(code="N", name="北院")
    south = Campus.objects.create(code="S", name="南院")
    logistics = Department.objects.create(code="LOG", name="后勤保障部", campus=north, kind="logistics")
    security = Department.objects.create(code="SEC", name="保卫科", campus=south, kind="logistics")
    repair = Team.objects.create(code="REPAIR", name="维修班", campus=north)
    guards = Team.objects.create(code="GUARD", name="保安班", campus=south)
    return {"north": north, "south": south, "logistics": logistics, "security": security, "repair": repair,
            "guards": guards}  # fmt: skip


@pytest.fixture
def shifts(db):
    return {
        "day": ShiftType.objects.create(code="D", name="白班", start=T(8), end=T(17, 30)),
        "night": ShiftType.objects.create(code="N", name="夜班", start=T(20), end=T(8)),
        "duty24": ShiftType.objects.create(code="H", name="24小时班", start=T(8), end=T(8), is_24h=True),
        "split": ShiftType.objects.create(
            code="S", name="两头班", start=T(8), end=T(12), second_start=T(14), second_end=T(18)
        ),
        "split_alt": ShiftType.objects.create(
            code="SA",
            name="两头班(进出)",
            start=T(8),
            end=T(12),
            second_start=T(14),
            second_end=T(18),
            pairing="alternating",
        ),
    }


@pytest.fixture
def person(org):
    def _make(number: str, *, team="repair", tracked: bool = True, **fields) -> Staff:
        defaults = {"name": f"员工{number}", "department": org["logistics"], "team": org[team] if team else None,
                    "attendance_tracked": tracked}  # fmt: skip
        return Staff.objects.create(employee_no=number, **(defaults | fields))

    return _make


def roster(staff: Staff, day: dt.date, shift: ShiftType) -> RosterEntry:
    return RosterEntry.objects.create(staff=staff, date=day, shift=shift)


# --- staff_on_duty ---------------------------------------------------------------------------------
def test_night_shift_that_started_yesterday_is_on_duty_after_midnight(person, shifts):
    nurse = person("100001")
    late = person("100002")
    roster(nurse, D, shifts["night"])
    roster(late, D, shifts["night"])
    punch("100001", local(D, 19, 50))

    assert on_duty(at(NEXT, 2)) == {"100001"}
    assert on_duty(at(NEXT, 7, 59)) == {"100001"}
    assert on_duty(at(NEXT, 8, 1)) == set()  # the shift is over
    # Not arrived yet: not on duty, but dispatch may fall back to those due now.
    assert on_duty(at(NEXT, 2), include_not_arrived=True) == {"100001", "100002"}
    assert states(at(NEXT, 2)) == {"100001": DutyState.PRESENT, "100002": DutyState.NOT_ARRIVED}


def test_night_shift_is_not_on_duty_before_it_starts_or_before_the_punch(person, shifts):
    nurse = person("100001")
    roster(nurse, D, shifts["night"])
    punch("100001", local(D, 20, 10))

    assert on_duty(at(D, 19)) == set()  # due at 20:00, nobody has punched
    assert states(at(D, 19)) == {"100001": DutyState.OFF}
    assert on_duty(at(D, 20, 5)) == set()  # due, not yet arrived
    assert states(at(D, 20, 5)) == {"100001": DutyState.NOT_ARRIVED}
    assert on_duty(at(D, 20, 15)) == {"100001"}


def test_early_arrival_is_present_but_not_on_duty_before_the_start(person, shifts):
    nurse = person("100001")
    roster(nurse, D, shifts["night"])
    punch("100001", local(D, 19, 30))
    row = duty_board(at=at(D, 19, 45)).rows[0]
    assert (row.state, row.due, row.on_duty) == (DutyState.PRESENT, False, False)
    assert on_duty(at(D, 19, 45)) == set()
    assert row.first_punch == at(D, 19, 30)


def test_day_shift_is_not_on_duty_in_the_evening(person, shifts):
    gone = person("100001")
    stays = person("100002")
    for who in (gone, stays):
        roster(who, D, shifts["day"])
    punch("100001", local(D, 7, 55), local(D, 17, 35))
    punch("100002", local(D, 7, 58))

    assert on_duty(at(D, 10)) == {"100001", "100002"}
    assert on_duty(at(D, 20)) == set()
    board = states(at(D, 20))
    assert board["100001"] == DutyState.LEFT  # punched out after the end
    assert board["100002"] == DutyState.PRESENT  # no check-out yet: still here (overtime?), but not due
    assert states(at(D, 23)) == {"100001": DutyState.OFF, "100002": DutyState.OFF}  # windows closed


def test_24_hour_duty_covers_the_whole_day_and_night(person, shifts):
    doc = person("100001")
    roster(doc, D, shifts["duty24"])
    punch("100001", local(D, 7, 50))

    assert on_duty(at(D, 15)) == {"100001"}
    assert on_duty(at(NEXT, 2)) == {"100001"}
    assert on_duty(at(NEXT, 7, 59)) == {"100001"}
    assert on_duty(at(NEXT, 9)) == set()


def test_split_shift_gap_is_not_on_duty(person, shifts):
    back = person("100001")
    not_back = person("100002")
    for who in (back, not_back):
        roster(who, D, shifts["split"])
    punch("100001", local(D, 7, 55), local(D, 12, 5), local(D, 13, 55))
    punch("100002", local(D, 7, 56), local(D, 12, 3))

    assert on_duty(at(D, 10)) == {"100001", "100002"}
    assert on_duty(at(D, 12, 30)) == set()  # the gap
    assert on_duty(at(D, 13, 30)) == set()
    assert on_duty(at(D, 15)) == {"100001"}
    board = states(at(D, 15))
    assert board["100002"] == DutyState.NOT_ARRIVED  # the lunch punch-out is not a check-in for the afternoon
    assert states(at(D, 12, 30)) == {"100001": DutyState.LEFT, "100002": DutyState.LEFT}


def test_alternating_pairing_follows_the_parity_of_punches(person, shifts):
    out_for_errand = person("100001")
    roster(out_for_errand, D, shifts["split_alt"])
    punch("100001", local(D, 7, 55), local(D, 7, 55) + dt.timedelta(seconds=20), local(D, 9, 30))

    # The double press at 07:55 counts once; the 09:30 punch is out.
    assert on_duty(at(D, 9)) == {"100001"}
    assert on_duty(at(D, 10)) == set()
    assert states(at(D, 10)) == {"100001": DutyState.LEFT}
    punch("100001", local(D, 10, 30))
    assert on_duty(at(D, 11)) == {"100001"}


@pytest.fixture
def leave_type(db):
    return LeaveType.objects.create(code="ANNUAL", name="年假", symbol="年")


@pytest.fixture
def leave(make_user, leave_type):
    author = make_user("leave-author")

    def _leave(staff: Staff, *, portion: str, start: dt.date, end: dt.date | None = None, status="approved",
               start_at=None, end_at=None) -> AttendanceRequest:  # fmt: skip
        return AttendanceRequest.objects.create(
            staff=staff, kind="leave", status=status, leave_type=leave_type, portion=portion, start_date=start,
            end_date=end or start, start_at=start_at, end_at=end_at, reason="test", created_by=author,
        )  # fmt: skip

    return _leave


def test_approved_leave_is_excluded(person, shifts, leave):
    full = person("100001")
    hours = person("100002")
    afternoon = person("100003")
    pending = person("100004")
    for who in (full, hours, afternoon, pending):
        roster(who, D, shifts["day"])
    punch("100001", local(D, 7, 55))  # came in anyway: the approved leave still wins
    punch("100002", local(D, 7, 55))
    punch("100003", local(D, 7, 55))
    punch("100004", local(D, 7, 55))
    leave(full, portion="full", start=D - dt.timedelta(days=1), end=D + dt.timedelta(days=2))
    leave(hours, portion="hours", start=D, start_at=local(D, 10), end_at=local(D, 12))
    leave(afternoon, portion="pm", start=D)
    leave(pending, portion="full", start=D, status="pending_lead")

    assert on_duty(at(D, 9)) == {"100002", "100003", "100004"}
    assert on_duty(at(D, 11)) == {"100003", "100004"}
    assert on_duty(at(D, 14)) == {"100002", "100004"}  # the second half of 08:00–17:30 starts at 12:45
    board = states(at(D, 11))
    assert board["100001"] == board["100002"] == DutyState.ON_LEAVE
    rows = {row.staff.employee_no: row for row in duty_board(at=at(D, 11))}
    assert rows["100002"].leave.portion == "hours" and rows["100003"].leave is None


def test_full_day_leave_of_today_does_not_cover_last_nights_shift(person, shifts, leave):
    nurse = person("100001")
    roster(nurse, D, shifts["night"])
    punch("100001", local(D, 19, 50))
    leave(nurse, portion="full", start=NEXT)  # the leave starts with the shift of the next evening
    assert on_duty(at(NEXT, 2)) == {"100001"}


def test_pin_mapping_is_honoured(person, shifts):
    mapped = person("100001")
    reused = person("100002")
    for who in (mapped, reused):
        roster(who, D, shifts["day"])
    # 100001 punches with the old PIN "9001"; 100002's own PIN was given to 100001 for that day.
    pin_mapping_create(pin="9001", staff=mapped, valid_from=D - dt.timedelta(days=30))
    pin_mapping_create(pin="100002", staff=mapped, valid_from=D, valid_to=D)
    punch("9001", local(D, 7, 50))
    punch("100002", local(D, 7, 55))

    assert on_duty(at(D, 10)) == {"100001"}
    assert states(at(D, 10))["100002"] == DutyState.NOT_ARRIVED


def test_pin_mapping_outside_its_dates_is_not_used(person, shifts):
    late_mapping = person("100001")
    roster(late_mapping, D, shifts["day"])
    pin_mapping_create(pin="9002", staff=late_mapping, valid_from=NEXT)
    punch("9002", local(D, 7, 50))
    assert on_duty(at(D, 10)) == set()


def test_untracked_and_inactive_staff_are_excluded(person, shifts):
    untracked = person("100001", tracked=False)
    inactive = person("100002", is_active=False)
    for who in (untracked, inactive):
        roster(who, D, shifts["day"])
    punch("100001", local(D, 7, 55))
    punch("100002", local(D, 7, 55))
    assert on_duty(at(D, 10)) == set()
    assert states(at(D, 10)) == {}


def test_presence_evidence_stands_for_a_missing_check_in(person, shifts):
    tech = person("100001")
    roster(tech, D, shifts["day"])
    PresenceEvidence.objects.create(staff=tech, at=at(D, 9), source="workorders", reference="WO-1")
    assert on_duty(at(D, 8, 30)) == set()
    assert on_duty(at(D, 10)) == {"100001"}
    assert duty_board(at=at(D, 10)).rows[0].evidence_used


def test_team_filter_and_query_count(person, shifts, django_assert_max_num_queries):
    for i in range(50):
        who = person(f"2{i:05d}", team="repair" if i % 2 else "guards")
        roster(who, D, shifts["day"])
        if i % 5:
            punch(who.employee_no, local(D, 7, 40 + i % 15))
    with django_assert_max_num_queries(7):
        everyone = on_duty(at(D, 10))
    team = Team.objects.get(code="REPAIR")
    with django_assert_max_num_queries(7):
        repair = on_duty(at(D, 10), team=team)
    assert len(everyone) == 40
    assert repair == {f"2{i:05d}" for i in range(50) if i % 2 and i % 5}
    with django_assert_max_num_queries(6):
        board = duty_board(at=at(D, 10))
    assert board.counts[DutyState.PRESENT] == 40 and board.counts[DutyState.NOT_ARRIVED] == 10
    assert [g.team.code for g in board.groups] == ["GUARD", "REPAIR"]


# --- the page --------------------------------------------------------------------------------------
@pytest.fixture
def now_shift(db):
    """A shift that started an hour ago and ends in three hours (the page always shows now)."""
    start = (timezone.localtime(timezone.now(), SH) - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    end = start + dt.timedelta(hours=4)
    shift = ShiftType.objects.create(code="NOW", name="当班", start=start.time(), end=end.time())
    return shift, start.replace(tzinfo=None)


@pytest.fixture
def hospital(org, person, now_shift, make_user):
    """Two teams on the current shift: in each, one present and one not arrived; a lead for the
    repair team; one login per role."""
    roles_sync()
    shift, start = now_shift
    lead_user = make_user("lead", roles=("team_lead",))
    lead = person("300000", user=lead_user)
    org["repair"].lead = lead
    org["repair"].save()
    people = {
        "repair_in": person("300001", name="张维修"),
        "repair_out": person("300002", name="李维修"),
        "guard_in": person("300003", name="王保安", team="guards", department=org["security"]),
        "guard_out": person("300004", name="赵保安", team="guards", department=org["security"]),
    }
    for who in people.values():
        roster(who, start.date(), shift)
    punch("300001", start - dt.timedelta(minutes=10))
    punch("300003", start - dt.timedelta(minutes=5))
    users = {role: make_user(role, roles=(role,)) for role in
             ("technician", "manager", "dispatcher", "transport_dispatcher", "attendance_admin")}  # fmt: skip
    return people | users | {"team_lead": lead_user}


URL = "/attendance/on-duty/"


def test_url_name():
    assert reverse("attendance:duty_board") == URL


def test_anonymous_goes_to_login(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "status"),
    [("technician", 403), ("team_lead", 200), ("dispatcher", 200), ("transport_dispatcher", 200),
     ("attendance_admin", 200), ("manager", 200)],
)  # fmt: skip
def test_permission_matrix(client_as, hospital, role, status):
    assert client_as(hospital[role]).get(URL).status_code == status


def test_menu_entry_for_dispatchers_not_for_technicians(client_as, hospital):
    assert 'data-home-entry="attendance.duty_board"' in client_as(hospital["dispatcher"]).get("/").content.decode()
    assert 'data-home-entry="attendance.duty_board"' not in client_as(hospital["technician"]).get("/").content.decode()


def test_manager_sees_everyone_with_states_and_counters(client_as, hospital):
    response = client_as(hospital["manager"]).get(URL)
    html = response.content.decode()
    for name in ("张维修", "李维修", "王保安", "赵保安"):
        assert name in html
    assert 'data-staff="300001" data-state="present"' in html
    assert 'data-staff="300002" data-state="not_arrived"' in html
    counts = {c.state: c.count for c in response.context["board"].cards}
    assert counts["present"] == 2 and counts["not_arrived"] == 2
    assert 'hx-trigger="every 30s"' in html and """hx-headers='{"X-Background-Poll": "1"}'""" in html


def test_team_lead_sees_only_their_team(client_as, hospital):
    html = client_as(hospital["team_lead"]).get(URL).content.decode()
    assert "张维修" in html and "李维修" in html
    assert "王保安" not in html and "赵保安" not in html


@pytest.mark.parametrize(
    ("field", "key", "shown", "hidden"),
    [("team", "guards", "王保安", "张维修"), ("campus", "south", "赵保安", "李维修"),
     ("department", "logistics", "张维修", "王保安")],
)  # fmt: skip
def test_filters(client_as, hospital, org, field, key, shown, hidden):
    html = client_as(hospital["dispatcher"]).get(URL, {field: org[key].pk}).content.decode()
    assert shown in html and hidden not in html


def test_htmx_poll_returns_the_partial_with_the_filters(client_as, hospital, org):
    client = client_as(hospital["manager"])
    full = client.get(URL, {"team": org["guards"].pk}).content.decode()
    assert f'hx-get="{URL}?team={org["guards"].pk}"' in full
    response = client.get(URL, {"team": org["guards"].pk}, headers={"HX-Request": "true", "X-Background-Poll": "1"})
    html = response.content.decode()
    assert "<html" not in html and 'id="duty-counters"' in html
    assert "王保安" in html and "张维修" not in html
    assert "HX-Request" in response["Vary"]


def test_page_query_count_does_not_grow_with_staff(client_as, hospital, person, now_shift,
                                                   django_assert_max_num_queries):  # fmt: skip
    shift, start = now_shift
    client = client_as(hospital["manager"])
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(50):
        who = person(f"4{i:05d}", team="repair" if i % 2 else "guards")
        roster(who, start.date(), shift)
        if i % 3:
            punch(who.employee_no, start - dt.timedelta(minutes=i % 20))
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)
    assert response.context["board"].counts["present"] == 2 + 33
    assert response.content.decode().count("data-staff=") == 55
