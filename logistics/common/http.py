"""Small request helpers shared by the apps' views."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

_MISSING = object()


def safe_next(request: HttpRequest, fallback: str, candidate=_MISSING) -> str:
    """Where to go after a post: ``candidate`` (default: the ``next`` parameter of the post or the
    query) when it is a path on this site, else ``fallback``: never another host (open redirect)."""
    if candidate is _MISSING:
        candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback
