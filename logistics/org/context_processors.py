"""Template context of the organization app: the demo-mode security banner."""

from __future__ import annotations

from django.http import HttpRequest

from . import twofactor


def security(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    relaxed = bool(
        user is not None
        and user.is_authenticated
        and twofactor.requires_2fa(user)
        and twofactor.is_demo_relaxed(user)
        and not twofactor.has_totp(user)
    )
    return {"demo_2fa_relaxed": relaxed}
