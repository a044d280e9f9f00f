"""Files of the monthly sheet: the Excel sheet (考勤表, one worksheet per department, printed on A4
landscape) and the payroll CSV (one line per person). Both are written from ``month_rows`` as it
streams, with openpyxl's write-only mode for Excel, so memory stays flat for 3,000 people."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext, ngettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from logistics.org.exports import escape_formula

from .selectors_month import (
    OVERTIME_COLUMNS,
    SYMBOLS,
    TOTAL_COLUMNS,
    MonthRow,
    leave_types_for_sheet,
    month_days,
    month_start,
)

PAPERSIZE_A4 = "9"  # Worksheet.PAPERSIZE_A4 (write-only sheets lack the constant)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
PROGRESS_EVERY = 200  # rows between two progress reports (each is one UPDATE)
NAME_COLUMNS = 3  # employee number, name, team: frozen on the left and printed on every page
TITLE_ROWS = 2
HEADER_ROWS = 2  # day numbers, weekdays
WIDTHS = {"number": 10, "name": 9, "team": 10, "day": 4.2, "total": 7, "notes": 36}
INVALID_TITLE = re.compile(r"[\\/*?:\[\]]")

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
REST_FILL = PatternFill("solid", fgColor="EDEDED")
ADJUST_FILL = PatternFill("solid", fgColor="FCE4D6")
CLOSED_FILL = PatternFill("solid", fgColor="E2EFDA")

Progress = Callable[[int], None] | None
LeaveTypes = list[tuple[str, str, str]]  # (code, name, symbol)


def _text(value: str) -> str:
    return escape_formula(value) if value else value


def _number(value) -> Any:
    """Whole numbers as int, half days and hours as float (what Excel shows without ".00")."""
    if not value:
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def total_headers(leave_types: LeaveTypes) -> list[str]:
    """Translated headers of the totals, in file order: the fixed totals, one column per leave type,
    overtime and pending days."""
    leave = [gettext("%(leave)s (days)") % {"leave": name} for _code, name, _symbol in leave_types]
    return [str(c.label) for c in TOTAL_COLUMNS] + leave + [str(c.label) for c in OVERTIME_COLUMNS]


def total_values(totals, leave_types: LeaveTypes) -> list:
    return (
        [_number(totals.value(c)) for c in TOTAL_COLUMNS]
        + [_number(totals.leave_days(code)) for code, _name, _symbol in leave_types]
        + [_number(totals.value(c)) for c in OVERTIME_COLUMNS]
    )


def _sheet_title(name: str, used: set[str]) -> str:
    base = INVALID_TITLE.sub(" ", name).strip(" '") or gettext("No department")
    title, n = base[:31], 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


class _SheetWriter:
    """One department's worksheet; created with widths, panes and print setup before its first row
    (write-only sheets take none of these afterwards)."""

    def __init__(self, wb: Workbook, *, title: str, department: str, month: dt.date, leave_types: LeaveTypes):
        self.ws = ws = wb.create_sheet(title=title)
        self.days = month_days(month)
        self.totals = total_headers(leave_types)
        self.width = NAME_COLUMNS + len(self.days) + len(self.totals) + 1
        widths = [WIDTHS["number"], WIDTHS["name"], WIDTHS["team"]]
        widths += [WIDTHS["day"]] * len(self.days) + [WIDTHS["total"]] * len(self.totals) + [WIDTHS["notes"]]
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        first_body = TITLE_ROWS + HEADER_ROWS + 1
        ws.freeze_panes = f"{get_column_letter(NAME_COLUMNS + 1)}{first_body}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.3
        ws.page_margins.top = ws.page_margins.bottom = 0.5
        ws.print_options.horizontalCentered = True
        ws.print_title_rows = f"{TITLE_ROWS + 1}:{TITLE_ROWS + HEADER_ROWS}"
        ws.print_title_cols = f"A:{get_column_letter(NAME_COLUMNS)}"
        self.department = department
        self.month = month
        self._write_titles()

    def _cell(self, value, *, font=None, fill=None, alignment=None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def _write_titles(self) -> None:
        hospital = getattr(settings, "HOSPITAL_NAME", "")
        title = gettext("Attendance sheet %(month)s") % {"month": formats.date_format(self.month, "YEAR_MONTH_FORMAT")}
        title = " ".join(part for part in (hospital, title, "—", self.department) if part)
        # Write-only sheets cannot merge cells: the title sits in A1 and runs over the empty cells.
        self.ws.append([self._cell(_text(title), font=TITLE_FONT)])
        legend = "  ".join(f"{s.char} {s.label}" for s in SYMBOLS)
        self.ws.append([_text(gettext("Symbols: %(legend)s") % {"legend": legend})])
        names = (gettext("No."), gettext("Name"), gettext("Team"))
        header = [self._cell(label, font=BOLD, alignment=CENTER) for label in names]
        weekdays = [None] * NAME_COLUMNS
        for day in self.days:
            rest = day.weekday() >= 5
            header.append(self._cell(day.day, font=BOLD, alignment=CENTER, fill=REST_FILL if rest else None))
            weekdays.append(
                self._cell(str(WEEKDAYS_ABBR[day.weekday()]), alignment=CENTER, fill=REST_FILL if rest else None)
            )
        header += [self._cell(label, font=BOLD, alignment=CENTER) for label in self.totals]
        header.append(self._cell(gettext("Notes"), font=BOLD, alignment=CENTER))
        self.ws.append(header)
        self.ws.append(weekdays)

    def person(self, row: MonthRow, leave_types: LeaveTypes) -> None:
        notes = []
        if row.closed:
            notes.append(gettext("Closed for payroll"))
        if row.totals.pending_days:
            count = row.totals.pending_days
            text = ngettext("%(count)d day not yet known", "%(count)d days not yet known", count)
            notes.append(text % {"count": count})
        values = [_text(row.employee_no), _text(row.name), _text(row.team), *map(_text, row.days)]
        values += total_values(row.totals, leave_types)
        values.append(_text("; ".join(notes)))
        self.ws.append(values)

    def adjustment(self, row: MonthRow, adjustment, leave_types: LeaveTypes, leave_names: dict[str, str]) -> None:
        """A flagged line under the person: the deltas in the totals columns, the text in the notes."""
        label = gettext("Adjustment %(month)s") % {"month": f"{adjustment.month:%Y-%m}"}
        values: list = [_text(row.employee_no), _text(label), None, *[None] * len(self.days)]
        values += total_values(adjustment.delta, leave_types)
        values.append(_text(adjustment.describe(leave_names)))
        self.ws.append([self._cell(v, fill=ADJUST_FILL, font=Font(italic=True)) for v in values])

    def legend(self, leave_types: LeaveTypes) -> None:
        self.ws.append([])
        self.ws.append([self._cell(gettext("Legend"), font=BOLD)])
        for symbol in SYMBOLS:
            self.ws.append([self._cell(symbol.char, alignment=CENTER), str(symbol.label)])
        for _code, name, symbol in leave_types:
            self.ws.append([self._cell(_text(symbol), alignment=CENTER), _text(name)])
        self.ws.append([self._cell(None, fill=ADJUST_FILL), gettext("Adjustment of an earlier closed month")])
        self.ws.append([])
        self.ws.append(
            [
                _text(
                    gettext("Overtime: workdays 1.5×, rest days 2×, public holidays 3×. Generated %(at)s.")
                    % {"at": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")}
                )
            ]
        )


def month_sheet_write(
    *,
    month: dt.date,
    rows_iter: Iterable[MonthRow],
    out_file: IO[bytes] | str,
    progress: Progress = None,
    leave_types: LeaveTypes | None = None,
) -> int:
    """Write the monthly sheet of ``rows_iter`` (``month_rows`` output, in department order) to
    ``out_file``: one worksheet per department with the title, the day and weekday header (frozen,
    repeated on every printed page), one line per person and a flagged line per adjustment, then the
    legend. A4 landscape, fitted to the page width. User text is escaped against formula injection.
    ``progress(done)`` is called every ``PROGRESS_EVERY`` people. Returns the number of people."""
    month = month_start(month)
    leave_types = leave_types_for_sheet() if leave_types is None else leave_types
    leave_names = {code: name for code, name, _symbol in leave_types}
    wb = Workbook(write_only=True)
    sheets: dict[str, _SheetWriter] = {}
    used: set[str] = set()
    done = 0
    for row in rows_iter:
        sheet = sheets.get(row.department)
        if sheet is None:
            title = _sheet_title(row.department or gettext("No department"), used)
            sheet = sheets[row.department] = _SheetWriter(
                wb, title=title, department=row.department, month=month, leave_types=leave_types
            )
        sheet.person(row, leave_types)
        for adjustment in row.adjustments:
            sheet.adjustment(row, adjustment, leave_types, leave_names)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if not sheets:
        empty = _SheetWriter(wb, title=_sheet_title(gettext("Sheet"), used), department="", month=month,
                             leave_types=leave_types)  # fmt: skip
        empty.ws.append([gettext("Nobody on this sheet.")])
        sheets[""] = empty
    for sheet in sheets.values():
        sheet.legend(leave_types)
    wb.save(out_file)
    if progress is not None:
        progress(done)
    return done


def payroll_csv_write(
    *,
    month: dt.date,
    rows_iter: Iterable[MonthRow],
    out_file: IO[bytes],
    progress: Progress = None,
    leave_types: LeaveTypes | None = None,
) -> int:
    """The payroll file: one line per person with the month's totals and, in the last column, the
    adjustments of earlier closed months carried into it. UTF-8 with a byte order mark so that Excel
    opens Chinese text correctly; user text escaped against formula injection. Returns the lines."""
    month = month_start(month)
    leave_types = leave_types_for_sheet() if leave_types is None else leave_types
    leave_names = {code: name for code, name, _symbol in leave_types}
    text = io.TextIOWrapper(out_file, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(
            [gettext("Month"), gettext("No."), gettext("Name"), gettext("Department"), gettext("Team"),
             gettext("Closed for payroll"), *total_headers(leave_types), gettext("Adjustments carried in")]
        )  # fmt: skip
        done = 0
        for row in rows_iter:
            values = total_values(row.totals, leave_types)
            writer.writerow(
                [f"{month:%Y-%m}", _text(row.employee_no), _text(row.name), _text(row.department), _text(row.team),
                 gettext("Yes") if row.closed else gettext("No"), *("" if v is None else v for v in values),
                 _text("; ".join(a.describe(leave_names) for a in row.adjustments))]
            )  # fmt: skip
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
    finally:
        text.detach()  # leave ``out_file`` open for the caller
    if progress is not None:
        progress(done)
    return done
