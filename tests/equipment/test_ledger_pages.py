"""The ledger list: every filter and the search narrow the rows a technician sees, htmx refreshes
only the table, the pager needs no COUNT and its cost does not grow with the rows, the Excel export
holds what the list shows, label sheets carry one QR per item that /scan/ resolves to the item, and
who may open which page (and see which menu entry)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from equipment.models import Equipment
from equipment.selectors import equipment_url
from logistics.org.qr import qr_svg

from .ledger_world import build_ledger

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LIST = reverse("equipment:list")
ROW = re.compile(r'<tr data-code="([^"]+)"')


@pytest.fixture
def world(make_user):
    return build_ledger(make_user)


def codes(response) -> list[str]:
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


def test_the_list_shows_every_item_with_its_status_and_links_to_its_page(world, client_as):
    response = client_as(world["tech"]).get(LIST, **EN)
    html = response.content.decode()
    assert codes(response) == ["CH-01", "FAN-01", "UPS-01"]
    assert f'href="{world["chiller"].get_absolute_url()}"' in html
    assert 'data-status="faulty">Faulty</span>' in html and 'data-status="in_service">In service</span>' in html
    assert 'href="?location=PLANT"' in html  # a row's place filters the list by it
    assert 'id="import-link"' not in html  # a technician may not import


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "冷水"}, ["CH-01"]),  # name
        ({"q": "sn-fan"}, ["FAN-01"]),  # serial, any case
        ({"q": "30xw"}, ["CH-01"]),  # model
        ({"q": "施耐德"}, ["UPS-01"]),  # manufacturer
        ({"q": "ups-0"}, ["UPS-01"]),  # code
        ({"category": "HVAC"}, ["CH-01", "FAN-01"]),  # a parent category covers its children
        ({"category": "CHILLER"}, ["CH-01"]),
        ({"status": "faulty"}, ["UPS-01"]),
        ({"campus": "EAST"}, ["UPS-01"]),
        ({"building": "B"}, ["FAN-01"]),
        ({"location": "PLANT"}, ["CH-01"]),
        ({"department": "LOG"}, ["UPS-01"]),
        ({"team": "HVAC"}, ["CH-01", "FAN-01"]),
        ({"vendor": "vendor"}, ["UPS-01"]),
        ({"warranty": "expired"}, ["CH-01"]),
        ({"warranty": "expiring"}, ["FAN-01"]),
        ({"certificate": "expired"}, ["CH-01"]),  # the UPS renewed its expired certificate
        ({"certificate": "expiring"}, ["FAN-01"]),
        ({"installed_from": "days:-500"}, ["FAN-01", "UPS-01"]),
        ({"installed_to": "days:-500"}, ["CH-01"]),
        ({"q": "风机", "team": "POWER"}, []),
    ],
)
def test_filters_and_search_narrow_the_list(world, client_as, query, expected):
    ids = {
        "category": lambda code: world["hvac" if code == "HVAC" else "chillers"].pk,
        "campus": lambda code: world["east"].pk,
        "building": lambda code: world["block_b"].pk,
        "department": lambda code: world["logistics"].pk,
        "team": lambda code: world["hvac_team" if code == "HVAC" else "power_team"].pk,
        "vendor": lambda code: world["vendor"].pk,
        "installed_from": lambda text: (world["today"] + timedelta(int(text[5:]))).isoformat(),
        "installed_to": lambda text: (world["today"] + timedelta(int(text[5:]))).isoformat(),
    }
    params = {key: ids[key](value) if key in ids else value for key, value in query.items()}
    assert codes(client_as(world["tech"]).get(LIST, params, **EN)) == expected


def test_an_htmx_refresh_returns_only_the_rows_and_bad_filters_are_said(world, client_as):
    client = client_as(world["tech"])
    response = client.get(LIST, {"status": "faulty"}, HTTP_HX_REQUEST="true", **EN)
    html = response.content.decode()
    assert codes(response) == ["UPS-01"] and "<html" not in html and 'id="equipment-filters"' not in html
    refused = client.get(LIST, {"category": "999999"}, **EN).content.decode()
    assert "Some filters were not understood" in refused


def test_the_pager_pages_without_counting_and_its_cost_does_not_grow(world, client_as, django_assert_max_num_queries):
    chillers = world["chillers"]
    client = client_as(world["tech"])
    client.get(LIST)  # session and permission caches warm
    with CaptureQueriesContext(connection) as few_rows:
        client.get(LIST, {"category": chillers.pk})
    Equipment.objects.bulk_create(
        Equipment(code=f"BULK-{i:03d}", name=f"机组 {i}", category=chillers, location=world["plant"]) for i in range(40)
    )
    with django_assert_max_num_queries(len(few_rows)) as captured:
        first = client.get(LIST, {"category": chillers.pk}, **EN)
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    assert len(codes(first)) == 25 and "data-next-page" in first.content.decode()
    second = client.get(LIST, {"category": chillers.pk, "page": "2"}, **EN)
    assert codes(second) == [*(f"BULK-{i:03d}" for i in range(25, 40)), "CH-01"]
    assert "data-next-page" not in second.content.decode() and f"category={chillers.pk}" in second.content.decode()


def test_the_export_holds_the_filtered_list(world, client_as, django_assert_max_num_queries):
    client = client_as(world["tech"])
    page = client.get(LIST, {"team": world["hvac_team"].pk}, **EN).content.decode()
    assert f'href="/equipment/export.xlsx?team={world["hvac_team"].pk}"' in page
    with django_assert_max_num_queries(8):
        response = client.get(reverse("equipment:export"), {"team": world["hvac_team"].pk}, **EN)
    assert response["Content-Disposition"].startswith("attachment") and ".xlsx" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("code", "name", "category code")
    assert [r[0] for r in rows[1:]] == ["CH-01", "FAN-01"]


def test_labels_carry_one_qr_per_item_that_the_scan_page_resolves(world, client_as, settings):
    settings.PUBLIC_BASE_URL = "https://logistics.example-hospital.cn"
    client = client_as(world["tech"])
    html = client.get(reverse("equipment:labels"), {"campus": world["main"].pk}, **EN).content.decode()
    items = [world["chiller"], world["fan"]]
    assert html.count("<svg") == html.count('class="label"') == len(items)
    urls = re.findall(r'data-url="([^"]+)"', html)
    assert urls == [equipment_url(item.qr_token) for item in items]  # ordered by location: PLANT, ROOF
    for item, url in zip(items, urls, strict=True):
        assert url == f"https://logistics.example-hospital.cn/e/{item.qr_token}"
        assert str(qr_svg(url, size_mm=28)) in html  # the printed code is this URL
        assert item.name in html and item.code in html and item.location.name in html
        scanned = client.get(reverse("scan"), {"code": url})
        assert scanned.status_code == 302 and scanned["Location"] == f"/e/{item.qr_token}"
        assert item.name in client.get(scanned["Location"], **EN).content.decode()


def test_labels_start_a_new_page_for_each_location_or_category(world, client_as, monkeypatch):
    client = client_as(world["tech"])
    by_location = client.get(reverse("equipment:labels"), **EN).content.decode()
    assert by_location.count('<section class="sheet">') == 3  # E-POWER, PLANT, ROOF: one item each
    assert re.findall(r"<h2[^>]*data-group>([^<]+)</h2>", by_location) == ["东院配电房", "制冷机房", "屋顶"]
    by_category = client.get(reverse("equipment:labels"), {"group": "category"}, **EN).content.decode()
    assert re.findall(r"<h2[^>]*data-group>([^<]+)</h2>", by_category) == ["冷水机组", "暖通空调", "不间断电源"]
    monkeypatch.setattr("equipment.views.ledger.MAX_LABELS", 2)
    capped = client.get(reverse("equipment:labels"), **EN).content.decode()
    assert capped.count('class="label"') == 2 and 'id="labels-truncated"' in capped


@pytest.mark.parametrize("name", ["list", "export", "labels", "import", "import_template"])
def test_anonymous_users_are_sent_to_log_in(client, world, name):
    response = client.get(reverse(f"equipment:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_who_may_open_which_page_and_see_which_menu_entry(world, client_as):
    nurse = client_as(world["nurse"])
    for name in ("list", "export", "labels", "import", "import_template"):
        assert nurse.get(reverse(f"equipment:{name}")).status_code == 403, name
    assert "equipment.list" not in nurse.get("/").content.decode()
    tech = client_as(world["tech"])
    assert tech.get(reverse("equipment:import")).status_code == 403
    assert tech.post(reverse("equipment:import"), {"apply": "1", "token": "x"}).status_code == 403
    home = tech.get("/", **EN).content.decode()
    assert 'data-home-entry="equipment.list"' in home and 'data-home-entry="equipment.import"' not in home
    admin = client_as(world["admin"])
    home = admin.get("/", **EN).content.decode()
    assert 'data-home-entry="equipment.list"' in home and 'data-home-entry="equipment.import"' in home
    assert 'id="import-link"' in admin.get(LIST, **EN).content.decode()
