"""API authentication: the browser session for pages, and tokens issued by an administrator
for integrations (``Authorization: Token <key>``), limited to scopes and revocable.

Accounts of roles that require two-factor login cannot authenticate with a bare token: a stolen
key must not give an attacker a privileged account without the second factor.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from .models import ApiToken
from .twofactor import requires_2fa

# Scopes an administrator can grant; apps add theirs with ``API_SCOPES[...] = label`` in ready().
API_SCOPES: dict[str, str] = {
    "read": _("Read data the account may see"),
}

PREFIX_LENGTH = 8


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, name: str, user, scopes: list[str], actor, expires_at=None) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with the clear key (shown once, never stored)."""
    unknown = set(scopes) - API_SCOPES.keys()
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    if requires_2fa(user):
        raise ValueError("accounts whose role requires two-factor login cannot hold API tokens")
    while True:
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name,
        user=user,
        prefix=prefix,
        key_hash=_hash(key),
        scopes=sorted(set(scopes)),
        created_by=actor,
        expires_at=expires_at,
    )
    return token, key


def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Stop a token from working (kept for the audit trail)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from exc
        prefix = key.split(".", 1)[0]
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_usable:
            raise exceptions.AuthenticationFailed(_("This token was revoked or has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The account of this token is disabled."))
        if requires_2fa(token.user):
            raise exceptions.AuthenticationFailed(
                _("Accounts whose role requires two-factor login cannot use API tokens.")
            )
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class TokenHasScope(permissions.BasePermission):
    """For token requests: the token must hold the view's ``required_scopes`` (all of them).
    Session requests are governed by the user's permissions alone."""

    message = _("The API token does not have the scope this endpoint needs.")

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        required = set(getattr(view, "required_scopes", ()) or ("read",))
        return required <= set(request.auth.scopes)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the token authentication appears in the OpenAPI document."""

    target_class = "logistics.org.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key> — issued by an administrator, limited to scopes, revocable.",
        }
