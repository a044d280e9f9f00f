"""Excel files of the equipment ledger: the export of any filtered list and the empty import
template. Both have the same columns (``COLUMNS``, read by ``imports.py`` too), naming related
rows by natural keys (category, location, department and team codes, vendor names), never by ids,
so an exported file can be edited and imported again. Technical parameters are one cell of
``key=value; key=value`` text."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from logistics.common.xlsx import CHOICE_HELP, CODE_HELP, DATE_HELP, Column, template_workbook, write_table

from .models import Equipment

EXPORT_MAX_ROWS = 100_000
SHEET_TITLE = _("Equipment ledger")
PARAMETER_SEPARATOR = "; "

COLUMNS: tuple[Column, ...] = (
    Column("code", _("code"), 16, CODE_HELP, "CH-A-01", required=True),
    Column("name", _("name"), 24, "", "1号冷水机组", required=True),
    Column("category", _("category code"), 14, _("Code of an existing equipment category."), "CHILLER", required=True),
    Column("model", _("model"), 16, "", "30XW-1252"),
    Column("manufacturer", _("manufacturer"), 16, "", "开利"),
    Column("serial", _("serial number"), 18, "", "SN2024001"),
    Column("location", _("location code"), 18, _("Code of an existing location; blank for none."), "MAIN-PLANT"),
    Column("department", _("department code"), 16, _("Code of an existing department; blank for none."), "LOG"),
    Column("team", _("maintenance team code"), 14, _("Code of an existing team; blank for none."), "HVAC"),
    Column("vendor", _("maintenance vendor"), 20, _("Name of an existing vendor; blank for none."), ""),
    Column("install_date", _("installed on"), 12, DATE_HELP, "2024-03-01"),
    Column(
        "warranty_end",
        _("warranty until"),
        12,
        _("A date such as 2029-02-28, not before the installation date; blank for none."),
        "2029-02-28",
    ),
    Column(
        "status",
        _("status"),
        14,
        format_lazy("{} {}", _("For items already in the ledger a blank cell keeps their status."), CHOICE_HELP),
        "in_service",
        choices_of=(Equipment, "status"),
    ),
    Column(
        "parameters",
        _("technical parameters"),
        36,
        _("Parameters of the item's category as key=value, separated by semicolons."),
        "cooling_kw=1250; refrigerant=R134a",
    ),
    Column("notes", _("notes"), 30, "", ""),
    Column("qr_token", _("QR token"), 20, _("Read only: printed on labels, ignored on import."), read_only=True),
)

# Relations the exported columns read: loaded in the same query as the rows.
RELATED = ("category", "location", "department", "maintainer_team", "maintainer_vendor")


def _code(obj: Any, attr: str = "code") -> str:
    return getattr(obj, attr) if obj is not None else ""


def parameter_text(value: Any) -> str:
    """One stored parameter value as the file shows it (numbers without quotes)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def parameters_text(parameters: dict[str, Any]) -> str:
    """An item's parameters as "key=value; ..." in key order (the import reads the same text back)."""
    return PARAMETER_SEPARATOR.join(f"{key}={parameter_text(parameters[key])}" for key in sorted(parameters or {}))


def row_values(item: Equipment) -> dict[str, Any]:
    """The natural values of one item by column key: what the file shows and what the import
    compares against to tell "update" from "unchanged"."""
    return {
        "code": item.code,
        "name": item.name,
        "category": item.category.code,
        "model": item.model,
        "manufacturer": item.manufacturer,
        "serial": item.serial,
        "location": _code(item.location),
        "department": _code(item.department),
        "team": _code(item.maintainer_team),
        "vendor": _code(item.maintainer_vendor, "name"),
        "install_date": item.install_date,
        "warranty_end": item.warranty_end,
        "status": item.status,
        "parameters": parameters_text(item.parameters),
        "notes": item.notes,
        "qr_token": item.qr_token,
    }


def export_rows(queryset: QuerySet[Equipment]) -> Iterable[dict[str, Any]]:
    """The values of the first ``EXPORT_MAX_ROWS`` items of ``queryset``, read in one query per chunk."""
    items = queryset.select_related(*RELATED).order_by("code")[:EXPORT_MAX_ROWS]
    return (row_values(item) for item in items.iterator(chunk_size=2000))


def write_export(queryset: QuerySet[Equipment], out: IO[bytes]) -> None:
    """Write an .xlsx of the items of ``queryset`` (with the import template's columns) to ``out``.
    Write-only: memory stays flat for 100,000 rows. User text a spreadsheet would run as a
    formula is escaped; dates are written as dates."""
    wb = Workbook(write_only=True)
    write_table(wb, str(SHEET_TITLE), COLUMNS, export_rows(queryset))
    wb.save(out)


def import_template() -> bytes:
    """The empty import template with its help sheet (what each column takes, the status codes)."""
    return template_workbook(str(SHEET_TITLE), COLUMNS)
