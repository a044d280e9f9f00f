"""Locations, QR labels, the landing page, /scan/, and the scoped staff directory."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from logistics.common.registries import LandingAction, landing_actions
from logistics.org import demo
from logistics.org.models import Location, Staff, Team
from logistics.org.qr import location_url


@pytest.fixture
def hospital(db):
    """The small demo hospital (roles, campuses, locations, staff, one login per role)."""
    demo.seed("small", random.Random(1))
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def location(hospital):
    return Location.objects.select_related("campus", "building", "floor").filter(department__isnull=False).first()


# --- labels --------------------------------------------------------------------------------------
def test_label_sheet_encodes_the_public_url_of_each_location(client_as, hospital, settings, location):
    settings.PUBLIC_BASE_URL = "https://logistics.hospital.example"
    client = client_as(hospital["sysadmin"])
    response = client.get(reverse("org:location_labels"), {"campus": location.campus_id})
    html = response.content.decode()
    assert response.status_code == 200
    count = Location.objects.filter(campus=location.campus, is_active=True).count()
    assert html.count('class="label"') == count
    assert html.count('<section class="sheet">') == -(-count // 24)  # 24 labels per A4 page
    assert f'data-token="{location.qr_token}"' in html and location.name in html
    assert location_url(location.qr_token) == f"https://logistics.hospital.example/l/{location.qr_token}"


def test_label_sheet_needs_the_permission(client_as, hospital):
    assert client_as(hospital["requester"]).get(reverse("org:location_labels")).status_code == 403


def test_location_list_filters(client_as, hospital, location):
    client = client_as(hospital["dispatcher"])
    response = client.get(reverse("org:location_list"), {"q": location.code})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [location]


# --- landing and scan ----------------------------------------------------------------------------
def test_landing_shows_the_place_and_registered_actions(client_as, hospital, location):
    landing_actions.register(
        LandingAction(
            key="test.repair",
            target="location",
            label="报修",
            url_for=lambda loc, user: f"/repair/?location={loc.pk}",
            visible=lambda loc, user: True,
        )
    )
    try:
        html = client_as(hospital["requester"]).get(f"/l/{location.qr_token}").content.decode()
    finally:
        landing_actions.unregister("test.repair")
    assert location.name in html and location.place in html
    assert f'href="/repair/?location={location.pk}"' in html


def test_landing_requires_login_and_comes_back_after_it(client, hospital, location):
    response = client.get(f"/l/{location.qr_token}")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/l/{location.qr_token}"


@pytest.mark.parametrize("token", ["does-not-exist", "x" * 40, "abc$%", "../../admin"])
def test_unknown_or_tampered_tokens_are_a_clear_404(client_as, hospital, location, token):
    response = client_as(hospital["requester"]).get("/l/" + token)
    assert response.status_code == 404
    assert "未知的二维码" in response.content.decode() or "页面不存在" in response.content.decode()


def test_tampered_token_of_a_real_location_is_404(client_as, hospital, location):
    tampered = location.qr_token[:-1] + ("A" if location.qr_token[-1] != "A" else "B")
    response = client_as(hospital["requester"]).get(f"/l/{tampered}")
    assert response.status_code == 404


def test_scan_resolves_the_printed_url_and_the_short_form(client_as, hospital, location, settings):
    client = client_as(hospital["courier"])
    printed = f"https://old-host.hospital.example/l/{location.qr_token}"
    assert client.get("/scan/", {"code": printed})["Location"] == f"/l/{location.qr_token}"
    assert client.get("/scan/", {"code": f"L:{location.qr_token}"})["Location"] == f"/l/{location.qr_token}"


@pytest.mark.parametrize("code", ["hello", "L:", "L:nope", "javascript:alert(1)", "https://x/l/", "é" * 600])
def test_scan_of_an_unknown_code_is_a_clear_404(client_as, hospital, code):
    response = client_as(hospital["courier"]).get("/scan/", {"code": code})
    assert response.status_code == 404
    assert "未知的二维码" in response.content.decode()


def test_scan_page_has_a_focused_input_for_handheld_scanners(client_as, hospital):
    html = client_as(hospital["courier"]).get("/scan/").content.decode()
    assert 'id="scan-code"' in html and "autofocus" in html


def test_inactive_location_no_longer_resolves(client_as, hospital, location):
    Location.objects.filter(pk=location.pk).update(is_active=False)
    assert client_as(hospital["requester"]).get(f"/l/{location.qr_token}").status_code == 404


# --- staff directory scoping ---------------------------------------------------------------------
def test_team_lead_sees_only_their_team(client_as, hospital):
    lead = hospital["team_lead"]
    team = Team.objects.get(lead__user=lead)
    client = client_as(lead)
    listed = list(client.get(reverse("org:staff_list")).context["paginator"].object_list)
    assert listed and {p.team_id for p in listed if p.user_id != lead.pk} == {team.pk}
    outsider = Staff.objects.exclude(team=team).exclude(user=lead).first()
    assert client.get(reverse("org:staff_detail", args=[outsider.pk])).status_code == 404
    member = Staff.objects.filter(team=team).exclude(user=lead).first()
    assert client.get(reverse("org:staff_detail", args=[member.pk])).status_code == 200


def test_manager_sees_everyone(client_as, hospital):
    response = client_as(hospital["manager"]).get(reverse("org:staff_list"))
    assert response.context["paginator"].count == Staff.objects.filter(is_active=True).count()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("requester", 403),
        ("technician", 403),
        ("courier", 403),
        ("finance", 403),
        ("team_lead", 200),
        ("dispatcher", 200),
        ("attendance_admin", 200),
        ("manager", 200),
        ("sysadmin", 200),
    ],
)
def test_staff_directory_permission_matrix(client_as, hospital, role, status):
    assert client_as(hospital[role]).get(reverse("org:staff_list")).status_code == status


def test_staff_directory_anonymous_goes_to_login(client, hospital):
    assert client.get(reverse("org:staff_list"))["Location"].startswith("/accounts/login/")


def test_each_role_sees_only_its_menu(client_as, hospital):
    requester_html = client_as(hospital["requester"]).get("/").content.decode()
    assert 'data-home-entry="org.scan"' in requester_html
    assert 'data-home-entry="org.staff"' not in requester_html
    assert 'data-home-entry="platform.admin"' not in requester_html
    manager_html = client_as(hospital["manager"]).get("/").content.decode()
    assert 'data-home-entry="org.staff"' in manager_html and 'data-home-entry="org.locations"' in manager_html


def test_staff_list_query_count_does_not_grow_with_rows(client_as, hospital, django_assert_max_num_queries):
    client = client_as(hospital["manager"])
    with django_assert_max_num_queries(15):
        client.get(reverse("org:staff_list"))
