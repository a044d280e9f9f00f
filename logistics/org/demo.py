"""Demo data of the organization app: the demo hospital's sites, departments, teams, vendors,
staff and one login per role.

Idempotent: every row is found again by its natural key (code, name, employee number, username),
so a second run creates nothing and changes nothing, with one query per table. Deterministic: the
same seed gives the same people. A staff member's attributes come from a random generator of their
own (seeded with the run's seed and their employee number), so loading a larger scale on top of a
smaller one adds people without renaming those already there. The tables are in ``demo_names.py``.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from . import demo_names as data
from .models import Building, Campus, Department, Floor, Location, Staff, Team, Vendor, VendorContact
from .roles import (
    ATTENDANCE_ADMIN,
    COURIER,
    DISPATCHER,
    FINANCE,
    MANAGER,
    REQUESTER,
    ROLES,
    SYSADMIN,
    TEAM_LEAD,
    TECHNICIAN,
    TRANSPORT_DISPATCHER,
    WAREHOUSE_KEEPER,
)
from .services import roles_sync

# Published on purpose: demo data only, and seed_demo refuses to run on production settings.
DEMO_PASSWORD = "Demo@2026!"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    display_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", SYSADMIN, "系统管理员"),
    DemoLogin(REQUESTER, REQUESTER, "林晓雯"),
    DemoLogin(TECHNICIAN, TECHNICIAN, "郑海涛"),
    DemoLogin(TEAM_LEAD, TEAM_LEAD, "王建国"),
    DemoLogin(DISPATCHER, DISPATCHER, "何丽娟"),
    DemoLogin(COURIER, COURIER, "刘志强"),
    DemoLogin(TRANSPORT_DISPATCHER, TRANSPORT_DISPATCHER, "孙婷"),
    DemoLogin(WAREHOUSE_KEEPER, WAREHOUSE_KEEPER, "马春生"),
    DemoLogin(ATTENDANCE_ADMIN, ATTENDANCE_ADMIN, "许静"),
    DemoLogin(FINANCE, FINANCE, "高敏"),
    DemoLogin(MANAGER, MANAGER, "陈卫东"),
    DemoLogin(SYSADMIN, SYSADMIN, "赵磊"),
)


@dataclass(frozen=True)
class LoginStaff:
    """The staff row behind a demo login: member ``index`` (1 = head or lead) of a department or
    team, with the login's display name as their name."""

    group: str
    index: int
    gender: str
    position: str


# The built-in ``admin`` account has no staff row (an account without staff is allowed).
LOGIN_STAFF: dict[str, LoginStaff] = {
    REQUESTER: LoginStaff("D-CARD-W1", 2, "F", "护士"),
    TECHNICIAN: LoginStaff("T-HVAC", 2, "M", "空调维修工"),
    TEAM_LEAD: LoginStaff("T-WE", 1, "M", "班长"),
    DISPATCHER: LoginStaff("D-LOG", 3, "F", "调度员"),
    COURIER: LoginStaff("T-TRN-MAIN", 2, "M", "运送员"),
    TRANSPORT_DISPATCHER: LoginStaff("T-TRN-MAIN", 3, "F", "运送调度员"),
    WAREHOUSE_KEEPER: LoginStaff("T-WH", 2, "M", "库管员"),
    ATTENDANCE_ADMIN: LoginStaff("D-LOG", 2, "F", "考勤管理员"),
    FINANCE: LoginStaff("D-FIN", 2, "F", "会计"),
    MANAGER: LoginStaff("D-LOG", 1, "M", "后勤保障部主任"),
    SYSADMIN: LoginStaff("D-IT", 2, "M", "系统管理员"),
}
# Logins that may open the Django admin site.
STAFF_SITE_LOGINS = frozenset({"admin", SYSADMIN, ATTENDANCE_ADMIN})
SUPERUSER_LOGINS = frozenset({"admin", SYSADMIN})

STAFF_TOTAL = {"small": 120, "hospital": 3000, "large": 10_000}
SCALES = tuple(STAFF_TOTAL)
# Hire dates lie in a fixed window, so the data does not depend on the day it is loaded.
HIRE_FIRST, HIRE_LAST = date(1994, 7, 1), date(2025, 10, 31)
HEAD_HIRE_LAST = date(2014, 12, 31)


# --- the staff plan: who exists at each scale (no randomness) ---------------------------------------
@dataclass(frozen=True)
class Slot:
    """One staff member of the plan: member ``index`` (from 1) of a department or a team."""

    employee_no: str
    group: str  # department or team code
    index: int
    department: str
    team: str  # "" for department staff
    kind: str  # department kind, or "team"


def _department_counts(pool: int) -> dict[str, int]:
    """Split ``pool`` people over the departments by weight (largest remainder): at least one each,
    and enough for the demo logins placed there."""
    minimum = {row.code: 1 for row in data.DEPARTMENTS}
    for spot in LOGIN_STAFF.values():
        if spot.group in minimum:
            minimum[spot.group] = max(minimum[spot.group], spot.index)
    weights = {row.code: row.weight or data.KIND_WEIGHTS[row.kind] for row in data.DEPARTMENTS}
    rest = pool - sum(minimum.values())
    if rest < 0:
        raise ValueError(f"{pool} clinical staff are too few for {len(minimum)} departments")
    total = sum(weights.values())
    quotas = {code: rest * weight / total for code, weight in weights.items()}
    counts = {code: minimum[code] + int(quota) for code, quota in quotas.items()}
    missing = pool - sum(counts.values())
    by_remainder = sorted(quotas, key=lambda code: (-(quotas[code] - int(quotas[code])), code))
    for code in by_remainder[:missing]:
        counts[code] += 1
    return counts


def staff_plan(scale: str) -> list[Slot]:
    """Every staff slot of ``scale``: the logistics teams, then the departments' own staff.

    Employee numbers are six digits: ``1DDNNN`` for member NNN of department DD, ``2TTNNN`` for
    member NNN of in-house team TT and ``8TTNNN`` for outsourced ones (DD and TT are positions in
    the tables of ``demo_names``). A slot keeps its number at every scale.
    """
    if len(data.DEPARTMENTS) > 100 or len(data.TEAMS) > 100:
        raise ValueError("employee numbers have two digits for the department or team")
    scale_index = SCALES.index(scale)
    slots: list[Slot] = []
    for t, team in enumerate(data.TEAMS):
        prefix = "8" if team.vendor else "2"
        for n in range(1, team.sizes[scale_index] + 1):
            slots.append(Slot(f"{prefix}{t:02d}{n:03d}", team.code, n, team.department, team.code, "team"))
    counts = _department_counts(STAFF_TOTAL[scale] - len(slots))
    for d, row in enumerate(data.DEPARTMENTS):
        for n in range(1, counts[row.code] + 1):
            slots.append(Slot(f"1{d:02d}{n:03d}", row.code, n, row.code, "", row.kind))
    if any(slot.index > 999 for slot in slots):
        raise ValueError("a department or team of more than 999 people overflows its employee numbers")
    return slots


def employee_no(group: str, index: int) -> str:
    """The employee number of member ``index`` of department or team ``group`` (see ``staff_plan``)."""
    for t, team in enumerate(data.TEAMS):
        if team.code == group:
            return f"{'8' if team.vendor else '2'}{t:02d}{index:03d}"
    for d, row in enumerate(data.DEPARTMENTS):
        if row.code == group:
            return f"1{d:02d}{index:03d}"
    raise KeyError(group)


# --- one person -----------------------------------------------------------------------------------
class _NameMaker:
    """Chinese names: a surname by its frequency, then a one-character given name (a fifth of
    people), a common two-character name (half) or a new combination of two characters."""

    def __init__(self) -> None:
        self.surnames = [name for name, _ in data.SURNAMES]
        self.surname_cum = list(accumulate(share for _, share in data.SURNAMES))
        self.chars = {
            "M": tuple(dict.fromkeys(data.GIVEN_MALE + data.GIVEN_ANY)),
            "F": tuple(dict.fromkeys(data.GIVEN_FEMALE + data.GIVEN_ANY)),
        }
        self.whole = {"M": data.GIVEN_NAMES_MALE, "F": data.GIVEN_NAMES_FEMALE}
        self.positions = {
            kind: ([p for p, _ in table], list(accumulate(w for _, w in table)))
            for kind, table in data.POSITIONS.items()
        }

    def name(self, rng: random.Random, gender: str) -> str:
        surname = self.surnames[bisect(self.surname_cum, rng.random() * self.surname_cum[-1])]
        draw = rng.random()
        chars = self.chars[gender]
        if draw < 0.2:
            return surname + rng.choice(chars)
        if draw < 0.7:
            return surname + rng.choice(self.whole[gender])
        first, second = rng.sample(chars, 2)
        return surname + first + second

    def position(self, rng: random.Random, kind: str) -> str:
        names, cum = self.positions[kind]
        return names[bisect(cum, rng.random() * cum[-1])]


def _phone(rng: random.Random) -> str:
    return rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _person(slot: Slot, base: int, names: _NameMaker, team: data.TeamRow | None, login: DemoLogin | None) -> dict:
    """Field values of ``slot``'s staff member (without foreign keys), from their own generator;
    a demo login's person has the login's name, gender and position."""
    rng = random.Random(f"{base}:{slot.employee_no}")
    if team is not None:
        position = team.lead_position if slot.index == 1 else rng.choice(team.positions)
        male_share = team.male_share
    else:
        position = data.HEAD_POSITIONS[slot.kind] if slot.index == 1 else names.position(rng, slot.kind)
        male_share = data.MALE_SHARE.get(position, 0.5)
    gender = "M" if rng.random() < male_share else "F"
    name = names.name(rng, gender)
    if login is not None:
        spot = LOGIN_STAFF[login.username]
        name, gender, position = login.display_name, spot.gender, spot.position
    last_hire = HEAD_HIRE_LAST if slot.index == 1 else HIRE_LAST
    return {
        "employee_no": slot.employee_no,
        "name": name,
        "gender": gender,
        "phone": _phone(rng),
        "position": position,
        "hire_date": _day_between(rng, HIRE_FIRST, last_hire),
        "attendance_tracked": team is not None or position in data.SHIFT_POSITIONS,
        "employment_type": Staff.EmploymentType.OUTSOURCED if team and team.vendor else Staff.EmploymentType.IN_HOUSE,
    }


# --- seed -----------------------------------------------------------------------------------------
def seed(scale: str, rng: random.Random) -> dict[str, int]:
    """Create whatever of the demo organization does not exist yet; existing rows stay as they are.

    Draws exactly one number from ``rng`` whatever exists already, so the apps seeded after this one
    get the same random sequence on every run.
    """
    if scale not in STAFF_TOTAL:
        raise ValueError(f"unknown scale {scale!r}")
    base = rng.getrandbits(64)
    roles_sync()
    counts: dict[str, int] = {}
    campuses = _seed_campuses(counts)
    buildings, floors = _seed_buildings(counts, campuses)
    departments = _seed_departments(counts, campuses)
    _seed_locations(counts, campuses, buildings, floors, departments)
    vendors = _seed_vendors(counts)
    teams, new_teams = _seed_teams(counts, campuses, vendors)
    users, new_users = _seed_logins(counts)
    _seed_staff(counts, scale, base, departments, teams, vendors, users, new_users)
    _set_team_leads(new_teams)
    return counts


def _seed_campuses(counts: dict[str, int]) -> dict[str, int]:
    existing = dict(Campus.objects.values_list("code", "id"))
    new = [
        Campus(code=row.code, name=row.name, short_name=row.short_name, address=row.address, sort_order=i * 10)
        for i, row in enumerate(data.CAMPUSES, start=1)
        if row.code not in existing
    ]
    Campus.objects.bulk_create(new)
    counts["campuses"] = len(new)
    return dict(Campus.objects.values_list("code", "id")) if new else existing


def _floor_code(level: int) -> str:
    return f"B{-level}" if level < 0 else f"{level}F"


def _floor_name(level: int) -> str:
    return f"地下{-level}层" if level < 0 else f"{level}层"


def _levels(row: data.BuildingRow) -> list[int]:
    return [level for level in range(row.lowest, row.highest + 1) if level != 0]


def _seed_buildings(counts: dict[str, int], campuses: dict[str, int]):
    """Buildings and their floors. Returns ``{(campus, building): id}`` and
    ``{(campus, building, floor code): id}``."""
    existing = {(c, b): pk for c, b, pk in Building.objects.values_list("campus__code", "code", "id")}
    new = [
        Building(campus_id=campuses[row.campus], code=row.code, name=row.name, sort_order=i * 10)
        for i, row in enumerate(data.BUILDINGS, start=1)
        if (row.campus, row.code) not in existing
    ]
    Building.objects.bulk_create(new)
    counts["buildings"] = len(new)
    if new:
        existing = {(c, b): pk for c, b, pk in Building.objects.values_list("campus__code", "code", "id")}

    def floor_map():
        rows = Floor.objects.values_list("building__campus__code", "building__code", "code", "id")
        return {(c, b, code): pk for c, b, code, pk in rows}

    floors = floor_map()
    new_floors = [
        Floor(
            building_id=existing[(row.campus, row.code)],
            code=_floor_code(level),
            name=_floor_name(level),
            level=level,
        )
        for row in data.BUILDINGS
        for level in _levels(row)
        if (row.campus, row.code, _floor_code(level)) not in floors
    ]
    Floor.objects.bulk_create(new_floors, batch_size=1000)
    counts["floors"] = len(new_floors)
    return existing, floor_map() if new_floors else floors


def _seed_departments(counts: dict[str, int], campuses: dict[str, int]) -> dict[str, int]:
    existing = dict(Department.objects.values_list("code", "id"))
    created = 0
    # Parents first, then the departments under them (their parent's id is known by then).
    for with_parent in (False, True):
        new = [
            Department(
                code=row.code,
                name=row.name,
                kind=row.kind,
                campus_id=campuses[row.campus],
                parent_id=existing[row.parent] if row.parent else None,
                phone=f"{6000 + i * 7:04d}",  # internal extension
                sort_order=i * 10,
            )
            for i, row in enumerate(data.DEPARTMENTS, start=1)
            if row.code not in existing and bool(row.parent) == with_parent
        ]
        if new:
            Department.objects.bulk_create(new)
            created += len(new)
            existing = dict(Department.objects.values_list("code", "id"))
    counts["departments"] = created
    return existing


def _planned_locations(campuses, buildings, floors, departments) -> list[Location]:
    """Every location of the demo hospital, in a stable order."""
    campus_rows = {row.code: row for row in data.CAMPUSES}
    building_rows = {(row.campus, row.code): row for row in data.BUILDINGS}
    planned: list[Location] = []

    def at(campus, building, level, code, name, kind, department=None) -> None:
        planned.append(
            Location(
                campus_id=campuses[campus],
                building_id=buildings[(campus, building)] if building else None,
                floor_id=floors[(campus, building, _floor_code(level))] if building else None,
                department_id=departments[department] if department else None,
                code=code,
                name=name,
                kind=kind,
            )
        )

    def floor_label(campus, building, level) -> str:
        return f"{building_rows[(campus, building)].name} {_floor_name(level)}"

    # Departments: their nurse stations, ward areas, counters and rooms.
    extras: dict[str, list[tuple[str, str, str]]] = {}
    for department, suffix, name, kind in data.EXTRA_LOCATIONS:
        extras.setdefault(department, []).append((suffix, name, kind))
    for row in data.DEPARTMENTS:
        for suffix, name, kind in data.DEPARTMENT_LOCATIONS[row.kind] + tuple(extras.get(row.code, ())):
            code = f"L{row.code[1:]}-{suffix}"
            at(row.campus, row.building, row.level, code, f"{row.name} {name}", kind, row.code)
    # Buildings: plant rooms and elevator halls.
    for row in data.BUILDINGS:
        levels = _levels(row)
        prefix = f"L-{row.campus}-{row.code}"
        plant: list[tuple[int, str, str, str]] = []
        if row.code != "PWR":  # the power centre lists its own rooms
            plant += [(levels[0], "PD", "配电房", "plant_room"), (levels[0], "AC", "空调机房", "plant_room")]
            if row.lowest < 0:
                plant.append((levels[0], "WP", "水泵房", "plant_room"))
            if row.highest >= 4:
                plant.append((levels[-1], "EL", "电梯机房", "plant_room"))
            if row.highest >= 10:
                plant.append((levels[-1], "FA", "新风机房", "plant_room"))
        plant += list(row.plant)
        for level, suffix, name, kind in plant:
            label = floor_label(row.campus, row.code, level)
            at(row.campus, row.code, level, f"{prefix}-{_floor_code(level)}-{suffix}", f"{label} {name}", kind)
        if row.public:
            for level in levels:
                label = floor_label(row.campus, row.code, level)
                at(row.campus, row.code, level, f"{prefix}-{_floor_code(level)}-LIFT", f"{label} 电梯厅", "corridor")
    # Counters of the outpatient and inpatient halls.
    for campus, building, level, suffix, name in data.COUNTERS:
        building_name = building_rows[(campus, building)].name
        code = f"L-{campus}-{building}-{_floor_code(level)}-{suffix}"
        at(campus, building, level, code, f"{building_name} {name}", "reception")
    # Outdoor points.
    for campus, suffix, name in data.OUTDOOR:
        at(campus, "", 0, f"L-{campus}-OUT-{suffix}", f"{campus_rows[campus].short_name} {name}", "outdoor")
    return planned


def _seed_locations(counts, campuses, buildings, floors, departments) -> None:
    existing = set(Location.objects.values_list("code", flat=True))
    planned = _planned_locations(campuses, buildings, floors, departments)  # a few hundred objects, no query
    new = [location for location in planned if location.code not in existing]
    Location.objects.bulk_create(new, batch_size=1000)
    counts["locations"] = len(new)


def _seed_vendors(counts: dict[str, int]) -> dict[str, int]:
    """Vendors by name, with their contacts (added only together with a new vendor)."""
    existing = dict(Vendor.objects.values_list("name", "id"))
    new_rows = [row for row in data.VENDORS if row.name not in existing]
    Vendor.objects.bulk_create(
        [
            Vendor(
                name=row.name,
                services=row.services,
                phone=row.phone,
                email=row.email,
                address=row.address,
                contract_end=date.fromisoformat(row.contract_end),
            )
            for row in new_rows
        ]
    )
    if new_rows:
        existing = dict(Vendor.objects.values_list("name", "id"))
    contacts = [
        VendorContact(vendor_id=existing[row.name], name=name, role=role, phone=phone, email=email)
        for row in new_rows
        for name, role, phone, email in row.contacts
    ]
    VendorContact.objects.bulk_create(contacts)
    counts["vendors"] = len(new_rows)
    counts["vendor_contacts"] = len(contacts)
    return {row.key: existing[row.name] for row in data.VENDORS}


def _seed_teams(counts, campuses, vendors) -> tuple[dict[str, int], list[str]]:
    """Teams by code; their leads are set once their staff exist (``_set_team_leads``)."""
    existing = dict(Team.objects.values_list("code", "id"))
    new = [
        Team(
            code=row.code,
            name=row.name,
            kind=row.kind,
            campus_id=campuses[row.campus] if row.campus else None,
            vendor_id=vendors[row.vendor] if row.vendor else None,
        )
        for row in data.TEAMS
        if row.code not in existing
    ]
    Team.objects.bulk_create(new)
    counts["teams"] = len(new)
    if new:
        existing = dict(Team.objects.values_list("code", "id"))
    return existing, [team.code for team in new]


def _seed_logins(counts: dict[str, int]):
    """The demo accounts and their role groups. The password is set only on a new account."""
    User = get_user_model()
    usernames = [login.username for login in DEMO_LOGINS]
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    new_users: set[str] = set()
    password = None
    now = timezone.now()
    for login in DEMO_LOGINS:
        if login.username in users:
            continue
        password = password or make_password(DEMO_PASSWORD)  # hashing is slow: once per run
        users[login.username] = User.objects.create(
            username=login.username,
            display_name=login.display_name,
            password=password,
            password_changed_at=now,
            is_staff=login.username in STAFF_SITE_LOGINS,
            is_superuser=login.username in SUPERUSER_LOGINS,
        )
        new_users.add(login.username)
    counts["logins"] = len(new_users)

    groups = dict(Group.objects.filter(name__in=ROLES).values_list("name", "id"))
    Membership = User.groups.through
    have = set(
        Membership.objects.filter(user__in=users.values(), group_id__in=groups.values()).values_list(
            "user_id", "group_id"
        )
    )
    wanted = [(users[login.username], groups[login.role]) for login in DEMO_LOGINS]
    missing = [(user, group_id) for user, group_id in wanted if (user.pk, group_id) not in have]
    for user, group_id in missing:  # through the manager: the audit trail records the change
        user.groups.add(group_id)
    return users, new_users


def _seed_staff(counts, scale, base, departments, teams, vendors, users, new_users) -> None:
    existing = set(Staff.objects.values_list("employee_no", flat=True))
    plan = [slot for slot in staff_plan(scale) if slot.employee_no not in existing]
    team_rows = {row.code: row for row in data.TEAMS}
    logins = {login.username: login for login in DEMO_LOGINS}
    spots = {(spot.group, spot.index): logins[username] for username, spot in LOGIN_STAFF.items()}
    # An account already linked to a staff row is left alone.
    linked = set(Staff.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    names = _NameMaker()
    new: list[Staff] = []
    for slot in plan:
        team = team_rows.get(slot.team)
        login = spots.get((slot.group, slot.index))
        fields = _person(slot, base, names, team, login)
        if login is not None and users[login.username].pk not in linked:
            fields["user_id"] = users[login.username].pk
            linked.add(users[login.username].pk)
        new.append(
            Staff(
                department_id=departments[slot.department],
                team_id=teams[slot.team] if slot.team else None,
                vendor_id=vendors[team.vendor] if team and team.vendor else None,
                **fields,
            )
        )
    Staff.objects.bulk_create(new, batch_size=1000)
    counts["staff"] = len(new)
    # A demo account created now whose staff row already existed (say the account was deleted).
    for username in sorted(new_users):
        spot = LOGIN_STAFF.get(username)
        if spot is None or users[username].pk in linked:
            continue
        number = employee_no(spot.group, spot.index)
        Staff.objects.filter(employee_no=number, user__isnull=True).update(user=users[username])


def _set_team_leads(new_teams: list[str]) -> None:
    """The lead of each team created in this run: its first member."""
    if not new_teams:
        return
    leads = {code: employee_no(code, 1) for code in new_teams}
    staff = dict(Staff.objects.filter(employee_no__in=leads.values()).values_list("employee_no", "id"))
    teams = list(Team.objects.filter(code__in=new_teams))
    for team in teams:
        team.lead_id = staff.get(leads[team.code])
    Team.objects.bulk_update(teams, ["lead"])
