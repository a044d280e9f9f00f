"""What attendance concludes: one result per person and day, the queue of days to recompute,
presence evidence from other apps, month closing for payroll and the exported sheets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DayStatus(models.TextChoices):
    """The headline of a day, worst first: what the monthly sheet shows when several things apply
    (the minutes and counts of each are kept separately)."""

    PENDING = "pending", _("Not yet known")
    ABSENT = "absent", _("Absent")
    MISSING = "missing", _("Missing punch")
    LATE_EARLY = "late_early", _("Late and left early")
    LATE = "late", _("Late")
    EARLY = "early", _("Left early")
    LEAVE = "leave", _("On leave")
    PRESENT = "present", _("Present")
    REST = "rest", _("Rest day")
    HOLIDAY = "holiday", _("Public holiday")


class DayType(models.TextChoices):
    WORKDAY = "workday", _("Workday")
    REST = "rest", _("Rest day")
    HOLIDAY = "holiday", _("Public holiday")


class DailyResult(models.Model):
    """The attendance of one tracked person on one day (the day a shift starts on; a night shift
    belongs to the evening it begins). Computed by ``attendance.services.results_recompute`` from
    the roster, the punches, approved requests, the calendar and presence evidence; never edited
    by hand. ``recheck_after`` is when the outcome may still change without new data (the shift is
    not over, or a terminal the person uses has not been synced past its end)."""

    Status = DayStatus

    # no index of its own: the unique (staff, date) serves every lookup by person (one index less to
    # maintain when a month of results is written)
    staff = models.ForeignKey("org.Staff", on_delete=models.CASCADE, related_name="+", verbose_name=_("staff"),
                              db_index=False)  # fmt: skip
    date = models.DateField(_("date"))
    day_type = models.CharField(_("day type"), max_length=8, choices=DayType.choices)
    status = models.CharField(_("status"), max_length=10, choices=DayStatus.choices)
    shift_codes = models.CharField(_("shifts"), max_length=64, blank=True)
    night = models.BooleanField(_("night shift"), default=False)
    scheduled_minutes = models.PositiveIntegerField(_("scheduled minutes"), default=0)
    worked_minutes = models.PositiveIntegerField(_("worked minutes"), default=0)
    late_minutes = models.PositiveIntegerField(_("late minutes"), default=0)
    early_minutes = models.PositiveIntegerField(_("early-leave minutes"), default=0)
    absent = models.BooleanField(_("absent"), default=False)
    missing_in = models.PositiveSmallIntegerField(_("missing check-ins"), default=0)
    missing_out = models.PositiveSmallIntegerField(_("missing check-outs"), default=0)
    leave_minutes = models.PositiveIntegerField(_("leave minutes"), default=0)
    leave_type = models.ForeignKey(
        "attendance.LeaveType", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("leave type"),
    )  # fmt: skip
    leave_days = models.DecimalField(_("leave days"), max_digits=3, decimal_places=1, default=0)
    overtime_workday_minutes = models.PositiveIntegerField(_("overtime on workdays (1.5×)"), default=0)
    overtime_rest_minutes = models.PositiveIntegerField(_("overtime on rest days (2×)"), default=0)
    overtime_holiday_minutes = models.PositiveIntegerField(_("overtime on holidays (3×)"), default=0)
    first_in = models.DateTimeField(_("first check-in"), null=True, blank=True)
    last_out = models.DateTimeField(_("last check-out"), null=True, blank=True)
    evidence_used = models.BooleanField(
        _("presence shown by evidence"), default=False, help_text=_("An on-site check-in stood for a missing punch.")
    )
    awaiting_sync = models.BooleanField(_("waiting for a terminal to sync"), default=False)
    recheck_after = models.DateTimeField(_("recheck after"), null=True, blank=True)
    changed_after_close = models.BooleanField(_("changed after the month was closed"), default=False)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily result")
        verbose_name_plural = _("daily results")
        ordering = ["date", "staff"]
        permissions = [("recompute_dailyresult", _("Can recompute daily results"))]
        constraints = [
            models.UniqueConstraint(fields=["staff", "date"], name="attendance_dailyresult_unique"),
            models.CheckConstraint(
                condition=Q(status__in=DayStatus.values), name="attendance_dailyresult_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["date", "status"], name="attendance_result_date_idx"),
            # Few results wait for a recheck: a partial index costs nothing for the rest.
            models.Index(
                fields=["recheck_after"], condition=Q(recheck_after__isnull=False), name="attendance_result_recheck_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.staff_id} {self.status}"

    @property
    def overtime_minutes(self) -> int:
        return self.overtime_workday_minutes + self.overtime_rest_minutes + self.overtime_holiday_minutes


class DirtyDay(models.Model):
    """A person-day whose result must be recomputed, written in the same transaction as whatever
    changed it (punches, roster, an approval, evidence). The recompute task consumes these rows."""

    staff = models.ForeignKey("org.Staff", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("day to recompute")
        verbose_name_plural = _("days to recompute")
        constraints = [models.UniqueConstraint(fields=["staff", "date"], name="attendance_dirtyday_unique")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.date}"


class PresenceEvidence(models.Model):
    """Proof from another app that a person was at work at a moment (a technician's on-site
    check-in on a work order). It can stand for a missing check-in; it never adds paid minutes."""

    staff = models.ForeignKey("org.Staff", on_delete=models.CASCADE, related_name="+", verbose_name=_("staff"))
    at = models.DateTimeField(_("time"))
    source = models.CharField(_("source"), max_length=30)
    reference = models.CharField(_("reference"), max_length=64)
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("presence evidence")
        verbose_name_plural = _("presence evidence")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "source", "reference", "at"], name="attendance_evidence_unique")
        ]
        indexes = [models.Index(fields=["staff", "at"], name="attendance_evidence_staff_idx")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.at:%Y-%m-%d %H:%M} {self.source} {self.reference}"


class MonthCloseStatus(models.TextChoices):
    LEAD_CLOSED = "lead_closed", _("Closed by the team lead")
    CLOSED = "closed", _("Closed for payroll")


class MonthClose(models.Model):
    """Closing one team's month for payroll: first the team lead, then the attendance administrator.
    Once closed, the month's sheet is read from the snapshots; later changes become adjustments."""

    Status = MonthCloseStatus

    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    status = models.CharField(_("status"), max_length=12, choices=MonthCloseStatus.choices)
    lead_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lead_closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("month close")
        verbose_name_plural = _("month closes")
        ordering = ["-month", "team"]
        permissions = [
            ("close_month_lead", _("Can close a team's month as team lead")),
            ("close_month_final", _("Can close a month for payroll")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="attendance_monthclose_unique"),
            models.CheckConstraint(
                condition=Q(status__in=MonthCloseStatus.values), name="attendance_monthclose_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%Y-%m} {self.status}"


class MonthSnapshot(models.Model):
    """What finance was given for one person and month when it closed: the day symbols and the
    totals, frozen. ``carried`` holds the adjustments of earlier closed months paid with this one."""

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("staff"))
    month = models.DateField(_("month"))
    department_name = models.CharField(_("department"), max_length=100, blank=True)
    days = models.JSONField(_("day symbols"), default=dict)
    totals = models.JSONField(_("totals"), default=dict)
    carried = models.JSONField(_("adjustments carried in"), default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("month snapshot")
        verbose_name_plural = _("month snapshots")
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="attendance_monthsnapshot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.month:%Y-%m}"


class SheetExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class SheetExport(models.Model):
    """A requested monthly sheet (Excel) or payroll file (CSV): built by a task on the reports
    queue, which reports its progress here; the file is kept for download."""

    Status = SheetExportStatus

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Monthly sheet (Excel)")
        CSV = "csv", _("Payroll (CSV)")

    month = models.DateField(_("month"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.XLSX)
    department = models.ForeignKey(
        "org.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=8, choices=SheetExportStatus.choices, default=SheetExportStatus.QUEUED
    )
    done_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(_("file"), upload_to="attendance/sheets/%Y/%m/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sheet export")
        verbose_name_plural = _("sheet exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SheetExportStatus.values), name="attendance_sheetexport_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.format} {self.status}"

    @property
    def progress(self) -> int:
        return 100 if self.status == SheetExportStatus.DONE else int(100 * self.done_rows / max(self.total_rows, 1))
