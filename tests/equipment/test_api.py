"""Equipment API: items filtered like the ledger page, an item in full (category path, place,
parameters, certificates), plans with the items they cover and their next due dates, the KPI
report equal to the page's, and who may read what (a requester is refused, the KPIs are for the
roles that run the service, an anonymous caller gets 401)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from equipment.api.serializers import KpiReportSerializer
from equipment.models import Certificate, Equipment, MaintenancePlan, Parameter
from equipment.views.kpis import kpi_report
from logistics.org.api_auth import api_token_issue
from logistics.org.roles import MANAGER, REQUESTER, TEAM_LEAD, TECHNICIAN
from logistics.org.services import roles_sync

from .kpi_scenario import build, build_maintenance

pytestmark = pytest.mark.django_db
ITEMS, PLANS, KPIS = "/api/v1/equipment/items/", "/api/v1/equipment/plans/", "/api/v1/equipment/kpis/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MARCH = {"start": "2026-03-01", "end": "2026-03-30"}


@pytest.fixture
def world(make_user):
    roles_sync()
    world = build()
    world.update(build_maintenance(world))
    world.update(
        manager=make_user("boss", roles=(MANAGER,)),
        lead=make_user("lead", roles=(TEAM_LEAD,)),
        tech=make_user("tech", roles=(TECHNICIAN,)),
        nurse=make_user("nurse", roles=(REQUESTER,)),
    )
    return world


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_items_are_filtered_like_the_ledger(world, client_as):
    tech = client_as(world["tech"])
    assert codes(tech.get(ITEMS, {"category": world["hvac"].pk})) == ["AHU-01", "CH-01", "CH-02", "FAN-01"]
    assert codes(tech.get(ITEMS, {"status": "faulty"})) == ["CH-02"]
    # UPS-02 stands nowhere but belongs to the ICU, on the main campus.
    assert codes(tech.get(ITEMS, {"campus": world["main"].pk, "category": world["ups"].pk})) == ["UPS-02"]
    assert codes(tech.get(ITEMS, {"q": "gen"})) == ["GEN-01"]
    row = tech.get(ITEMS, {"location": "E-PWR"}, **EN).json()["results"][0]
    assert (row["code"], row["campus_name"], row["location_name"], row["status_label"]) == (
        "UPS-01", "东院", "东院配电室", "In service",
    )  # fmt: skip
    assert tech.get(ITEMS, {"category": 999999}).status_code == 400


def test_the_list_costs_the_same_queries_for_more_items(world, client_as, django_assert_max_num_queries):
    tech = client_as(world["tech"])
    tech.get(ITEMS)  # the session and the permissions, once
    with django_assert_max_num_queries(8) as first:
        assert tech.get(ITEMS).json()["count"] == 8
    for n in range(25):
        Equipment.objects.create(code=f"Z-{n:02d}", name="风机盘管", category=world["chiller"], location=world["plant"],
                                 department=world["icu"])  # fmt: skip
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(tech.get(ITEMS).json()["results"]) == 33


def test_an_item_in_full(world, client_as):
    chiller = world["items"]["CH-01"]
    Parameter.objects.create(category=world["chiller"], key="capacity", label="制冷量", unit="kW")
    chiller.parameters = {"capacity": 1200}
    chiller.save()
    Certificate.objects.create(equipment=chiller, kind="压力容器", number="PV-7", issued_on=dt.date(2025, 6, 1),
                               expires_on=dt.date(2027, 6, 1))  # fmt: skip
    item = client_as(world["tech"]).get(f"{ITEMS}{chiller.pk}/", **EN).json()
    assert [c["code"] for c in item["category_path"]] == ["HVAC", "CHILLER"]
    assert (item["location_code"], item["campus_name"], item["building_name"], item["department_name"]) == (
        "PLANT", "本部", "门诊楼", "重症医学科",
    )  # fmt: skip
    assert (item["status"], item["status_label"]) == ("in_service", "In service")
    assert item["parameter_values"] == [{"key": "capacity", "label": "制冷量", "unit": "kW", "value": 1200}]
    assert [(c["kind"], c["number"], c["expires_on"]) for c in item["certificates"]] == [
        ("压力容器", "PV-7", "2027-06-01")
    ]
    assert item["label_url"].endswith(f"/e/{chiller.qr_token}")
    assert client_as(world["tech"]).get(f"{ITEMS}999999/").status_code == 404


def test_plans_with_their_items_and_next_due_dates(world, client_as):
    today = timezone.localdate()
    MaintenancePlan.objects.create(code="PM-AHU", name="空调箱按完成计", kind="maintenance", interval=3,
                                   interval_unit="month", anchor="completion", start_date=dt.date(2026, 1, 5),
                                   category=world["hvac"])  # fmt: skip
    client = client_as(world["tech"])
    plans = client.get(PLANS, **EN).json()["results"]
    assert [p["code"] for p in plans] == ["IN-UPS", "PM-AHU", "PM-CH"]
    weekly = next(p for p in plans if p["code"] == "PM-CH")
    assert (weekly["kind"], weekly["schedule_text"], weekly["team_name"]) == (
        "maintenance", "every 1 weeks, from the due date", "空调班",
    )  # fmt: skip
    first = dt.date.fromisoformat(weekly["next_due"])
    assert first.weekday() == 3 and today <= first < today + dt.timedelta(days=7)  # Thursdays, from 26 Feb
    assert [p["code"] for p in client.get(PLANS, {"kind": "inspection"}).json()["results"]] == ["IN-UPS"]

    detail = client.get(f"{PLANS}{world['service'].pk}/").json()
    assert [i["code"] for i in detail["items"]] == ["CH-01"]
    due = [dt.date.fromisoformat(d) for d in detail["next_due_dates"]]
    assert due[0] == first and len(due) in (12, 13)  # every Thursday of the next 90 days
    assert all(b - a == dt.timedelta(days=7) for a, b in itertools.pairwise(due))
    assert due[-1] <= today + dt.timedelta(days=90)

    by_completion = client.get(f"{PLANS}{MaintenancePlan.objects.get(code='PM-AHU').pk}/").json()
    # counted from the last completion: its next date follows the work; it covers the HVAC category
    assert (by_completion["counts_from_completion"], by_completion["next_due"]) == (True, None)
    assert by_completion["next_due_dates"] == []
    assert [i["code"] for i in by_completion["items"]] == ["CH-01", "CH-02", "FAN-01"]  # not the retired AHU-01


def test_kpis_are_the_pages_report(world, client_as):
    response = client_as(world["manager"]).get(KPIS, MARCH)
    assert response.status_code == 200, response.content
    report = response.json()
    expected = kpi_report(Equipment.objects.all(), first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 30))
    assert report == KpiReportSerializer(expected).data
    overall = report["equipment"]["overall"]
    assert (overall["good_rate_now"], overall["good_rate"], overall["downtime_hours"]) == (0.8571, 0.8146, 912.0)
    assert (overall["failures"], overall["mttr_hours"], overall["mtbf_hours"]) == (2, 56.0, 2004.0)
    compliance = report["maintenance"]["compliance"]
    # Long past: the occurrences due on the 17th and the 26th are both overdue now.
    assert (compliance["due"], compliance["done_on_time"], compliance["overdue"], compliance["rate"]) == (
        6, 1, 2, 0.1667,
    )  # fmt: skip
    assert report["maintenance"]["cost"]["total_cost"] == "1500.50"

    chillers = client_as(world["lead"]).get(KPIS, {**MARCH, "category": world["chiller"].pk}).json()
    assert chillers["equipment"]["overall"]["items"] == 2
    assert chillers["maintenance"]["cost"]["parts_cost"] == "1200.50"
    backwards = client_as(world["manager"]).get(KPIS, {"start": "2026-03-30", "end": "2026-03-01"}, **EN)
    assert backwards.status_code == 400
    assert backwards.json() == {"__all__": ["The period starts after it ends."]}


def test_by_default_the_kpis_cover_the_last_30_days(world, client_as):
    report = client_as(world["manager"]).get(KPIS).json()
    today = timezone.localdate()
    assert report["last_day"] == today.isoformat()
    assert report["first_day"] == (today - dt.timedelta(days=29)).isoformat()


@pytest.mark.parametrize("url", [ITEMS, PLANS, KPIS])
def test_a_requester_is_refused_and_an_anonymous_caller_must_log_in(world, client, client_as, url):
    assert client.get(url).status_code == 401  # the token scheme's WWW-Authenticate makes it a 401
    assert client_as(world["nurse"]).get(url).status_code == 403


def test_the_kpis_are_for_the_roles_that_run_the_service(world, client_as):
    tech = client_as(world["tech"])
    assert tech.get(ITEMS).status_code == 200
    assert tech.get(KPIS).status_code == 403
    assert client_as(world["lead"]).get(KPIS).status_code == 200


def test_a_read_token_reads_items(world, client):
    _, key = api_token_issue(name="BMS", user=world["tech"], scopes=["read"], actor=world["tech"])
    response = client.get(ITEMS, {"status": "faulty"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert codes(response) == ["CH-02"]
