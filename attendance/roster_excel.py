"""Excel files of a team's roster: the month grid as a workbook (people × days with shift codes) and
reading the same layout back for the import.

Layout of the first sheet: row 1 names the team and the month; row 2 holds the column titles —
employee number, name, then one real date per day; row 3 the weekdays; from row 4 one person per
row with the shift codes of each day (blank: rest; several shifts joined with "+"). Columns after
the days (totals) and rows without an employee number are ignored on import. A second sheet lists
the shift types."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from logistics.common.errors import DomainError
from logistics.org.exports import escape_formula, unescape_formula
from logistics.org.models import Staff, Team

from .models import ShiftType
from .selectors_roster import RosterMonth

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_DAYS = 92
HEADER_SCAN_ROWS = 10
FIRST_DAY_COLUMN = 3  # C: after employee number and name
REST_WORDS = frozenset({"-", "—", "休", "rest", "off", "x", "×", "/"})
SEPARATORS = re.compile(r"[+,，、;；\s]+")
SHADE = PatternFill(fill_type="solid", fgColor="E9ECEF")
HOLIDAY_SHADE = PatternFill(fill_type="solid", fgColor="F8D7DA")


# --- export ---------------------------------------------------------------------------------------
def _bold(ws, value: Any, fill: PatternFill | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=escape_formula(value) if isinstance(value, str) else value)
    cell.font = Font(bold=True)
    if fill is not None:
        cell.fill = fill
    return cell


def roster_workbook(grid: RosterMonth) -> bytes:
    """The month grid as an .xlsx: title row, dates, weekdays, one row per person with shift
    codes coloured like the page, totals, frozen panes on the names and dates; shift types on a
    second sheet. Text a spreadsheet would run as a formula is escaped."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=f"{grid.team.code} {grid.month:%Y-%m}"[:31])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 12
    for index in range(len(grid.days)):
        ws.column_dimensions[get_column_letter(FIRST_DAY_COLUMN + index)].width = 6
    ws.freeze_panes = f"{get_column_letter(FIRST_DAY_COLUMN)}4"

    ws.append(
        [_bold(ws, _("Team")), _bold(ws, grid.team.code), escape_formula(grid.team.name), None,
         _bold(ws, _("Month")), grid.month.strftime("%Y-%m")]
    )  # fmt: skip
    fills = {d.date: HOLIDAY_SHADE if d.kind == "holiday" else SHADE if d.kind == "rest" else None for d in grid.days}
    dates = []
    for day in grid.days:
        cell = _bold(ws, day.date, fills[day.date])
        cell.number_format = "m-d"
        cell.alignment = Alignment(horizontal="center")
        dates.append(cell)
    ws.append(
        [_bold(ws, str(Staff._meta.get_field("employee_no").verbose_name)),
         _bold(ws, str(Staff._meta.get_field("name").verbose_name)), *dates,
         _bold(ws, _("Shifts")), _bold(ws, _("Hours"))]
    )  # fmt: skip
    ws.append([None, None, *(_bold(ws, d.weekday, fills[d.date]) for d in grid.days)])
    styles = {
        s.pk: (
            PatternFill(fill_type="solid", fgColor=s.css_color[1:].upper()),
            Font(color="000000" if s.text_color == "#000" else "FFFFFF"),
        )
        for s in grid.shifts
    }
    for row in grid.rows:
        cells: list[Any] = [row.staff.employee_no, escape_formula(row.staff.name)]
        for cell in row.cells:
            if not cell.shifts:
                cells.append(None)
                continue
            out = WriteOnlyCell(ws, value=escape_formula(cell.codes))
            out.alignment = Alignment(horizontal="center")
            if cell.shifts[0].pk in styles:
                out.fill, out.font = styles[cell.shifts[0].pk]
            cells.append(out)
        cells += [row.shift_count, float(row.hours)]
        ws.append(cells)

    legend = wb.create_sheet(title=str(_("Shift types"))[:31])
    for letter, width in zip("ABCDEF", (12, 24, 8, 8, 12, 16), strict=True):
        legend.column_dimensions[letter].width = width
    legend.append(
        [_bold(legend, title) for title in (_("Code"), _("Name"), _("Start"), _("End"), _("24-hour duty"),
                                            _("Rest day after"))]
    )  # fmt: skip
    for s in grid.shifts:
        legend.append(
            [escape_formula(s.code), escape_formula(s.name), s.start.strftime("%H:%M"), s.end.strftime("%H:%M"),
             _("Yes") if s.is_24h else "", _("Yes") if s.rest_day_after else ""]
        )  # fmt: skip
    legend.append([])
    legend.append([_("A blank day is a rest day; two shifts on one day are written D+N.")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- import ---------------------------------------------------------------------------------------
@dataclass
class ImportRow:
    """One person's row of an imported file: who it is, what is wrong, what would change."""

    row_number: int
    employee_no: str
    name: str
    staff: Staff | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # "11-03: D → N"


@dataclass
class RosterImportReport:
    """The per-row outcome of reading (and perhaps applying) a roster file."""

    team: Team
    dates: list[dt.date]
    rows: list[ImportRow]
    staff: dict[int, Staff] = field(default_factory=dict)
    cells: dict[tuple[int, dt.date], list[ShiftType]] = field(default_factory=dict)
    applied: bool = False
    change: Any = None  # the RosterChange once applied

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def changed_cells(self) -> int:
        return sum(len(row.changes) for row in self.rows)

    @property
    def can_apply(self) -> bool:
        return not self.has_errors and self.changed_cells > 0

    def add_plan(self, plan) -> None:
        """Attach the roster check of the planned change to the rows: overlaps as errors, no rest
        after a night and leave as warnings, and each changed cell as "date: old → new"."""
        by_staff = {row.staff.pk: row for row in self.rows if row.staff is not None}
        for (sid, day), message in plan.errors:
            by_staff[sid].errors.append(f"{day:%m-%d}: {message}")
        for (sid, day), message in plan.warnings:
            by_staff[sid].warnings.append(f"{day:%m-%d}: {message}")
        before: dict[tuple[int, dt.date], list[str]] = defaultdict(list)
        for entry in plan.delete:
            before[(entry.staff_id, entry.date)].append(entry.shift.code)
        for sid, day in plan.changed:
            old = "+".join(before.get((sid, day), [])) or _("rest")
            new = "+".join(s.code for s in self.cells[(sid, day)]) or _("rest")
            by_staff[sid].changes.append(f"{day:%m-%d}: {old} → {new}")


def _read_bytes(file: bytes | IO[bytes]) -> bytes:
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)})
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unescape_formula(str(value).strip()).strip()


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
            try:
                return dt.datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
    return None


def _employee_header_names() -> set[str]:
    names = {"employee_no"}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(Staff._meta.get_field("employee_no").verbose_name).casefold())
    return names


def _find_header(rows: list[tuple]) -> tuple[int, int, dict[int, dt.date]]:
    """(row index, employee number column, {column: date}) of the header row: the first row that
    holds dates after the first two columns."""
    names = _employee_header_names()
    for index, values in enumerate(rows[:HEADER_SCAN_ROWS]):
        dates = {col: d for col, value in enumerate(values) if col >= 1 and (d := _as_date(value)) is not None}
        if not dates:
            continue
        employee_col = next((c for c, v in enumerate(values) if _text(v).casefold() in names), 0)
        if len(set(dates.values())) != len(dates):
            raise DomainError(_("A date appears twice in the row of dates."), code="bad_header")
        if len(dates) > MAX_DAYS:
            raise DomainError(_("The file covers more than %(days)d days.") % {"days": MAX_DAYS}, code="bad_header")
        return index, employee_col, dates
    raise DomainError(
        _("No row of dates found: the file must have the layout of the roster export (employee number, name, "
          "then one date per day)."),
        code="bad_header",
    )  # fmt: skip


def _load_rows(data: bytes) -> list[tuple]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, InvalidFileException, XML errors: all "not an xlsx"
        raise DomainError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx") from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = []
        for values in sheet.iter_rows(values_only=True, max_col=FIRST_DAY_COLUMN + MAX_DAYS + 5):
            rows.append(values)
            if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
                raise DomainError(_("The file has more than %(rows)d rows.") % {"rows": MAX_ROWS}, code="too_many")
    except DomainError:
        raise
    except Exception as exc:  # a corrupt sheet inside a valid zip
        raise DomainError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx") from exc
    finally:
        workbook.close()
    return rows


def _shift_lookup(team: Team) -> tuple[dict[str, ShiftType], dict[str, ShiftType]]:
    """The team's and the shared shift types by code, exactly and case-folded (active ones first).
    Types no longer in use are found too: keeping such a shift is fine, adding it is refused."""
    own = {s.code: s for s in ShiftType.objects.filter(Q(team=team) | Q(team__isnull=True))}
    folded: dict[str, ShiftType] = {}
    for code, shift in sorted(own.items(), key=lambda item: not item[1].is_active):
        folded.setdefault(code.casefold(), shift)
    return own, folded


def read_roster_file(*, team: Team, data: bytes | IO[bytes]) -> RosterImportReport:
    """Read a roster workbook for ``team``: find the row of dates, then one person per row. Rows
    get errors for an unknown employee number, a person not in the team, a person listed twice,
    an unknown shift code. Raises ``DomainError`` for a file that is not a roster workbook."""
    rows = _load_rows(_read_bytes(data))
    header_index, employee_col, date_cols = _find_header(rows)
    dates = sorted(date_cols.values())
    parsed: list[ImportRow] = []
    raw_cells: dict[int, dict[dt.date, str]] = {}
    for offset, values in enumerate(rows[header_index + 1 :], start=header_index + 2):
        employee_no = _text(values[employee_col]) if employee_col < len(values) else ""
        if not employee_no:
            continue
        name = _text(values[employee_col + 1]) if employee_col + 1 < len(values) else ""
        row = ImportRow(row_number=offset, employee_no=employee_no, name=name)
        parsed.append(row)
        raw_cells[id(row)] = {day: _text(values[col]) if col < len(values) else "" for col, day in date_cols.items()}
    if not parsed:
        raise DomainError(_("The file lists nobody below the row of dates."), code="empty")

    report = RosterImportReport(team=team, dates=dates, rows=parsed)
    people = Staff.objects.in_bulk([row.employee_no for row in parsed], field_name="employee_no")
    own, folded = _shift_lookup(team)
    others = {s.code: s for s in ShiftType.objects.exclude(pk__in=[s.pk for s in own.values()])}
    seen: dict[str, int] = {}
    for row in parsed:
        person = people.get(row.employee_no)
        if row.employee_no in seen:
            row.errors.append(
                _("Employee number %(no)s is listed twice (rows %(first)d and %(row)d).")
                % {"no": row.employee_no, "first": seen[row.employee_no], "row": row.row_number}
            )
            continue
        seen[row.employee_no] = row.row_number
        if person is None:
            row.errors.append(_("Unknown employee number %(no)s.") % {"no": row.employee_no})
            continue
        row.staff = person
        if person.team_id != team.pk:
            row.errors.append(_("%(name)s is not in the team %(team)s.") % {"name": person.name, "team": team.name})
            continue
        report.staff[person.pk] = person
        for day, text in sorted(raw_cells[id(row)].items()):
            shifts, ok = [], True
            words = [w for w in SEPARATORS.split(text) if w]
            if len(words) == 1 and words[0] not in own and words[0].casefold() in REST_WORDS:
                words = []
            for word in words:
                shift = own.get(word) or folded.get(word.casefold())
                if shift is None:
                    ok = False
                    message = (
                        _("The shift %(code)s is not one of this team's shift types.")
                        if word in others
                        else _("Unknown shift code %(code)s.")
                    )
                    row.errors.append(f"{day:%m-%d}: " + message % {"code": word})
                else:
                    shifts.append(shift)
            if ok:
                report.cells[(person.pk, day)] = shifts
    return report
