"""Excel export and import of the ledger: an exported file imports back unchanged (numbers, dates,
formula-looking text and all); bad rows are reported by row number and column and nothing at all
is saved; an update keeps the item's status history; the import page checks first, applies once,
and a replayed confirmation duplicates nothing; the template explains its columns."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from equipment.exports import COLUMNS, row_values, write_export
from equipment.imports import equipment_import
from equipment.models import Equipment, StatusChange
from logistics.common.errors import DomainError
from logistics.common.xlsx import HELP_SHEET_TITLE, XLSX_CONTENT_TYPE
from logistics.common.xlsx_import import CREATE, ERROR, UNCHANGED, UPDATE

from .ledger_world import build_ledger

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IMPORT = reverse("equipment:import")
KEYS = [c.key for c in COLUMNS if not c.read_only]


@pytest.fixture
def world(make_user):
    return build_ledger(make_user)


def export_all() -> bytes:
    out = io.BytesIO()
    write_export(Equipment.objects.all(), out)
    return out.getvalue()


def xlsx(rows: list[dict]) -> bytes:
    """A workbook with the column keys as header (the importer accepts them) and ``rows``."""
    wb = Workbook()
    wb.active.append(KEYS)
    for row in rows:
        wb.active.append([row.get(key) for key in KEYS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def snapshot() -> dict[str, tuple]:
    return {item.code: (row_values(item), item.parameters, item.updated_at) for item in Equipment.objects.all()}


def upload(content: bytes, name: str = "ledger.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


NEW = {"code": "AHU-09", "name": "9号空调箱", "category": "HVAC", "location": "ROOF", "status": "in_service"}


# --- export → import ------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_exported_file_imports_back_unchanged(world, language):
    before = snapshot()
    with translation.override(language):
        content = export_all()
    report = equipment_import(file=content, actor=world["admin"])
    assert report.applied and [r.errors for r in report.rows if r.errors] == []
    assert [(r.key, r.action) for r in report.rows] == [(code, UNCHANGED) for code in sorted(before)]
    assert snapshot() == before  # values, parameter types (1250 stays a number) and updated_at
    assert not StatusChange.objects.exists()


def test_the_export_escapes_formulas_and_writes_natural_keys(world):
    with translation.override("en"):
        sheet = load_workbook(io.BytesIO(export_all())).active
    header = [c.value for c in sheet[1]]
    chiller = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert chiller["notes"] == "'=SUM(A1:A9) 不是公式"
    assert (chiller["category code"], chiller["location code"], chiller["maintenance team code"]) == (
        "CHILLER",
        "PLANT",
        "HVAC",
    )
    assert chiller["technical parameters"] == "cooling_kw=1250; refrigerant=R134a"
    assert chiller["installed on"].date() == world["chiller"].install_date
    assert sheet.cell(2, header.index("installed on") + 1).number_format == "yyyy-mm-dd"
    ups = dict(zip(header, [c.value for c in sheet[4]], strict=True))
    assert (ups["status"], ups["maintenance vendor"]) == ("faulty", "施耐德维保")


def test_an_edited_export_updates_the_item_and_keeps_its_status_history(world, client_as):
    wb = load_workbook(io.BytesIO(export_all()))
    sheet = wb.active
    sheet.cell(2, KEYS.index("name") + 1).value = "1号冷水机组（大修后）"
    sheet.cell(2, KEYS.index("status") + 1).value = "Under repair"  # a label in any site language
    out = io.BytesIO()
    wb.save(out)
    with translation.override("en"):
        report = equipment_import(file=out.getvalue(), actor=world["admin"])
    assert report.applied and [(r.key, r.action) for r in report.rows] == [
        ("CH-01", UPDATE),
        ("FAN-01", UNCHANGED),
        ("UPS-01", UNCHANGED),
    ]
    assert report.rows[0].changes == {
        "name": ["1号冷水机组", "1号冷水机组（大修后）"],
        "status": ["in_service", "under_repair"],
    }
    chiller = Equipment.objects.get(code="CH-01")
    assert (chiller.name, chiller.status, chiller.parameters["cooling_kw"]) == (
        "1号冷水机组（大修后）",
        "under_repair",
        1250,
    )
    change = StatusChange.objects.get(equipment=chiller)
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        "in_service",
        "under_repair",
        world["admin"],
        "Excel import",
    )
    page = client_as(world["tech"]).get(reverse("equipment:detail", args=[chiller.pk]), **EN).content.decode()
    assert "Under repair" in page and "Excel import" in page  # the item's history shows it
    assert LogEntry.objects.filter(object_pk="*", object_repr="import: 0 created, 1 updated").count() == 1


def test_new_codes_create_items_and_a_blank_status_keeps_the_items_own(world):
    rows = [
        {**NEW, "parameters": "airflow=8000", "install_date": "2025/03/01", "warranty_end": date(2028, 2, 29)},
        {"code": "UPS-01", "name": "东院主机房UPS", "category": "UPS", "location": "E-POWER", "department": "LOG",
         "team": "POWER", "vendor": "施耐德维保"},
    ]  # fmt: skip
    before = Equipment.objects.get(code="UPS-01")
    report = equipment_import(file=xlsx(rows), actor=world["admin"])
    assert [(r.key, r.action) for r in report.rows] == [("AHU-09", CREATE), ("UPS-01", UPDATE)]
    created = Equipment.objects.get(code="AHU-09")
    assert (created.category, created.location, created.parameters) == (
        world["hvac"],
        world["roof"],
        {"airflow": "8000"},
    )
    assert (created.install_date, created.warranty_end, created.status) == (
        date(2025, 3, 1),
        date(2028, 2, 29),
        "in_service",
    )
    assert created.qr_token and created.qr_token != before.qr_token
    ups = Equipment.objects.get(code="UPS-01")
    assert (
        ups.status == "faulty" and ups.manufacturer == "" and ups.qr_token == before.qr_token
    )  # the label still works
    assert not StatusChange.objects.exists()


# --- bad rows: reported, nothing saved ---------------------------------------------------------------
BAD_ROWS = [
    ({**NEW, "category": "NOPE"}, "category code", "Unknown equipment category “NOPE”."),
    ({**NEW, "location": "NOWHERE"}, "location code", "Unknown location code “NOWHERE”."),
    ({**NEW, "department": "X"}, "department code", "Unknown department code “X”."),
    ({**NEW, "team": "X"}, "maintenance team code", "Unknown team code “X”."),
    ({**NEW, "vendor": "无此公司"}, "maintenance vendor", "Unknown vendor “无此公司”."),
    ({**NEW, "install_date": "someday"}, "installed on", "Enter a date such as 2026-03-01."),
    (
        {**NEW, "install_date": "2025-05-01", "warranty_end": "2025-04-30"},
        "warranty until",
        "The warranty ends before the installation date.",
    ),
    ({**NEW, "status": "broken"}, "status", "“broken” is not one of: " + ", ".join(Equipment.Status.values) + "."),
    ({**NEW, "code": "bad code"}, "code", "Use letters, digits, '-', '_' and '.' only."),
    ({**NEW, "name": None}, "name", "This field is required."),
    ({**NEW, "parameters": "cooling_kw=5"}, "technical parameters", "The category has no parameter “cooling_kw”."),
    (
        {**NEW, "parameters": "airflow"},
        "technical parameters",
        "Write parameters as key=value; key=value (not “airflow”).",
    ),
]


@pytest.mark.parametrize(("bad", "column", "message"), BAD_ROWS, ids=[b[1] for b in BAD_ROWS])
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_saved(world, bad, column, message):
    good = {**NEW, "code": "AHU-10"}
    update = {"code": "FAN-01", "name": "改名的风机", "category": "HVAC", "status": "faulty"}
    count, before = Equipment.objects.count(), snapshot()
    with translation.override("en"):
        report = equipment_import(file=xlsx([good, update, bad]), actor=world["admin"])
    assert not report.applied
    assert [(r.row_number, r.action) for r in report.rows] == [(2, CREATE), (3, UPDATE), (4, ERROR)]
    assert report.rows[2].problems == [(column, message)]
    assert Equipment.objects.count() == count and snapshot() == before
    assert not StatusChange.objects.exists() and not LogEntry.objects.filter(object_pk="*").exists()


def test_duplicate_codes_and_a_retired_items_status_are_refused(world):
    Equipment.objects.filter(code="FAN-01").update(status="retired")
    rows = [
        NEW,
        {**NEW, "name": "重复"},
        {"code": "FAN-01", "name": "屋顶排风机", "category": "HVAC", "status": "faulty"},
    ]
    with translation.override("en"):
        report = equipment_import(file=xlsx(rows), actor=world["admin"])
    assert [r.action for r in report.rows] == [ERROR, ERROR, ERROR]
    assert report.rows[0].errors == ["code: “AHU-09” appears more than once in the file (rows 2, 3)."]
    assert report.rows[2].errors == ["status: The item is retired; its status no longer changes."]
    assert not Equipment.objects.filter(code="AHU-09").exists()


def test_without_the_change_permission_only_new_items_may_be_imported(world, make_user):
    clerk = make_user("clerk")
    clerk.user_permissions.add(Permission.objects.get(codename="add_equipment"))
    rows = [NEW, {"code": "FAN-01", "name": "改名", "category": "HVAC"}]
    with translation.override("en"):
        report = equipment_import(file=xlsx(rows), actor=clerk)
    assert [r.action for r in report.rows] == [CREATE, ERROR] and not report.applied
    assert report.rows[1].problems == [("code", "You may add items but not change existing ones.")]
    assert (
        Equipment.objects.get(code="FAN-01").name == "屋顶排风机"
        and not Equipment.objects.filter(code="AHU-09").exists()
    )


# --- the page ----------------------------------------------------------------------------------------
def test_the_page_checks_then_applies_once_and_a_replay_duplicates_nothing(world, client_as):
    client = client_as(world["admin"])
    page = client.get(IMPORT, **EN)
    assert page.status_code == 200 and 'href="/equipment/import/template.xlsx"' in page.content.decode()
    content = xlsx([NEW, {"code": "UPS-01", "name": "东院主机房UPS", "category": "UPS", "status": "in_service"}])
    checked = client.post(IMPORT, {"file": upload(content)}, **EN)
    html = checked.content.decode()
    assert 'name="apply"' in html and "1 row to create" in html and "1 row to update" in html
    assert not Equipment.objects.filter(code="AHU-09").exists()  # checking saves nothing
    token = checked.context["token"]

    applied = client.post(IMPORT, {"apply": "1", "token": token}, follow=True, **EN)
    assert applied.redirect_chain[-1] == (reverse("equipment:list"), 302)
    assert "Import finished: 1 created, 1 updated, 0 unchanged." in applied.content.decode()
    assert 'data-code="AHU-09"' in applied.content.decode()
    assert Equipment.objects.get(code="UPS-01").status_changes.get().to_status == "in_service"
    count = Equipment.objects.count()

    replay = client.post(IMPORT, {"apply": "1", "token": token}, follow=True, **EN)
    assert "The checked file is no longer available" in replay.content.decode()
    again = client.post(IMPORT, {"file": upload(content)}, **EN)  # the same file once more: nothing to do
    assert again.context["token"] == "" and "The file changes nothing." in again.content.decode()
    assert Equipment.objects.count() == count and StatusChange.objects.count() == 1


def test_the_page_lists_each_bad_cell_and_offers_no_import(world, client_as):
    client = client_as(world["admin"])
    count = Equipment.objects.count()
    content = xlsx([NEW, {**NEW, "code": "AHU-10", "category": "NOPE", "warranty_end": "2001-01-01",
                          "install_date": "2002-02-02"}])  # fmt: skip
    response = client.post(IMPORT, {"file": upload(content)}, **EN)
    html = response.content.decode()
    assert response.status_code == 200 and 'name="apply"' not in html and response.context["token"] == ""
    assert html.count('<tr class="table-danger" data-row="3">') == 2
    assert "<td>category code</td><td>Unknown equipment category “NOPE”.</td>" in html
    assert "<td>warranty until</td><td>The warranty ends before the installation date.</td>" in html
    assert "Nothing can be imported while rows have errors." in html
    refused = client.post(IMPORT, {"apply": "1", "token": "guessed"}, follow=True, **EN)
    assert "The checked file is no longer available" in refused.content.decode()
    assert Equipment.objects.count() == count


def test_a_file_that_is_not_a_workbook_is_a_form_error(world, client_as):
    response = client_as(world["admin"]).post(IMPORT, {"file": upload(b"code,name\nX,Y\n", "x.csv")}, **EN)
    assert response.status_code == 200 and response.context["report"] is None
    assert "The file is not an Excel workbook (.xlsx)." in response.content.decode()


def test_the_template_has_the_columns_and_a_help_sheet(world, client_as):
    response = client_as(world["admin"]).get(reverse("equipment:import_template"), **EN)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    data, help_sheet = load_workbook(io.BytesIO(response.content)).worksheets
    assert [c.value for c in data[1]][:3] == ["code", "name", "category code"] and data.max_row == 1
    assert "QR token" not in [c.value for c in data[1]]
    assert help_sheet.title == HELP_SHEET_TITLE
    described = {row[0]: row for row in help_sheet.iter_rows(min_row=2, values_only=True)}
    assert described["code"][1] == "Yes" and described["location code"][1] == "No"
    assert "under_repair (Under repair)" in described["status"][2] and "keeps their status" in described["status"][2]
    with pytest.raises(DomainError) as empty:
        equipment_import(file=response.content, actor=None, dry_run=True)
    assert empty.value.code == "empty"  # the empty template is "no data rows", not a wrong header


def test_export_and_import_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    rows = [{**NEW, "code": f"AHU-{i:03d}", "install_date": date(2024, 1, 1) + timedelta(i)} for i in range(60)]
    with django_assert_max_num_queries(20):
        report = equipment_import(file=xlsx(rows), actor=world["admin"])
    assert (
        report.created == 60 and Equipment.objects.filter(code__startswith="AHU-", location=world["roof"]).count() == 60
    )
    with django_assert_max_num_queries(3):
        export_all()
