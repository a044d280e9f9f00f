"""Access policy applied to every page after login: idle timeout, two-factor verification and
enrolment, password expiry. Order in MIDDLEWARE: after AuthenticationMiddleware, OTPMiddleware
and MessageMiddleware."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import twofactor
from .password_policy import password_expired

# Paths a user in the middle of a required step may still open.
ALWAYS_ALLOWED = ("/static/", "/media/", "/healthz", "/i18n/", "/jsi18n/", "/accounts/logout/", "/favicon.ico")
BACKGROUND_POLL_HEADER = "X-Background-Poll"
ACTIVITY_WRITE_INTERVAL = 15  # seconds: do not rewrite the session on every click


def _redirect(request: HttpRequest, url_name: str) -> HttpResponse:
    target = reverse(url_name)
    if request.method == "GET" and not request.headers.get("HX-Request"):
        target += "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


class AccessPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(ALWAYS_ALLOWED):
            return self.get_response(request)

        # Idle timeout: background polling (navbar counters) does not count as activity.
        now = time.time()
        last = request.session.get("last_activity")
        idle_limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        if last is not None and now - last > idle_limit:
            logout(request)
            messages.warning(
                request,
                _("You were logged out after %(minutes)d minutes without activity. Please log in again.")
                % {"minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES},
            )
            return _redirect(request, "login")
        if not request.headers.get(BACKGROUND_POLL_HEADER) and (last is None or now - last > ACTIVITY_WRITE_INTERVAL):
            request.session["last_activity"] = now

        step = self._pending_step(user, request.path)
        if step is None:
            return self.get_response(request)
        if request.headers.get(BACKGROUND_POLL_HEADER):
            # A navbar counter polling from the page of a pending step: answer quietly, or the
            # redirect would reload that very page in a loop.
            return HttpResponse(status=204)
        url_name, message = step
        if message:
            messages.info(request, message)
        return _redirect(request, url_name)

    @staticmethod
    def _pending_step(user, path: str) -> tuple[str, str] | None:
        """The step the user must complete before anything else (URL name, message), or None."""
        in_twofactor = path.startswith("/accounts/2fa/")
        if not user.is_verified() and twofactor.has_totp(user):
            if not path.startswith("/accounts/2fa/verify/"):
                return "twofactor_verify", ""
        elif twofactor.must_enrol(user):
            if not in_twofactor:
                return "twofactor_setup", _(
                    "Your role requires two-factor login. Set up your authenticator app to continue."
                )
        elif password_expired(user) and not path.startswith("/accounts/password_change/") and not in_twofactor:
            return "password_change", _("Your password has expired. Choose a new one to continue.")
        return None
