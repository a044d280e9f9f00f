"""Model fields shared by the apps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _


class LocalDateTimeField(models.Field):
    """A wall-clock date and time with no time zone ("timestamp without time zone").

    Attendance terminals report naive local times. They are part of a punch's natural key exactly
    as the device said them, so that correcting a terminal's time-zone setting later never turns
    a stored punch into a "new" one. Django's DateTimeField would convert them; this field stores
    the digits as they are (second resolution) and returns naive datetimes.
    """

    description = _("Local date and time (no time zone)")

    def db_type(self, connection) -> str:
        if connection.vendor == "postgresql":
            return "timestamp(0) without time zone"
        return "datetime"

    def to_python(self, value: Any) -> dt.datetime | None:
        if value is None or isinstance(value, dt.datetime):
            return value.replace(tzinfo=None, microsecond=0) if value is not None else None
        if isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is not None:
                return parsed.replace(tzinfo=None, microsecond=0)
        raise ValidationError(_("Enter a valid date and time."), code="invalid")

    def from_db_value(self, value: Any, expression, connection) -> dt.datetime | None:
        return self.to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        value = self.to_python(value)
        if value is not None and value.tzinfo is not None:
            raise ValueError("LocalDateTimeField takes naive (wall-clock) datetimes only")
        return value

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False) -> Any:
        value = value if prepared else self.get_prep_value(value)
        if value is None:
            return None
        if connection.vendor == "postgresql":
            return value
        return value.isoformat(sep=" ")


def _fernet():
    """The key for fields encrypted at rest: FIELD_ENCRYPTION_KEY (a Fernet key) when set, else
    derived from SECRET_KEY. Changing the key makes stored secrets unreadable (re-enter them)."""
    import base64
    import hashlib

    from cryptography.fernet import Fernet
    from django.conf import settings

    key = (
        getattr(settings, "FIELD_ENCRYPTION_KEY", "")
        or base64.urlsafe_b64encode(
            hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()
        ).decode()
    )
    return Fernet(key.encode())


class EncryptedCharField(models.CharField):
    """A short secret (e.g. a terminal's comm password) stored encrypted (Fernet, AES-128-CBC +
    HMAC); the model attribute holds the plain text. Unreadable stored values come back empty
    and are logged, so a changed key shows up as "password missing", not as a crash."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        from cryptography.fernet import InvalidToken

        try:
            return _fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            import logging

            logging.getLogger(__name__).error("cannot decrypt %s: key changed?", self.name)
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return _fernet().encrypt(str(value).encode()).decode()
