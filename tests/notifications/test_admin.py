"""Admin: channels are configured there; notifications and deliveries can only be looked at."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from logistics.notifications.models import Channel, Delivery
from logistics.notifications.services import channel_create, delivery_attempt, notify


@pytest.fixture
def admin_client(make_user, client):
    """A staff login (not superuser: that would need two-factor) with this app's permissions."""
    user = make_user("configurator", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="notifications"))
    client.force_login(user)
    return client


def test_channel_admin_refuses_a_webhook_that_is_not_a_url(admin_client, make_team):
    team = make_team()
    form = {"name": "HVAC group", "kind": "wecom", "enabled": "on", "team": team.pk, "address": "not a url"}
    response = admin_client.post("/admin/notifications/channel/add/", form)
    assert response.status_code == 200  # the form again, with the error
    assert Channel.objects.count() == 0

    form["address"] = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    response = admin_client.post("/admin/notifications/channel/add/", form)
    assert response.status_code == 302
    assert Channel.objects.get().team == team


def test_channel_list_filters_and_search(admin_client, make_team):
    channel_create(name="HVAC group", kind="wecom", address="https://example.invalid/hook", team=make_team())
    html = admin_client.get("/admin/notifications/channel/", {"q": "HVAC", "kind__exact": "wecom"}).content.decode()
    assert "HVAC group" in html


def test_deliveries_show_their_attempts_and_cannot_be_edited(admin_client, make_user, webhook_server):
    user = make_user("tech")
    channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=user)
    notify(recipients=[user], verb="x.y", title="WO-1")
    delivery = Delivery.objects.get()
    webhook_server.answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    delivery_attempt(delivery_id=delivery.pk)

    html = admin_client.get(f"/admin/notifications/delivery/{delivery.pk}/change/").content.decode()
    assert "errcode 93000" in html
    assert 'name="_save"' not in html  # read-only

    assert admin_client.get("/admin/notifications/delivery/").status_code == 200
    assert admin_client.get("/admin/notifications/notification/", {"q": "WO-1"}).status_code == 200
    assert admin_client.get("/admin/notifications/notification/add/").status_code == 403
