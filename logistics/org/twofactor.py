"""Two-factor login (TOTP with django-otp) and who must use it.

Manager, sysadmin and attendance_admin must (``roles.PRIVILEGED``); everyone else may. The
one-command demo on embedded defaults may relax the rule for the printed demo accounts
(``OTP_RELAX_FOR_DEMO_ACCOUNTS``), with a banner on every page; production settings never do.
"""

from __future__ import annotations

import base64
import io
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from logistics.common.registries import user_roles

from .roles import PRIVILEGED

BACKUP_CODE_COUNT = 10


def is_demo_relaxed(user) -> bool:
    """True when this account is a printed demo login and the demo run relaxes 2FA for it."""
    if not getattr(settings, "OTP_RELAX_FOR_DEMO_ACCOUNTS", False):
        return False
    from .demo import DEMO_LOGINS

    return user.username in {login.username for login in DEMO_LOGINS}


def requires_2fa(user) -> bool:
    """Whether the account's roles make two-factor login mandatory."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(user_roles(user) & PRIVILEGED)


def must_enrol(user) -> bool:
    return requires_2fa(user) and not is_demo_relaxed(user) and not user_has_device(user, confirmed=True)


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (created on first visit, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


def qr_svg_data_uri(text: str) -> str:
    """An inline SVG QR code (no file, no network) for the authenticator app to scan."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@transaction.atomic
def totp_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm enrolment with the first code from the app; returns new backup codes, or None if
    the code is wrong (the device stays unconfirmed)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token((token or "").strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return backup_codes_regenerate(user=device.user)


@transaction.atomic
def backup_codes_regenerate(*, user) -> list[str]:
    """Replace the user's backup codes with ten new single-use ones and return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def twofactor_disable(*, user) -> None:
    """Remove every second factor of the user (allowed only when their roles do not require it)."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
