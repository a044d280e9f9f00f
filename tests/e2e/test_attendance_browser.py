"""In a real browser: a team lead puts someone on a shift from the roster grid (the cell dialog,
htmx), approves a leave request from the approval queue, and the person's phone shows the month."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from attendance.models import AttendanceRequest, LeaveType, RosterEntry, ShiftType
from attendance.services import leave_request_submit, results_recompute_dirty
from logistics.org.models import Staff, Team
from logistics.org.roles import TEAM_LEAD, TECHNICIAN
from logistics.org.services import roles_sync
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
PASSWORD = "Browser-pass-2026"


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_lead_rosters_and_approves_and_the_phone_shows_the_month(browser, live_server, transactional_db, make_user):
    roles_sync()
    team = Team.objects.create(code="hvac", name="空调班")
    lead_user = make_user("lead", password=PASSWORD, roles=(TEAM_LEAD,))
    tech_user = make_user("tech", password=PASSWORD, roles=(TECHNICIAN,))
    lead = Staff.objects.create(employee_no="1", name="班长", team=team, user=lead_user, attendance_tracked=True)
    team.lead = lead
    team.save()
    tech = Staff.objects.create(employee_no="2", name="张师傅", team=team, user=tech_user, attendance_tracked=True)
    day_shift = ShiftType.objects.create(code="AC-D", name="空调白班", team=team, start=dt.time(8), end=dt.time(17))
    today = timezone.localdate()
    target = today + dt.timedelta(days=2) if today.day < 27 else today.replace(day=1)
    leave_day = today + dt.timedelta(days=3)
    RosterEntry.objects.create(staff=tech, date=leave_day, shift=day_shift)
    # The default leave types come from a data migration, which a transactional test's flush may
    # have removed: make sure this one exists.
    personal, _ = LeaveType.objects.get_or_create(code="personal", defaults={"name": "事假", "symbol": "事"})
    request = leave_request_submit(
        staff=tech, leave_type=personal, start_date=leave_day, end_date=leave_day,
        reason="家里有事", actor=tech_user,
    )  # fmt: skip

    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(15000)
    _log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/attendance/roster/{team.pk}/{target.year}/{target.month}/")
    page.click(f'a.rc[href$="/{tech.pk}/{target:%Y-%m-%d}/"]')
    page.locator("#roster-cell-form").wait_for()
    page.locator("#roster-cell-form label", has_text="AC-D").click()
    page.click("#roster-cell-save")
    cell = page.locator(f'a.rc[href$="/{tech.pk}/{target:%Y-%m-%d}/"]')
    cell.locator("text=AC-D").wait_for()
    assert RosterEntry.objects.filter(staff=tech, date=target, shift=day_shift).exists()
    page.screenshot(path=str(ARTIFACTS / "attendance-roster.png"))

    page.goto(f"{live_server.url}/attendance/requests/approvals/")
    row = page.locator(f"#request-row-{request.pk}")
    row.locator("button.btn-success").click()
    page.wait_for_function(f"!document.querySelector('#request-row-{request.pk} button.btn-success')", timeout=10000)
    assert AttendanceRequest.objects.get(pk=request.pk).status == AttendanceRequest.Status.APPROVED
    page.context.close()
    results_recompute_dirty()  # what the worker does after the approval

    phone = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    _log_in(phone, live_server, "tech")
    phone.goto(f"{live_server.url}/attendance/my/?month={leave_day:%Y-%m}")
    assert re.search("我的考勤", phone.content())
    leave_cell = phone.locator(f'td[data-date="{leave_day:%Y-%m-%d}"]')
    assert leave_cell.get_attribute("data-status") == "leave"
    assert leave_cell.locator(".badge").inner_text() == "事"  # the leave type's own symbol
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, f"the page scrolls sideways on a phone ({width}px)"
    phone.screenshot(path=str(ARTIFACTS / "attendance-my-phone.png"), full_page=True)
    phone.context.close()
