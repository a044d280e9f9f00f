"""Roster pages: who may see and edit which team, the month grid (colours, shading, conflicts),
editing a cell in the dialog, bulk changes, patterns, copying, Excel export and import, the query
count of a big team, and the menu entry."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from attendance.models import CalendarDay, DirtyDay, RosterEntry, RosterPattern
from logistics.org.models import Staff

from .roster_world import approve_leave, build_world

NOV = dt.date(2026, 11, 1)
D = dt.date(2026, 11, 16)  # a Monday
DAY = dt.timedelta(days=1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def month_url(team, month=NOV) -> str:
    return reverse("attendance:roster_month", args=[team.pk, month.year, month.month])


def cell_url(team, person, day) -> str:
    return reverse("attendance:roster_cell", args=[team.pk, person.pk, day.isoformat()])


def cell_html(html: str, person, day) -> str:
    """The <td> of one person-day in the grid's HTML."""
    start = html.index(f'data-k="{person.pk}:{day.isoformat()}"')
    return html[html.rindex("<td", 0, start) : html.index("</td>", start)]


# --- permissions ----------------------------------------------------------------------------------
def test_anonymous_goes_to_login(client, world):
    response = client.get(month_url(world.team))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("who", "team", "status"),
    [
        ("technician", "team", 403),
        ("other_lead", "team", 404),
        ("lead", "team", 200),
        ("lead", "other_team", 404),
        ("admin", "other_team", 200),
        ("manager", "team", 200),
    ],
)
def test_who_sees_which_grid(client_as, world, who, team, status):
    assert client_as(world.users[who]).get(month_url(getattr(world, team))).status_code == status


def test_index_opens_the_leads_own_team(client_as, world):
    response = client_as(world.users["lead"]).get(reverse("attendance:roster"))
    assert response.status_code == 302 and f"/roster/{world.team.pk}/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "team", "status"),
    [("technician", "team", 403), ("manager", "team", 403), ("other_lead", "team", 404), ("lead", "other_team", 404)],
)
def test_who_may_not_edit(client_as, world, who, team, status):
    target = getattr(world, team)
    person = world.people[1] if team == "team" else world.outsider
    response = client_as(world.users[who]).post(cell_url(target, person, D), {"shifts": [world.shifts["D"].pk]})
    assert response.status_code == status
    assert not RosterEntry.objects.exists()


def test_manager_reads_without_edit_controls(client_as, world):
    RosterEntry.objects.create(staff=world.people[1], date=D, shift=world.shifts["D"])
    html = client_as(world.users["manager"]).get(month_url(world.team)).content.decode()
    assert ">D</span>" in cell_html(html, world.people[1], D)
    assert 'class="rc"' not in html.replace('<span class="rc"', "") and 'name="staff"' not in html
    assert "roster-pattern-link" not in html


def test_lead_edits_a_day_of_their_team(client_as, world):
    client = client_as(world.users["lead"])
    response = client.post(cell_url(world.team, world.people[1], D), {"shifts": [world.shifts["N"].pk]})
    assert response.status_code == 302 and response["Location"] == month_url(world.team)
    assert world.codes(world.people[1], D) == ["N"]
    assert set(DirtyDay.objects.filter(staff=world.people[1]).values_list("date", flat=True)) == {D, D + DAY}
    entry = LogEntry.objects.get(content_type__model="rosterentry")
    assert entry.actor == world.users["lead"]


def test_attendance_admin_edits_any_team(client_as, world):
    client = client_as(world.users["admin"])
    client.post(cell_url(world.other_team, world.outsider, D), {"shifts": [world.shifts["WD"].pk]})
    assert world.codes(world.outsider, D) == ["WD"]


# --- the grid -------------------------------------------------------------------------------------
def test_grid_shows_codes_in_colour_and_shades_weekends_and_holidays(client_as, world):
    CalendarDay.objects.create(date=dt.date(2026, 11, 18), kind="hospital", name="院庆")
    RosterEntry.objects.create(staff=world.people[1], date=D, shift=world.shifts["N"])
    html = client_as(world.users["lead"]).get(month_url(world.team)).content.decode()
    night = cell_html(html, world.people[1], D)
    night_class = f"s-{world.shifts['N'].pk}"  # dark background, white text
    assert f'class="code {night_class}">N</span>' in night
    assert f".{night_class}{{background:#3d3b8e;color:#fff}}" in html
    assert 'class="shade"' in cell_html(html, world.people[1], dt.date(2026, 11, 21))  # Saturday
    assert 'class="holiday"' in cell_html(html, world.people[1], dt.date(2026, 11, 18))
    assert 'title="院庆"' in html
    assert world.untracked.name not in html  # not tracked and no shifts: not on the grid


def test_conflicts_are_flagged_on_the_cells(client_as, world):
    s, (first, second, third) = world.shifts, world.people[1:4]
    CalendarDay.objects.create(date=dt.date(2026, 11, 20), kind="holiday", name="测试节")
    # Imported data can hold what the services refuse: an overlap.
    RosterEntry.objects.create(staff=first, date=D, shift=s["D"])
    RosterEntry.objects.create(staff=first, date=D, shift=s["E"])
    RosterEntry.objects.create(staff=second, date=D, shift=s["N"])
    RosterEntry.objects.create(staff=second, date=D + DAY, shift=s["D"])
    RosterEntry.objects.create(staff=third, date=D, shift=s["D"])
    approve_leave(world, third, D, D + DAY)
    RosterEntry.objects.create(staff=third, date=dt.date(2026, 11, 20), shift=s["D"])
    html = client_as(world.users["lead"]).get(month_url(world.team)).content.decode()
    overlap = cell_html(html, first, D)
    assert 'data-issues="overlap"' in overlap and "lv-danger" in overlap and "bi-exclamation-triangle" in overlap
    assert "夜班" in cell_html(html, second, D + DAY) and 'data-issues="no_rest"' in cell_html(html, second, D + DAY)
    leave = cell_html(html, third, D)
    assert 'data-issues="leave"' in leave and "lv-warning" in leave and ">年</span>" in leave
    assert ">年</span>" in cell_html(html, third, D + DAY)  # on leave, not rostered: marked, no conflict
    assert "lv-" not in cell_html(html, third, D + DAY)
    assert 'data-issues="holiday"' in cell_html(html, third, dt.date(2026, 11, 20))
    assert 'id="roster-conflict-count"' in html


def test_month_navigation_crosses_the_year(client_as, world):
    client = client_as(world.users["lead"])
    html = client.get(month_url(world.team, dt.date(2026, 12, 1))).content.decode()
    assert month_url(world.team, dt.date(2027, 1, 1)) in html and month_url(world.team, NOV) in html
    assert client.get(f"/attendance/roster/{world.team.pk}/2026/13/").status_code == 404


def test_grid_of_thirty_people_costs_a_bounded_number_of_queries(client_as, make_user, django_assert_max_num_queries):
    world = build_world(make_user, members=30)
    s = world.shifts
    rows = [
        RosterEntry(staff=p, date=NOV + n * DAY, shift=s["DEN"[(n + i) % 3]])
        for i, p in enumerate(world.people)
        for n in range(30)
    ]
    RosterEntry.objects.bulk_create(rows)
    client = client_as(world.users["lead"])
    client.get(month_url(world.team))  # session, permissions and content types warmed up
    with django_assert_max_num_queries(20) as big:
        response = client.get(month_url(world.team))
    assert response.content.decode().count('id="roster-row-') == 30
    RosterEntry.objects.filter(staff__in=world.people[3:]).delete()
    Staff.objects.filter(pk__in=[p.pk for p in world.people[3:]]).update(is_active=False)
    with CaptureQueriesContext(connection) as small:
        response = client.get(month_url(world.team))
    assert response.content.decode().count('id="roster-row-') == 3
    assert len(small) == len(big)  # the same queries for 3 people as for 30


# --- editing --------------------------------------------------------------------------------------
def test_the_cell_dialog_saves_and_refreshes_the_grid(client_as, world):
    client = client_as(world.users["lead"])
    form = client.get(cell_url(world.team, world.people[1], D), **HTMX).content.decode()
    assert 'id="roster-cell-form"' in form and "<html" not in form and world.shifts["N"].name in form
    response = client.post(cell_url(world.team, world.people[1], D), {"shifts": [world.shifts["E"].pk]}, **HTMX)
    assert response["HX-Retarget"] == "#roster-grid" and "rosterSaved" in response["HX-Trigger"]
    assert ">E</span>" in cell_html(response.content.decode(), world.people[1], D)


def test_the_cell_dialog_shows_a_refusal_and_keeps_the_day(client_as, world):
    RosterEntry.objects.create(staff=world.people[1], date=D - DAY, shift=world.shifts["N"])
    client = client_as(world.users["lead"])
    response = client.post(cell_url(world.team, world.people[1], D), {"shifts": [world.shifts["A"].pk]}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Retarget" not in response
    assert 'id="roster-cell-form"' in html and "alert-danger" in html and "夜班" in html
    assert world.codes(world.people[1], D) == []


def test_rest_day_button_clears_the_day(client_as, world):
    RosterEntry.objects.create(staff=world.people[1], date=D, shift=world.shifts["D"])
    client = client_as(world.users["lead"])
    client.post(cell_url(world.team, world.people[1], D), {"shifts": [world.shifts["D"].pk], "rest": "1"})
    assert world.codes(world.people[1], D) == []


def test_bulk_set_rows_by_days(client_as, world):
    first, second = world.people[1:3]
    client = client_as(world.users["lead"])
    data = {
        "month": "2026-11",
        "value": world.shifts["D"].pk,
        "staff": [first.pk, second.pk],
        "day": [D.isoformat(), (D + DAY).isoformat()],
        "cell": [f"{world.people[3].pk}:{D.isoformat()}"],
    }
    response = client.post(reverse("attendance:roster_bulk", args=[world.team.pk]), data, **HTMX)
    html = response.content.decode()
    assert 'data-feedback="success"' in html
    assert all(world.codes(p, d) == ["D"] for p in (first, second) for d in (D, D + DAY))
    assert world.codes(world.people[3], D) == ["D"] and world.codes(world.people[3], D + DAY) == []
    assert ">D</span>" in cell_html(html, second, D + DAY)

    data.update(value="rest", day=[D.isoformat()], cell=[])
    client.post(reverse("attendance:roster_bulk", args=[world.team.pk]), data, **HTMX)
    assert world.codes(first, D) == [] and world.codes(first, D + DAY) == ["D"]


def test_bulk_set_refused_shows_why_and_saves_nothing(client_as, world):
    RosterEntry.objects.create(staff=world.people[2], date=D - DAY, shift=world.shifts["N"])
    client = client_as(world.users["lead"])
    data = {"month": "2026-11", "value": world.shifts["A"].pk, "day": [D.isoformat()]}
    html = client.post(reverse("attendance:roster_bulk", args=[world.team.pk]), data, **HTMX).content.decode()
    assert 'data-feedback="danger"' in html and world.people[2].name in html
    assert RosterEntry.objects.filter(date=D).count() == 0


def test_bulk_set_cannot_reach_another_team(client_as, world):
    client = client_as(world.users["lead"])
    data = {"month": "2026-11", "value": world.shifts["D"].pk, "staff": [world.outsider.pk]}
    html = client.post(reverse("attendance:roster_bulk", args=[world.team.pk]), data, **HTMX).content.decode()
    assert 'data-feedback="danger"' in html
    assert not RosterEntry.objects.exists()


def test_apply_a_typed_pattern_across_the_month_end_and_save_it(client_as, world):
    first, second = world.people[1:3]
    client = client_as(world.users["lead"])
    url = reverse("attendance:roster_pattern_apply", args=[world.team.pk])
    assert client.get(url, {"month": "2026-11"}).status_code == 200
    data = {
        "steps": "D E N - -",
        "staff": [first.pk, second.pk],
        "start": "2026-11-29",
        "end": "2026-12-03",
        "stagger": 2,
        "save_as": "三班两休",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == month_url(world.team)
    days = [dt.date(2026, 11, 29) + n * DAY for n in range(5)]
    assert ["+".join(world.codes(first, d)) or "-" for d in days] == ["D", "E", "N", "-", "-"]
    assert ["+".join(world.codes(second, d)) or "-" for d in days] == ["N", "-", "-", "D", "E"]
    saved = RosterPattern.objects.get(name="三班两休", team=world.team)
    assert len(saved.sequence) == 5
    html = client.get(url).content.decode()
    assert "三班两休" in html and "D E N - -" in html


def test_pattern_form_reports_unknown_codes(client_as, world):
    client = client_as(world.users["lead"])
    url = reverse("attendance:roster_pattern_apply", args=[world.team.pk])
    data = {"steps": "D Q -", "staff": [world.people[1].pk], "start": "2026-11-01", "end": "2026-11-05", "stagger": 0}
    response = client.post(url, data)
    assert response.status_code == 200 and "Q" in response.context["form"].errors["steps"][0]
    assert not RosterEntry.objects.exists()


def test_copy_a_week_from_the_page(client_as, world):
    worker = world.people[1]
    RosterEntry.objects.create(staff=worker, date=D, shift=world.shifts["D"])
    RosterEntry.objects.create(staff=worker, date=D + 2 * DAY, shift=world.shifts["N"])
    client = client_as(world.users["lead"])
    url = reverse("attendance:roster_copy", args=[world.team.pk])
    response = client.post(url, {"mode": "week", "source": "2026-11-18", "target": "2026-11-25"})
    assert response.status_code == 302
    assert world.codes(worker, D + 7 * DAY) == ["D"] and world.codes(worker, D + 9 * DAY) == ["N"]


# --- Excel ----------------------------------------------------------------------------------------
def export(client, team) -> bytes:
    response = client.get(reverse("attendance:roster_export", args=[team.pk, 2026, 11]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('roster-HVAC-2026-11.xlsx"')
    return response.content


def upload(client, team, data: bytes, name: str = "roster.xlsx"):
    url = reverse("attendance:roster_import", args=[team.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_export_has_people_by_days_with_codes_and_frozen_panes(client_as, world):
    RosterEntry.objects.create(staff=world.people[1], date=D, shift=world.shifts["N"])
    RosterEntry.objects.create(staff=world.people[1], date=D + DAY, shift=world.shifts["A"])
    RosterEntry.objects.create(staff=world.people[1], date=D + DAY, shift=world.shifts["N"])
    sheet = load_workbook(io.BytesIO(export(client_as(world.users["manager"]), world.team))).worksheets[0]
    assert sheet.freeze_panes == "C4"
    assert sheet["B1"].value == "HVAC"
    assert sheet["C2"].value.date() == NOV and sheet.cell(2, 32).value.date() == dt.date(2026, 11, 30)
    rows = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    worker = rows[world.people[1].employee_no]
    assert worker[1] == world.people[1].name
    assert worker[2 + 15] == "N" and worker[2 + 16] == "A+N" and worker[2] is None


def test_excel_round_trip_changes_nothing(client_as, world):
    s = world.shifts
    for n, person in enumerate(world.people):
        RosterEntry.objects.create(staff=person, date=D + n * DAY, shift=s["DEN"[n % 3]])
    RosterEntry.objects.create(staff=world.people[1], date=D + 5 * DAY, shift=s["A"])
    RosterEntry.objects.create(staff=world.people[1], date=D + 5 * DAY, shift=s["N"])
    before = sorted(RosterEntry.objects.values_list("staff_id", "date", "shift_id"))
    client = client_as(world.users["lead"])
    html = upload(client, world.team, export(client, world.team)).content.decode()
    assert 'id="roster-import-nothing"' in html and 'id="roster-import-confirm"' not in html
    assert sorted(RosterEntry.objects.values_list("staff_id", "date", "shift_id")) == before


def test_import_a_changed_file_after_the_dry_run(client_as, world):
    worker = world.people[1]
    RosterEntry.objects.create(staff=worker, date=D, shift=world.shifts["D"])
    client = client_as(world.users["lead"])
    book = load_workbook(io.BytesIO(export(client, world.team)))
    sheet = book.worksheets[0]
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 1).value == worker.employee_no)
    sheet.cell(row, 2 + D.day).value = "N"  # D → N
    sheet.cell(row, 2 + D.day + 2).value = "e"  # codes are matched ignoring case
    buffer = io.BytesIO()
    book.save(buffer)
    html = upload(client, world.team, buffer.getvalue()).content.decode()
    assert 'id="roster-import-preview"' in html and "11-16: D → N" in html
    assert world.codes(worker, D) == ["D"]  # the dry run saved nothing
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(reverse("attendance:roster_import", args=[world.team.pk]), {"token": token})
    assert response.status_code == 302
    assert world.codes(worker, D) == ["N"] and world.codes(worker, D + 2 * DAY) == ["E"]
    assert LogEntry.objects.filter(additional_data__operation="import").count() == 3  # −D, +N, +E


def test_a_bad_file_saves_nothing_and_lists_row_errors(client_as, world):
    worker = world.people[1]
    client = client_as(world.users["lead"])
    book = load_workbook(io.BytesIO(export(client, world.team)))
    sheet = book.worksheets[0]
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 1).value == worker.employee_no)
    sheet.cell(row, 2 + D.day).value = "D"  # a valid change that must not be saved either
    sheet.cell(row, 2 + D.day + 1).value = "ZZ"  # unknown code
    extra = sheet.max_row + 1
    sheet.cell(extra, 1).value = "999999"  # unknown employee
    sheet.cell(extra + 1, 1).value = world.outsider.employee_no  # another team
    sheet.cell(extra + 1, 3).value = "D"
    rows = {sheet.cell(r, 1).value: r for r in range(4, extra)}
    night_row, other_code_row = rows[world.people[2].employee_no], rows[world.people[3].employee_no]
    sheet.cell(night_row, 3).value = "N"  # a night then an early shift: overlap
    sheet.cell(night_row, 4).value = "A"
    sheet.cell(other_code_row, 3).value = "WD"  # another team's shift code
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(client, world.team, buffer.getvalue())
    report = response.context["report"]
    html = response.content.decode()
    assert 'id="roster-import-errors"' in html and 'id="roster-import-confirm"' not in html
    errors = {row.row_number: " ".join(row.errors) for row in report.rows if row.errors}
    assert set(errors) == {row, extra, extra + 1, night_row, other_code_row}
    assert "ZZ" in errors[row] and "999999" in errors[extra] and world.outsider.name in errors[extra + 1]
    assert "夜班" in errors[night_row] and "WD" in errors[other_code_row]
    assert not RosterEntry.objects.exists()


@pytest.mark.parametrize("content", [b"not a workbook", b"PK\x03\x04 broken zip"])
def test_a_file_that_is_not_a_workbook_is_refused(client_as, world, content):
    response = upload(client_as(world.users["lead"]), world.team, content, "roster.xlsx")
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not RosterEntry.objects.exists()


def test_import_is_only_for_the_leads_own_team(client_as, world):
    response = client_as(world.users["lead"]).get(reverse("attendance:roster_import", args=[world.other_team.pk]))
    assert response.status_code == 404


# --- menu -----------------------------------------------------------------------------------------
def test_menu_entry_for_those_who_may_see_rosters(client_as, world):
    assert 'data-home-entry="attendance.roster"' in client_as(world.users["lead"]).get("/").content.decode()
    assert 'data-home-entry="attendance.roster"' not in client_as(world.users["technician"]).get("/").content.decode()


def test_grid_lists_an_untracked_member_who_still_has_shifts(client_as, world):
    RosterEntry.objects.create(staff=world.untracked, date=D, shift=world.shifts["D"])
    html = client_as(world.users["lead"]).get(month_url(world.team)).content.decode()
    row = html[html.index(f'id="roster-row-{world.untracked.pk}"') :]
    row = row[: row.index("</tr>")]
    assert world.untracked.name in row and 'name="staff"' not in row  # shown to be cleared, not bulk-edited
    assert Staff.objects.get(pk=world.untracked.pk).attendance_tracked is False
