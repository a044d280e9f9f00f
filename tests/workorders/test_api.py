"""Work-order API: report through the API, lists filtered like the pages and scoped per user, the
workflow steps through the same services (409 for a step out of order, 403 for someone else's
step), the requester's rating, token scopes, and KPIs equal to the selector's."""

from __future__ import annotations

import json

import pytest

from logistics.org.api_auth import api_token_issue
from logistics.org.models import Campus, Location, Staff, Team
from logistics.org.roles import DISPATCHER, REQUESTER, TEAM_LEAD, TECHNICIAN
from logistics.org.services import roles_sync
from workorders.kpis import work_order_kpis
from workorders.models import Category, WorkOrder
from workorders.services import work_order_create

pytestmark = pytest.mark.django_db
URL = "/api/v1/workorders/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    ward = Location.objects.create(campus=campus, code="5B", name="5B病区", kind="ward_area")
    hvac, power = Team.objects.create(code="hvac", name="空调班"), Team.objects.create(code="power", name="电工班")
    lead = Staff.objects.create(employee_no="1", name="班长", team=hvac, user=make_user("lead", roles=(TEAM_LEAD,)))
    hvac.lead = lead
    hvac.save()
    tech = Staff.objects.create(employee_no="2", name="张师傅", team=hvac, user=make_user("tech", roles=(TECHNICIAN,)))
    other = Staff.objects.create(
        employee_no="3", name="王师傅", team=power, user=make_user("other", roles=(TECHNICIAN,))
    )
    nurse = Staff.objects.create(employee_no="9", name="护士长", user=make_user("nurse", roles=(REQUESTER,)))
    return dict(
        ward=ward, hvac=hvac, power=power, lead=lead, tech=tech, other=other, nurse=nurse,
        aircon=Category.objects.create(code="hvac", name="空调", team=hvac),
        lights=Category.objects.create(code="power", name="照明", team=power),
        dispatcher=make_user("desk", roles=(DISPATCHER,)),
    )  # fmt: skip


def report(world, category="aircon", **kw) -> WorkOrder:
    kw.setdefault("title", "5B空调不制冷")
    return work_order_create(category=world[category], requester=world["nurse"], location=world["ward"], **kw)


def post(client, path: str, data: dict | None = None, **extra):
    return client.post(path, data or {}, content_type="application/json", **extra)


def test_report_through_the_api_and_read_it_back(world, client_as):
    nurse = client_as(world["nurse"].user)
    response = post(nurse, URL, {"category": world["aircon"].pk, "title": "5B空调不制冷", "priority": "urgent",
                                 "location": world["ward"].pk, "contact": "8123"})  # fmt: skip
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["origin"], created["status"], created["priority"]) == ("api", "submitted", "urgent")
    assert (created["requester"], created["team_name"], created["location_name"]) == (
        world["nurse"].pk, "空调班", "5B病区",
    )  # fmt: skip
    assert [event["kind"] for event in created["events"]] == ["submitted"]
    assert created["attachments"] == []
    detail = nurse.get(f"{URL}{created['id']}/").json()
    assert detail["number"] == created["number"] and detail["contact"] == "8123"

    refused = post(nurse, URL, {"category": world["aircon"].pk, "priority": "whenever"}, **EN)
    assert refused.status_code == 400
    assert refused.json()["title"] == ["This field is required."]
    assert refused.json()["priority"] == ['"whenever" is not a valid choice.']
    chinese = post(nurse, URL, {"category": world["aircon"].pk})
    assert chinese.json()["title"] == ["此项必填。"]
    assert WorkOrder.objects.count() == 1


def test_lists_are_filtered_and_scoped(world, client_as):
    urgent, normal, lights = report(world, priority="urgent"), report(world), report(world, "lights")
    desk = client_as(world["dispatcher"])
    assert desk.get(URL).json()["count"] == 3
    only_urgent = desk.get(URL, {"priority": "urgent"}).json()
    assert [row["number"] for row in only_urgent["results"]] == [urgent.number]
    assert [row["id"] for row in desk.get(URL, {"team": world["power"].pk}).json()["results"]] == [lights.pk]
    assert desk.get(URL, {"q": normal.number}).json()["count"] == 1
    # The HVAC lead sees their team's orders only; a bad filter value is a 400.
    lead = client_as(world["lead"].user)
    assert {row["id"] for row in lead.get(URL).json()["results"]} == {urgent.pk, normal.pk}
    assert lead.get(URL, {"team": 999999}).status_code == 400


def test_another_teams_technician_gets_404(world, client_as):
    wo = report(world)
    other = client_as(world["other"].user)
    assert other.get(f"{URL}{wo.pk}/").status_code == 404
    assert post(other, f"{URL}{wo.pk}/accept/").status_code == 404
    assert other.get(URL).json()["count"] == 0


def test_dispatch_accept_arrive_in_a_row(world, client_as):
    wo = report(world)
    response = post(client_as(world["lead"].user), f"{URL}{wo.pk}/dispatch/", {"assignee": world["tech"].pk})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["assignee_name"]) == ("dispatched", "张师傅")

    tech = client_as(world["tech"].user)
    assert post(tech, f"{URL}{wo.pk}/accept/").json()["status"] == "accepted"
    arrived = post(tech, f"{URL}{wo.pk}/arrive/", {"code": f"L:{world['ward'].qr_token}"})
    assert arrived.status_code == 200, arrived.content
    assert arrived.json()["status"] == "on_site"
    assert [e["kind"] for e in arrived.json()["events"]] == ["submitted", "dispatched", "accepted", "arrived"]
    bad_code = post(tech, f"{URL}{wo.pk}/arrive/", {"code": "L:nowhere"}, **EN)
    assert bad_code.status_code == 400 and "code" in bad_code.json()


def test_a_step_out_of_order_is_a_translated_409(world, client_as):
    wo = report(world)
    lead = client_as(world["lead"].user)
    post(lead, f"{URL}{wo.pk}/dispatch/", {"assignee": world["tech"].pk})
    tech = client_as(world["tech"].user)
    post(tech, f"{URL}{wo.pk}/accept/")
    english = post(tech, f"{URL}{wo.pk}/start/", **EN)  # not on site yet
    assert english.status_code == 409
    assert english.json()["detail"] == "Work order is Accepted; it cannot become In progress."
    chinese = post(tech, f"{URL}{wo.pk}/start/")
    assert (chinese.status_code, chinese.json()["detail"]) == (409, "工单当前为“已接单”，不能变为“处理中”。")
    assert WorkOrder.objects.get(pk=wo.pk).status == "accepted"


def test_complete_then_verify_with_a_rating(world, client_as):
    wo = report(world)
    post(client_as(world["lead"].user), f"{URL}{wo.pk}/dispatch/", {"assignee": world["tech"].pk})
    tech = client_as(world["tech"].user)
    for step, body in (("accept", {}), ("arrive", {"location": world["ward"].pk}), ("start", {})):
        assert post(tech, f"{URL}{wo.pk}/{step}/", body).status_code == 200
    done = post(tech, f"{URL}{wo.pk}/complete/", {"findings": "压缩机损坏", "labour_minutes": 90})
    assert (done.json()["status"], done.json()["labour_minutes"]) == ("completed", 90)
    # Only the requester verifies: the technician is refused with a 403.
    assert post(tech, f"{URL}{wo.pk}/verify/", {"accept": True, "rating": 5}).status_code == 403
    nurse = client_as(world["nurse"].user)
    out_of_range = post(nurse, f"{URL}{wo.pk}/verify/", {"accept": True, "rating": 6})
    assert out_of_range.status_code == 400 and "rating" in out_of_range.json()
    closed = post(nurse, f"{URL}{wo.pk}/verify/", {"accept": True, "rating": 4, "comment": "好"})
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["rating"], closed.json()["rating_comment"]) == ("closed", 4, "好")


def test_who_may_dispatch_and_cancel(world, client_as):
    wo = report(world)
    tech = client_as(world["tech"].user)
    refused = post(tech, f"{URL}{wo.pk}/dispatch/", {"assignee": world["tech"].pk}, **EN)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only dispatchers and team leads can assign work orders."
    assert post(tech, f"{URL}{wo.pk}/cancel/", {"reason": "重复"}).status_code == 403
    cancelled = post(client_as(world["nurse"].user), f"{URL}{wo.pk}/cancel/", {"reason": "重复报修"})
    assert cancelled.json()["status"] == "cancelled"


def test_a_read_only_token_cannot_report(world, client):
    _, key = api_token_issue(name="wall board", user=world["tech"].user, scopes=["read"], actor=None)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get(URL, **auth).status_code == 200
    refused = post(client, URL, {"category": world["aircon"].pk, "title": "x"}, **auth)
    assert refused.status_code == 403
    assert not WorkOrder.objects.exists()


def test_kpis_endpoint_matches_the_selector(world, client_as):
    first, second = report(world, priority="urgent"), report(world)
    report(world, "lights")
    post(client_as(world["lead"].user), f"{URL}{first.pk}/dispatch/", {"assignee": world["tech"].pk})
    post(client_as(world["tech"].user), f"{URL}{first.pk}/accept/")
    post(client_as(world["nurse"].user), f"{URL}{second.pk}/cancel/", {"reason": "重复报修"})

    desk = client_as(world["dispatcher"])
    response = desk.get(f"{URL}kpis/", {"team": world["hvac"].pk}, **EN)
    assert response.status_code == 200, response.content
    expected = json.loads(json.dumps(work_order_kpis(WorkOrder.objects.filter(team=world["hvac"]))))
    assert response.json() == expected
    body = response.json()
    assert (body["repair"]["total"], body["repair"]["by_status"]["cancelled"], body["planned"]["total"]) == (2, 1, 0)
    assert body["repair"]["response_minutes"]["count"] == 1
    assert body["repair"]["targets"][0]["label"] == "Mean response time (minutes)"
    assert desk.get(f"{URL}kpis/", {"submitted_from": "not a date"}).status_code == 400
    # Scoped like the list: the power team's technician counts only what they can see.
    assert client_as(world["other"].user).get(f"{URL}kpis/").json()["all"]["total"] == 1
