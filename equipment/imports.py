"""Excel import of the equipment ledger: upsert by item code, all or nothing.

``equipment_import`` reads a file with the columns of ``exports.COLUMNS`` (an export, or the
import template filled in), validates every row (unknown category, location, department, team or
vendor, malformed or repeated codes, bad dates, a warranty ending before the installation, an
unknown status, unknown parameters) and returns an ``ImportReport`` with one ``RowResult`` per
row. When any row has errors nothing is written. Otherwise, in one transaction, new codes create
items, existing codes update them, and a changed status goes through ``equipment_status_set`` so
the item's history records it. Importing the same file again changes nothing.
"""

from __future__ import annotations

import re
from typing import IO, Any

from django.utils.translation import gettext

from logistics.common.xlsx_import import (
    BATCH_SIZE,
    CREATE,
    ERROR,
    UPDATE,
    Cleaner,
    ImportReport,
    SheetRow,
    blank,
    cell_text,
    flag_duplicate_keys,
    plan_actions,
    read_bytes,
    read_rows,
    run_import,
    texts,
    update_rows,
)
from logistics.org.models import Department, Location, Team, User, Vendor

from .exports import COLUMNS, RELATED, parameter_text, parameters_text, row_values
from .models import Category, Equipment, Parameter, Status
from .services import equipment_status_set

KIND = "equipment"
PARAMETER_KEY = re.compile(r"^[-a-zA-Z0-9_]+$")
PARAMETER_SPLIT = re.compile(r"[;；\n]")
# Compared with the stored item to tell "update" from "unchanged" (the QR token is never imported).
COMPARED = [c.key for c in COLUMNS if not c.read_only]
PLAIN = ("code", "name", "model", "manufacturer", "serial", "notes")


class _Catalog:
    """The categories and their parameter keys (a category's items may carry the parameters of
    the category and of every category above it)."""

    def __init__(self) -> None:
        self.by_code = {c.code: c for c in Category.objects.all()}
        by_pk = {c.pk: c for c in self.by_code.values()}
        own: dict[int, set[str]] = {}
        for category_id, key in Parameter.objects.values_list("category_id", "key"):
            own.setdefault(category_id, set()).add(key)
        self.keys: dict[int, set[str]] = {}
        for category in by_pk.values():
            keys, node, seen = set(), category, set()
            while node is not None and node.pk not in seen:
                seen.add(node.pk)
                keys |= own.get(node.pk, set())
                node = by_pk.get(node.parent_id)
            self.keys[category.pk] = keys


def _parameters(row: SheetRow, clean: Cleaner, allowed: set[str] | None, stored: dict[str, Any]) -> dict[str, Any]:
    """The "key=value; ..." cell as a dict: keys of the category's parameters (``allowed``; None
    when the category is unknown) or already stored on the item. A value equal (as text) to the
    stored one keeps the stored value, so numbers stay numbers when a file is exported and
    imported again."""
    column = clean.columns["parameters"]
    result: dict[str, Any] = {}
    for part in PARAMETER_SPLIT.split(cell_text(row.raw["parameters"])):
        if not part.strip():
            continue
        key, equals, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not PARAMETER_KEY.match(key):
            row.error(column, gettext("Write parameters as key=value; key=value (not “%(part)s”).") % {"part": part})
        elif key in result:
            row.error(column, gettext("The parameter “%(key)s” is given twice.") % {"key": key})
        elif allowed is not None and key not in allowed and key not in stored:
            row.error(column, gettext("The category has no parameter “%(key)s”.") % {"key": key})
        else:
            result[key] = stored[key] if key in stored and parameter_text(stored[key]) == value else value
    return result


def _validate(rows: list[SheetRow], clean: Cleaner, existing: dict[str, Equipment]) -> None:
    """Clean every row into ``natural`` (as the export writes it) and ``fields`` (to save)."""
    catalog = _Catalog()
    locations = {x.code: x for x in Location.objects.filter(code__in=texts(rows, "location"))}
    departments = {x.code: x for x in Department.objects.filter(code__in=texts(rows, "department"))}
    teams = {x.code: x for x in Team.objects.filter(code__in=texts(rows, "team"))}
    vendors = {x.name: x for x in Vendor.objects.filter(name__in=texts(rows, "vendor"))}
    for row in rows:
        code = clean.text(row, "code")
        row.result.key = code
        stored = existing.get(code)
        category = clean.ref(row, "category", catalog.by_code, gettext("Unknown equipment category “%(code)s”."))
        location = clean.ref(row, "location", locations, gettext("Unknown location code “%(code)s”."))
        department = clean.ref(row, "department", departments, gettext("Unknown department code “%(code)s”."))
        team = clean.ref(row, "team", teams, gettext("Unknown team code “%(code)s”."))
        vendor = clean.ref(row, "vendor", vendors, gettext("Unknown vendor “%(code)s”."))
        install_date, warranty_end = clean.date(row, "install_date"), clean.date(row, "warranty_end")
        if install_date and warranty_end and warranty_end < install_date:
            row.error(clean.columns["warranty_end"], gettext("The warranty ends before the installation date."))
        status = clean.choice(row, "status")
        if blank(row.raw["status"]) and stored is not None:
            status = stored.status  # a blank status keeps the item's own
        if stored is not None and stored.status == Status.RETIRED and status != Status.RETIRED:
            row.error(clean.columns["status"], gettext("The item is retired; its status no longer changes."))
        allowed = catalog.keys.get(category.pk, set()) if category else None
        parameters = _parameters(row, clean, allowed, stored.parameters if stored else {})
        row.natural = {key: clean.text(row, key) for key in PLAIN if key != "code"} | {
            "code": code,
            "category": category.code if category else "",
            "location": location.code if location else "",
            "department": department.code if department else "",
            "team": team.code if team else "",
            "vendor": vendor.name if vendor else "",
            "install_date": install_date,
            "warranty_end": warranty_end,
            "status": status,
            "parameters": parameters_text(parameters),
        }
        row.fields = {key: row.natural[key] for key in PLAIN} | {
            "category": category,
            "location": location,
            "department": department,
            "maintainer_team": team,
            "maintainer_vendor": vendor,
            "install_date": install_date,
            "warranty_end": warranty_end,
            "parameters": parameters,
        }
    flag_duplicate_keys(rows, clean.columns["code"])


def _existing(rows: list[SheetRow], *, lock: bool) -> dict[str, Equipment]:
    """The stored items the file names, by code; locked in pk order until the import commits."""
    queryset = Equipment.objects.select_related(*RELATED).filter(code__in=texts(rows, "code")).order_by("pk")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return {item.code: item for item in queryset}


def _write(rows: list[SheetRow], actor: User | None) -> None:
    """Bulk-insert new items (with the file's status: their first one, not a change) and
    bulk-update changed ones; then each changed status through the service, with history."""
    creating = [Equipment(**row.fields, status=row.natural["status"]) for row in rows if row.result.action == CREATE]
    Equipment.objects.bulk_create(creating, batch_size=BATCH_SIZE)
    updating = [row for row in rows if row.result.action == UPDATE]
    update_rows(Equipment, updating)
    reason = gettext("Excel import")
    for row in updating:
        if row.natural["status"] != row.obj.status:
            equipment_status_set(equipment=row.obj, status=row.natural["status"], actor=actor, reason=reason)


def equipment_import(
    *, file: bytes | IO[bytes], actor: User | None, dry_run: bool = False, file_name: str = ""
) -> ImportReport:
    """Import items from an .xlsx: create new codes, update existing ones.

    Every row is validated and reported. With ``dry_run`` nothing is written. Otherwise, inside
    one transaction that locks the items it will update (pk order), the rows are validated again
    and, only if no row has errors, written (bulk statements; status changes through
    ``equipment_status_set``, which writes the history row) with one audit ``LogEntry``. Updating
    existing items needs ``equipment.change_equipment``: without it those rows are errors. Raises
    ``DomainError`` for a file that cannot be read (not an .xlsx, too large, too many rows, empty,
    wrong header row) and ``Conflict`` when a concurrent import creates the same code first.
    """
    rows = read_rows(COLUMNS, read_bytes(file))
    report = ImportReport(kind=KIND, rows=[row.result for row in rows])
    clean = Cleaner(COLUMNS, Equipment)
    may_update = actor is None or actor.has_perm("equipment.change_equipment")

    def check(lock: bool) -> None:
        existing = _existing(rows, lock=lock)
        _validate(rows, clean, existing)
        plan_actions(rows, existing, row_values, COMPARED)
        for row in rows:
            if row.result.action == UPDATE and not may_update:
                row.error(clean.columns["code"], gettext("You may add items but not change existing ones."))
                row.result.action = ERROR

    return run_import(
        report,
        check=check,
        write=lambda _state: _write(rows, actor),
        model=Equipment,
        actor=actor,
        file_name=file_name,
        dry_run=dry_run,
    )
