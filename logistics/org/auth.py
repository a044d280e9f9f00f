"""Login by username or employee number, one lockout counter per account.

Nurse stations share PCs and sit behind proxies, so failed logins are counted per account, not per
IP address. A person may type their username or their employee number (the PIN on the attendance
terminal): both resolve to the same account and share one counter, so alternating the two names
does not double the attempts an attacker gets.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def _resolve(login: str):
    """The user behind a username or an employee number (case-insensitive), or None."""
    login = (login or "").strip()
    if not login:
        return None
    User = get_user_model()
    matches = list(
        User.objects.filter(Q(username__iexact=login) | Q(staff__employee_no__iexact=login)).select_related(None)[:2]
    )
    if len(matches) == 1:
        return matches[0]
    # A username equal to someone else's employee number: the exact username wins.
    exact = [u for u in matches if u.username.lower() == login.lower()]
    return exact[0] if exact else None


def canonical_login(login: str) -> str:
    """The account's username for ``login``; the typed name (normalised) when no account matches,
    so that unknown names are still counted and answered exactly like known ones."""
    user = _resolve(login)
    return user.username.lower() if user is not None else (login or "").strip().lower()


def axes_username(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the lockout key is the account, whichever login name was typed."""
    if credentials and credentials.get("username"):
        return canonical_login(credentials["username"])
    return canonical_login(request.POST.get("username", "") if request is not None else "")


class UsernameOrEmployeeNoBackend(ModelBackend):
    """Authenticates with a username or an employee number and the account's password.

    Runs the password hasher even when no account matches, so response times do not reveal
    which names exist (no user enumeration)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = _resolve(username)
        if user is None:
            get_user_model()().set_password(password)  # same cost as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_response(request, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: the translated lockout page (HTTP 429), the same for every name typed."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
