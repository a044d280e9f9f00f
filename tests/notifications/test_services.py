"""notify(): who gets an inbox row, which channels get a message, and that nothing is sent before
(or without) the caller's commit."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from logistics.common.models import OutboxMessage
from logistics.common.registries import menu_for
from logistics.notifications import selectors
from logistics.notifications.models import Channel, Delivery, Notification
from logistics.notifications.services import (
    channel_create,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
)
from logistics.org.models import Staff


def _deliver_messages() -> list[list]:
    return sorted(
        OutboxMessage.objects.filter(task_name="notifications.deliver").values_list("args", flat=True),
    )


def test_recipients_by_user_staff_and_team(make_user, make_staff, make_team):
    team = make_team()
    member = make_user("member")
    make_staff("Member", team=team, user=member)
    make_staff("No login", team=team)  # skipped: nobody to show an inbox to
    make_staff("Left the team", team=team, user=make_user("gone"), is_active=False)
    make_staff("Locked account", team=team, user=make_user("locked", is_active=False))
    nurse = make_user("nurse")
    doctor_staff = make_staff("Doctor", user=make_user("doctor"))
    porter_staff = make_staff("Porter")  # no login

    notifications = notify(
        recipients=[team, nurse, doctor_staff, porter_staff, member],  # member twice: directly and via team
        verb="workorders.dispatched",
        title="WO-20261121-0007 dispatched",
    )

    assert sorted(n.recipient.username for n in notifications) == ["doctor", "member", "nurse"]
    assert Notification.objects.count() == 3
    assert selectors.unread_count(member) == 1
    assert selectors.notifications_for(member).get().title == "WO-20261121-0007 dispatched"


def test_notification_keeps_target_actor_link_and_level(make_user):
    user, dispatcher = make_user("tech"), make_user("dispatcher")
    notify(
        recipients=[user],
        verb="workorders.dispatched",
        title="Repair the AC in 5B",
        body="Ward 5B, room 12",
        url="/workorders/7/",
        level="warning",
        target=("workorders.workorder", 7),
        actor=dispatcher,
    )
    n = Notification.objects.get()
    assert (n.recipient, n.actor, n.url, n.level) == (user, dispatcher, "/workorders/7/", "warning")
    assert (n.target_type, n.target_id) == ("workorders.workorder", "7")
    assert n.read_at is None


def test_a_model_instance_as_target_is_stored_as_plain_values(make_user, make_team):
    team = make_team()
    user = make_user("lead")
    notify(recipients=[user], verb="org.team_changed", title="Team changed", target=team)
    n = Notification.objects.get()
    assert (n.target_type, n.target_id) == ("org.team", str(team.pk))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/x", "ftp://files/x"])
def test_unsafe_links_are_refused(make_user, url):
    with pytest.raises(ValidationError):
        notify(recipients=[make_user("u")], verb="x.y", title="t", url=url)
    assert Notification.objects.count() == 0


def test_unknown_level_is_refused(make_user):
    with pytest.raises(ValueError, match="level"):
        notify(recipients=[make_user("u")], verb="x.y", title="t", level="critical")


def test_only_enabled_channels_of_the_recipients_get_a_delivery(make_user, make_staff, make_team, webhook_server):
    team, other_team = make_team("hvac"), make_team("lift", "Elevator team")
    member, outsider = make_user("member"), make_user("outsider")
    make_staff("Member", team=team, user=member)
    mine = channel_create(name="my mail", kind="email", address="member@hospital.example", user=member)
    channel_create(name="my robot (off)", kind="wecom", address=webhook_server.url(), user=member, enabled=False)
    team_robot = channel_create(name="HVAC group", kind="dingtalk", address=webhook_server.url(), team=team)
    channel_create(name="HVAC old group", kind="wecom", address=webhook_server.url(), team=team, enabled=False)
    channel_create(name="lift group", kind="wecom", address=webhook_server.url(), team=other_team)
    channel_create(name="outsider mail", kind="email", address="o@hospital.example", user=outsider)

    (notification,) = notify(recipients=[team], verb="workorders.dispatched", title="WO-1", body="AC broken")

    deliveries = {d.channel: d for d in Delivery.objects.all()}
    assert set(deliveries) == {mine, team_robot}
    assert deliveries[mine].notification == notification
    assert deliveries[team_robot].notification is None  # the group gets one message per call
    assert all(d.status == "pending" and d.title == "WO-1" and d.body == "AC broken" for d in deliveries.values())
    assert _deliver_messages() == sorted([[d.pk] for d in deliveries.values()])
    assert webhook_server.received == []  # nothing is sent from the request


def test_team_robot_is_told_even_when_no_member_has_a_login(make_staff, make_team, webhook_server):
    team = make_team("clean", "Cleaning (outsourced)")
    make_staff("Cleaner", team=team)
    robot = channel_create(name="cleaning group", kind="wecom", address=webhook_server.url(), team=team)

    assert notify(recipients=[team], verb="transport.alert", title="Spill in lobby") == []

    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.notification, delivery.title) == (robot, None, "Spill in lobby")
    assert _deliver_messages() == [[delivery.pk]]


def test_notify_writes_in_bulk(make_user, make_staff, make_team, django_assert_max_num_queries):
    team = make_team()
    for i in range(30):
        user = make_user(f"tech{i}")
        make_staff(f"Tech {i}", team=team, user=user)
        if i < 3:
            channel_create(name=f"mail {i}", kind="email", address=f"t{i}@hospital.example", user=user)

    nurses = [make_staff(f"Nurse {i}", user=make_user(f"nurse{i}")) for i in range(10)]
    nurses = list(Staff.objects.filter(pk__in=[n.pk for n in nurses]))  # as a caller loads them

    # staff logins, team members, insert notifications, read channels, insert deliveries, one
    # outbox row per delivery (3), savepoints: the 40 inbox rows cost no query each.

    with django_assert_max_num_queries(10):
        notifications = notify(recipients=[team, *nurses], verb="x.y", title="Shift change")
    assert len(notifications) == 40
    assert Delivery.objects.count() == 3


def test_nothing_is_written_or_sent_when_the_callers_transaction_rolls_back(
    make_user, webhook_server, django_capture_on_commit_callbacks
):
    user = make_user("u")
    channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=user)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[user], verb="x.y", title="never")
        raise RuntimeError("the caller's change fails")
    assert callbacks == []
    assert Notification.objects.count() == Delivery.objects.count() == OutboxMessage.objects.count() == 0


def test_publishing_waits_for_the_commit(make_user, webhook_server, django_capture_on_commit_callbacks):
    user = make_user("u")
    channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[user], verb="x.y", title="after commit")
    assert len(callbacks) == 1  # the publish of the one delivery, run only on commit
    assert OutboxMessage.objects.get().published_at is None


# --- read state ------------------------------------------------------------------------------
def test_mark_read_only_own(make_user):
    me, other = make_user("me"), make_user("other")
    (mine,) = notify(recipients=[me], verb="x.y", title="mine")
    (theirs,) = notify(recipients=[other], verb="x.y", title="theirs")

    notification_mark_read(notification=mine, user=me)
    with pytest.raises(PermissionDenied):
        notification_mark_read(notification=theirs, user=me)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None
    first_read = mine.read_at
    notification_mark_read(notification=mine, user=me)  # again: keeps the first time
    mine.refresh_from_db()
    assert mine.read_at == first_read


def test_mark_all_read_touches_only_the_users_own(make_user):
    me, other = make_user("me"), make_user("other")
    notify(recipients=[me, other], verb="x.y", title="one")
    notify(recipients=[me, other], verb="x.y", title="two")

    assert notifications_mark_all_read(user=me) == 2
    assert selectors.unread_count(me) == 0
    assert selectors.unread_count(other) == 2
    assert notifications_mark_all_read(user=me) == 0


def test_selectors_newest_first_and_unread_filter(make_user):
    me = make_user("me")
    _first, second, _third = (notify(recipients=[me], verb="x.y", title=t)[0] for t in ("1", "2", "3"))
    notification_mark_read(notification=second, user=me)
    assert [n.title for n in selectors.notifications_for(me)] == ["3", "2", "1"]
    assert [n.title for n in selectors.notifications_for(me, unread_only=True)] == ["3", "1"]


# --- channels --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "address", "field"),
    [
        ("email", "not-an-address", "address"),
        ("wecom", "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "address"),
        ("wecom", "ftp://qyapi.weixin.qq.com/x", "address"),
        ("dingtalk", "javascript:alert(1)", "address"),
    ],
)
def test_channel_address_must_fit_its_kind(make_user, kind, address, field):
    with pytest.raises(ValidationError) as excinfo:
        channel_create(name="c", kind=kind, address=address, user=make_user("u"))
    assert field in excinfo.value.message_dict
    assert Channel.objects.count() == 0


def test_channel_belongs_to_exactly_one_team_or_user(make_user, make_team):
    user, team = make_user("u"), make_team()
    for owners in ({"team": team, "user": user}, {}):
        with pytest.raises(ValidationError) as excinfo:
            channel_create(name="c", kind="email", address="a@hospital.example", **owners)
        assert "team" in excinfo.value.message_dict


def test_channel_owner_rule_holds_in_the_database(make_user, make_team):
    with pytest.raises(IntegrityError, match="notifications_channel_one_owner"), transaction.atomic():
        Channel.objects.create(
            name="c", kind="email", address="a@hospital.example", team=make_team(), user=make_user("u")
        )


def test_only_dingtalk_takes_a_signing_secret(make_user, webhook_server):
    with pytest.raises(ValidationError) as excinfo:
        channel_create(name="c", kind="wecom", address=webhook_server.url(), user=make_user("u"), secret="SECabc")
    assert "secret" in excinfo.value.message_dict


def test_every_logged_in_user_has_the_inbox_in_the_menu(plain_user):
    assert "notifications.inbox" in [entry.key for entry in menu_for(plain_user)]
    assert "notifications.inbox" not in [entry.key for entry in menu_for(AnonymousUser())]


def test_a_channel_with_history_is_disabled_not_deleted_but_its_user_can_be(make_user, webhook_server):
    user = make_user("leaver")
    channel = channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=user)
    notify(recipients=[user], verb="x.y", title="t")

    with pytest.raises(RestrictedError), transaction.atomic():
        channel.delete()
    assert Delivery.objects.count() == 1

    user.delete()  # the user's inbox, channels and deliveries go with the account
    assert Channel.objects.count() == Delivery.objects.count() == Notification.objects.count() == 0
