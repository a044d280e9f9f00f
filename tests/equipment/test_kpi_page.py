"""The equipment KPI page: the month's figures in the tiles and tables (in English and in Chinese),
the filters, the default period, a period the page cannot show, its fixed number of queries, and
who sees it (managers, team leads, dispatchers and administrators; not technicians)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from equipment.models import Equipment, StatusChange
from logistics.common.registries import menu
from logistics.org.roles import DISPATCHER, MANAGER, TEAM_LEAD, TECHNICIAN
from logistics.org.services import roles_sync

from .kpi_scenario import build, build_maintenance, local

pytestmark = pytest.mark.django_db
URL = "/equipment/kpis/"
MARCH = {"start": "2026-03-01", "end": "2026-03-30"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def world(make_user):
    roles_sync()
    world = build()
    world.update(build_maintenance(world))
    world.update(manager=make_user("boss", roles=(MANAGER,)), tech=make_user("tech", roles=(TECHNICIAN,)))
    return world


def tile(html: str, kpi: str) -> str:
    match = re.search(rf'data-kpi="{kpi}">([^<]*)<', html)
    assert match, f"no {kpi} tile"
    return match.group(1).strip()


def table(html: str, name: str) -> str:
    match = re.search(rf'data-table="{name}">(.*?)</table>', html, re.S)
    assert match, f"no {name} table"
    return match.group(1)


@pytest.mark.parametrize(("headers", "title"), [(EN, "Equipment KPIs"), (ZH, 'lang="zh-hans"')])
def test_the_months_figures(world, client_as, headers, title):
    html = client_as(world["manager"]).get(URL, MARCH, **headers).content.decode()
    assert title in html
    assert tile(html, "good_rate_now") == "86%"  # 6 of 7 items not retired are in service
    assert tile(html, "good_rate").endswith("81%")  # 4008 of 4920 item-hours
    assert tile(html, "compliance") == "17%"  # 1 of 6 occurrences on time (two are overdue by now)
    assert tile(html, "missed") == "1"
    assert (tile(html, "mttr"), tile(html, "mtbf"), tile(html, "downtime")) == ("56.0", "2004.0", "912.0")
    assert tile(html, "cost") == "1500.50"
    worst = table(html, "worst-items")
    assert worst.index("CH-02") < worst.index("CH-01") < worst.index("FAN-01")  # 720, 72, 48 hours down
    assert "720.0" in worst
    categories = table(html, "category")
    assert "冷水机组" in categories and "648.0" in categories  # the chillers' MTBF
    assert "重症医学科" in table(html, "department") and "东院" in table(html, "campus")
    assert "空调班" in table(html, "team") and "1200.50" in table(html, "cost-items")
    assert '"downtime": [840.0, 72.0]' in html  # the chart's data: HVAC, then power


def test_english_labels(world, client_as):
    html = client_as(world["manager"]).get(URL, MARCH, **EN).content.decode()
    for label in ("Good condition now (完好率)", "Maintenance compliance", "MTTR (hours)", "Longest down"):
        assert label in html
    assert "Maintenance" in table(html, "plan-kind") and "Inspection" in table(html, "plan-kind")


def test_the_filters_narrow_the_items(world, client_as):
    client = client_as(world["manager"])
    html = client.get(URL, {**MARCH, "category": world["chiller"].pk}, **EN).content.decode()
    assert tile(html, "good_rate_now") == "50%"  # CH-01 in service, CH-02 faulty
    assert tile(html, "cost") == "1200.50"
    east = client.get(URL, {**MARCH, "campus": world["east"].pk}, **EN).content.decode()
    assert tile(east, "downtime") == "48.0"  # UPS-03 out of service for two days
    assert f'value="{world["east"].pk}" selected' in east


def test_the_default_period_is_the_last_30_days(world, client_as):
    html = client_as(world["manager"]).get(URL, **EN).content.decode()
    today = timezone.localdate()
    assert f'name="end" id="id_end" value="{today:%Y-%m-%d}"' in html
    assert f'name="start" id="id_start" value="{today - dt.timedelta(days=29):%Y-%m-%d}"' in html


def test_a_backwards_period_shows_why_and_the_default(world, client_as):
    html = client_as(world["manager"]).get(URL, {"start": "2026-03-30", "end": "2026-03-01"}, **EN).content.decode()
    assert "The period starts after it ends." in html and "Showing the last 30 days instead." in html
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html


def test_the_page_costs_the_same_queries_for_more_items(world, client_as, django_assert_max_num_queries):
    client = client_as(world["manager"])
    client.get(URL, MARCH)
    with django_assert_max_num_queries(20) as first:
        client.get(URL, MARCH)
    for n in range(25):
        item = Equipment.objects.create(code=f"Z-{n:02d}", name="风机盘管", category=world["chiller"],
                                        created_at=local(1, 1), status_since=local(3, 9))  # fmt: skip
        StatusChange.objects.create(equipment=item, from_status="in_service", to_status="faulty", at=local(3, 8))
        StatusChange.objects.create(equipment=item, from_status="faulty", to_status="in_service", at=local(3, 9))
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(URL, MARCH, **EN).content.decode()
    assert tile(html, "mttr") == "27.4"  # (168 + 25 × 24) / 28 repairs


def test_who_sees_the_page(world, client, client_as, make_user):
    assert client.get(URL).status_code == 302  # to the login page
    assert client_as(world["tech"]).get(URL).status_code == 403
    for role in (TEAM_LEAD, DISPATCHER):
        assert client_as(make_user(role, roles=(role,))).get(URL, MARCH).status_code == 200
    entry = menu.get("equipment.kpis")
    assert entry.visible_to(world["manager"]) and not entry.visible_to(world["tech"])
