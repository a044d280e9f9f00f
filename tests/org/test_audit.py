"""Audit trail: configuration and people changes, permission changes, logins; never editable;
kept at least six months."""

from __future__ import annotations

from datetime import timedelta

from auditlog.models import LogEntry
from axes.models import AccessLog
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from logistics.org.models import Campus, Department
from logistics.org.services import audit_prune, roles_sync


def test_admin_change_is_recorded_with_its_actor(client_as, sysadmin_user):
    campus = Campus.objects.create(code="MAIN", name="本部")
    client = client_as(sysadmin_user)
    response = client.post(
        "/admin/org/department/add/",
        {
            "code": "D-NEURO",
            "name": "神经内科",
            "kind": "ward",
            "campus": campus.pk,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    department = Department.objects.get(code="D-NEURO")
    entry = LogEntry.objects.get_for_object(department).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == sysadmin_user
    assert entry.changes_dict["name"] == ["None", "神经内科"]


def test_permission_changes_are_recorded(db):
    roles_sync()
    group = Group.objects.get(name="courier")
    group.permissions.add(Permission.objects.get(codename="view_campus"))
    entry = LogEntry.objects.get_for_object(group).latest("timestamp")
    assert "permissions" in entry.changes_dict


def test_role_change_of_a_user_is_recorded(make_user):
    roles_sync()
    user = make_user("wu")
    user.groups.add(Group.objects.get(name="manager"))
    entry = LogEntry.objects.get_for_object(user).latest("timestamp")
    assert "groups" in entry.changes_dict


def test_passwords_never_reach_the_audit_trail(make_user):
    user = make_user("zhou")
    user.set_password("Another-pass-2026")
    user.save()
    for entry in LogEntry.objects.get_for_object(user):
        assert "password" not in entry.changes_dict


def test_successful_logins_are_recorded(client, make_user):
    user = make_user("zheng")
    client.post("/accounts/login/", {"username": "zheng", "password": user.raw_password})
    assert AccessLog.objects.filter(username="zheng").exists()


def test_audit_trail_is_read_only_in_the_admin(client_as, sysadmin_user):
    campus = Campus.objects.create(code="EAST", name="东院区")
    entry = LogEntry.objects.get_for_object(campus).get()
    client = client_as(sysadmin_user)
    listing = client.get("/admin/auditlog/logentry/", {"q": "东院区"})
    assert listing.status_code == 200 and "东院区" in listing.content.decode()
    assert client.get("/admin/auditlog/logentry/add/").status_code == 403
    client.post(f"/admin/auditlog/logentry/{entry.pk}/change/", {"object_repr": "tampered"})
    client.post(f"/admin/auditlog/logentry/{entry.pk}/delete/", {"post": "yes"})
    entry.refresh_from_db()
    assert entry.object_repr != "tampered"


def test_prune_keeps_six_months_at_least(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30  # too short: the floor of 183 days applies
    campus = Campus.objects.create(code="OPD", name="门诊部")
    LogEntry.objects.get_for_object(campus).update(timestamp=timezone.now() - timedelta(days=100))
    assert audit_prune()["changes"] == 0
    LogEntry.objects.get_for_object(campus).update(timestamp=timezone.now() - timedelta(days=200))
    assert audit_prune()["changes"] == 1
