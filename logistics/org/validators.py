"""Password policy as graded-protection (等保 level 3) evaluators check it: minimum length,
several character classes, no reuse of recent passwords; expiry per role lives in
``password_policy.py``. Every number is a setting (AUTH_PASSWORD_VALIDATORS options)."""

from __future__ import annotations

import string

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's length rule with a message of our own catalog (Django's zh-hans catalog lacks the
    current wording, so users saw it in English)."""

    def get_error_message(self) -> str:
        return ngettext(
            "The password is too short: it needs at least %(min_length)d character.",
            "The password is too short: it needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


CHARACTER_CLASSES = {
    "lower": set(string.ascii_lowercase),
    "upper": set(string.ascii_uppercase),
    "digit": set(string.digits),
}


def _classes_in(password: str) -> int:
    found = {name for name, chars in CHARACTER_CLASSES.items() if any(c in chars for c in password)}
    if any(not c.isalnum() for c in password):
        found.add("symbol")
    return len(found)


class CharacterClassesValidator:
    """At least ``min_classes`` of: lowercase letters, uppercase letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if _classes_in(password) < self.min_classes:
            raise ValidationError(self._message(), code="password_too_simple")

    def _message(self) -> str:
        return _(
            "The password must mix at least %(count)d of: lowercase letters, uppercase letters, digits, symbols."
        ) % {"count": self.min_classes}

    def get_help_text(self) -> str:
        return self._message()


class PasswordHistoryValidator:
    """Refuses the current password and the last ``remember`` ones; records each new password
    (Django calls ``password_changed`` after a user with a new password is saved)."""

    def __init__(self, remember: int = 5) -> None:
        self.remember = remember

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None or self.remember <= 0:
            return
        from .models import PasswordHistory

        earlier = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.remember])
        stored = get_user_model().objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if stored:
            earlier.append(stored)
        if any(check_password(password, encoded) for encoded in earlier):
            raise ValidationError(self._message(), code="password_reused")

    def password_changed(self, password: str, user=None) -> None:
        if user is None or user.pk is None or not user.has_usable_password():
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: max(self.remember, 1)]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
        get_user_model().objects.filter(pk=user.pk).update(
            password_changed_at=timezone.now(), must_change_password=False
        )

    def _message(self) -> str:
        return ngettext(
            "This password was used recently: choose one you have not used for the last %(count)d change.",
            "This password was used recently: choose one you have not used for the last %(count)d changes.",
            self.remember,
        ) % {"count": self.remember}

    def get_help_text(self) -> str:
        return self._message()
