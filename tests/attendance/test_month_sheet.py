"""The monthly sheet (考勤表): symbols and totals of a hand-made month, the Excel and payroll files,
the export task, closing months (team lead, then for payroll), late changes carried once into the
next open month as flagged adjustments, and the pages (permissions, htmx progress, query counts)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from attendance import exports
from attendance.exports import month_sheet_write, payroll_csv_write
from attendance.models import DailyResult, DirtyDay, LeaveType, MonthClose, MonthSnapshot, RosterEntry, SheetExport
from attendance.selectors_month import month_rows
from attendance.services import (
    PunchIn,
    month_close_final,
    month_close_lead,
    month_reopen,
    punches_record,
    results_recompute,
    results_recompute_dirty,
    sheet_export_request,
)
from attendance.tasks_exports import export_month_sheet
from logistics.common.errors import DomainError, InvalidTransition
from logistics.common.models import OutboxMessage
from logistics.org.models import Campus, Department, Staff, Team
from logistics.org.services import roles_sync
from tests.conftest import race

pytestmark = pytest.mark.django_db
SEP, OCT, NOV = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def d(day: int, month: dt.date = SEP) -> dt.date:
    return month.replace(day=day)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def org():
    campus = Campus.objects.create(code="N", name="北院")
    logistics = Department.objects.create(code="LOG", name="后勤保障部", campus=campus, kind="logistics", sort_order=1)
    security = Department.objects.create(code="SEC", name="保卫科", campus=campus, kind="logistics", sort_order=2)
    repair = Team.objects.create(code="REPAIR", name="维修班", campus=campus)
    guards = Team.objects.create(code="GUARD", name="保安班", campus=campus)
    # The default leave types (data migration; recreated if a transactional test flushed them).
    annual = LeaveType.objects.get_or_create(code="annual", defaults={"name": "年假", "symbol": "年"})[0]
    sick = LeaveType.objects.get_or_create(code="sick", defaults={"name": "病假", "symbol": "病"})[0]
    return {"logistics": logistics, "security": security, "repair": repair, "guards": guards, "annual": annual,
            "sick": sick}  # fmt: skip


@pytest.fixture
def person(org):
    def _make(number: str, name: str = "", *, team="repair", department="logistics", **fields) -> Staff:
        return Staff.objects.create(employee_no=number, name=name or f"员工{number}", team=org[team],
                                    department=org[department], attendance_tracked=True, **fields)  # fmt: skip

    return _make


def result(staff: Staff, day: dt.date, status: str = "present", **values) -> DailyResult:
    defaults = {"day_type": "workday", "scheduled_minutes": 480, "worked_minutes": 480 if status == "present" else 0}
    return DailyResult.objects.create(staff=staff, date=day, status=status, **(defaults | values))


@pytest.fixture
def month_of_zhang(person, org):
    """A hand-made September for one person: every symbol once, with known minutes."""
    zhang = person("100001", "张三")
    annual, sick = org["annual"], org["sick"]
    result(zhang, d(1))
    result(zhang, d(2), "late", late_minutes=12, worked_minutes=468)
    result(zhang, d(3), "early", early_minutes=20, worked_minutes=460)
    result(zhang, d(4), "absent", absent=True)
    result(zhang, d(5), "missing", missing_out=1)
    result(zhang, d(6), "rest", day_type="rest", scheduled_minutes=0)
    result(zhang, d(7), "leave", leave_type=annual, leave_days=Decimal("1"), leave_minutes=480)
    result(zhang, d(8), "present", leave_type=sick, leave_days=Decimal("0.5"), leave_minutes=240, worked_minutes=240)
    result(zhang, d(9), "present", night=True, worked_minutes=600)
    result(zhang, d(10), "present", overtime_workday_minutes=90)
    result(zhang, d(11), "rest", day_type="rest", worked_minutes=240, overtime_rest_minutes=240)
    result(zhang, d(12), "present", day_type="holiday", overtime_holiday_minutes=480)
    result(zhang, d(13), "pending")
    result(zhang, d(14), "holiday", day_type="holiday", scheduled_minutes=0)
    result(zhang, d(15), "late_early", late_minutes=10, early_minutes=15, worked_minutes=455)
    return zhang


EXPECTED_DAYS = ["√", "迟", "早", "旷", "缺", "休", "年", "√/病", "夜", "√+", "休+", "√+", "?", "节", "迟早"]


# --- symbols and totals ----------------------------------------------------------------------------
def test_symbols_and_totals_of_a_hand_made_month(month_of_zhang, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        (row,) = list(month_rows(month=d(17)))
    assert row.days[:15] == EXPECTED_DAYS
    assert row.days[15:] == [""] * 15 and len(row.days) == 30
    t = row.totals
    assert t.attendance_days == Decimal("7.5")  # 7 present-ish days + half a day beside sick leave
    assert (t.night_shifts, t.worked_minutes, t.worked_hours) == (1, 3903, Decimal("65.05"))
    assert (t.late_count, t.late_minutes, t.early_count, t.early_minutes) == (2, 22, 2, 35)
    assert (t.absent_days, t.missing_punches, t.pending_days) == (1, 1, 1)
    assert t.leave == {"annual": Decimal("1"), "sick": Decimal("0.5")}
    assert (t.overtime_15, t.overtime_20, t.overtime_30) == (Decimal("1.50"), Decimal("4.00"), Decimal("8.00"))
    assert (row.closed, row.adjustments, row.flags) == (False, [], ("pending",))


def test_rows_are_in_department_order_and_scoped(person, org):
    guard = person("200001", "王保安", team="guards", department="security")
    fixer = person("100009", "李维修")
    person("100010", "离职", is_active=False)  # left, no results that month: not on the sheet
    Staff.objects.create(employee_no="900001", name="Office", department=org["logistics"])  # not tracked
    assert [r.name for r in month_rows(month=SEP)] == ["李维修", "王保安"]
    assert [r.department for r in month_rows(month=SEP)] == ["后勤保障部", "保卫科"]
    assert [r.name for r in month_rows(month=SEP, department=org["security"])] == ["王保安"]
    assert [r.name for r in month_rows(month=SEP, teams=[org["repair"].pk])] == ["李维修"]
    assert [r.staff_id for r in month_rows(month=SEP, staff_qs=Staff.objects.filter(pk=guard.pk))] == [guard.pk]
    assert fixer.pk != guard.pk


# --- files -----------------------------------------------------------------------------------------
def _workbook(month=SEP, **kwargs) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    month_sheet_write(month=month, rows_iter=month_rows(month=month, **kwargs), out_file=buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def test_excel_sheet_per_department_frozen_landscape_with_symbols(month_of_zhang, person):
    guard = person("200001", "王保安", team="guards", department="security")
    result(guard, d(1), "absent", absent=True)
    wb = _workbook()
    assert wb.sheetnames == ["后勤保障部", "保卫科"]
    ws = wb["后勤保障部"]
    assert "后勤保障部" in ws["A1"].value and "September 2026" in ws["A1"].value
    assert ws.freeze_panes == "D5"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
    assert ws.print_title_rows == "$3:$4" and ws.print_title_cols == "$A:$C"
    assert [ws.cell(3, c).value for c in (1, 2, 3, 4, 33)] == ["No.", "Name", "Team", 1, 30]
    assert ws["D4"].value == "Tue"  # 2026-09-01
    assert [ws["A5"].value, ws["B5"].value, ws["C5"].value] == ["100001", "张三", "维修班"]
    assert [ws.cell(5, 3 + day).value for day in range(1, 16)] == EXPECTED_DAYS
    headers = [ws.cell(3, c).value for c in range(34, ws.max_column + 1)]
    values = dict(zip(headers, [ws.cell(5, c).value for c in range(34, ws.max_column + 1)], strict=True))
    assert values["Attendance (days)"] == 7.5 and values["Worked (hours)"] == 65.05
    assert values["Late (times)"] == 2 and values["Late (minutes)"] == 22 and values["Absent (days)"] == 1
    assert values["年假 (days)"] == 1 and values["病假 (days)"] == 0.5
    assert values["Overtime 1.5× (hours)"] == 1.5 and values["Overtime 2× (hours)"] == 4
    assert values["Overtime 3× (hours)"] == 8
    legend = [ws.cell(r, 1).value for r in range(6, ws.max_row + 1)]
    assert "旷" in legend and "年" in legend  # the legend under the people, with the leave symbols
    assert wb["保卫科"]["D5"].value == "旷"


def test_excel_and_csv_escape_formula_injection(person, org):
    evil = person("100002", '=HYPERLINK("http://x","y")')
    org["repair"].name = "+cmd"
    org["repair"].save()
    result(evil, d(1))
    ws = _workbook().active
    assert ws["B5"].value == '\'=HYPERLINK("http://x","y")' and ws["B5"].data_type == "s"
    assert ws["C5"].value == "'+cmd"
    buffer = io.BytesIO()
    payroll_csv_write(month=SEP, rows_iter=month_rows(month=SEP), out_file=buffer)
    line = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))[1]
    assert line[2] == '\'=HYPERLINK("http://x","y")' and line[4] == "'+cmd"


def test_payroll_csv_has_a_bom_and_one_line_per_person(month_of_zhang, person):
    person("100003", "李四")
    buffer = io.BytesIO()
    assert payroll_csv_write(month=SEP, rows_iter=month_rows(month=SEP), out_file=buffer) == 2
    data = buffer.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [line["Name"] for line in lines] == ["张三", "李四"]
    zhang = lines[0]
    assert (zhang["Month"], zhang["No."], zhang["Department"], zhang["Team"]) == (
        "2026-09",
        "100001",
        "后勤保障部",
        "维修班",
    )
    assert zhang["Attendance (days)"] == "7.5" and zhang["Worked (hours)"] == "65.05"
    assert (zhang["Overtime 1.5× (hours)"], zhang["Overtime 2× (hours)"], zhang["Overtime 3× (hours)"]) == (
        "1.5",
        "4",
        "8",
    )
    assert (zhang["年假 (days)"], zhang["病假 (days)"], zhang["Closed for payroll"]) == ("1", "0.5", "No")
    assert lines[1]["Attendance (days)"] == ""  # nobody's numbers are made up


def test_progress_is_reported_every_few_rows_not_every_row(person, monkeypatch):
    for i in range(5):
        person(f"10010{i}")
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    calls = []
    month_sheet_write(month=SEP, rows_iter=month_rows(month=SEP), out_file=io.BytesIO(), progress=calls.append)
    assert calls == [2, 4, 5]


# --- the export task -------------------------------------------------------------------------------
@pytest.fixture
def users(make_user, org, person):
    """One login per role; a lead for the repair team (not tracked)."""
    roles_sync()
    logins = {role: make_user(role, roles=(role,)) for role in
              ("technician", "finance", "manager", "attendance_admin", "team_lead")}  # fmt: skip
    lead = Staff.objects.create(employee_no="100000", name="班长", team=org["repair"], user=logins["team_lead"])
    org["repair"].lead = lead
    org["repair"].save()
    guard_lead = make_user("guard-lead", roles=("team_lead",))
    org["guards"].lead = Staff.objects.create(employee_no="200000", name="队长", team=org["guards"], user=guard_lead)
    org["guards"].save()
    return logins | {"guard_lead": guard_lead}


def test_export_is_queued_on_commit_then_built_by_the_task(month_of_zhang, users, django_capture_on_commit_callbacks):
    from logistics.celery import app

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = sheet_export_request(month=d(20), format="xlsx", department=None, actor=users["finance"])
        again = sheet_export_request(month=SEP, format="xlsx", department=None, actor=users["finance"])
    assert again.pk == export.pk  # a double click builds one file
    assert len(callbacks) == 1
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.args) == ("attendance.export_month_sheet", [export.pk])
    assert app.amqp.router.route({}, message.task_name)["queue"].name == "reports"
    assert (export.status, export.month) == ("queued", SEP)

    assert export_month_sheet(export.pk) == "done"
    export.refresh_from_db()
    assert (export.status, export.done_rows, export.total_rows, export.error) == ("done", 1, 1, "")
    assert export.finished_at is not None
    with export.file.open("rb") as f:
        wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["后勤保障部"] and wb.active["D5"].value == "√"
    assert export_month_sheet(export.pk) == "skipped"  # redelivered: done is done


def test_csv_export_and_a_failing_export(month_of_zhang, users, monkeypatch):
    export = sheet_export_request(month=SEP, format="csv", department=None, actor=users["finance"])
    export_month_sheet(export.pk)
    export.refresh_from_db()
    assert export.status == "done" and export.file.name.endswith(".csv")
    assert export.file.open("rb").read().startswith(b"\xef\xbb\xbf")

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "month_sheet_write", broken)
    failing = sheet_export_request(month=SEP, format="xlsx", department=None, actor=users["manager"])
    export_month_sheet(failing.pk)
    failing.refresh_from_db()
    assert (failing.status, failing.error) == ("failed", "OSError: disk full")


# --- closing months --------------------------------------------------------------------------------
def test_lead_then_admin_close_freezes_the_month(month_of_zhang, users, org):
    DailyResult.objects.filter(status="pending").update(status="present", worked_minutes=480)
    repair = org["repair"]
    with pytest.raises(DomainError):
        month_close_final(team=repair, month=SEP, actor=users["attendance_admin"])  # the lead first
    with pytest.raises(DomainError):
        month_close_lead(team=org["guards"], month=SEP, actor=users["team_lead"])  # not their team
    close = month_close_lead(team=repair, month=SEP, actor=users["team_lead"])
    assert (close.status, close.lead_closed_by) == ("lead_closed", users["team_lead"])
    with pytest.raises(InvalidTransition):
        month_close_lead(team=repair, month=SEP, actor=users["team_lead"])
    with pytest.raises(DomainError):
        month_close_final(team=repair, month=SEP, actor=users["team_lead"])  # admin only
    close = month_close_final(team=repair, month=SEP, actor=users["attendance_admin"])
    assert close.status == "closed"
    snapshot = MonthSnapshot.objects.get(staff=month_of_zhang, month=SEP)
    assert snapshot.department_name == "后勤保障部" and snapshot.days["4"] == "旷" and snapshot.carried == []
    assert snapshot.totals["absent_days"] == 1 and snapshot.totals["leave"] == {"annual": "1", "sick": "0.5"}

    # The closed month no longer changes, whatever happens to the results.
    DailyResult.objects.filter(staff=month_of_zhang, date=d(4)).update(status="present", absent=False)
    (row,) = month_rows(month=SEP)
    assert row.closed and row.days[3] == "旷" and row.totals.absent_days == 1
    with pytest.raises(InvalidTransition):
        month_reopen(team=repair, month=SEP, actor=users["attendance_admin"], reason="late punch")


def test_close_is_refused_while_days_are_pending_or_the_month_is_not_over(month_of_zhang, users, org):
    with pytest.raises(DomainError) as pending:
        month_close_lead(team=org["repair"], month=SEP, actor=users["team_lead"])
    assert "1 day of this team in 2026-09 is not final yet" in pending.value.message
    DailyResult.objects.filter(status="pending").update(status="present")
    DirtyDay.objects.create(staff=month_of_zhang, date=d(20))  # waiting to be recomputed
    with pytest.raises(DomainError):
        month_close_lead(team=org["repair"], month=SEP, actor=users["team_lead"])
    DirtyDay.objects.all().delete()
    with pytest.raises(DomainError) as not_over:
        month_close_lead(team=org["repair"], month=timezone.localdate().replace(day=1), actor=users["team_lead"])
    assert not_over.value.code == "not_over"  # the month under way
    assert not MonthClose.objects.exists()


def test_a_lead_close_can_be_reopened_with_a_reason(users, org, person):
    person("100001")
    month_close_lead(team=org["repair"], month=SEP, actor=users["team_lead"])
    with pytest.raises(DomainError):
        month_reopen(team=org["repair"], month=SEP, actor=users["team_lead"], reason=" ")
    month_reopen(team=org["repair"], month=SEP, actor=users["team_lead"], reason="补卡还没批")
    assert not MonthClose.objects.exists()
    from auditlog.models import LogEntry

    assert LogEntry.objects.filter(additional_data__reason="补卡还没批").exists()


def _close(team, month, users):
    month_close_lead(team=team, month=month, actor=users["team_lead"])
    month_close_final(team=team, month=month, actor=users["attendance_admin"])


def test_a_late_punch_for_a_closed_month_is_carried_once_into_the_next_open_month(users, org, person):
    from attendance.models import ShiftType

    worker = person("100001", "张三")
    shift = ShiftType.objects.create(code="D", name="白班", start=dt.time(8), end=dt.time(17, 30), break_minutes=60)
    RosterEntry.objects.create(staff=worker, date=d(14), shift=shift)
    result(worker, d(15))
    results_recompute(pairs=[(worker.pk, d(14))])
    assert DailyResult.objects.get(staff=worker, date=d(14)).status == "absent"  # nobody punched
    _close(org["repair"], SEP, users)

    # The punches were on a terminal that is read by USB file, a month later.
    local = [dt.datetime(2026, 9, 14, 7, 58), dt.datetime(2026, 9, 14, 17, 35)]
    punches_record(terminal_serial="USB-1", tz="Asia/Shanghai", punches=[PunchIn("100001", t) for t in local],
                   source="file")  # fmt: skip
    results_recompute_dirty()
    changed = DailyResult.objects.get(staff=worker, date=d(14))
    assert (changed.status, changed.changed_after_close) == ("present", True)

    (september,) = month_rows(month=SEP)
    assert september.closed and september.days[13] == "旷" and september.totals.absent_days == 1
    (october,) = month_rows(month=OCT)
    (adjustment,) = october.adjustments
    assert adjustment.month == SEP and "adjusted" in october.flags
    assert (adjustment.delta.absent_days, adjustment.delta.attendance_days) == (-1, Decimal("1"))
    assert adjustment.delta.worked_minutes == changed.worked_minutes
    assert changed.worked_minutes == 510  # 07:58–17:35 on an 08:00–17:30 shift less the hour's break
    assert (
        adjustment.describe() == "Adjustment for 2026-09: Attendance (days) +1, Worked (hours) +8.5, Absent (days) −1"
    )
    (november,) = month_rows(month=NOV)
    assert november.adjustments == []  # only the first open month after it carries it

    # The Excel sheet of October shows it as a flagged line under the person.
    ws = _workbook(OCT).active
    assert ws["B6"].value == "Adjustment 2026-09" and ws["B6"].fill.fgColor.rgb.endswith("FCE4D6")
    assert ws.cell(6, ws.max_column).value.startswith("Adjustment for 2026-09")

    _close(org["repair"], OCT, users)
    assert MonthSnapshot.objects.get(staff=worker, month=OCT).carried[0]["month"] == "2026-09-01"
    (october,) = month_rows(month=OCT)
    assert october.closed and [a.month for a in october.adjustments] == [SEP]  # frozen with October
    (november,) = month_rows(month=NOV)
    assert november.adjustments == []  # paid with October: never carried again


# --- pages -----------------------------------------------------------------------------------------
SHEET = "/attendance/sheets/"
CLOSE = "/attendance/months/"


def test_url_names():
    assert reverse("attendance:sheet_month") == SHEET
    assert reverse("attendance:monthclose_list") == CLOSE
    assert reverse("attendance:monthclose_lead", args=[1, 2026, 9]) == "/attendance/months/1/2026/9/close-lead/"
    assert reverse("attendance:sheetexport_download", args=[3]) == "/attendance/sheets/exports/3/download/"


def test_anonymous_goes_to_login(client):
    for url in (SHEET, CLOSE):
        assert client.get(url)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "sheet", "close"),
    [("technician", 403, 403), ("finance", 200, 200), ("manager", 200, 200), ("team_lead", 200, 200),
     ("attendance_admin", 200, 200)],
)  # fmt: skip
def test_page_permission_matrix(client_as, users, role, sheet, close):
    client = client_as(users[role])
    assert client.get(SHEET, {"month": "2026-09"}).status_code == sheet
    assert client.get(CLOSE, {"month": "2026-09"}).status_code == close


def test_finance_sees_everyone_and_exports_with_a_polling_progress_bar(client_as, users, month_of_zhang, person):
    person("200001", "王保安", team="guards", department="security")
    client = client_as(users["finance"])
    html = client.get(
        SHEET, {"month": "2026-09", "department": "all"}, headers={"Accept-Language": "en"}
    ).content.decode()
    assert "张三" in html and "王保安" in html and 'data-day="4">旷<' in html
    assert "Export Excel" in html and "Export CSV" in html

    response = client.post(reverse("attendance:sheetexport_create"), {"month": "2026-09", "format": "xlsx",
                           "department": ""}, headers={"HX-Request": "true"})  # fmt: skip
    export = SheetExport.objects.get()
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body and """hx-headers='{"X-Background-Poll": "1"}'""" in body
    assert 'role="progressbar"' in body and "<html" not in body
    export_month_sheet(export.pk)
    poll = client.get(reverse("attendance:sheetexport_detail", args=[export.pk]),
                      headers={"HX-Request": "true", "X-Background-Poll": "1"}).content.decode()  # fmt: skip
    assert "every 2s" not in poll and reverse("attendance:sheetexport_download", args=[export.pk]) in poll
    download = client.get(reverse("attendance:sheetexport_download", args=[export.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb.sheetnames == ["后勤保障部", "保卫科"]
    # Finance may not close months.
    assert client.post(reverse("attendance:monthclose_lead", args=[users["team_lead"].staff.team_id, 2026, 9]))\
        .status_code == 403  # fmt: skip


def test_download_is_for_the_requester_and_holders_of_view_sheetexport(client_as, users, month_of_zhang):
    export = sheet_export_request(month=SEP, format="csv", department=None, actor=users["attendance_admin"])
    export_month_sheet(export.pk)
    url = reverse("attendance:sheetexport_download", args=[export.pk])
    assert client_as(users["attendance_admin"]).get(url).status_code == 200
    assert client_as(users["finance"]).get(url).status_code == 200
    assert client_as(users["team_lead"]).get(url).status_code == 404
    assert client_as(users["technician"]).get(url).status_code == 404


def test_team_lead_sees_their_team_cannot_export_closes_own_team_only(client_as, users, org, person):
    person("100001", "张维修")
    person("200001", "王保安", team="guards", department="security")
    client = client_as(users["team_lead"])
    html = client.get(SHEET, {"month": "2026-09", "department": "all"}).content.decode()
    assert "张维修" in html and "王保安" not in html and "Export Excel" not in html
    assert client.post(reverse("attendance:sheetexport_create"), {"month": "2026-09", "format": "csv"}).status_code \
        == 403  # fmt: skip
    assert client.post(reverse("attendance:monthclose_lead", args=[org["guards"].pk, 2026, 9])).status_code == 404
    response = client.post(reverse("attendance:monthclose_lead", args=[org["repair"].pk, 2026, 9]))
    assert response.status_code == 302
    assert MonthClose.objects.get(team=org["repair"]).status == "lead_closed"
    assert client.post(reverse("attendance:monthclose_final", args=[org["repair"].pk, 2026, 9])).status_code == 403
    page = client.get(CLOSE, {"month": "2026-09"}).content.decode()
    assert f'data-team="{org["repair"].pk}" data-status="lead_closed"' in page and "保安班" not in page


def test_admin_closes_for_payroll_and_the_sheet_shows_the_closed_badge(client_as, users, org, person):
    worker = person("100001", "张维修")
    result(worker, d(1))
    month_close_lead(team=org["repair"], month=SEP, actor=users["team_lead"])
    client = client_as(users["attendance_admin"])
    response = client.post(reverse("attendance:monthclose_final", args=[org["repair"].pk, 2026, 9]),
                           headers={"HX-Request": "true"})  # fmt: skip
    assert response["HX-Trigger"] == "monthCloseChanged"
    assert 'data-status="closed"' in response.content.decode()
    assert MonthClose.objects.get(team=org["repair"]).status == "closed"
    html = client.get(SHEET, {"month": "2026-09", "department": org["logistics"].pk}).content.decode()
    assert 'id="sheet-closed" data-closed="all"' in html and 'data-closed="1"' in html


def test_a_refused_close_shows_why(client_as, users, org, person):
    worker = person("100001")
    result(worker, d(1), "pending")
    client = client_as(users["team_lead"])
    url = reverse("attendance:monthclose_lead", args=[org["repair"].pk, 2026, 9])
    response = client.post(url, follow=True, headers={"Accept-Language": "en"})
    assert "is not final yet" in response.content.decode()
    assert not MonthClose.objects.exists()


def test_sheet_page_query_count_does_not_grow_with_people(client_as, users, person, django_assert_max_num_queries):
    for i in range(3):
        result(person(f"10100{i}"), d(1))
    client = client_as(users["finance"])
    with CaptureQueriesContext(connection) as few:
        client.get(SHEET, {"month": "2026-09", "department": "all"})
    for i in range(40):
        who = person(
            f"1020{i:02d}", team="guards" if i % 2 else "repair", department="security" if i % 2 else "logistics"
        )
        for day in range(1, 6):
            result(who, d(day), "late" if day == 2 else "present", late_minutes=5 if day == 2 else 0)
    with django_assert_max_num_queries(len(few)):
        response = client.get(SHEET, {"month": "2026-09", "department": "all"})
    assert response.content.decode().count('data-staff="') == 43


def test_close_page_query_count_is_bounded(client_as, users, org, django_assert_max_num_queries):
    for i in range(25):
        Team.objects.create(code=f"T{i:02d}", name=f"班组{i}")
    client = client_as(users["attendance_admin"])
    with django_assert_max_num_queries(15):  # 10 for the login, roles and permissions, 5 for the page
        response = client.get(CLOSE, {"month": "2026-09"})
    assert response.content.decode().count("data-status=") == 27


@pytest.mark.django_db(transaction=True)
def test_two_admins_closing_at_once_close_once(users, org, person):
    """Two connections: the lead close races on the unique key, the final close on the row lock."""
    for i in range(3):
        result(person(f"10000{i + 1}"), d(1))

    admin = users["attendance_admin"]

    def close_lead():
        month_close_lead(team=org["repair"], month=SEP, actor=admin)

    def close_final():
        month_close_final(team=org["repair"], month=SEP, actor=admin)

    lead = race(close_lead, close_lead)
    assert lead[1] == "ok" and lead[0] in ("Conflict", "InvalidTransition")
    final = race(close_final, close_final)
    assert final == ["InvalidTransition", "ok"]
    assert MonthSnapshot.objects.filter(month=SEP).count() == 3


def test_menu_entries_for_finance_not_for_technicians(client_as, users):
    home = client_as(users["finance"]).get("/").content.decode()
    assert 'data-home-entry="attendance.sheet_month"' in home and 'data-home-entry="attendance.monthclose_list"' in home
    home = client_as(users["technician"]).get("/").content.decode()
    assert "attendance.sheet_month" not in home and "attendance.monthclose_list" not in home
