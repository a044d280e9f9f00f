"""The demo hospital of ``seed_demo``: what ``small`` creates, that a second run changes nothing,
that the same seed gives the same people, and that every printed demo login works."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import authenticate, get_user_model
from django.db import transaction
from django.test import RequestFactory

from logistics.org import demo
from logistics.org.models import (
    Building,
    Campus,
    Department,
    Floor,
    Location,
    Staff,
    Team,
    Vendor,
    VendorContact,
)
from logistics.org.roles import ROLES

pytestmark = pytest.mark.django_db

SEED = 20261121
MODELS = (Campus, Building, Floor, Department, Location, Vendor, VendorContact, Team, Staff)


def _seed(scale: str = "small", seed: int = SEED) -> dict[str, int]:
    return demo.seed(scale, random.Random(seed))


def _snapshot() -> dict[str, list]:
    """Every column of every row the seed writes, memberships and the audit trail included."""
    User = get_user_model()
    tables = {model.__name__: list(model.objects.order_by("pk").values()) for model in (*MODELS, User)}
    tables["memberships"] = sorted(User.groups.through.objects.values_list("user_id", "group_id"))
    tables["audit entries"] = [LogEntry.objects.count()]
    return tables


class _Rollback(Exception):
    pass


def _people(seed: int) -> list[tuple]:
    """The staff a fresh database gets with ``seed`` (the database is left as it was)."""
    rows: list[tuple] = []
    try:
        with transaction.atomic():
            _seed(seed=seed)
            fields = ("employee_no", "name", "gender", "phone", "position", "hire_date", "department__code")
            rows = list(Staff.objects.order_by("employee_no").values_list(*fields))
            raise _Rollback
    except _Rollback:
        pass
    return rows


def test_small_creates_the_documented_hospital():
    counts = _seed()

    assert counts["campuses"] == 3
    assert counts["staff"] == 120
    assert counts["logins"] == 12
    assert counts == {
        "campuses": Campus.objects.count(),
        "buildings": Building.objects.count(),
        "floors": Floor.objects.count(),
        "departments": Department.objects.count(),
        "locations": Location.objects.count(),
        "vendors": Vendor.objects.count(),
        "vendor_contacts": VendorContact.objects.count(),
        "teams": Team.objects.count(),
        "logins": 12,
        "staff": Staff.objects.count(),
    }
    print(f"\nsmall: {counts}")
    assert set(Campus.objects.values_list("code", flat=True)) == {"MAIN", "EAST", "OPD"}
    assert Department.objects.count() >= 60
    assert set(Department.objects.values_list("kind", flat=True)) == set(Department.Kind.values)
    assert Location.objects.count() >= 250
    location_kinds = set(Location.objects.values_list("kind", flat=True))
    assert {"nurse_station", "ward_area", "plant_room", "reception", "corridor", "outdoor"} <= location_kinds
    for location in Location.objects.select_related("building", "floor", "department"):
        if location.building_id:
            assert location.building.campus_id == location.campus_id
        if location.floor_id:
            assert location.floor.building_id == location.building_id
        if location.department_id:
            assert location.department.campus_id == location.campus_id
    assert Floor.objects.filter(level__lt=0, code__startswith="B").exists()

    # Teams: every one led by one of its members; outsourced teams' people belong to the vendor.
    assert Team.objects.count() >= 9
    assert Team.objects.filter(kind="transport").values("campus").distinct().count() == 3
    for team in Team.objects.select_related("lead"):
        assert team.lead is not None and team.lead.team_id == team.pk, team.code
        for member in team.members.all():
            assert member.attendance_tracked
            if team.vendor_id:
                assert (member.employment_type, member.vendor_id) == ("outsourced", team.vendor_id)
            else:
                assert (member.employment_type, member.vendor_id) == ("in_house", None)
    assert set(Team.objects.exclude(vendor=None).values_list("kind", flat=True)) == {"elevator", "cleaning", "security"}
    assert all(1 <= vendor.contacts.count() <= 2 for vendor in Vendor.objects.all())

    # People: unique six-digit numbers (terminal PINs), plausible mobiles, hired in the past.
    staff = list(Staff.objects.select_related("department"))
    assert len({s.employee_no for s in staff}) == 120
    assert all(re.fullmatch(r"\d{6}", s.employee_no) for s in staff)
    assert all(re.fullmatch(r"1[358]\d{9}", s.phone) for s in staff)
    assert all(s.hire_date < date.today() for s in staff)
    assert all(2 <= len(s.name) <= 4 and s.gender in ("M", "F") for s in staff)
    clinical = [s for s in staff if s.department.kind in ("ward", "clinic", "surgery", "emergency")]
    assert clinical and not any(s.attendance_tracked or s.team_id for s in clinical)


def test_one_login_per_role_linked_to_a_fitting_staff_member():
    _seed()
    User = get_user_model()

    assert len(demo.DEMO_LOGINS) == 12
    assert demo.DEMO_LOGINS[0] == demo.DemoLogin("admin", "sysadmin", "系统管理员")
    assert {login.role for login in demo.DEMO_LOGINS[1:]} == set(ROLES)
    assert all(login.username == login.role for login in demo.DEMO_LOGINS[1:])
    for login in demo.DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert list(user.groups.values_list("name", flat=True)) == [login.role]
        assert user.display_name == login.display_name
        assert user.is_superuser == (login.role == "sysadmin")
        assert user.is_staff == (login.role in ("sysadmin", "attendance_admin"))
        if login.username != "admin":
            assert user.staff.name == login.display_name

    def staff(username: str) -> Staff:
        return Staff.objects.select_related("department", "team").get(user__username=username)

    assert staff("requester").department.kind == "ward" and staff("requester").position == "护士"
    assert staff("technician").team.kind == "hvac"
    assert Team.objects.get(kind="water_electric").lead == staff("team_lead")
    assert staff("courier").team.kind == "transport"
    assert staff("transport_dispatcher").team.kind == "transport"
    assert staff("warehouse_keeper").team.kind == "warehouse"
    assert staff("dispatcher").department.kind == "logistics" and staff("dispatcher").attendance_tracked
    assert staff("manager").department.code == "D-LOG"
    assert staff("attendance_admin").department.kind == "logistics"
    assert staff("finance").department.code == "D-FIN"
    assert staff("sysadmin").department.code == "D-IT"


def test_every_demo_login_authenticates_with_the_demo_password():
    _seed()
    for login in demo.DEMO_LOGINS:
        request = RequestFactory().post("/accounts/login/", {"username": login.username})
        user = authenticate(request, username=login.username, password=demo.DEMO_PASSWORD)
        assert user is not None and user.username == login.username


def test_a_second_run_creates_nothing_and_changes_nothing():
    first_rng = random.Random(SEED)
    demo.seed("small", first_rng)
    before = _snapshot()

    second_rng = random.Random(SEED)
    counts = demo.seed("small", second_rng)

    assert counts and set(counts.values()) == {0}
    assert _snapshot() == before  # qr tokens, passwords, updated_at: nothing rewritten
    # The apps seeded afterwards get the same random sequence on every run.
    assert first_rng.random() == second_rng.random()


def test_an_existing_admin_account_keeps_its_password_and_gets_its_role():
    User = get_user_model()
    User.objects.create_superuser("admin", password="Own-secret-2026")

    counts = _seed()

    admin = User.objects.get(username="admin")
    assert counts["logins"] == 11
    assert admin.check_password("Own-secret-2026")
    assert list(admin.groups.values_list("name", flat=True)) == ["sysadmin"]


def test_same_seed_same_people_and_another_seed_other_people():
    first, again, other = _people(7), _people(7), _people(8)

    assert len(first) == 120
    assert first == again
    assert [row[0] for row in other] == [row[0] for row in first]  # numbers are by department/team
    assert [row[1] for row in other] != [row[1] for row in first]
    assert Staff.objects.count() == 0  # rolled back


@pytest.mark.parametrize("scale,total", [("small", 120), ("hospital", 3000), ("large", 10_000)])
def test_staff_plan_sizes_and_numbers(scale, total):
    plan = demo.staff_plan(scale)

    assert len(plan) == total
    assert len({slot.employee_no for slot in plan}) == total
    assert all(re.fullmatch(r"\d{6}", slot.employee_no) for slot in plan)


def test_a_larger_scale_keeps_the_smaller_ones_people():
    small = {slot.employee_no: slot for slot in demo.staff_plan("small")}
    hospital = {slot.employee_no: slot for slot in demo.staff_plan("hospital")}

    assert small.keys() <= hospital.keys()
    assert all(small[no] == hospital[no] for no in small)
