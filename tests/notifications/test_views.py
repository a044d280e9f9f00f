"""The inbox pages: who may see what, marking read (plain and htmx), the navbar badge."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logistics.notifications.models import Notification
from logistics.notifications.services import notification_mark_read, notify

pytestmark = pytest.mark.urls("tests.notifications.urls")

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def me(make_user):
    return make_user("me")


@pytest.fixture
def other(make_user):
    return make_user("other")


def _note(user, title: str = "WO-1 dispatched", **fields) -> Notification:
    return notify(recipients=[user], verb="workorders.dispatched", title=title, **fields)[0]


def _url(name: str, *args) -> str:
    return reverse(f"notifications:{name}", args=args)


# --- permission matrix -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "name", "needs_pk"),
    [
        ("get", "notification_list", False),
        ("get", "unread_count", False),
        ("post", "notification_read", True),
        ("post", "notification_open", True),
        ("post", "notification_read_all", False),
    ],
)
def test_anonymous_is_sent_to_login_and_nothing_changes(client, me, method, name, needs_pk):
    note = _note(me)
    url = _url(name, note.pk) if needs_pk else _url(name)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    note.refresh_from_db()
    assert note.read_at is None


def test_badge_poll_of_an_ended_session_stops_polling_instead_of_showing_the_login_page(client, db):
    response = client.get(_url("unread_count"), **HTMX)
    assert response.status_code == 286  # htmx: stop polling
    assert response.content == b""


@pytest.mark.parametrize("name", ["notification_read", "notification_open"])
def test_another_users_notification_is_404_and_stays_unread(client_as, me, other, name):
    theirs = _note(other)
    response = client_as(me).post(_url(name, theirs.pk))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_actions_refuse_get(client_as, me):
    note = _note(me)
    client = client_as(me)
    assert client.get(_url("notification_read", note.pk)).status_code == 405
    assert client.get(_url("notification_read_all")).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


# --- inbox -------------------------------------------------------------------------------------
def test_inbox_shows_only_my_notifications_newest_first(client_as, me, other):
    _note(me, "first for me")
    _note(other, "for someone else")
    _note(me, "second for me", body="Ward 5B")

    response = client_as(me).get(_url("notification_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "for someone else" not in html
    assert html.index("second for me") < html.index("first for me")
    assert "Ward 5B" in html
    assert '<html lang="' in html  # the full page, extending base.html


def test_unread_filter(client_as, me):
    read = _note(me, "already read")
    _note(me, "still unread")
    notification_mark_read(notification=read, user=me)

    html = client_as(me).get(_url("notification_list"), {"filter": "unread"}).content.decode()
    assert "still unread" in html
    assert "already read" not in html

    html = client_as(me).get(_url("notification_list"), {"filter": "all"}).content.decode()
    assert "still unread" in html and "already read" in html


def test_inbox_pages_and_query_count(client_as, me, django_assert_max_num_queries):
    client = client_as(me)
    _note(me, "note-00")
    with CaptureQueriesContext(connection) as one_row:
        client.get(_url("notification_list"))
    for i in range(1, 25):
        _note(me, f"note-{i:02d}")

    # A full page costs what a page of one row costs (the platform's session, user and menu
    # queries plus the inbox's page count, unread count and rows): nothing per row.
    with django_assert_max_num_queries(len(one_row)):
        page1 = client.get(_url("notification_list")).content.decode()
    page2 = client.get(_url("notification_list"), {"page": 2}).content.decode()

    assert page1.count('data-notification="') == 20
    assert "note-24" in page1 and "note-05" in page1 and "note-04" not in page1
    assert page2.count('data-notification="') == 5
    assert "note-04" in page2 and "note-00" in page2


def test_htmx_filter_returns_only_the_list(client_as, me):
    _note(me, "unread one")
    response = client_as(me).get(_url("notification_list"), {"filter": "unread"}, **HTMX)
    html = response.content.decode()
    assert "unread one" in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


# --- marking read ------------------------------------------------------------------------------
def test_mark_read_with_a_plain_form_redirects_back(client_as, me):
    note = _note(me)
    response = client_as(me).post(_url("notification_read", note.pk), {"next": "/notifications/?filter=unread"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?filter=unread"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_ignores_an_offsite_next(client_as, me):
    note = _note(me)
    response = client_as(me).post(_url("notification_read", note.pk), {"next": "https://evil.example/"})
    assert response["Location"] == _url("notification_list")


def test_mark_read_with_htmx_returns_the_row_and_refreshes_the_badge(client_as, me):
    _note(me, "another unread")
    note = _note(me, "the row")
    response = client_as(me).post(_url("notification_read", note.pk), **HTMX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    html = response.content.decode()
    assert f'id="notification-{note.pk}"' in html
    assert 'data-read="1"' in html
    assert "the row" in html
    assert 'data-action="read"' not in html  # no "mark as read" button on a read row
    assert 'id="inbox-unread-total" hx-swap-oob="true"' in html
    assert 'data-unread-total="1"' in html  # the "Unread" tab's count follows
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client_as, me):
    note = _note(me, url="/workorders/7/")
    response = client_as(me).post(_url("notification_open", note.pk))
    assert response.status_code == 302
    assert response["Location"] == "/workorders/7/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_a_notification_with_an_offsite_link_stays_on_the_site(client_as, me):
    note = _note(me, url="https://evil.example/phish")
    response = client_as(me).post(_url("notification_open", note.pk))
    assert response["Location"] == _url("notification_list")


def test_mark_all_read_only_mine(client_as, me, other):
    _note(me, "a")
    _note(me, "b")
    theirs = _note(other, "c")

    response = client_as(me).post(_url("notification_read_all"))

    assert response.status_code == 302
    assert Notification.objects.filter(recipient=me, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_with_htmx_returns_the_refreshed_list(client_as, me):
    _note(me, "a")
    response = client_as(me).post(_url("notification_read_all"), {"filter": "unread"}, **HTMX)
    assert response["HX-Trigger"] == "notifications-changed"
    html = response.content.decode()
    assert "data-empty-inbox" in html  # nothing unread is left
    assert "<html" not in html


# --- navbar badge ------------------------------------------------------------------------------
def test_unread_count_partial(client_as, me, other):
    for _ in range(3):
        _note(me)
    _note(other)
    response = client_as(me).get(_url("unread_count"), **HTMX)
    assert response.status_code == 200
    assert 'data-unread-count="3"' in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_unread_count_is_empty_when_all_is_read(client_as, me):
    note = _note(me)
    notification_mark_read(notification=note, user=me)
    response = client_as(me).get(_url("unread_count"), **HTMX)
    assert response.content.decode().strip() == ""


def test_unread_count_shows_99_plus(client_as, me):
    notify(recipients=[me], verb="x.y", title="t")
    Notification.objects.bulk_create([Notification(recipient=me, verb="x.y", title=f"t{i}") for i in range(120)])
    html = client_as(me).get(_url("unread_count"), **HTMX).content.decode()
    assert 'data-unread-count="121"' in html and ">99+<" in html


def test_navbar_badge_polls_in_the_background(me):
    html = render_to_string("notifications/partials/_navbar_badge.html", {"user": me})
    assert f'hx-get="{_url("unread_count")}"' in html
    assert 'hx-trigger="load, every 30s, notifications-changed from:body"' in html
    assert """hx-headers='{"X-Background-Poll": "1"}'""" in html
    assert f'href="{_url("notification_list")}"' in html


def test_navbar_badge_is_empty_for_anonymous(db):
    from django.contrib.auth.models import AnonymousUser

    assert render_to_string("notifications/partials/_navbar_badge.html", {"user": AnonymousUser()}).strip() == ""


def test_home_page_offers_the_inbox_to_a_user_without_roles(client_as, plain_user):
    html = client_as(plain_user).get("/").content.decode()
    assert 'data-home-entry="notifications.inbox"' in html
    assert 'href="/notifications/"' in html
