"""The schedule: holiday calendar, shift types and the roster."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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


class Pairing(models.TextChoices):
    FIRST_LAST = "first_last", _("First punch in, last punch out")
    ALTERNATING = "alternating", _("Alternating in / out pairs")


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
    pairing = models.CharField(
        _("punch pairing"),
        max_length=12,
        choices=Pairing.choices,
        default=Pairing.FIRST_LAST,
        help_text=_("First in / last out ignores punches in between; alternating pays only the time between "
                    "each in and the next out (breaks punched out are not paid)."),
    )  # fmt: skip
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
            models.CheckConstraint(condition=Q(pairing__in=Pairing.values), name="attendance_shifttype_pairing_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%H:%M}–{self.end:%H:%M})"

    @property
    def css_color(self) -> str:
        """The colour as a safe CSS value (``#rrggbb``), the default blue when it is not one."""
        return self.color if re.fullmatch(r"#[0-9A-Fa-f]{6}", self.color or "") else "#0d6efd"

    @property
    def text_color(self) -> str:
        """Black or white, whichever reads better on the shift's colour."""
        red, green, blue = (int(self.css_color[i : i + 2], 16) for i in (1, 3, 5))
        return "#000" if (red * 299 + green * 587 + blue * 114) / 1000 > 150 else "#fff"


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


class RosterPattern(models.Model):
    """A saved rotation (轮班模式) a team lead applies over a date range, e.g. day – evening –
    night – off – off. ``sequence`` is the ordered list of steps, one per day: a shift type id, or
    null for a rest day; the rotation repeats from the first step after the last. A pattern without
    a team is offered to every team."""

    name = models.CharField(_("name"), max_length=50)
    team = models.ForeignKey(
        "org.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roster_patterns",
        verbose_name=_("team"),
        help_text=_("Empty: offered to every team."),
    )
    sequence = models.JSONField(_("steps"), default=list)
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
        verbose_name = _("roster pattern")
        verbose_name_plural = _("roster patterns")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="attendance_rosterpattern_unique_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(team__isnull=True), name="attendance_rosterpattern_unique_shared_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def length(self) -> int:
        return len(self.sequence or [])
