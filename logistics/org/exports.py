"""Excel files of organization data: exports of departments, locations and staff, and the empty
import templates. Columns name related rows by their natural keys (codes, employee numbers,
vendor names), never by ids, so an exported file can be edited and imported again
(``imports.py`` reads the same ``COLUMNS``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

# HELP_SHEET_TITLE, escape_formula and unescape_formula are re-exported: attendance's files and
# org's tests import them from here.
from logistics.common.xlsx import (  # noqa: F401
    BOOL_HELP,
    BOOL_NO_HELP,
    CHOICE_HELP,
    CODE_HELP,
    DATE_HELP,
    HELP_SHEET_TITLE,
    Column,
    escape_formula,
    template_workbook,
    to_bytes,
    unescape_formula,
    write_table,
)

from .models import Department, Location, Staff

COLUMNS: dict[str, tuple[Column, ...]] = {
    "departments": (
        Column("code", _("code"), 16, CODE_HELP, "CARD-W1", required=True),
        Column("name", _("name"), 24, "", "心内科一病区", required=True),
        Column("kind", _("kind"), 14, CHOICE_HELP, "ward", choices_of=(Department, "kind")),
        Column("campus", _("campus code"), 14, _("Code of an existing campus."), "MAIN", required=True),
        Column(
            "parent",
            _("parent department code"),
            18,
            _("Code of an existing department or of another row in this file; blank for none."),
            "CARD",
        ),
        Column("phone", _("phone"), 16, "", "8001"),
        Column("is_active", _("active"), 8, BOOL_HELP, "是"),
    ),
    "locations": (
        Column("code", _("code"), 18, CODE_HELP, "MAIN-A-3-NS", required=True),
        Column("name", _("name"), 24, "", "心内科护士站", required=True),
        Column("kind", _("kind"), 14, CHOICE_HELP, "nurse_station", choices_of=(Location, "kind")),
        Column("campus", _("campus code"), 14, _("Code of an existing campus."), "MAIN", required=True),
        Column("building", _("building code"), 14, _("Code of a building of that campus; blank for none."), "A"),
        Column(
            "floor", _("floor code"), 12, _("Code of a floor of that building; needs a building; blank for none."), "3"
        ),
        Column("department", _("department code"), 16, _("Code of an existing department; blank for none."), "CARD"),
        Column("is_active", _("active"), 8, BOOL_HELP, "是"),
        Column("qr_token", _("QR token"), 20, _("Read only: printed on labels, ignored on import."), read_only=True),
    ),
    "staff": (
        Column(
            "employee_no",
            _("employee number"),
            14,
            _("1–24 letters or digits, unique; also the attendance terminal PIN."),
            "100234",
            required=True,
        ),
        Column("name", _("name"), 14, "", "张三", required=True),
        Column("gender", _("gender"), 8, CHOICE_HELP, "M", choices_of=(Staff, "gender")),
        Column("phone", _("phone"), 16, "", "13800000000"),
        Column("department", _("department code"), 16, _("Code of an existing department; blank for none."), "LOG"),
        Column("team", _("team code"), 14, _("Code of an existing team; blank for none."), "HVAC"),
        Column("position", _("position"), 14, "", "维修工"),
        Column(
            "employment_type",
            _("employment type"),
            14,
            CHOICE_HELP,
            "in_house",
            choices_of=(Staff, "employment_type"),
        ),
        Column("vendor", _("vendor name"), 20, _("Name of an existing vendor; required for outsourced staff."), ""),
        Column("hire_date", _("hire date"), 12, DATE_HELP, "2024-03-01"),
        Column("leave_date", _("leave date"), 12, _("A date such as 2026-03-01, not before the hire date."), ""),
        Column("is_active", _("active"), 8, BOOL_HELP, "是"),
        Column("attendance_tracked", _("attendance tracked"), 10, BOOL_NO_HELP, "是"),
    ),
}

MODELS: dict[str, type[models.Model]] = {"departments": Department, "locations": Location, "staff": Staff}
# Relations the exported columns read: loaded in the same query as the rows.
RELATED: dict[str, tuple[str, ...]] = {
    "departments": ("campus", "parent"),
    "locations": ("campus", "building", "floor", "department"),
    "staff": ("department", "team", "vendor"),
}


def _code(obj: models.Model | None, attr: str = "code") -> str:
    return getattr(obj, attr) if obj is not None else ""


def _department_values(d: Department) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "kind": d.kind,
        "campus": d.campus.code,
        "parent": _code(d.parent),
        "phone": d.phone,
        "is_active": d.is_active,
    }


def _location_values(loc: Location) -> dict[str, Any]:
    return {
        "code": loc.code,
        "name": loc.name,
        "kind": loc.kind,
        "campus": loc.campus.code,
        "building": _code(loc.building),
        "floor": _code(loc.floor),
        "department": _code(loc.department),
        "is_active": loc.is_active,
        "qr_token": loc.qr_token,
    }


def _staff_values(s: Staff) -> dict[str, Any]:
    return {
        "employee_no": s.employee_no,
        "name": s.name,
        "gender": s.gender,
        "phone": s.phone,
        "department": _code(s.department),
        "team": _code(s.team),
        "position": s.position,
        "employment_type": s.employment_type,
        "vendor": _code(s.vendor, "name"),
        "hire_date": s.hire_date,
        "leave_date": s.leave_date,
        "is_active": s.is_active,
        "attendance_tracked": s.attendance_tracked,
    }


# Natural values of one row by column key (text, bool, date or None): what the file shows and
# what the import compares against to tell "update" from "unchanged".
ROW_VALUES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "departments": _department_values,
    "locations": _location_values,
    "staff": _staff_values,
}


def columns_for(model_key: str) -> tuple[Column, ...]:
    """The columns of a kind ("departments", "locations", "staff"); ValueError for others."""
    try:
        return COLUMNS[model_key]
    except KeyError:
        raise ValueError(f"unknown import/export kind {model_key!r}") from None


def export_queryset(model_key: str, queryset: models.QuerySet) -> models.QuerySet:
    """``queryset`` with the relations the export reads, so the file costs one query."""
    columns_for(model_key)
    return queryset.select_related(*RELATED[model_key])


def workbook_for(model_key: str, queryset: models.QuerySet) -> bytes:
    """An .xlsx of the rows of ``queryset``: one translated header row (frozen), then one row per
    object with the import template's columns. User text that a spreadsheet would run as a
    formula is escaped; booleans are written as 是/否 (in the active language), dates as dates."""
    columns = columns_for(model_key)
    wb = Workbook(write_only=True)
    values_of = ROW_VALUES[model_key]
    rows = (values_of(obj) for obj in export_queryset(model_key, queryset).iterator(chunk_size=2000))
    write_table(wb, str(MODELS[model_key]._meta.verbose_name_plural), columns, rows)
    return to_bytes(wb)


def template_for(model_key: str) -> bytes:
    """The empty import template of a kind: the header row on the first sheet, and a second
    sheet describing each column (required or not, format, allowed codes, an example)."""
    return template_workbook(str(MODELS[model_key]._meta.verbose_name_plural), columns_for(model_key))
