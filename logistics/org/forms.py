"""Forms of the organization app: login, two-factor codes."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Username or employee number + password. Errors never say which of the two was wrong."""

    username = forms.CharField(
        label=_("Username or employee number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )


class TokenForm(forms.Form):
    """A six-digit code from the authenticator app, or an eight-digit backup code."""

    token = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "").strip()
        if not token.isdigit() or len(token) not in (6, 8):
            raise forms.ValidationError(_("Enter the 6-digit code from your app or an 8-digit backup code."))
        return token
