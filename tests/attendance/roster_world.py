"""A small hospital for the roster tests: two teams with their leads, tracked workers, shift types
(day, evening, night with a rest day after, early, and one only team B uses) and a login per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from attendance.models import AttendanceRequest, LeaveType, RosterEntry, ShiftType
from logistics.org.models import Campus, Department, Staff, Team
from logistics.org.roles import ATTENDANCE_ADMIN, MANAGER, TEAM_LEAD, TECHNICIAN
from logistics.org.services import roles_sync

T = dt.time


@dataclass
class World:
    team: Team
    other_team: Team
    people: list[Staff]  # team members, attendance-tracked
    untracked: Staff  # a member of the team whose attendance is not tracked
    outsider: Staff  # tracked, in the other team
    shifts: dict[str, ShiftType]
    users: dict[str, object]

    def codes(self, person: Staff, day: dt.date) -> list[str]:
        return sorted(RosterEntry.objects.filter(staff=person, date=day).values_list("shift__code", flat=True))


def build_world(make_user, *, members: int = 4) -> World:
    roles_sync()
    campus = Campus.objects.create(code="M", name="本部")
    dept = Department.objects.create(code="LOG", name="后勤", campus=campus, kind="logistics")
    team = Team.objects.create(code="HVAC", name="空调组", campus=campus, kind="hvac")
    other = Team.objects.create(code="WE", name="水电组", campus=campus, kind="water_electric")

    def person(no: str, name: str, team: Team, tracked: bool = True) -> Staff:
        return Staff.objects.create(employee_no=no, name=name, department=dept, team=team, attendance_tracked=tracked)

    users = {
        "lead": make_user("lead", roles=(TEAM_LEAD,)),
        "other_lead": make_user("other-lead", roles=(TEAM_LEAD,)),
        "admin": make_user("att-admin", roles=(ATTENDANCE_ADMIN,)),
        "manager": make_user("manager", roles=(MANAGER,)),
        "technician": make_user("tech", roles=(TECHNICIAN,)),
    }
    lead = person("300001", "组长甲", team)
    lead.user = users["lead"]
    lead.save()
    other_lead = person("300002", "组长乙", other)
    other_lead.user = users["other_lead"]
    other_lead.save()
    team.lead, other.lead = lead, other_lead
    team.save()
    other.save()
    people = [lead] + [person(f"2000{i:02d}", f"工人{i:02d}", team) for i in range(1, members)]
    untracked = person("100001", "林晓雯", team, tracked=False)
    outsider = person("400001", "外组人", other)
    shifts = {
        "D": ShiftType.objects.create(code="D", name="白班", start=T(8), end=T(17, 30), color="#ffe08a"),
        "E": ShiftType.objects.create(code="E", name="中班", start=T(16), end=T(0), color="#9ec5fe"),
        "N": ShiftType.objects.create(
            code="N", name="夜班", start=T(20), end=T(8), rest_day_after=True, color="#3d3b8e"
        ),
        "A": ShiftType.objects.create(code="A", name="早班", start=T(7), end=T(15), color="#a3cfbb"),
        "WD": ShiftType.objects.create(code="WD", name="水电白班", start=T(8), end=T(17), team=other),
    }
    return World(team, other, people, untracked, outsider, shifts, users)


def approve_leave(world: World, person: Staff, start: dt.date, end: dt.date) -> AttendanceRequest:
    """An approved full-day leave, as the request workflow leaves it."""
    leave_type, _created = LeaveType.objects.get_or_create(code="ANNUAL", defaults={"name": "年假", "symbol": "年"})
    return AttendanceRequest.objects.create(
        staff=person,
        kind="leave",
        status="approved",
        leave_type=leave_type,
        portion="full",
        start_date=start,
        end_date=end,
        days=(end - start).days + 1,
        reason="休假",
        created_by=world.users["lead"],
    )
