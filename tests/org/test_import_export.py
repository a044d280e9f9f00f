"""Excel export and import of departments, locations and staff, and the admin pages for them.

The admin tests run against a private admin site (``io_site`` below, mounted at /io-admin/ by
this module's ``urlpatterns``) whose Department/Location/Staff admins are the project's own
classes with ``ExcelImportExportMixin`` added (or as they are, once admin.py applies it).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib import admin as django_admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import path
from django.utils import translation
from openpyxl import Workbook, load_workbook

import logistics.urls
from logistics.common.errors import DomainError
from logistics.org import imports
from logistics.org.admin_io import ExcelImportExportMixin
from logistics.org.exports import COLUMNS, HELP_SHEET_TITLE, ROW_VALUES, escape_formula, template_for, workbook_for
from logistics.org.imports import CREATE, ERROR, UNCHANGED, UPDATE, org_import
from logistics.org.models import Building, Campus, Department, Floor, Location, Staff, Team, Vendor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MODELS = {"departments": Department, "locations": Location, "staff": Staff}


# --- a private admin site with the mixin applied -------------------------------------------------
def _with_mixin(admin_class: type, kind: str) -> type:
    if issubclass(admin_class, ExcelImportExportMixin):  # admin.py already applies it
        return admin_class
    return type(admin_class.__name__, (ExcelImportExportMixin, admin_class), {"import_kind": kind})


io_site = django_admin.AdminSite(name="io_admin")
for _model, _kind in ((Department, "departments"), (Location, "locations"), (Staff, "staff")):
    io_site.register(_model, _with_mixin(type(django_admin.site._registry[_model]), _kind))

urlpatterns = [path("io-admin/", io_site.urls), *logistics.urls.urlpatterns]
DEPT_URL = "/io-admin/org/department/"
EN = {"accept-language": "en"}
IMPORT_URL = DEPT_URL + "import/"


# --- data --------------------------------------------------------------------------------------------
@pytest.fixture
def org(db):
    main = Campus.objects.create(code="MAIN", name="本部", short_name="本部")
    east = Campus.objects.create(code="EAST", name="东院")
    building = Building.objects.create(campus=main, code="A", name="门诊楼")
    east_a = Building.objects.create(campus=east, code="A", name="东院 A 楼")  # same code, other campus
    floor = Floor.objects.create(building=building, code="3", name="3F", level=3)
    Floor.objects.create(building=east_a, code="5", name="5F", level=5)
    logistics_dept = Department.objects.create(
        code="LOG", name="后勤保障部", kind="logistics", campus=main, phone="-8001"
    )
    ward = Department.objects.create(code="CARD", name="心内科", kind="ward", campus=main, parent=logistics_dept)
    Department.objects.create(code="EAST-ER", name="=东院急诊", kind="emergency", campus=east, is_active=False)
    Location.objects.create(
        code="MAIN-A-3-NS",
        name="心内科护士站",
        kind="nurse_station",
        campus=main,
        building=building,
        floor=floor,
        department=ward,
    )
    Location.objects.create(code="EAST-GATE", name="@东门", kind="outdoor", campus=east, building=east_a)
    vendor = Vendor.objects.create(name="+安洁物业")
    team = Team.objects.create(code="HVAC", name="空调班组", kind="hvac", campus=main)
    Staff.objects.create(
        employee_no="100234",
        name="张三",
        gender="M",
        phone="13800000000",
        department=logistics_dept,
        team=team,
        position="维修工",
        hire_date=date(2020, 5, 1),
        attendance_tracked=True,
    )
    Staff.objects.create(
        employee_no="W0007",
        name="李四",
        gender="F",
        employment_type="outsourced",
        vendor=vendor,
        hire_date=date(2021, 1, 1),
        leave_date=date(2025, 6, 30),
        is_active=False,
    )
    return {"main": main, "east": east, "vendor": vendor, "team": team}


def _xlsx(kind: str, rows: list[dict], header: list[str] | None = None) -> bytes:
    """An in-memory workbook with column keys as header (the importer accepts them) and rows."""
    keys = [c.key for c in COLUMNS[kind] if not c.read_only]
    wb = Workbook()
    ws = wb.active
    ws.append(keys if header is None else header)
    for row in rows:
        ws.append([row.get(key) for key in keys])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _empty_xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _snapshot(kind: str) -> dict[str, tuple]:
    model = MODELS[kind]
    return {str(obj.pk): (ROW_VALUES[kind](obj), obj.updated_at) for obj in model.objects.all()}


def _dept(code: str, campus: str = "MAIN", **extra) -> dict:
    return {"code": code, "name": f"科室 {code}", "kind": "ward", "campus": campus, **extra}


# --- export ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("kind", ["departments", "locations", "staff"])
def test_export_then_import_changes_nothing(org, sysadmin_user, kind, language):
    before = _snapshot(kind)
    with translation.override(language):
        content = workbook_for(kind, MODELS[kind].objects.all())
    report = org_import(kind=kind, file=content, actor=sysadmin_user)
    assert report.applied
    assert [r.errors for r in report.rows if r.errors] == []
    assert {r.action for r in report.rows} == {UNCHANGED}
    assert len(report.rows) == len(before)
    assert _snapshot(kind) == before  # values and updated_at


def test_export_escapes_formulas_and_freezes_the_header(org):
    with translation.override("zh-hans"):
        content = workbook_for("departments", Department.objects.order_by("code"))
    ws = load_workbook(io.BytesIO(content)).active
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:2] == ["编码", "名称"]
    rows = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["EAST-ER"][1] == "'=东院急诊"
    assert rows["LOG"][5] == "'-8001"
    assert all(cell.data_type == "s" for row in ws.iter_rows(min_row=2) for cell in row if cell.value)
    staff = load_workbook(io.BytesIO(workbook_for("staff", Staff.objects.all()))).active
    vendor_cells = [row[8] for row in staff.iter_rows(min_row=2, values_only=True)]
    assert "'+安洁物业" in vendor_cells
    locations = load_workbook(io.BytesIO(workbook_for("locations", Location.objects.all()))).active
    assert "'@东门" in [row[1] for row in locations.iter_rows(min_row=2, values_only=True)]


def test_export_writes_natural_keys_dates_and_the_qr_token(org):
    with translation.override("en"):
        staff = load_workbook(io.BytesIO(workbook_for("staff", Staff.objects.filter(employee_no="W0007")))).active
        locations = load_workbook(io.BytesIO(workbook_for("locations", Location.objects.filter(code="MAIN-A-3-NS"))))
    row = [c.value for c in staff[2]]
    assert row[:9] == ["W0007", "李四", "F", None, None, None, None, "outsourced", "'+安洁物业"]
    assert (row[9].date(), row[10].date()) == (date(2021, 1, 1), date(2025, 6, 30))
    assert staff.cell(2, 10).number_format == "yyyy-mm-dd"
    assert row[11:] == ["No", "No"]
    location = Location.objects.get(code="MAIN-A-3-NS")
    assert [c.value for c in locations.active[2]] == [
        "MAIN-A-3-NS",
        "心内科护士站",
        "nurse_station",
        "MAIN",
        "A",
        "3",
        "CARD",
        "Yes",
        escape_formula(location.qr_token),  # a token may start with "-": one in 32 would read as a formula
    ]


def test_export_query_count_does_not_grow_with_rows(org, django_assert_max_num_queries):
    main = org["main"]
    Location.objects.bulk_create(Location(code=f"R{i}", name=f"房间 {i}", campus=main) for i in range(30))
    Staff.objects.bulk_create(Staff(employee_no=f"9{i:04d}", name=f"员工{i}", team=org["team"]) for i in range(30))
    with django_assert_max_num_queries(2):
        workbook_for("locations", Location.objects.all())
    with django_assert_max_num_queries(2):
        workbook_for("staff", Staff.objects.all())


def test_template_has_the_header_and_a_help_sheet(db):
    with translation.override("en"):
        wb = load_workbook(io.BytesIO(template_for("locations")))
    data, help_sheet = wb.worksheets
    assert [c.value for c in data[1]] == [
        "code",
        "name",
        "kind",
        "campus code",
        "building code",
        "floor code",
        "department code",
        "active",
    ]
    assert data.max_row == 1
    assert help_sheet.title == HELP_SHEET_TITLE
    described = {row[0]: row for row in help_sheet.iter_rows(min_row=2, values_only=True)}
    assert described["code"][1] == "Yes" and described["building code"][1] == "No"
    assert "nurse_station (Nurse station)" in described["kind"][2]
    # The empty template imports as "no data rows", not as a wrong header.
    with pytest.raises(DomainError) as error:
        org_import(kind="locations", file=template_for("locations"), actor=None, dry_run=True)
    assert error.value.code == "empty"


# --- import: validation --------------------------------------------------------------------------------
def test_one_bad_row_saves_nothing_and_names_the_row(org, sysadmin_user):
    content = _xlsx("departments", [_dept("NEW1"), _dept("NEW2", campus="NOPE"), _dept("LOG", name="后勤部")])
    with translation.override("en"):
        report = org_import(kind="departments", file=content, actor=sysadmin_user)
    assert not report.applied
    assert [(r.row_number, r.key, r.action) for r in report.rows] == [
        (2, "NEW1", CREATE),
        (3, "NEW2", ERROR),
        (4, "LOG", UPDATE),
    ]
    assert report.rows[1].errors == ["campus code: Unknown campus code “NOPE”."]
    assert not Department.objects.filter(code__in=["NEW1", "NEW2"]).exists()
    assert Department.objects.get(code="LOG").name == "后勤保障部"
    assert not LogEntry.objects.filter(object_pk="*").exists()


def test_errors_are_in_the_active_language(org, sysadmin_user):
    content = _xlsx("departments", [_dept("NEW1", campus="MAIN", name="")])
    with translation.override("zh-hans"):
        report = org_import(kind="departments", file=content, actor=sysadmin_user, dry_run=True)
    # The column title and Django's own message are translated already.
    [message] = report.rows[0].errors
    assert message.startswith("名称") and "必填" in message


def test_skip_invalid_saves_only_the_good_rows(org, sysadmin_user):
    content = _xlsx("departments", [_dept("NEW1"), _dept("NEW2", campus="NOPE"), _dept("NEW3", parent="NEW1")])
    report = org_import(kind="departments", file=content, actor=sysadmin_user, skip_invalid=True)
    assert report.applied
    assert (report.created, report.invalid) == (2, 1)
    assert set(Department.objects.filter(code__startswith="NEW").values_list("code", "parent__code")) == {
        ("NEW1", None),
        ("NEW3", "NEW1"),  # a parent created by the same import
    }


def test_skip_invalid_also_skips_children_of_skipped_rows(org, sysadmin_user):
    content = _xlsx("departments", [_dept("NEW1", campus="NOPE"), _dept("NEW2", parent="NEW1")])
    with translation.override("en"):
        report = org_import(kind="departments", file=content, actor=sysadmin_user, skip_invalid=True)
    assert [r.action for r in report.rows] == [ERROR, ERROR]
    assert report.rows[1].errors == ["parent department code: The row of department “NEW1” has errors."]
    assert not Department.objects.filter(code__startswith="NEW").exists()


def test_duplicate_employee_numbers_in_the_file_are_flagged(org, sysadmin_user):
    rows = [{"employee_no": "200001", "name": "王五"}, {"employee_no": "200002", "name": "赵六"}]
    rows.append({"employee_no": "200001", "name": "王五二"})
    with translation.override("en"):
        report = org_import(kind="staff", file=_xlsx("staff", rows), actor=sysadmin_user)
    assert [r.action for r in report.rows] == [ERROR, CREATE, ERROR]
    assert report.rows[0].errors == ["employee number: “200001” appears more than once in the file (rows 2, 4)."]
    assert report.rows[2].errors == report.rows[0].errors
    assert not Staff.objects.filter(employee_no__startswith="2000").exists()


P = {"employee_no": "300001", "name": "甲"}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**P, "employee_no": "12-3"}, "employee number: Employee numbers are 1–24 letters or digits."),
        ({**P, "name": None}, "name: This field is required."),
        ({**P, "gender": "X"}, "gender: “X” is not one of: M, F, U."),
        ({**P, "employment_type": "outsourced"}, "vendor name: Outsourced staff need a vendor."),
        ({**P, "vendor": "无此公司"}, "vendor name: Unknown vendor “无此公司”."),
        ({**P, "team": "NOPE"}, "team code: Unknown team code “NOPE”."),
        ({**P, "department": "NOPE"}, "department code: Unknown department code “NOPE”."),
        (
            {**P, "hire_date": "2024-05-01", "leave_date": "2024-04-30"},
            "leave date: The leave date is before the hire date.",
        ),
        ({**P, "hire_date": "someday"}, "hire date: Enter a date such as 2026-03-01."),
        ({**P, "is_active": "maybe"}, "active: Enter yes or no (是/否, 1/0)."),
    ],
)
def test_staff_row_errors(org, sysadmin_user, row, message):
    with translation.override("en"):
        report = org_import(kind="staff", file=_xlsx("staff", [row]), actor=sysadmin_user, dry_run=True)
    assert report.rows[0].action == ERROR
    assert report.rows[0].errors == [message]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"campus": "MAIN", "building": "Z"}, "building code: Building “Z” does not exist on campus “MAIN”."),
        ({"campus": "MAIN", "building": "A", "floor": "5"}, "floor code: Floor “5” does not exist in building “A”."),
        ({"campus": "MAIN", "floor": "3"}, "floor code: A floor needs a building."),
        (
            {"campus": "MAIN", "kind": "garage"},
            "kind: “garage” is not one of: " + ", ".join(Location.Kind.values) + ".",
        ),
        ({"campus": "MAIN", "code": "bad code"}, "code: Use letters, digits, '-', '_' and '.' only."),
    ],
)
def test_location_row_errors(org, sysadmin_user, row, message):
    row = {"code": "L1", "name": "某处", **row}
    with translation.override("en"):
        report = org_import(kind="locations", file=_xlsx("locations", [row]), actor=sysadmin_user, dry_run=True)
    assert report.rows[0].errors == [message]


def test_department_parent_loops_are_refused(org, sysadmin_user):
    # LOG is CARD's parent in the database; making CARD LOG's parent closes a loop.
    rows = [_dept("LOG", parent="CARD", kind="logistics"), _dept("SELF", parent="SELF")]
    with translation.override("en"):
        report = org_import(kind="departments", file=_xlsx("departments", rows), actor=sysadmin_user)
    assert report.rows[0].errors == ["parent department code: The parent departments would form a loop."]
    assert report.rows[1].errors == ["parent department code: A department cannot be its own parent."]
    assert Department.objects.get(code="LOG").parent is None


def test_cells_are_read_leniently(org, sysadmin_user):
    """Numbers typed into text columns, Chinese yes/no, labels instead of codes, real dates."""
    rows = [
        {
            "employee_no": 400001,
            "name": "钱七",
            "gender": "Female",
            "phone": 13900000000.0,
            "team": "HVAC",
            "hire_date": date(2023, 2, 1),
            "leave_date": "2024/03/05",
            "is_active": "否",
            "attendance_tracked": "是",
            "employment_type": "Outsourced",
            "vendor": "'+安洁物业",
        },
    ]
    report = org_import(kind="staff", file=_xlsx("staff", rows), actor=sysadmin_user)
    assert report.applied and report.created == 1
    staff = Staff.objects.get(employee_no="400001")
    assert (staff.gender, staff.phone, staff.team, staff.vendor) == ("F", "13900000000", org["team"], org["vendor"])
    assert (staff.hire_date, staff.leave_date) == (date(2023, 2, 1), date(2024, 3, 5))
    assert (staff.is_active, staff.attendance_tracked, staff.employment_type) == (False, True, "outsourced")


def test_a_wrong_used_range_in_the_file_does_not_hide_rows(org, sysadmin_user):
    content = _xlsx("departments", [_dept("NEW1"), _dept("NEW2"), _dept("NEW3")])
    source, target = io.BytesIO(content), io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:G2"', data)
            zout.writestr(item, data)
    report = org_import(kind="departments", file=target.getvalue(), actor=sysadmin_user)
    assert [r.key for r in report.rows] == ["NEW1", "NEW2", "NEW3"]


def test_update_changes_only_what_the_file_says(org, sysadmin_user):
    rows = [{"code": "EAST-GATE", "name": "东门", "kind": "outdoor", "campus": "EAST", "building": "A", "floor": "5"}]
    before = Location.objects.get(code="EAST-GATE")
    report = org_import(kind="locations", file=_xlsx("locations", rows), actor=sysadmin_user)
    assert report.rows[0].action == UPDATE
    assert report.rows[0].changes == {"name": ["@东门", "东门"], "floor": ["", "5"]}
    after = Location.objects.get(code="EAST-GATE")
    assert (after.name, after.floor.code, after.floor.building.campus.code) == ("东门", "5", "EAST")
    assert after.qr_token == before.qr_token and after.updated_at > before.updated_at


def test_import_query_count_does_not_grow_with_rows(org, sysadmin_user, django_assert_max_num_queries):
    rows = [{"employee_no": f"5{i:05d}", "name": f"员工{i}", "department": "LOG", "team": "HVAC"} for i in range(60)]
    with django_assert_max_num_queries(15):
        report = org_import(kind="staff", file=_xlsx("staff", rows), actor=sysadmin_user)
    assert report.created == 60
    assert Staff.objects.filter(employee_no__startswith="5", department__code="LOG").count() == 60


# --- import: bad files ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"code,name,campus\nX,Y,MAIN\n", "not_xlsx", "The file is not an Excel workbook (.xlsx)."),
        (b"PK\x03\x04 not really a zip", "not_xlsx", "The file is not an Excel workbook (.xlsx)."),
        (_empty_xlsx(), "empty", "The first sheet is empty."),
        (_xlsx("departments", []), "empty", "The file has no data rows below the column titles."),
        (
            _xlsx("departments", [_dept("X")], header=["编号", "name", "campus"]),
            "bad_header",
            "The first row must hold the column titles of the import template. "
            "Missing: code, kind, parent department code, phone, active.",
        ),
    ],
    ids=["csv", "broken-zip", "empty-sheet", "header-only", "wrong-header"],
)
def test_bad_files_raise_a_clear_error_and_save_nothing(org, sysadmin_user, content, code, message):
    count = Department.objects.count()
    with translation.override("en"), pytest.raises(DomainError) as error:
        org_import(kind="departments", file=content, actor=sysadmin_user)
    assert (error.value.code, error.value.message) == (code, message)
    assert Department.objects.count() == count
    assert not LogEntry.objects.filter(object_pk="*").exists()


def test_files_over_the_limits_are_refused(org, sysadmin_user, monkeypatch):
    content = _xlsx("departments", [_dept(f"N{i}") for i in range(4)])
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    with translation.override("en"), pytest.raises(DomainError, match="more than 3 rows"):
        org_import(kind="departments", file=content, actor=sysadmin_user)
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", len(content) - 1)
    with pytest.raises(DomainError) as error:
        org_import(kind="departments", file=io.BytesIO(content), actor=sysadmin_user)
    assert error.value.code == "too_large"
    assert not Department.objects.filter(code__startswith="N").exists()


# --- audit ------------------------------------------------------------------------------------------
def test_each_applied_import_writes_one_audit_entry(org, sysadmin_user):
    rows = [_dept("NEW1"), _dept("CARD", name="心内科（新）", parent="LOG"), _dept("BAD", campus="NOPE")]
    content = _xlsx("departments", rows)
    org_import(kind="departments", file=content, actor=sysadmin_user, skip_invalid=True, file_name="科室.xlsx")
    org_import(kind="departments", file=content, actor=sysadmin_user, skip_invalid=True)
    entries = list(LogEntry.objects.filter(object_pk="*").order_by("timestamp"))
    assert len(entries) == 2
    first = entries[0]
    assert first.content_type == ContentType.objects.get_for_model(Department)
    assert (first.action, first.actor, first.object_repr) == (
        LogEntry.Action.CREATE,
        sysadmin_user,
        "import: 1 created, 1 updated, 1 skipped",
    )
    assert first.changes["created"] == ["None", "1"] and first.changes["skipped"] == ["None", "1"]
    assert first.additional_data["file"] == "科室.xlsx"
    assert first.additional_data["created"] == ["NEW1"]
    assert first.additional_data["updated"] == {"CARD": {"name": ["心内科", "心内科（新）"]}}
    assert first.additional_data["skipped_rows"] == [4]
    assert entries[1].object_repr == "import: 0 created, 0 updated, 1 skipped"


# --- admin ------------------------------------------------------------------------------------------
def _upload(content: bytes, name: str = "departments.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


@pytest.mark.urls(__name__)
def test_admin_import_end_to_end(client_as, sysadmin_user, org):
    client = client_as(sysadmin_user)
    changelist = client.get(DEPT_URL)
    assert changelist.status_code == 200
    assert f'href="{IMPORT_URL}"' in changelist.content.decode()

    page = client.get(IMPORT_URL)
    assert page.status_code == 200 and 'name="skip_invalid"' in page.content.decode()
    template = client.get(IMPORT_URL + "template/")
    assert template["Content-Type"] == XLSX
    assert load_workbook(io.BytesIO(template.content)).active.max_row == 1

    # First submit: a dry run with the per-row report; nothing saved.
    content = _xlsx("departments", [_dept("NEW1"), _dept("CARD", name="心内科（新）", parent="LOG")])
    checked = client.post(IMPORT_URL, {"file": _upload(content)})
    assert checked.status_code == 200
    assert [(r.key, r.action) for r in checked.context["report"].rows] == [("NEW1", CREATE), ("CARD", UPDATE)]
    assert 'name="apply"' in checked.content.decode()
    assert not Department.objects.filter(code="NEW1").exists()

    # Confirm: applied, counted, audited; back on the changelist.
    applied = client.post(IMPORT_URL, {"apply": "1", "token": checked.context["token"]}, follow=True, headers=EN)
    assert applied.redirect_chain[-1] == (DEPT_URL, 302)
    assert [str(m) for m in applied.context["messages"]] == [
        "Import finished: 1 created, 1 updated, 0 unchanged, 0 rows with errors skipped."
    ]
    assert Department.objects.get(code="NEW1").campus == org["main"]
    assert Department.objects.get(code="CARD").name == "心内科（新）"
    assert LogEntry.objects.filter(object_pk="*", actor=sysadmin_user).count() == 1

    # The token is spent: confirming again imports nothing.
    again = client.post(IMPORT_URL, {"apply": "1", "token": checked.context["token"]})
    assert again.status_code == 302 and again.url == IMPORT_URL
    assert LogEntry.objects.filter(object_pk="*").count() == 1


@pytest.mark.urls(__name__)
def test_admin_import_shows_errors_and_offers_no_apply(client_as, sysadmin_user, org):
    client = client_as(sysadmin_user)
    content = _xlsx("departments", [_dept("NEW1"), _dept("NEW2", campus="NOPE")])
    response = client.post(IMPORT_URL, {"file": _upload(content)})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<tr class="io-error" data-row="3">' in html and "NOPE" in html
    assert 'name="apply"' not in html and response.context["token"] == ""
    # A token from elsewhere is refused.
    refused = client.post(IMPORT_URL, {"apply": "1", "token": "guessed"})
    assert refused.status_code == 302
    assert not Department.objects.filter(code__startswith="NEW").exists()

    # With "skip rows with errors" the good row can be applied.
    response = client.post(IMPORT_URL, {"file": _upload(content), "skip_invalid": "on"})
    assert 'name="apply"' in response.content.decode()
    client.post(IMPORT_URL, {"apply": "1", "token": response.context["token"]})
    assert list(Department.objects.filter(code__startswith="NEW").values_list("code", flat=True)) == ["NEW1"]


@pytest.mark.urls(__name__)
def test_admin_import_of_a_bad_file_shows_a_form_error(client_as, sysadmin_user, org):
    client = client_as(sysadmin_user)
    response = client.post(IMPORT_URL, {"file": _upload(b"not a workbook", "d.csv")}, headers=EN)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is not an Excel workbook (.xlsx)."]
    assert response.context["report"] is None and response.context["token"] == ""
    assert "org_import:org.department" not in client.session


@pytest.mark.urls(__name__)
def test_admin_import_is_forbidden_without_add_and_change_permission(client_as, make_user, org):
    clerk = make_user("clerk", is_staff=True)
    client = client_as(clerk)
    content = _xlsx("departments", [_dept("NEW1")])
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(IMPORT_URL + "template/").status_code == 403
    assert client.post(IMPORT_URL, {"file": _upload(content)}).status_code == 403

    # View permission: export yes, import no (and no import button).
    clerk.user_permissions.add(Permission.objects.get(codename="view_department"))
    changelist = client.get(DEPT_URL)
    assert changelist.status_code == 200 and IMPORT_URL not in changelist.content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    every_pk = [str(pk) for pk in Department.objects.values_list("pk", flat=True)]
    exported = client.post(DEPT_URL, {"action": "export_to_excel", "_selected_action": every_pk})
    assert exported.status_code == 200 and exported["Content-Type"] == XLSX
    assert load_workbook(io.BytesIO(exported.content)).active.max_row == 1 + Department.objects.count()

    # Add without change is still not enough.
    clerk.user_permissions.add(Permission.objects.get(codename="add_department"))
    assert client.get(IMPORT_URL).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="change_department"))
    assert client.get(IMPORT_URL).status_code == 200
    assert not Department.objects.filter(code="NEW1").exists()


@pytest.mark.urls(__name__)
def test_admin_export_action_exports_the_selected_rows(client_as, sysadmin_user, org):
    client = client_as(sysadmin_user)
    selected = Staff.objects.filter(employee_no="100234").values_list("pk", flat=True)
    response = client.post("/io-admin/org/staff/", {"action": "export_to_excel", "_selected_action": list(selected)})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["100234"]
