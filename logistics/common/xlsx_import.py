"""Reading Excel imports: the parts every importer shares (``logistics.org.imports``,
``equipment.imports``).

An import reads the first sheet of an .xlsx whose first row holds the column titles of the app's
``Column``s (in any order, in any language of the site, or the column keys), cleans every data row
into a ``SheetRow`` (translated errors by column), compares it with the stored row of the same key
and reports one ``RowResult`` per row in an ``ImportReport``. ``run_import`` applies it: validated
again inside one transaction, written only when no row has errors (unless the caller skips invalid
rows), with one audit entry. Between the check and the apply, ``PendingUploads`` keeps the file.
"""

from __future__ import annotations

import io
import secrets
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from auditlog.models import LogEntry
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from .errors import Conflict, DomainError
from .xlsx import Column, unescape_formula

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_EXTRA_COLUMNS = 20  # read this many columns beyond the template's, then stop
BATCH_SIZE = 500
PENDING_TTL = 30 * 60  # seconds an uploaded file waits for confirmation

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"

TRUE_WORDS = frozenset({"是", "yes", "y", "true", "t", "1", "√", "✓", "on"})
FALSE_WORDS = frozenset({"否", "no", "n", "false", "f", "0", "×", "✗", "off"})
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y%m%d")


@dataclass
class RowResult:
    """What the import does (or would do) with one data row of the sheet. ``row_number`` is the
    sheet's row number (the header is row 1); ``action`` is create, update, unchanged or error.
    ``errors`` reads "column: message"; ``problems`` holds the same as (column, message) pairs."""

    row_number: int
    key: str
    action: str = ERROR
    errors: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)  # column key → [old, new] for updates
    problems: list[tuple[str, str]] = field(default_factory=list)


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
class SheetRow:
    """One data row while it is cleaned: raw cells by column key, then its values."""

    number: int
    raw: dict[str, Any]
    result: RowResult
    natural: dict[str, Any] = field(default_factory=dict)  # cleaned values by column key, as exported
    fields: dict[str, Any] = field(default_factory=dict)  # model field name → value to save
    obj: models.Model | None = None  # the existing row an update changes

    def error(self, column: Column, message: str) -> None:
        self.result.errors.append(gettext("%(column)s: %(message)s") % {"column": column.title, "message": message})
        self.result.problems.append((str(column.title), message))

    @property
    def ok(self) -> bool:
        return not self.result.errors


# --- reading the file -----------------------------------------------------------------------------
def read_bytes(file: bytes | IO[bytes], *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    too_big = DomainError(
        gettext("The file is larger than %(size)d MB.") % {"size": max_bytes // (1024 * 1024)}, code="too_large"
    )
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if (getattr(file, "size", None) or 0) > max_bytes:
            raise too_big
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
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


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _match_header(columns: Iterable[Column], header: tuple[Any, ...]) -> dict[str, int]:
    columns = list(columns)
    by_name = {name: column for column in columns for name in _header_names(column)}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if blank(cell):
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


def read_rows(columns: Iterable[Column], data: bytes, *, max_rows: int = MAX_ROWS) -> list[SheetRow]:
    """The non-blank data rows of the first sheet, raw cell values by column key. Raises
    ``DomainError`` for a file that is not an .xlsx, is empty, has a wrong header row or more than
    ``max_rows`` rows (blank rows are skipped but still cost time: a crafted file may hold
    millions, so at most five times ``max_rows`` are scanned)."""
    columns = list(columns)
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
        if header is None or all(blank(v) for v in header):
            raise DomainError(gettext("The first sheet is empty."), code="empty")
        positions = _match_header(columns, header)
        result: list[SheetRow] = []
        too_many = DomainError(
            gettext("The file has more than %(max)d rows; split it into smaller files.") % {"max": max_rows},
            code="too_many_rows",
        )
        for number, values in enumerate(rows, start=2):
            if number > 5 * max_rows:
                raise too_many
            if all(blank(v) for v in values):
                continue
            if len(result) >= max_rows:
                raise too_many
            raw = {key: values[index] if index < len(values) else None for key, index in positions.items()}
            result.append(SheetRow(number=number, raw=raw, result=RowResult(row_number=number, key="")))
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
def cell_text(value: Any) -> str:
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


class Cleaner:
    """Turns raw cells into field values of ``model``, recording translated errors on the row."""

    def __init__(self, columns: Iterable[Column], model: type[models.Model]) -> None:
        self.columns = {c.key: c for c in columns}
        self.model = model
        self._choices: dict[str, dict[str, str]] = {}
        yes, no = set(TRUE_WORDS), set(FALSE_WORDS)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                yes.add(gettext("Yes").casefold())
                no.add(gettext("No").casefold())
        self.yes, self.no = frozenset(yes), frozenset(no)

    def text(self, row: SheetRow, key: str, field_name: str | None = None) -> str:
        column = self.columns[key]
        value = cell_text(row.raw[key])
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

    def choice(self, row: SheetRow, key: str) -> str:
        column = self.columns[key]
        model, field_name = column.choices_of
        model_field = model._meta.get_field(field_name)
        value = cell_text(row.raw[key])
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

    def boolean(self, row: SheetRow, key: str, default: bool) -> bool:
        value = row.raw[key]
        if blank(value):
            return default
        if isinstance(value, bool):
            return value
        word = cell_text(value).casefold()
        if word in self.yes:
            return True
        if word in self.no:
            return False
        row.error(self.columns[key], gettext("Enter yes or no (是/否, 1/0)."))
        return default

    def date(self, row: SheetRow, key: str) -> date | None:
        value = row.raw[key]
        if blank(value):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            return from_excel(value).date()  # a date typed into a cell formatted as a number
        text = cell_text(value)
        for fmt in DATE_FORMATS:
            try:
                parsed = time.strptime(text, fmt)
            except ValueError:
                continue
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        row.error(self.columns[key], gettext("Enter a date such as 2026-03-01."))
        return None

    def ref(self, row: SheetRow, key: str, objects: dict[Any, Any], message: str, lookup_key: Any = None) -> Any:
        """The referenced object named by the cell, or None (blank, or unknown: an error)."""
        column = self.columns[key]
        value = cell_text(row.raw[key])
        if not value:
            if column.required:
                row.error(column, gettext("This field is required."))
            return None
        found = objects.get(value if lookup_key is None else lookup_key(value))
        if found is None:
            row.error(column, message % {"code": value})
        return found


def texts(rows: list[SheetRow], key: str) -> set[str]:
    """Every non-blank value of a column (to load the referenced rows in one query)."""
    return {text for row in rows if (text := cell_text(row.raw[key]))}


def flag_duplicate_keys(rows: list[SheetRow], column: Column) -> None:
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


# --- plan and apply -------------------------------------------------------------------------------
def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plan_actions(
    rows: list[SheetRow],
    existing: dict[str, Any],
    values_of: Callable[[Any], dict[str, Any]],
    compared: Iterable[str],
) -> None:
    """Set each row's action by comparing its values with the stored row of the same key
    (``existing``: key → object; ``values_of``: the natural values the export writes)."""
    compared = list(compared)
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
            k: [as_text(old[k]), as_text(row.natural[k])] for k in compared if old[k] != row.natural[k]
        }
        row.result.action = UPDATE if row.result.changes else UNCHANGED


def update_rows(model: type[models.Model], rows: list[SheetRow], extra_fields: Iterable[str] = ()) -> None:
    """Bulk-update the stored rows of ``rows`` with their ``fields`` (and ``extra_fields`` the
    caller set on them); ``updated_at`` is set explicitly: bulk updates skip ``auto_now``."""
    if not rows:
        return
    now = timezone.now()
    for row in rows:
        for name, value in row.fields.items():
            setattr(row.obj, name, value)
        row.obj.updated_at = now
    names = [*rows[0].fields, *extra_fields, "updated_at"]
    model.objects.bulk_update([row.obj for row in rows], names, batch_size=BATCH_SIZE)


def audit_import(report: ImportReport, *, model: type[models.Model], actor: Any, file_name: str) -> LogEntry:
    """One audit entry for the whole import (django-auditlog's ``LogEntry`` does not see bulk
    writes by itself): counts in ``changes`` (auditlog's [old, new] shape, so its admin can show
    them), keys and field changes in ``additional_data``."""
    created = [row.key for row in report.rows if row.action == CREATE]
    updated = {row.key: row.changes for row in report.rows if row.action == UPDATE}
    skipped = [row.row_number for row in report.rows if row.action == ERROR]
    summary = f"import: {len(created)} created, {len(updated)} updated"
    if skipped:
        summary += f", {len(skipped)} skipped"
    counts = {"created": len(created), "updated": len(updated), "unchanged": report.unchanged, "skipped": len(skipped)}
    user = actor if getattr(actor, "is_authenticated", False) else None
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
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


def run_import(
    report: ImportReport,
    *,
    check: Callable[[bool], Any],
    write: Callable[[Any], None],
    model: type[models.Model],
    actor: Any,
    file_name: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Check the rows (``check(lock)`` cleans them and sets their actions, locking the rows it
    will update when ``lock``) and, unless ``dry_run``, apply them: inside one transaction the
    rows are checked again, then written by ``write(<what check returned>)`` with one audit entry,
    unless a row has errors and the report does not skip invalid rows; then nothing is written.
    A unique key that a concurrent change took first raises ``Conflict``; nothing is written."""
    if dry_run:
        check(False)
        return report
    try:
        with transaction.atomic():
            state = check(True)
            if report.has_errors and not report.skip_invalid:
                return report
            write(state)
            audit_import(report, model=model, actor=actor, file_name=file_name)
    except IntegrityError as exc:
        raise Conflict(
            gettext("Someone else saved some of the same records meanwhile. Check the file and import it again."),
            code="conflict",
        ) from exc
    report.applied = True
    return report


# --- the pages: upload form, pending file, report rows ----------------------------------------------
class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


class PendingUploads:
    """A checked file waiting for "import now": kept in the cache (shared by every web process,
    expiring by itself) under a random token that only this session knows. ``take`` hands it out
    once: a replayed or doubled confirmation finds nothing."""

    def __init__(self, session_key: str, cache_prefix: str, ttl: int = PENDING_TTL) -> None:
        self.session_key, self.cache_prefix, self.ttl = session_key, cache_prefix, ttl

    def keep(self, request: HttpRequest, content: bytes, **meta: Any) -> str:
        self.discard(request)
        token = secrets.token_urlsafe(24)
        cache.set(f"{self.cache_prefix}:{token}", content, self.ttl)
        request.session[self.session_key] = {"token": token, **meta}
        return token

    def take(self, request: HttpRequest, token: str) -> tuple[bytes, dict[str, Any]] | None:
        """The file and what was kept with it, if ``token`` is this session's; forgotten either way."""
        pending = request.session.pop(self.session_key, None)
        if not pending or not secrets.compare_digest(pending["token"].encode(), token.encode()):
            if pending:
                request.session[self.session_key] = pending  # a wrong token does not spend the right one
            return None
        key = f"{self.cache_prefix}:{token}"
        content = cache.get(key)
        if content is None or not cache.delete(key):  # expired, or a concurrent confirmation took it
            return None
        return content, pending

    def discard(self, request: HttpRequest) -> None:
        pending = request.session.pop(self.session_key, None)
        if pending:
            cache.delete(f"{self.cache_prefix}:{pending['token']}")


ACTION_LABELS = {CREATE: _("New"), UPDATE: _("Update"), UNCHANGED: _("Unchanged"), ERROR: _("Error")}


def report_rows(report: ImportReport, columns: Iterable[Column], limit: int) -> tuple[list[dict[str, Any]], int]:
    """The rows of a report as a page lists them (every row, or for files of more than ``limit``
    rows only the rows with errors, up to ``limit``), and how many rows are not listed."""
    shown = report.rows
    if len(shown) > limit:
        shown = [row for row in report.rows if row.action == ERROR][:limit]
    titles = {column.key: column.title for column in columns}
    rows = [
        {
            "row": row,
            "label": ACTION_LABELS[row.action],
            "changes": [(titles[key], old, new) for key, (old, new) in row.changes.items()],
        }
        for row in shown
    ]
    return rows, len(report.rows) - len(shown)
