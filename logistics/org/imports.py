"""Excel import of organization data (departments, locations, staff): upsert by natural key.

``org_import`` reads the first sheet of an .xlsx whose first row holds the column titles of
``exports.COLUMNS`` (in any order, in any language of the site, or the column keys), validates
every row and returns an ``ImportReport`` with one ``RowResult`` per data row. Nothing is written
when a row has errors, unless ``skip_invalid`` is given; then the valid rows are written. All
writes of one import run in one transaction with bulk statements, and one audit entry
(django-auditlog's ``LogEntry``, which does not see bulk writes by itself) records what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.utils.translation import gettext

from logistics.common.xlsx_import import (
    BATCH_SIZE,
    CREATE,
    ERROR,
    MAX_FILE_BYTES,
    MAX_ROWS,
    UNCHANGED,
    UPDATE,
    Cleaner,
    ImportReport,
    RowResult,
    SheetRow,
    cell_text,
    flag_duplicate_keys,
    plan_actions,
    read_bytes,
    read_rows,
    run_import,
    texts,
    update_rows,
)

from .exports import COLUMNS, MODELS, RELATED, ROW_VALUES, columns_for
from .models import Building, Campus, Department, Floor, Staff, Team, User, Vendor

# The actions and the report come from logistics.common.xlsx_import; callers may name them from
# here. MAX_FILE_BYTES and MAX_ROWS are read at call time (a test may lower them).
__all__ = ["CREATE", "ERROR", "UNCHANGED", "UPDATE", "ImportReport", "RowResult", "org_import"]

KEY_COLUMN = {"departments": "code", "locations": "code", "staff": "employee_no"}


# --- one validator per kind ------------------------------------------------------------------------
def _unknown(what: str) -> str:
    messages = {
        "campus": gettext("Unknown campus code “%(code)s”."),
        "department": gettext("Unknown department code “%(code)s”."),
        "team": gettext("Unknown team code “%(code)s”."),
        "vendor": gettext("Unknown vendor “%(code)s”."),
    }
    return messages[what]


def _validate_departments(rows: list[SheetRow], clean: Cleaner) -> dict[str, int]:
    """Clean department rows; returns code → id of every department in the database."""
    campuses = {c.code: c for c in Campus.objects.filter(code__in=texts(rows, "campus"))}
    tree = list(Department.objects.values_list("code", "pk", "parent__code"))
    db_ids = {code: pk for code, pk, _parent in tree}
    db_parent = {code: parent or "" for code, _pk, parent in tree}
    file_codes = texts(rows, "code")
    parent_column = clean.columns["parent"]
    for row in rows:
        code = clean.text(row, "code")
        row.result.key = code
        campus = clean.ref(row, "campus", campuses, _unknown("campus"))
        parent = cell_text(row.raw["parent"])
        if parent and parent == code:
            row.error(parent_column, gettext("A department cannot be its own parent."))
        elif parent and parent not in db_ids and parent not in file_codes:
            row.error(parent_column, _unknown("department") % {"code": parent})
        row.natural = {
            "code": code,
            "name": clean.text(row, "name"),
            "kind": clean.choice(row, "kind"),
            "campus": campus.code if campus else "",
            "parent": parent,
            "phone": clean.text(row, "phone"),
            "is_active": clean.boolean(row, "is_active", True),
        }
        row.fields = {k: row.natural[k] for k in ("code", "name", "kind", "phone", "is_active")} | {"campus": campus}
    flag_duplicate_keys(rows, clean.columns["code"])

    # Parents: a row whose parent row is skipped and not in the database cannot be written, and
    # no chain of parents may loop. Repeat until stable: flagging one row may strand another.
    changed = True
    while changed:
        changed = False
        valid = {row.result.key: row for row in rows if row.ok}
        parent_of = db_parent | {code: row.natural["parent"] for code, row in valid.items()}
        for code, row in valid.items():
            parent = row.natural["parent"]
            if parent and parent not in valid and parent not in db_ids:
                row.error(parent_column, gettext("The row of department “%(code)s” has errors.") % {"code": parent})
                changed = True
                continue
            seen, current = {code}, parent
            while current:
                if current in seen:
                    row.error(parent_column, gettext("The parent departments would form a loop."))
                    changed = True
                    break
                seen.add(current)
                current = parent_of.get(current, "")
    return db_ids


def _validate_locations(rows: list[SheetRow], clean: Cleaner) -> None:
    campuses = {c.code: c for c in Campus.objects.filter(code__in=texts(rows, "campus"))}
    buildings = {(b.campus_id, b.code): b for b in Building.objects.filter(code__in=texts(rows, "building"))}
    floors = {(f.building_id, f.code): f for f in Floor.objects.filter(code__in=texts(rows, "floor"))}
    departments = {d.code: d for d in Department.objects.filter(code__in=texts(rows, "department"))}
    for row in rows:
        code = clean.text(row, "code")
        row.result.key = code
        campus = clean.ref(row, "campus", campuses, _unknown("campus"))
        building_code, floor_code = cell_text(row.raw["building"]), cell_text(row.raw["floor"])
        building = floor = None
        if building_code and campus is not None:
            building = buildings.get((campus.pk, building_code))
            if building is None:
                row.error(
                    clean.columns["building"],
                    gettext("Building “%(code)s” does not exist on campus “%(campus)s”.")
                    % {"code": building_code, "campus": campus.code},
                )
        if floor_code and not building_code:
            row.error(clean.columns["floor"], gettext("A floor needs a building."))
        elif floor_code and building is not None:
            floor = floors.get((building.pk, floor_code))
            if floor is None:
                row.error(
                    clean.columns["floor"],
                    gettext("Floor “%(code)s” does not exist in building “%(building)s”.")
                    % {"code": floor_code, "building": building_code},
                )
        department = clean.ref(row, "department", departments, _unknown("department"))
        row.natural = {
            "code": code,
            "name": clean.text(row, "name"),
            "kind": clean.choice(row, "kind"),
            "campus": campus.code if campus else "",
            "building": building_code,
            "floor": floor_code,
            "department": department.code if department else "",
            "is_active": clean.boolean(row, "is_active", True),
        }
        row.fields = {k: row.natural[k] for k in ("code", "name", "kind", "is_active")} | {
            "campus": campus,
            "building": building,
            "floor": floor,
            "department": department,
        }
    flag_duplicate_keys(rows, clean.columns["code"])


def _validate_staff(rows: list[SheetRow], clean: Cleaner) -> None:
    departments = {d.code: d for d in Department.objects.filter(code__in=texts(rows, "department"))}
    teams = {t.code: t for t in Team.objects.filter(code__in=texts(rows, "team"))}
    vendors = {v.name: v for v in Vendor.objects.filter(name__in=texts(rows, "vendor"))}
    for row in rows:
        employee_no = clean.text(row, "employee_no")
        row.result.key = employee_no
        department = clean.ref(row, "department", departments, _unknown("department"))
        team = clean.ref(row, "team", teams, _unknown("team"))
        vendor = clean.ref(row, "vendor", vendors, _unknown("vendor"))
        employment_type = clean.choice(row, "employment_type")
        if employment_type == Staff.EmploymentType.OUTSOURCED and not cell_text(row.raw["vendor"]):
            row.error(clean.columns["vendor"], gettext("Outsourced staff need a vendor."))
        hire_date, leave_date = clean.date(row, "hire_date"), clean.date(row, "leave_date")
        if hire_date and leave_date and leave_date < hire_date:
            row.error(clean.columns["leave_date"], gettext("The leave date is before the hire date."))
        row.natural = {
            "employee_no": employee_no,
            "name": clean.text(row, "name"),
            "gender": clean.choice(row, "gender"),
            "phone": clean.text(row, "phone"),
            "department": department.code if department else "",
            "team": team.code if team else "",
            "position": clean.text(row, "position"),
            "employment_type": employment_type,
            "vendor": vendor.name if vendor else "",
            "hire_date": hire_date,
            "leave_date": leave_date,
            "is_active": clean.boolean(row, "is_active", True),
            "attendance_tracked": clean.boolean(row, "attendance_tracked", False),
        }
        plain = ("employee_no", "name", "gender", "phone", "position", "employment_type")
        row.fields = {k: row.natural[k] for k in plain} | {
            "department": department,
            "team": team,
            "vendor": vendor,
            "hire_date": hire_date,
            "leave_date": leave_date,
            "is_active": row.natural["is_active"],
            "attendance_tracked": row.natural["attendance_tracked"],
        }
    flag_duplicate_keys(rows, clean.columns["employee_no"])


VALIDATORS: dict[str, Callable[[list[SheetRow], Cleaner], Any]] = {
    "departments": _validate_departments,
    "locations": _validate_locations,
    "staff": _validate_staff,
}


# --- plan and write -------------------------------------------------------------------------------
def _plan(kind: str, rows: list[SheetRow], *, lock: bool) -> None:
    """Set each row's action by comparing it with the stored row of the same key."""
    model, key = MODELS[kind], KEY_COLUMN[kind]
    keys = {row.result.key for row in rows if row.ok}
    existing_qs = model.objects.select_related(*RELATED[kind]).filter(**{f"{key}__in": keys}).order_by("pk")
    if lock:  # rows to update stay as read until the import commits; locked in pk order
        existing_qs = existing_qs.select_for_update(of=("self",))
    existing = {getattr(obj, key): obj for obj in existing_qs}
    plan_actions(rows, existing, ROW_VALUES[kind], [c.key for c in COLUMNS[kind] if not c.read_only])


def _write(kind: str, rows: list[SheetRow], department_ids: dict[str, int] | None) -> None:
    """Bulk-insert new rows and bulk-update changed ones (``updated_at`` set explicitly: bulk
    updates skip ``auto_now``). Department parents may name rows created by this import."""
    model = MODELS[kind]
    creating = [row for row in rows if row.result.action == CREATE]
    updating = [row for row in rows if row.result.action == UPDATE]
    is_departments = kind == "departments"
    department_ids = department_ids or {}
    new_objects = [model(**row.fields) for row in creating]
    if is_departments:
        for obj, row in zip(new_objects, creating, strict=True):
            obj.parent_id = department_ids.get(row.natural["parent"])
    model.objects.bulk_create(new_objects, batch_size=BATCH_SIZE)
    if is_departments:
        department_ids = department_ids | {obj.code: obj.pk for obj in new_objects}
        pending = []
        for obj, row in zip(new_objects, creating, strict=True):
            if row.natural["parent"] and obj.parent_id is None:
                obj.parent_id = department_ids[row.natural["parent"]]
                pending.append(obj)
        model.objects.bulk_update(pending, ["parent"], batch_size=BATCH_SIZE)
    if is_departments:
        for row in updating:
            row.obj.parent_id = department_ids.get(row.natural["parent"])
    update_rows(model, updating, extra_fields=["parent"] if is_departments else [])


def org_import(
    *,
    kind: str,
    file: bytes | IO[bytes],
    actor: User | None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    file_name: str = "",
) -> ImportReport:
    """Import departments, locations or staff (``kind``) from an .xlsx: upsert by code or
    employee number.

    Every row is validated and reported. With ``dry_run`` nothing is written. Otherwise, inside
    one transaction that locks the rows it will update (pk order), the rows are validated again
    and written with bulk statements, unless a row has errors and ``skip_invalid`` is False; with
    ``skip_invalid`` only the valid rows are written. An applied import writes one audit
    ``LogEntry`` (actor, counts, keys). Raises ``DomainError`` for a file that cannot be read
    (not an .xlsx, over 10 MB or 20,000 rows, empty, wrong header row) and ``Conflict`` when a
    concurrent change creates the same key first; nothing is written then.
    """
    columns_for(kind)
    rows = read_rows(COLUMNS[kind], read_bytes(file, max_bytes=MAX_FILE_BYTES), max_rows=MAX_ROWS)
    report = ImportReport(kind=kind, rows=[row.result for row in rows], skip_invalid=skip_invalid)
    clean = Cleaner(COLUMNS[kind], MODELS[kind])

    def check(lock: bool) -> Any:
        department_ids = VALIDATORS[kind](rows, clean)
        _plan(kind, rows, lock=lock)
        return department_ids

    return run_import(
        report,
        check=check,
        write=lambda department_ids: _write(kind, rows, department_ids),
        model=MODELS[kind],
        actor=actor,
        file_name=file_name,
        dry_run=dry_run,
    )
