"""Raw punches, who a PIN belongs to, and how far each terminal has been synchronised (shared
with the terminals app)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.common.fields import LocalDateTimeField


class PunchSource(models.TextChoices):
    PULL = "pull", _("Pulled from the terminal")
    PUSH = "push", _("Pushed by the terminal")
    FILE = "file", _("Imported from a file")
    CORRECTION = "correction", _("Correction (补卡)")


class Punch(models.Model):
    """One punch as the terminal recorded it. Immutable: never edited, never deleted; a correction
    is a new punch with source ``correction``. Identified by (terminal serial, PIN, device-local
    time), so the same punch arriving by pull, push and file is stored once. Who the PIN belongs
    to is resolved through ``PinMapping`` (by default the staff member whose employee number it is),
    so a punch with an unknown PIN needs no update when the mapping appears."""

    Source = PunchSource

    terminal_serial = models.CharField(_("terminal serial"), max_length=64, blank=True)
    pin = models.CharField(_("PIN"), max_length=24, db_index=True)
    local_time = LocalDateTimeField(_("device-local time"))
    punched_at = models.DateTimeField(_("time"), db_index=True)
    status = models.SmallIntegerField(_("in/out state"), default=0)
    verify_type = models.SmallIntegerField(_("verification"), default=0)
    workcode = models.CharField(_("work code"), max_length=24, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=PunchSource.choices)
    batch = models.CharField(
        _("import batch"), max_length=64, blank=True, help_text=_("The pull run, push stamp or file it came with.")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        help_text=_("Corrections only."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("punch")
        verbose_name_plural = _("punches")
        ordering = ["-punched_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["terminal_serial", "pin", "local_time"],
                condition=~Q(source="correction"),
                name="attendance_punch_natural_key",
            ),
            models.UniqueConstraint(
                fields=["pin", "local_time"],
                condition=Q(source="correction"),
                name="attendance_punch_one_correction",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["pull", "push", "file", "correction"]), name="attendance_punch_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(source="correction") | ~Q(terminal_serial=""),
                name="attendance_punch_serial_unless_correction",
            ),
        ]
        indexes = [models.Index(fields=["pin", "punched_at"], name="attendance_punch_pin_time_idx")]

    def __str__(self) -> str:
        return f"{self.pin} {self.local_time:%Y-%m-%d %H:%M:%S} ({self.terminal_serial or self.source})"


class PinMapping(models.Model):
    """Who a terminal PIN belongs to between two dates, when it is not simply the staff member's
    employee number (PINs are reused after people leave)."""

    pin = models.CharField(_("PIN"), max_length=24, db_index=True)
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="pin_mappings", verbose_name=_("staff")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("PIN mapping")
        verbose_name_plural = _("PIN mappings")
        ordering = ["pin", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="attendance_pinmapping_dates_ordered",
            ),
            models.UniqueConstraint(fields=["pin", "valid_from"], name="attendance_pinmapping_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.pin} → {self.staff}"


class TerminalWatermark(models.Model):
    """How far a terminal's punches are known to be stored ("synced up to"): attendance marks
    nobody absent for a time after this, since their punch may still be on the terminal."""

    terminal_serial = models.CharField(_("terminal serial"), max_length=64, unique=True)
    synced_until = models.DateTimeField(_("synced up to"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("terminal watermark")
        verbose_name_plural = _("terminal watermarks")

    def __str__(self) -> str:
        return f"{self.terminal_serial} @ {self.synced_until:%Y-%m-%d %H:%M}"
