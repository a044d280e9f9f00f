"""Writes of the organization app: roles, and (added with each feature) staff and locations."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .roles import ROLES

logger = logging.getLogger(__name__)


@transaction.atomic
def roles_sync() -> dict[str, list[str]]:
    """Create the role groups and set each one's permissions to exactly the declared set.

    Idempotent: running it twice changes nothing the second time. Permissions named by a role
    whose model is not installed are reported, not created. Returns ``{"missing": [...]}``.
    """
    wanted = {perm for role in ROLES.values() for perm in role.permissions}
    by_name: dict[str, Permission] = {}
    for perm in Permission.objects.select_related("content_type"):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    missing = sorted(wanted - by_name.keys())
    for name in missing:
        logger.warning("sync_roles: permission %s does not exist (model not installed?)", name)
    for role in ROLES.values():
        group, _ = Group.objects.get_or_create(name=role.name)
        group.permissions.set([by_name[p] for p in role.permissions if p in by_name])
    return {"missing": missing}


def audit_prune(*, now=None) -> dict[str, int]:
    """Delete audit-trail rows older than AUDIT_RETENTION_DAYS (never less than 183 days):
    model changes (django-auditlog) and login records (django-axes). Run daily by beat."""
    from auditlog.models import LogEntry
    from axes.models import AccessFailureLog, AccessLog
    from django.conf import settings
    from django.utils import timezone

    days = max(settings.AUDIT_RETENTION_DAYS, 183)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return {
        "changes": LogEntry.objects.filter(timestamp__lt=cutoff).delete()[0],
        "logins": AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "failed_logins": AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
    }
