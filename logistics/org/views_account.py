"""Account pages: login, two-factor verification and enrolment, backup codes, profile."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_otp import login as otp_login
from django_otp import match_token

from logistics.common.http import safe_next

from . import twofactor
from .forms import LoginForm, TokenForm
from .password_policy import expiry_days_for
from .roles import ROLES

logger = logging.getLogger("logistics.security")


def _next_url(request: HttpRequest) -> str:
    return safe_next(request, "/")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class TwoFactorVerifyView(LoginRequiredMixin, View):
    """Second step of the login for accounts with an authenticator app."""

    template_name = "registration/twofactor_verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_verified():
            return redirect(_next_url(request))
        return render(request, self.template_name, {"form": TokenForm(), "next": _next_url(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TokenForm(request.POST)
        if form.is_valid():
            device = match_token(request.user, form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                logger.info("2fa verified user=%s device=%s", request.user.username, device.persistent_id)
                return redirect(_next_url(request))
            logger.warning("2fa failed user=%s", request.user.username)
            form.add_error(
                "token", _("The code is wrong, expired or already used. Wait for the next code and try again.")
            )
        return render(request, self.template_name, {"form": form, "next": _next_url(request)}, status=200)


class TwoFactorSetupView(LoginRequiredMixin, View):
    """Enrol an authenticator app: scan the QR code, confirm with the first code, keep the backup codes."""

    template_name = "registration/twofactor_setup.html"

    def _context(self, request: HttpRequest, form: TokenForm) -> dict:
        device = twofactor.pending_totp_device(request.user)
        return {
            "form": form,
            "qr": twofactor.qr_svg_data_uri(device.config_url),
            "secret": _base32(device),
            "required": twofactor.requires_2fa(request.user),
            "next": _next_url(request),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if twofactor.has_totp(request.user):
            return redirect("profile")
        return render(request, self.template_name, self._context(request, TokenForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        if twofactor.has_totp(request.user):
            return redirect("profile")
        form = TokenForm(request.POST)
        if form.is_valid():
            device = twofactor.pending_totp_device(request.user)
            codes = twofactor.totp_confirm(device=device, token=form.cleaned_data["token"])
            if codes is not None:
                otp_login(request, device)
                logger.info("2fa enrolled user=%s", request.user.username)
                messages.success(request, _("Two-factor login is on. Keep your backup codes somewhere safe."))
                return render(request, "registration/twofactor_backup_codes.html", {"codes": codes})
            form.add_error("token", _("The code does not match. Check the time on your phone and try again."))
        return render(request, self.template_name, self._context(request, form))


def _base32(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


class BackupCodesView(LoginRequiredMixin, View):
    """Issue a fresh set of backup codes (the old ones stop working)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not (request.user.is_verified() and twofactor.has_totp(request.user)):
            return redirect("profile")
        codes = twofactor.backup_codes_regenerate(user=request.user)
        return render(request, "registration/twofactor_backup_codes.html", {"codes": codes})


class TwoFactorDisableView(LoginRequiredMixin, View):
    """Turn two-factor login off; refused for roles that require it."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if twofactor.requires_2fa(request.user):
            messages.error(request, _("Your role requires two-factor login; it cannot be turned off."))
        elif request.user.is_verified():
            twofactor.twofactor_disable(user=request.user)
            messages.success(request, _("Two-factor login is off."))
        return redirect("profile")


class ProfileView(LoginRequiredMixin, TemplateView):
    """My details, my roles, language, two-factor status, password."""

    template_name = "org/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        role_names = sorted(user.groups.values_list("name", flat=True))
        context.update(
            staff=getattr(user, "staff", None),
            roles=[ROLES[name] for name in role_names if name in ROLES],
            has_totp=twofactor.has_totp(user),
            requires_2fa=twofactor.requires_2fa(user),
            password_expiry_days=expiry_days_for(user),
        )
        return context
