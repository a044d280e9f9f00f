"""The closed loop of a work order in a real browser, three people on phones: a nurse reports a fault
from the room's QR label with a photo; the rules give it to the technician on duty; he accepts,
scans the room's label on arrival, works and completes it; the nurse verifies and rates it; the
team lead's KPI page counts it. Screenshots of every step go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from PIL import Image

from attendance.models import PresenceEvidence, RosterEntry, ShiftType
from attendance.services import PunchIn, punches_record
from logistics.org.models import Building, Campus, Floor, Location, Staff, Team
from logistics.org.roles import REQUESTER, TEAM_LEAD, TECHNICIAN
from logistics.org.services import roles_sync
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import PASSWORD, phone_logged_in
from workorders.models import Category, DispatchRule, SlaPolicy, WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def _shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"workorder-{name}.png"), full_page=True)


def _world(make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    building = Building.objects.create(campus=campus, code="B1", name="住院楼")
    floor = Floor.objects.create(building=building, code="F5", name="5F")
    room = Location.objects.create(campus=campus, building=building, floor=floor, code="5B-12", name="5B-12病房")
    team = Team.objects.create(code="hvac", name="空调班")
    lead = Staff.objects.create(employee_no="1", name="班长", team=team,
                                user=make_user("lead", password=PASSWORD, roles=(TEAM_LEAD,)))  # fmt: skip
    team.lead = lead
    team.save()
    now = timezone.localtime()
    start, end = (now - dt.timedelta(hours=2)), (now + dt.timedelta(hours=6))
    shift = ShiftType.objects.create(code="AC", name="空调班", team=team, start=start.time().replace(microsecond=0),
                                     end=end.time().replace(microsecond=0))  # fmt: skip
    techs = {}
    for no, name, username, punched in (("101", "张师傅", "tech", True), ("102", "李师傅", "tech2", False)):
        techs[username] = Staff.objects.create(
            employee_no=no, name=name, team=team, attendance_tracked=True,
            user=make_user(username, password=PASSWORD, roles=(TECHNICIAN,)),
        )  # fmt: skip
        RosterEntry.objects.create(staff=techs[username], date=start.date(), shift=shift)
        if punched:  # only 张师傅 has checked in: he is the one on duty
            at = (now - dt.timedelta(hours=1)).replace(tzinfo=None, microsecond=0)
            punches_record(terminal_serial="T1", tz="Asia/Shanghai", punches=[PunchIn(no, at)], source="pull")
    nurse = Staff.objects.create(employee_no="9", name="护士长",
                                 user=make_user("nurse", password=PASSWORD, roles=(REQUESTER,)))  # fmt: skip
    hvac = Category.objects.create(code="hvac", name="空调暖通", team=team)
    SlaPolicy.objects.create(priority="high", response_minutes=30, resolution_minutes=480)
    DispatchRule.objects.create(name="空调按负载", team=team, strategy="least_loaded")
    return dict(room=room, tech=techs["tech"], nurse=nurse, hvac=hvac)


def _photo(tmp_path):
    path = tmp_path / "leak.jpg"
    Image.new("RGB", (1600, 1200), (90, 140, 200)).save(path, "JPEG")
    return path


def test_report_dispatch_work_verify_in_three_browsers(browser, live_server, transactional_db, make_user, tmp_path):
    world = _world(make_user)
    room = world["room"]

    # 1. The nurse scans the room's label with her phone and reports the leak with a photo.
    nurse = phone_logged_in(browser, live_server, "nurse")
    nurse.goto(f"{live_server.url}/l/{room.qr_token}")
    nurse.click('[data-action="workorders.report_here"]')
    nurse.locator("#report-place").wait_for()
    assert "5B-12病房" in nurse.locator("#report-place").inner_text()
    nurse.select_option("select[name=category]", str(world["hvac"].pk))
    nurse.fill("input[name=title]", "空调漏水")
    nurse.fill("textarea[name=description]", "出风口滴水到床上")
    nurse.select_option("select[name=priority]", "high")
    nurse.set_input_files("input[name=photos]", str(_photo(tmp_path)))
    _shot(nurse, "1-report")
    nurse.click("#report-submit")
    nurse.wait_for_url(re.compile(r"/workorders/\d+/$"))
    wo = WorkOrder.objects.get()
    assert (wo.status, wo.assignee, wo.auto_dispatched) == ("dispatched", world["tech"], True)
    assert wo.number in nurse.locator("#order-number").inner_text()
    assert "张师傅" in nurse.locator("#order-assignee").inner_text()
    assert nurse.locator("#order-photos img").count() == 1
    _shot(nurse, "2-filed")

    # 2. The technician on duty finds it in his tasks, accepts, scans the room on arrival, completes.
    tech = phone_logged_in(browser, live_server, "tech")
    tech.goto(f"{live_server.url}/workorders/tasks/")
    tech.click(f'[data-order="{wo.number}"]')
    _shot(tech, "3-task")
    tech.click('button[data-action="accept"]')
    tech.locator('[data-action="arrive"]').wait_for()
    tech.goto(f"{live_server.url}/l/{room.qr_token}")  # what the phone's camera opens from the label
    tech.click('[data-action="workorders.arrive_here"]')
    tech.click(f'[data-order="{wo.number}"] button[type=submit]')
    tech.locator('button[data-action="start"]').wait_for()
    assert PresenceEvidence.objects.filter(staff=world["tech"]).exists()
    tech.click('button[data-action="start"]')
    tech.locator('#order-timeline [data-event="started"]').wait_for()
    tech.click('button[data-action="complete"]')
    tech.fill("#complete_findings", "冷凝水管堵塞")
    tech.fill("#complete_actions", "疏通冷凝水管，清洗接水盘")
    tech.fill("#complete_labour_minutes", "35")
    _shot(tech, "4-complete")
    tech.click('button[data-submit="complete"]')
    tech.locator("#order-result").wait_for()
    wo.refresh_from_db()
    assert wo.status == "completed" and wo.labour_minutes == 35

    boss = phone_logged_in(browser, live_server, "lead")  # the team lead's KPIs of his team
    boss.goto(f"{live_server.url}/workorders/kpis/")
    assert boss.locator("#kpi-repair").get_attribute("data-total") == "1"
    assert boss.locator('#kpi-repair [data-kpi="satisfaction"]').inner_text().strip() == "—"

    # 3. The nurse sees it finished, accepts and rates it: closed.
    nurse.goto(f"{live_server.url}/workorders/mine/")
    nurse.click(f'#to-verify [data-order="{wo.number}"]')
    nurse.check("#verify_accept_0")
    nurse.select_option("#verify_rating", "5")
    nurse.fill("#verify_comment", "修得很快，谢谢")
    nurse.click('button[data-submit="verify"]')
    nurse.locator("#order-rating").wait_for()
    _shot(nurse, "5-closed")
    wo.refresh_from_db()
    assert (wo.status, wo.rating) == ("closed", 5)
    # the lead's KPIs now count the rated, first-time fix
    boss.reload()
    assert boss.locator('#kpi-repair [data-kpi="satisfaction"]').inner_text().strip() == "5.00"
    assert boss.locator('#kpi-repair [data-kpi="first_time_fix_rate"]').get_attribute("data-met") == "True"
    assert "100%" in boss.locator('#kpi-repair [data-kpi="closure_rate"]').inner_text()
    _shot(boss, "6-kpis")
    timeline = nurse.locator("#order-timeline li").evaluate_all("items => items.map(i => i.dataset.event)")
    assert timeline == ["submitted", "dispatched", "accepted", "arrived", "started", "completed", "verified"]
