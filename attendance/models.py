"""Attendance data shared with the terminals app: raw punches, who a PIN belongs to, and how far
each terminal has been synchronised. (Shifts, rosters, requests and daily results come with the
attendance issue.)"""

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


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Adjusted working day")
    HOSPITAL = "hospital", _("Hospital day off")


class CalendarDay(models.Model):
    """A date that is not an ordinary weekday or weekend: a statutory holiday, an adjusted working
    day (调休上班), or a day off the hospital defines. Filled from the chinese-calendar package and
    editable; the attendance rules read this table, never the package."""

    Kind = CalendarDayKind

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    from_package = models.BooleanField(_("filled from chinese-calendar"), default=False, editable=False)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CalendarDayKind.values), name="attendance_calendarday_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class ShiftType(models.Model):
    """A kind of shift (班次): its times, the windows in which punches count for it, grace minutes,
    what counts as a full or half day, and overtime rules. End before start means the shift crosses
    midnight; a 24-hour duty starts and ends at the same time on consecutive days; a split shift has
    a second segment."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    color = models.CharField(_("colour"), max_length=7, default="#0d6efd")
    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="shift_types", verbose_name=_("team")
    )
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    is_24h = models.BooleanField(_("24-hour duty"), default=False)
    second_start = models.TimeField(_("second segment start"), null=True, blank=True)
    second_end = models.TimeField(_("second segment end"), null=True, blank=True)
    break_minutes = models.PositiveIntegerField(_("break (minutes)"), default=0)
    checkin_window_minutes = models.PositiveIntegerField(_("check-in window before start (minutes)"), default=120)
    checkout_window_minutes = models.PositiveIntegerField(_("check-out window after end (minutes)"), default=240)
    late_grace_minutes = models.PositiveIntegerField(_("grace for late arrival (minutes)"), default=5)
    early_grace_minutes = models.PositiveIntegerField(_("grace for early leave (minutes)"), default=5)
    full_day_minutes = models.PositiveIntegerField(_("minimum minutes for a full day"), default=420)
    half_day_minutes = models.PositiveIntegerField(_("minimum minutes for a half day"), default=210)
    overtime_after_minutes = models.PositiveIntegerField(_("overtime counts after (minutes past the end)"), default=30)
    overtime_rounding_minutes = models.PositiveIntegerField(_("overtime rounded down to (minutes)"), default=30)
    rest_day_after = models.BooleanField(_("the next day is a rest day (下夜班)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shift type")
        verbose_name_plural = _("shift types")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_24h=True) | ~Q(start=models.F("end")), name="attendance_shifttype_start_not_end"
            ),
            models.CheckConstraint(
                condition=Q(second_start__isnull=True, second_end__isnull=True)
                | Q(second_start__isnull=False, second_end__isnull=False, is_24h=False),
                name="attendance_shifttype_second_segment_whole",
            ),
            models.CheckConstraint(
                condition=Q(overtime_rounding_minutes__gte=1), name="attendance_shifttype_rounding_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%H:%M}–{self.end:%H:%M})"


class RosterEntry(models.Model):
    """One shift of one person on one day (排班). A day without entries is a rest day. Two entries on
    one day are allowed when they do not overlap (a split assignment)."""

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="roster", verbose_name=_("staff"))
    date = models.DateField(_("date"))
    shift = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="entries", verbose_name=_("shift"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster")
        ordering = ["date", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "date", "shift"], name="attendance_rosterentry_unique"),
        ]
        indexes = [models.Index(fields=["date", "staff"], name="attendance_roster_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.staff} {self.shift.code}"
