"""Password expiry per role. Privileged roles expire by default (see ``roles.py``); each role's
period can be changed with the ``PASSWORD_EXPIRY_DAYS`` setting ({role: days}, 0 = never) and
every other account follows ``PASSWORD_EXPIRY_DEFAULT_DAYS``."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from logistics.common.registries import user_roles

from .roles import ROLES


def expiry_days_for(user) -> int:
    """The shortest expiry (days) among the user's roles; 0 when their password never expires."""
    overrides: dict[str, int] = getattr(settings, "PASSWORD_EXPIRY_DAYS", {})
    periods = [overrides.get(name, ROLES[name].password_expiry_days) for name in user_roles(user) if name in ROLES]
    periods.append(getattr(settings, "PASSWORD_EXPIRY_DEFAULT_DAYS", 0))
    if user.is_superuser:
        periods.append(overrides.get("sysadmin", ROLES["sysadmin"].password_expiry_days))
    positive = [p for p in periods if p > 0]
    return min(positive) if positive else 0


def password_expired(user) -> bool:
    """True when the user must choose a new password before doing anything else."""
    if not user.is_authenticated:
        return False
    if user.must_change_password:
        return True
    days = expiry_days_for(user)
    if not days:
        return False
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > timedelta(days=days)
