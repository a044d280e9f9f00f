"""Terminal pages: permission matrix, live table partial, sync now, file import in two steps."""

from __future__ import annotations

import pytest
from django.urls import reverse

from attendance.models import Punch
from devices.models import Terminal
from devices.services import terminal_register
from logistics.common.models import OutboxMessage
from logistics.org.services import roles_sync

ATTLOG = "200001\t2026-11-20 07:55:12\t0\t1\t0\t0\n200002\t2026-02-30 08:00:00\t0\t1\t0\t0\n"


@pytest.fixture
def terminal(db):
    return terminal_register(name="门诊楼1层", host="10.20.1.15", serial="CKJH201960021")


@pytest.fixture
def role_user(make_user):
    roles_sync()
    return lambda role: make_user(role, roles=(role,))


@pytest.mark.parametrize(
    ("role", "status"),
    [("requester", 403), ("technician", 403), ("finance", 403), ("attendance_admin", 200), ("manager", 200)],
)
def test_terminal_list_permission_matrix(client_as, role_user, terminal, role, status):
    assert client_as(role_user(role)).get(reverse("devices:terminal_list")).status_code == status


def test_anonymous_goes_to_login(client, terminal):
    assert client.get(reverse("devices:terminal_list"))["Location"].startswith("/accounts/login/")


def test_list_refreshes_as_a_partial(client_as, role_user, terminal):
    client = client_as(role_user("attendance_admin"))
    full = client.get(reverse("devices:terminal_list")).content.decode()
    assert 'hx-trigger="every 15s"' in full and "门诊楼1层" in full
    partial = client.get(reverse("devices:terminal_list"), headers={"HX-Request": "true", "X-Background-Poll": "1"})
    assert "<html" not in partial.content.decode() and "门诊楼1层" in partial.content.decode()


def test_sync_now_queues_a_pull_through_the_outbox(client_as, role_user, terminal, django_capture_on_commit_callbacks):
    client = client_as(role_user("attendance_admin"))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("devices:terminal_sync", args=[terminal.pk]))
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.args) == ("devices.pull_terminal", [terminal.pk])


def test_manager_may_look_but_not_sync(client_as, role_user, terminal):
    client = client_as(role_user("manager"))
    assert client.get(reverse("devices:terminal_detail", args=[terminal.pk])).status_code == 200
    assert client.post(reverse("devices:terminal_sync", args=[terminal.pk])).status_code == 403
    assert not OutboxMessage.objects.exists()


def test_push_only_terminal_cannot_be_synced(client_as, role_user, db):
    push = Terminal.objects.create(name="推送机", mode="push", serial="PUSH1")
    client = client_as(role_user("attendance_admin"))
    response = client.post(reverse("devices:terminal_sync", args=[push.pk]), follow=True)
    assert "不拉取" in response.content.decode() or "not pulled" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_file_import_previews_then_imports(client_as, role_user, terminal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(role_user("attendance_admin"))
    upload = SimpleUploadedFile("1_attlog.dat", ATTLOG.encode())
    preview = client.post(reverse("devices:file_import"), {"terminal": terminal.pk, "file": upload})
    html = preview.content.decode()
    assert 'id="import-preview"' in html and Punch.objects.count() == 0
    token = preview.context["token"]
    done = client.post(reverse("devices:file_import"), {"token": token})
    assert 'id="import-done"' in done.content.decode()
    assert Punch.objects.count() == 1
    again = client.post(reverse("devices:file_import"), {"token": token}, follow=True)  # token is spent
    assert Punch.objects.count() == 1 and 'id="import-done"' not in again.content.decode()


def test_file_import_refuses_a_broken_file_with_a_message(client_as, role_user, terminal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(role_user("attendance_admin"))
    upload = SimpleUploadedFile("x.xlsx", b"not excel")
    response = client.post(reverse("devices:file_import"), {"terminal": terminal.pk, "file": upload})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert Punch.objects.count() == 0


def test_unknown_pins_page(client_as, role_user, terminal):
    from devices.fileimport import file_import

    file_import(terminal=terminal, name="1_attlog.dat", data=b"777\t2026-11-20 07:55:12\t0\t1\n")
    html = client_as(role_user("attendance_admin")).get(reverse("devices:unknown_pins")).content.decode()
    assert "<code>777</code>" in html


def test_pending_device_is_approved_from_the_admin(client_as, sysadmin_user, db):
    from devices.models import PendingDevice

    PendingDevice.objects.create(serial="NEW-SN-1", requests=3)
    client = client_as(sysadmin_user)
    pending = PendingDevice.objects.get()
    response = client.post(
        "/admin/devices/pendingdevice/", {"action": "approve", "_selected_action": [pending.pk]}, follow=True
    )
    assert response.status_code == 200
    terminal = Terminal.objects.get(serial="NEW-SN-1")
    assert terminal.mode == Terminal.Mode.PUSH and not PendingDevice.objects.exists()


def test_push_terminal_commands_from_its_page(client_as, role_user, db):
    from devices.models import DeviceCommand

    push = Terminal.objects.create(name="推送机", mode="push", serial="PUSH1")
    client = client_as(role_user("attendance_admin"))
    client.post(reverse("devices:terminal_command", args=[push.pk]), {"action": "resend", "days": "3"})
    client.post(reverse("devices:terminal_command", args=[push.pk]), {"action": "time"})
    client.post(reverse("devices:terminal_command", args=[push.pk]), {"action": "bogus"})
    commands = list(DeviceCommand.objects.values_list("command", flat=True))
    assert len(commands) == 2 and commands[0].startswith("DATA QUERY ATTLOG StartTime=")
    html = client.get(reverse("devices:terminal_detail", args=[push.pk])).content.decode()
    assert 'id="push-commands"' in html and "DATA QUERY ATTLOG" in html
