"""Excel import of organization data (departments, locations, staff): upsert by natural key.

``org_import`` reads the first sheet of an .xlsx whose first row holds the column titles of
``exports.COLUMNS`` (in any order, in any language of the site, or the column keys), validates
every row and returns an ``ImportReport`` with one ``RowResult`` per data row. Nothing is written
when a row has errors, unless ``skip_invalid`` is given; then the valid rows are written. All
writes of one import run in one transaction with bulk statements, and one audit entry
(django-auditlog's ``LogEntry``, which does not see bulk writes by itself) records what changed.
"""

from __future__ import annotations

import io
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from logistics.common.errors import Conflict, DomainError

from .exports import COLUMNS, MODELS, RELATED, ROW_VALUES, Column, columns_for, unescape_formula
from .models import Building, Campus, Department, Floor, Staff, Team, User, Vendor

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# Blank rows are skipped but still cost time to read: a crafted file may hold millions of them.
MAX_SCANNED_ROWS = 5 * MAX_ROWS
MAX_EXTRA_COLUMNS = 20  # read this many columns beyond the template's, then stop
BATCH_SIZE = 500

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
KEY_COLUMN = {"departments": "code", "locations": "code", "staff": "employee_no"}

TRUE_WORDS = frozenset({"是", "yes", "y", "true", "t", "1", "√", "✓", "on"})
FALSE_WORDS = frozenset({"否", "no", "n", "false", "f", "0", "×", "✗", "off"})
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y%m%d")


@dataclass
class RowResult:
    """What the import does (or would do) with one data row of the sheet. ``row_number`` is the
    sheet's row number (the header is row 1); ``action`` is create, update, unchanged or error."""

    row_number: int
    key: str
    action: str = ERROR
    errors: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)  # column key → [old, new] for updates


@dataclass
class ImportReport:
    """The per-row outcome of one import. ``applied`` is True once rows were written."""

    kind: str
    rows: list[RowResult]
    skip_invalid: bool = False
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count(CREATE)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def invalid(self) -> int:
        return self.count(ERROR)

    @property
    def has_errors(self) -> bool:
        return self.invalid > 0

    @property
    def can_apply(self) -> bool:
        """Whether applying would write something: changes exist and no error blocks them."""
        return self.created + self.updated > 0 and (self.skip_invalid or not self.has_errors)


@dataclass
class _Row:
    number: int
    raw: dict[str, Any]
    result: RowResult
    natural: dict[str, Any] = field(default_factory=dict)  # cleaned values by column key, as exported
    fields: dict[str, Any] = field(default_factory=dict)  # model field name → value to save
    obj: models.Model | None = None  # the existing row an update changes

    def error(self, column: Column, message: str) -> None:
        self.result.errors.append(gettext("%(column)s: %(message)s") % {"column": column.title, "message": message})

    @property
    def ok(self) -> bool:
        return not self.result.errors


# --- reading the file -----------------------------------------------------------------------------
def _read_bytes(file: bytes | IO[bytes]) -> bytes:
    too_big = DomainError(
        gettext("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}, code="too_large"
    )
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if (getattr(file, "size", None) or 0) > MAX_FILE_BYTES:
            raise too_big
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise too_big
    return data


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _header_names(column: Column) -> set[str]:
    """What a header cell may say for this column: its key or its title in any site language."""
    names = {_norm(column.key), _norm(str(column.title))}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(_norm(str(column.title)))
    return names


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _match_header(columns: Iterable[Column], header: tuple[Any, ...]) -> dict[str, int]:
    columns = list(columns)
    by_name = {name: column for column in columns for name in _header_names(column)}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if _blank(cell):
            continue
        column = by_name.get(_norm(unescape_formula(str(cell).strip())))
        if column is None:
            continue  # an extra column (notes, ...) is ignored
        if column.key in positions:
            raise DomainError(
                gettext("The column “%(column)s” appears twice in the first row.") % {"column": column.title},
                code="bad_header",
            )
        positions[column.key] = index
    missing = [str(c.title) for c in columns if not c.read_only and c.key not in positions]
    if missing:
        raise DomainError(
            gettext("The first row must hold the column titles of the import template. Missing: %(columns)s.")
            % {"columns": ", ".join(missing)},
            code="bad_header",
        )
    for column in columns:
        if column.read_only:
            positions.pop(column.key, None)
    return positions


def _not_xlsx() -> DomainError:
    return DomainError(gettext("The file is not an Excel workbook (.xlsx)."), code="not_xlsx")


def _read_rows(kind: str, data: bytes) -> list[_Row]:
    """The non-blank data rows of the first sheet, raw cell values by column key."""
    columns = columns_for(kind)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, InvalidFileException, KeyError, XML errors: all "not an xlsx"
        raise _not_xlsx() from exc
    try:
        if not workbook.worksheets:
            raise DomainError(gettext("The workbook has no sheet."), code="empty")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong "used range": read every row there is
        rows = sheet.iter_rows(values_only=True, max_col=len(columns) + MAX_EXTRA_COLUMNS)
        header = next(rows, None)
        if header is None or all(_blank(v) for v in header):
            raise DomainError(gettext("The first sheet is empty."), code="empty")
        positions = _match_header(columns, header)
        result: list[_Row] = []
        too_many = DomainError(
            gettext("The file has more than %(max)d rows; split it into smaller files.") % {"max": MAX_ROWS},
            code="too_many_rows",
        )
        for number, values in enumerate(rows, start=2):
            if number > MAX_SCANNED_ROWS:
                raise too_many
            if all(_blank(v) for v in values):
                continue
            if len(result) >= MAX_ROWS:
                raise too_many
            raw = {key: values[index] if index < len(values) else None for key, index in positions.items()}
            result.append(_Row(number=number, raw=raw, result=RowResult(row_number=number, key="")))
    except DomainError:
        raise
    except Exception as exc:  # a corrupt sheet inside a valid zip
        raise _not_xlsx() from exc
    finally:
        workbook.close()
    if not result:
        raise DomainError(gettext("The file has no data rows below the column titles."), code="empty")
    return result


# --- cleaning cell values -------------------------------------------------------------------------
def _text(value: Any) -> str:
    """A cell as text: numbers typed into text columns (phone, employee number) lose the '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return unescape_formula(str(value).strip()).strip()


class _Cleaner:
    """Turns raw cells into field values, recording translated errors on the row."""

    def __init__(self, kind: str) -> None:
        self.columns = {c.key: c for c in COLUMNS[kind]}
        self.model = MODELS[kind]
        self._choices: dict[str, dict[str, str]] = {}
        yes, no = set(TRUE_WORDS), set(FALSE_WORDS)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                yes.add(gettext("Yes").casefold())
                no.add(gettext("No").casefold())
        self.yes, self.no = frozenset(yes), frozenset(no)

    def text(self, row: _Row, key: str, field_name: str | None = None) -> str:
        column = self.columns[key]
        value = _text(row.raw[key])
        if not value:
            if column.required:
                row.error(column, gettext("This field is required."))
            return ""
        try:
            self.model._meta.get_field(field_name or key).run_validators(value)  # length, code format
        except ValidationError as exc:
            for message in exc.messages:
                row.error(column, message)
        return value

    def choice(self, row: _Row, key: str) -> str:
        column = self.columns[key]
        model, field_name = column.choices_of
        model_field = model._meta.get_field(field_name)
        value = _text(row.raw[key])
        if not value:
            return model_field.default
        lookup = self._choices.get(key)
        if lookup is None:  # codes, and labels in every site language
            lookup = {str(code).casefold(): code for code, _label in model_field.choices}
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    lookup.update({str(label).casefold(): code for code, label in model_field.choices})
            self._choices[key] = lookup
        code = lookup.get(value.casefold())
        if code is None:
            row.error(
                column,
                gettext("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(code for code, _label in model_field.choices)},
            )
            return model_field.default
        return code

    def boolean(self, row: _Row, key: str, default: bool) -> bool:
        value = row.raw[key]
        if _blank(value):
            return default
        if isinstance(value, bool):
            return value
        word = _text(value).casefold()
        if word in self.yes:
            return True
        if word in self.no:
            return False
        row.error(self.columns[key], gettext("Enter yes or no (是/否, 1/0)."))
        return default

    def date(self, row: _Row, key: str) -> date | None:
        value = row.raw[key]
        if _blank(value):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            return from_excel(value).date()  # a date typed into a cell formatted as a number
        text = _text(value)
        for fmt in DATE_FORMATS:
            try:
                parsed = time.strptime(text, fmt)
            except ValueError:
                continue
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        row.error(self.columns[key], gettext("Enter a date such as 2026-03-01."))
        return None

    def ref(self, row: _Row, key: str, objects: dict[Any, Any], message: str, lookup_key: Any = None) -> Any:
        """The referenced object named by the cell, or None (blank, or unknown: an error)."""
        column = self.columns[key]
        value = _text(row.raw[key])
        if not value:
            if column.required:
                row.error(column, gettext("This field is required."))
            return None
        found = objects.get(value if lookup_key is None else lookup_key(value))
        if found is None:
            row.error(column, message % {"code": value})
        return found


def _texts(rows: list[_Row], key: str) -> set[str]:
    return {text for row in rows if (text := _text(row.raw[key]))}


def _flag_duplicate_keys(rows: list[_Row], column: Column) -> None:
    numbers: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.result.key:
            numbers[row.result.key].append(row.number)
    for row in rows:
        where = numbers.get(row.result.key, [])
        if len(where) > 1:
            row.error(
                column,
                gettext("“%(key)s” appears more than once in the file (rows %(rows)s).")
                % {"key": row.result.key, "rows": ", ".join(str(n) for n in where)},
            )


# --- one validator per kind ------------------------------------------------------------------------
def _unknown(what: str) -> str:
    messages = {
        "campus": gettext("Unknown campus code “%(code)s”."),
        "department": gettext("Unknown department code “%(code)s”."),
        "team": gettext("Unknown team code “%(code)s”."),
        "vendor": gettext("Unknown vendor “%(code)s”."),
    }
    return messages[what]


def _validate_departments(rows: list[_Row], clean: _Cleaner) -> dict[str, int]:
    """Clean department rows; returns code → id of every department in the database."""
    campuses = {c.code: c for c in Campus.objects.filter(code__in=_texts(rows, "campus"))}
    tree = list(Department.objects.values_list("code", "pk", "parent__code"))
    db_ids = {code: pk for code, pk, _parent in tree}
    db_parent = {code: parent or "" for code, _pk, parent in tree}
    file_codes = _texts(rows, "code")
    parent_column = clean.columns["parent"]
    for row in rows:
        code = clean.text(row, "code")
        row.result.key = code
        campus = clean.ref(row, "campus", campuses, _unknown("campus"))
        parent = _text(row.raw["parent"])
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
    _flag_duplicate_keys(rows, clean.columns["code"])

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


def _validate_locations(rows: list[_Row], clean: _Cleaner) -> None:
    campuses = {c.code: c for c in Campus.objects.filter(code__in=_texts(rows, "campus"))}
    buildings = {(b.campus_id, b.code): b for b in Building.objects.filter(code__in=_texts(rows, "building"))}
    floors = {(f.building_id, f.code): f for f in Floor.objects.filter(code__in=_texts(rows, "floor"))}
    departments = {d.code: d for d in Department.objects.filter(code__in=_texts(rows, "department"))}
    for row in rows:
        code = clean.text(row, "code")
        row.result.key = code
        campus = clean.ref(row, "campus", campuses, _unknown("campus"))
        building_code, floor_code = _text(row.raw["building"]), _text(row.raw["floor"])
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
    _flag_duplicate_keys(rows, clean.columns["code"])


def _validate_staff(rows: list[_Row], clean: _Cleaner) -> None:
    departments = {d.code: d for d in Department.objects.filter(code__in=_texts(rows, "department"))}
    teams = {t.code: t for t in Team.objects.filter(code__in=_texts(rows, "team"))}
    vendors = {v.name: v for v in Vendor.objects.filter(name__in=_texts(rows, "vendor"))}
    for row in rows:
        employee_no = clean.text(row, "employee_no")
        row.result.key = employee_no
        department = clean.ref(row, "department", departments, _unknown("department"))
        team = clean.ref(row, "team", teams, _unknown("team"))
        vendor = clean.ref(row, "vendor", vendors, _unknown("vendor"))
        employment_type = clean.choice(row, "employment_type")
        if employment_type == Staff.EmploymentType.OUTSOURCED and not _text(row.raw["vendor"]):
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
    _flag_duplicate_keys(rows, clean.columns["employee_no"])


VALIDATORS: dict[str, Callable[[list[_Row], _Cleaner], Any]] = {
    "departments": _validate_departments,
    "locations": _validate_locations,
    "staff": _validate_staff,
}


# --- plan and write -------------------------------------------------------------------------------
def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _plan(kind: str, rows: list[_Row], *, lock: bool) -> None:
    """Set each row's action by comparing it with the stored row of the same key."""
    model, key = MODELS[kind], KEY_COLUMN[kind]
    keys = {row.result.key for row in rows if row.ok}
    existing_qs = model.objects.select_related(*RELATED[kind]).filter(**{f"{key}__in": keys}).order_by("pk")
    if lock:  # rows to update stay as read until the import commits; locked in pk order
        existing_qs = existing_qs.select_for_update(of=("self",))
    existing = {getattr(obj, key): obj for obj in existing_qs}
    values_of = ROW_VALUES[kind]
    compared = [c.key for c in COLUMNS[kind] if not c.read_only]
    for row in rows:
        if not row.ok:
            row.result.action = ERROR
            continue
        row.obj = existing.get(row.result.key)
        if row.obj is None:
            row.result.action = CREATE
            continue
        old = values_of(row.obj)
        row.result.changes = {
            k: [_as_text(old[k]), _as_text(row.natural[k])] for k in compared if old[k] != row.natural[k]
        }
        row.result.action = UPDATE if row.result.changes else UNCHANGED


def _write(kind: str, rows: list[_Row], department_ids: dict[str, int] | None) -> None:
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
    if not updating:
        return
    now = timezone.now()
    for row in updating:
        for name, value in row.fields.items():
            setattr(row.obj, name, value)
        if is_departments:
            row.obj.parent_id = department_ids.get(row.natural["parent"])
        row.obj.updated_at = now
    names = [*updating[0].fields, *(["parent"] if is_departments else []), "updated_at"]
    model.objects.bulk_update([row.obj for row in updating], names, batch_size=BATCH_SIZE)


def _audit(report: ImportReport, *, actor: User | None, file_name: str) -> LogEntry:
    """One audit entry for the whole import: counts in ``changes`` (auditlog's [old, new]
    shape, so its admin can show them), keys and field changes in ``additional_data``."""
    created = [row.key for row in report.rows if row.action == CREATE]
    updated = {row.key: row.changes for row in report.rows if row.action == UPDATE}
    skipped = [row.row_number for row in report.rows if row.action == ERROR]
    summary = f"import: {len(created)} created, {len(updated)} updated"
    if skipped:
        summary += f", {len(skipped)} skipped"
    counts = {"created": len(created), "updated": len(updated), "unchanged": report.unchanged, "skipped": len(skipped)}
    user = actor if getattr(actor, "is_authenticated", False) else None
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(MODELS[report.kind]),
        object_pk="*",
        object_repr=summary,
        action=LogEntry.Action.CREATE,
        changes={name: ["None", str(count)] for name, count in counts.items()},
        actor=user,
        actor_email=getattr(user, "email", None) or None,
        additional_data={
            "import": report.kind,
            "file": file_name,
            "skip_invalid": report.skip_invalid,
            "created": created,
            "updated": updated,
            "skipped_rows": skipped,
        },
    )


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
    rows = _read_rows(kind, _read_bytes(file))
    report = ImportReport(kind=kind, rows=[row.result for row in rows], skip_invalid=skip_invalid)
    clean = _Cleaner(kind)
    if dry_run:
        VALIDATORS[kind](rows, clean)
        _plan(kind, rows, lock=False)
        return report
    try:
        with transaction.atomic():
            department_ids = VALIDATORS[kind](rows, clean)
            _plan(kind, rows, lock=True)
            if report.has_errors and not skip_invalid:
                return report
            _write(kind, rows, department_ids)
            _audit(report, actor=actor, file_name=file_name)
    except IntegrityError as exc:
        raise Conflict(
            gettext("Someone else saved some of the same records meanwhile. Check the file and import it again."),
            code="conflict",
        ) from exc
    report.applied = True
    return report
