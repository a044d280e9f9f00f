"""My attendance and the team view: the calendar shows the results, a day's panel shows its punches
(corrections included), totals and balances add up, scoping (404 outside the user's teams) and
bounded query counts with a team of 30."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRequest, DailyResult, PinMapping, Punch, RosterEntry, ShiftType
from attendance.services import (
    PunchIn,
    correction_request_submit,
    leave_request_submit,
    punches_record,
    request_approve,
    results_recompute,
)
from logistics.org.models import Staff

from . import test_request_pages as shared

org = shared.org  # the people and leave types of the request pages' tests
HX = shared.HX

MARCH = dt.date(2025, 3, 1)
EN = {"Accept-Language": "en"}


def result(staff: Staff, day: dt.date, status: str = "present", **fields) -> DailyResult:
    defaults = {"day_type": "workday", "scheduled_minutes": 480, "worked_minutes": 480 if status == "present" else 0}
    return DailyResult.objects.create(staff=staff, date=day, status=status, **(defaults | fields))


def month_of_results(staff: Staff, first: dt.date = MARCH) -> list[DailyResult]:
    """A plausible month: weekdays present (one late, one absent), weekends rest."""
    rows = []
    day = first
    while day.month == first.month:
        if day.weekday() >= 5:
            rows.append(DailyResult(staff=staff, date=day, day_type="rest", status="rest"))
        elif day.day == 5:
            rows.append(DailyResult(staff=staff, date=day, day_type="workday", status="late", late_minutes=12,
                                    worked_minutes=468, scheduled_minutes=480, shift_codes="D"))  # fmt: skip
        elif day.day == 6:
            rows.append(DailyResult(staff=staff, date=day, day_type="workday", status="absent", absent=True,
                                    scheduled_minutes=480, shift_codes="D"))  # fmt: skip
        else:
            rows.append(DailyResult(staff=staff, date=day, day_type="workday", status="present", worked_minutes=480,
                                    scheduled_minutes=480, shift_codes="D", overtime_workday_minutes=30))  # fmt: skip
        day += dt.timedelta(days=1)
    return DailyResult.objects.bulk_create(rows)


# --- my attendance -------------------------------------------------------------------------------
def test_anonymous_goes_to_login(client, db):
    for name in ("my_attendance", "team_attendance"):
        assert client.get(reverse(f"attendance:{name}"))["Location"].startswith("/accounts/login/")


def test_user_without_a_tracked_staff_record_gets_a_message(client_as, org):
    html = client_as(org.nurse).get(reverse("attendance:my_attendance")).content.decode()
    assert 'id="no-staff"' in html and 'id="my-calendar"' not in html
    assert client_as(org.nurse).get(reverse("attendance:my_day", args=["2025-03-04"]), headers=HX).status_code == 404


def test_calendar_shows_my_results_and_month_totals(client_as, org):
    month_of_results(org.worker)
    result(org.colleague, dt.date(2025, 3, 7), "absent", absent=True)  # somebody else's day is not mine
    html = client_as(org.worker.user).get(reverse("attendance:my_attendance"), {"month": "2025-03"}).content.decode()
    assert 'data-date="2025-03-05" data-status="late"' in html
    assert 'data-date="2025-03-06" data-status="absent"' in html
    assert 'data-date="2025-03-07" data-status="present"' in html
    assert 'data-date="2025-03-09" data-status="rest"' in html
    # 21 weekdays in March 2025: 19 present × 8 h + 7.8 h late day = 159.8 h; 19 × 30 min overtime
    assert 'data-total="worked">159.8<' in html and 'data-total="late">1<' in html
    assert 'data-total="absent">1<' in html and 'data-total="overtime">9.5<' in html
    assert 'id="month-label">2025-03<' in html


def test_first_in_and_last_out_are_shown_in_local_time(client_as, org):
    zone = timezone.get_default_timezone()
    result(org.worker, dt.date(2025, 3, 4), first_in=dt.datetime(2025, 3, 4, 7, 55, tzinfo=zone),
           last_out=dt.datetime(2025, 3, 4, 9, 10, tzinfo=dt.UTC))  # fmt: skip  # 17:10 in Shanghai
    client = client_as(org.worker.user)
    html = client.get(reverse("attendance:my_attendance"), {"month": "2025-03"}).content.decode()
    assert "07:55–17:10" in html
    panel = client.get(reverse("attendance:my_day", args=["2025-03-04"]), headers=HX).content.decode()
    assert 'id="day-first-in">07:55<' in panel and 'id="day-last-out">17:10<' in panel


def test_leave_day_shows_the_leave_types_symbol(client_as, org):
    result(org.worker, dt.date(2025, 3, 4), "leave", leave_type=org.sick, leave_days=Decimal("1"))
    html = client_as(org.worker.user).get(reverse("attendance:my_attendance"), {"month": "2025-03"}).content.decode()
    assert 'data-date="2025-03-04" data-status="leave"' in html and ">病</span>" in html


def test_my_balances_and_recent_requests(client_as, org):
    req = leave_request_submit(staff=org.worker, leave_type=org.annual, start_date=dt.date(2025, 3, 4),
                               end_date=dt.date(2025, 3, 5), reason="探亲", actor=org.worker.user)  # fmt: skip
    html = client_as(org.worker.user).get(reverse("attendance:my_attendance"), {"month": "2025-03"}, headers=EN)
    html = html.content.decode()
    assert 'data-leave-type="annual"' in html and "<strong>3</strong> of 5 days left" in html
    assert f'href="{reverse("attendance:request_detail", args=[req.pk])}"' in html


def test_day_panel_shows_punches_with_source_and_mapped_pins(client_as, org):
    day = dt.date(2025, 3, 4)
    PinMapping.objects.create(pin="9001", staff=org.worker, valid_from=dt.date(2025, 1, 1))
    punches_record(terminal_serial="SN-A", tz="Asia/Shanghai", source="pull",
                   punches=[PunchIn("200001", dt.datetime(2025, 3, 4, 7, 58)),
                            PunchIn("9001", dt.datetime(2025, 3, 4, 17, 3)),
                            PunchIn("200002", dt.datetime(2025, 3, 4, 8, 1))])  # fmt: skip  # a colleague's
    panel = client_as(org.worker.user).get(reverse("attendance:my_day", args=[day.isoformat()]), headers=HX)
    html = panel.content.decode()
    assert "<html" not in html and 'data-day="2025-03-04"' in html
    assert "07:58:00" in html and "17:03:00" in html and "08:01:00" not in html
    assert html.count('data-source="pull"') == 2 and "SN-A" in html
    assert "data-correction-link" not in html  # too long ago to ask for a correction


def test_day_panel_without_htmx_opens_the_month_with_the_day(client_as, org):
    response = client_as(org.worker.user).get(reverse("attendance:my_day", args=["2025-03-04"]))
    assert response.status_code == 302
    html = client_as(org.worker.user).get(response["Location"]).content.decode()
    assert 'id="day-panel-card" data-day="2025-03-04"' in html


def test_approved_correction_shows_in_the_day_panel_with_its_request(client_as, org):
    day = timezone.localdate() - dt.timedelta(days=1)
    shift = ShiftType.objects.create(code="D", name="白班", start=dt.time(8), end=dt.time(17))
    RosterEntry.objects.create(staff=org.worker, date=day, shift=shift)
    punches_record(terminal_serial="SN-A", tz="Asia/Shanghai", source="pull",
                   punches=[PunchIn("200001", dt.datetime.combine(day, dt.time(17, 2)))])  # fmt: skip
    results_recompute(pairs=[(org.worker.pk, day)])
    client = client_as(org.worker.user)
    before = client.get(reverse("attendance:my_day", args=[day.isoformat()]), headers=HX).content.decode()
    assert 'data-result-status="missing"' in before
    correction_url = reverse("attendance:request_correction_create") + f"?date={day.isoformat()}&amp;time=08%3A00"
    assert correction_url in before  # "forgot to punch in at 08:00" links to a prefilled form
    req = correction_request_submit(staff=org.worker, punch_at=dt.datetime.combine(day, dt.time(8)), reason="忘打卡",
                                    actor=org.worker.user)  # fmt: skip
    request_approve(request=req, actor=org.lead.user)
    results_recompute(pairs=[(org.worker.pk, day)])
    after = client.get(reverse("attendance:my_day", args=[day.isoformat()]), headers=HX).content.decode()
    assert 'data-source="correction"' in after and 'data-result-status="present"' in after
    assert f'href="{reverse("attendance:request_detail", args=[req.pk])}"' in after
    assert Punch.objects.filter(source="correction").count() == 1


def test_calendar_from_computed_results(client_as, org):
    day = dt.date(2025, 3, 4)
    shift = ShiftType.objects.create(code="D", name="白班", start=dt.time(8), end=dt.time(17))
    RosterEntry.objects.create(staff=org.worker, date=day, shift=shift)
    punches_record(terminal_serial="SN-A", tz="Asia/Shanghai", source="pull",
                   punches=[PunchIn("200001", dt.datetime(2025, 3, 4, 8, 20)),
                            PunchIn("200001", dt.datetime(2025, 3, 4, 17, 5))])  # fmt: skip
    zone = timezone.get_default_timezone()
    results_recompute(pairs=[(org.worker.pk, day)], now=dt.datetime(2025, 3, 6, tzinfo=zone))
    html = client_as(org.worker.user).get(reverse("attendance:my_attendance"), {"month": "2025-03"}).content.decode()
    assert 'data-date="2025-03-04" data-status="late"' in html and "08:20–17:05" in html


def test_my_page_query_count(client_as, org, django_assert_max_num_queries):
    month_of_results(org.worker)
    for i in range(5):
        leave_request_submit(staff=org.worker, leave_type=org.sick, start_date=dt.date(2025, 4, 7 + i),
                             end_date=dt.date(2025, 4, 7 + i), reason="病", actor=org.worker.user)  # fmt: skip
    client = client_as(org.worker.user)
    client.get(reverse("attendance:my_attendance"))
    # session, user, 2FA, roles, staff, results, calendar, 3 per balance type (annual, compensatory),
    # recent requests, the day panel's 5, the menu's permissions: none of them per day or request
    with django_assert_max_num_queries(24):
        client.get(reverse("attendance:my_attendance"), {"month": "2025-03", "day": "2025-03-05"})


# --- the team view -------------------------------------------------------------------------------
def test_team_view_permission_matrix(client_as, org):
    assert client_as(org.worker.user).get(reverse("attendance:team_attendance")).status_code == 403
    lead = client_as(org.lead.user)
    html = lead.get(reverse("attendance:team_attendance")).content.decode()
    assert 'id="team-grid"' in html and 'data-staff="200001"' in html and 'data-staff="200002"' not in html
    assert lead.get(reverse("attendance:team_attendance"), {"team": org.power.pk}).status_code == 404
    manager = client_as(org.manager)
    html = manager.get(reverse("attendance:team_attendance"), {"team": org.power.pk}).content.decode()
    assert 'data-staff="200002"' in html
    admin = client_as(org.admin)
    assert admin.get(reverse("attendance:team_attendance"), {"team": org.power.pk}).status_code == 200


def test_team_cell_opens_the_day_panel_within_scope_only(client_as, org):
    result(org.worker, dt.date(2025, 3, 4), "late", late_minutes=9)
    lead = client_as(org.lead.user)
    own_team = lead.get(reverse("attendance:team_day", args=[org.worker.pk, "2025-03-04"]), headers=HX)
    html = own_team.content.decode()
    assert own_team.status_code == 200 and 'data-result-status="late"' in html
    assert 'id="day-links"' not in html  # request links are for the person themself
    other = lead.get(reverse("attendance:team_day", args=[org.colleague.pk, "2025-03-04"]), headers=HX)
    assert other.status_code == 404
    plain = client_as(org.worker.user).get(reverse("attendance:team_day", args=[org.worker.pk, "2025-03-04"]))
    assert plain.status_code == 403


def test_team_grid_symbols_and_totals(client_as, org):
    month_of_results(org.worker)
    html = client_as(org.lead.user).get(reverse("attendance:team_attendance"), {"month": "2025-03"}).content.decode()
    row = html.split('data-staff="200001"', 1)[1].split("</tr>", 1)[0]
    assert row.count('data-status="present"') == 19 and 'data-status="absent"' in row
    assert 'data-total="worked">159.8<' in row and 'data-total="absent">1<' in row


def test_team_grid_query_count_with_30_people(client_as, org, django_assert_max_num_queries):
    people = [org.person(f"3{i:05d}", f"员工{i}", org.hvac) for i in range(30)]
    for person in people:
        month_of_results(person)
    client = client_as(org.lead.user)
    client.get(reverse("attendance:team_attendance"))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("attendance:team_attendance"), {"month": "2025-03"})
    assert response.content.decode().count("<tr data-staff=") == 32  # 30 + the lead + the technician


def test_requests_on_the_day_are_listed_in_the_panel(client_as, org):
    req = leave_request_submit(staff=org.worker, leave_type=org.sick, start_date=dt.date(2025, 3, 4),
                               end_date=dt.date(2025, 3, 6), reason="病", actor=org.worker.user)  # fmt: skip
    html = client_as(org.worker.user).get(reverse("attendance:my_day", args=["2025-03-05"]), headers=HX)
    assert f'href="{reverse("attendance:request_detail", args=[req.pk])}"' in html.content.decode()
    assert AttendanceRequest.objects.count() == 1
