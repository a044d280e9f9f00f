"""Writing Excel files that can be edited and imported again: the ``Column`` description shared by
an export, its import template and the importer (``xlsx_import``), write-only sheets, formula
escaping, and the help sheet of an import template. Each app keeps its own columns and row values
(``logistics.org.exports``, ``equipment.exports``)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters that make Excel, WPS or LibreOffice read a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A sheet title may not contain "/" (nor \ ? * [ ] :), so not "说明/Help".
HELP_SHEET_TITLE = "说明 Help"
DATE_FORMAT = "yyyy-mm-dd"

CODE_HELP = _("Unique code: letters, digits, '-', '_' and '.'.")
BOOL_HELP = _("Yes or no: 是/否, yes/no, 1/0. Blank means yes.")
BOOL_NO_HELP = _("Yes or no: 是/否, yes/no, 1/0. Blank means no.")
DATE_HELP = _("A date such as 2026-03-01; blank for none.")
CHOICE_HELP = _("One of these codes (blank for the default):")


@dataclass(frozen=True)
class Column:
    """One column of an import/export sheet. ``key`` is the stable name (also accepted as a
    header on import); ``title`` the translated header written to files."""

    key: str
    title: str | Promise
    width: int
    help: str | Promise = ""
    example: str = ""
    required: bool = False
    read_only: bool = False  # exported for reference, ignored on import
    choices_of: tuple[type[models.Model], str] | None = None  # (model, field) whose choices apply


def escape_formula(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unescape_formula(text: str) -> str:
    """Undo ``escape_formula`` so that exported text imports as it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


def new_sheet(wb: Workbook, title: str, widths: Iterable[int]):
    """A sheet of a write-only workbook with its column widths and the header row frozen: both
    must be set before the first row is appended."""
    ws = wb.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    return ws


def header(ws, titles: Iterable[str]) -> list[WriteOnlyCell]:
    """A bold header row."""
    cells = []
    for title in titles:
        cell = WriteOnlyCell(ws, value=escape_formula(str(title)))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def cell(ws, value: Any) -> Any:
    """A value as the files show it: booleans as 是/否 (in the active language), dates as dates,
    user text escaped."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, date):
        out = WriteOnlyCell(ws, value=value)
        out.number_format = DATE_FORMAT
        return out
    if value is None:
        return None
    if isinstance(value, str):
        return escape_formula(value)
    return value


def write_table(wb: Workbook, title: str, columns: Iterable[Column], rows: Iterable[dict[str, Any]]) -> None:
    """Append a sheet to ``wb``: one translated header row (frozen), then one row per dict of
    values by column key."""
    columns = list(columns)
    ws = new_sheet(wb, title, (c.width for c in columns))
    ws.append(header(ws, (c.title for c in columns)))
    for values in rows:
        ws.append([cell(ws, values[c.key]) for c in columns])


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def choices_text(column: Column) -> str:
    """ "code (label), ..." for a choice column, in the active language; "" for other columns."""
    if column.choices_of is None:
        return ""
    model, field_name = column.choices_of
    field = model._meta.get_field(field_name)
    listed = ", ".join(f"{value} ({label})" for value, label in field.choices)
    return f"{listed}. " + gettext("Default: %(value)s.") % {"value": field.default}


def template_workbook(title: str, columns: Iterable[Column]) -> bytes:
    """An empty import template: the header row of the importable columns on the first sheet, and
    a second sheet describing each column (required or not, format, allowed codes, an example)."""
    columns = [c for c in columns if not c.read_only]
    wb = Workbook(write_only=True)
    write_table(wb, title, columns, ())
    help_ws = new_sheet(wb, HELP_SHEET_TITLE, (22, 10, 70, 18))
    help_ws.append(
        header(help_ws, (gettext("Column"), gettext("Required"), gettext("Description"), gettext("Example")))
    )
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in columns:
        description = " ".join(part for part in (str(column.help), choices_text(column)) if part)
        row = [
            escape_formula(str(column.title)),
            gettext("Yes") if column.required else gettext("No"),
            escape_formula(description),
            escape_formula(column.example),
        ]
        cells = []
        for value in row:
            out = WriteOnlyCell(help_ws, value=value)
            out.alignment = wrap
            cells.append(out)
        help_ws.append(cells)
    return to_bytes(wb)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download."""
    return HttpResponse(
        content,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
