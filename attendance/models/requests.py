"""Requests with approval: leave (with yearly balances per leave type), overtime, and punch
corrections (补卡). One table for the three kinds so that approvers have one queue and one history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.common.fields import LocalDateTimeField


class LeaveType(models.Model):
    """A kind of leave (annual, sick, personal, ...): the symbol it has on the monthly sheet, whether
    it is paid, whether it is limited by a yearly balance, and from how many days the attendance
    administrator must approve it after the team lead."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=30)
    symbol = models.CharField(_("sheet symbol"), max_length=2)
    paid = models.BooleanField(_("paid"), default=True)
    has_balance = models.BooleanField(
        _("limited by a yearly balance"), default=False, help_text=_("Annual and compensatory leave, for example.")
    )
    default_days = models.DecimalField(_("default days per year"), max_digits=5, decimal_places=1, default=Decimal("0"))
    admin_approval_from_days = models.DecimalField(
        _("attendance administrator approves from (days)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Requests this long or longer go to the attendance administrator after the team lead. "
                    "Empty: the team lead decides alone; 0: always."),
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return str(self.name)


class LeaveBalance(models.Model):
    """How many days of a balance-limited leave type one person is entitled to in one year
    (including days carried over). Used and pending days are summed from the requests, never stored."""

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="leave_balances", verbose_name=_("staff")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    leave_type = models.ForeignKey(
        LeaveType, on_delete=models.PROTECT, related_name="balances", verbose_name=_("leave type")
    )
    entitled_days = models.DecimalField(_("entitled days"), max_digits=5, decimal_places=1)
    carried_days = models.DecimalField(_("carried over"), max_digits=5, decimal_places=1, default=Decimal("0"))

    class Meta:
        verbose_name = _("leave balance")
        verbose_name_plural = _("leave balances")
        ordering = ["year", "staff", "leave_type"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "year", "leave_type"], name="attendance_leavebalance_unique"),
            models.CheckConstraint(
                condition=Q(entitled_days__gte=0, carried_days__gte=0), name="attendance_leavebalance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.year} {self.leave_type}: {self.entitled_days}"


class RequestKind(models.TextChoices):
    LEAVE = "leave", _("Leave")
    OVERTIME = "overtime", _("Overtime")
    CORRECTION = "correction", _("Punch correction")


class RequestStatus(models.TextChoices):
    PENDING_LEAD = "pending_lead", _("Waiting for the team lead")
    PENDING_ADMIN = "pending_admin", _("Waiting for the attendance administrator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class LeavePortion(models.TextChoices):
    FULL = "full", _("Full days")
    AM = "am", _("First half of the shift")
    PM = "pm", _("Second half of the shift")
    HOURS = "hours", _("Hours")


class AttendanceRequest(models.Model):
    """One request of one person: leave over a range of days (or half a shift, or some hours),
    overtime between two times, or a forgotten punch (补卡). Approved leave and overtime are read by
    the daily results; an approved correction becomes a new punch with source ``correction``."""

    Kind = RequestKind
    Status = RequestStatus
    Portion = LeavePortion

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="attendance_requests", verbose_name=_("staff")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=RequestStatus.choices, default=RequestStatus.PENDING_LEAD
    )
    leave_type = models.ForeignKey(
        LeaveType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("leave type")
    )
    portion = models.CharField(_("portion"), max_length=6, choices=LeavePortion.choices, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    start_at = LocalDateTimeField(_("start time"), null=True, blank=True)
    end_at = LocalDateTimeField(_("end time"), null=True, blank=True)
    days = models.DecimalField(_("days"), max_digits=5, decimal_places=1, default=Decimal("0"))
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    reason = models.CharField(_("reason"), max_length=300)
    needs_admin = models.BooleanField(_("the attendance administrator approves too"), default=False)
    correction_punch = models.OneToOneField(
        "attendance.Punch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="request",
        verbose_name=_("correction punch"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance request")
        verbose_name_plural = _("attendance requests")
        ordering = ["-created_at"]
        permissions = [("approve_attendancerequest", _("Can approve attendance requests"))]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values), name="attendance_request_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="attendance_request_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="attendance_request_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(kind="leave") | Q(leave_type__isnull=False, portion__in=LeavePortion.values),
                name="attendance_request_leave_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["overtime", "correction"]) | Q(start_at__isnull=False),
                name="attendance_request_time_given",
            ),
            models.CheckConstraint(
                condition=Q(end_at__isnull=True) | Q(end_at__gt=models.F("start_at")),
                name="attendance_request_times_ordered",
            ),
            models.CheckConstraint(condition=Q(days__gte=0), name="attendance_request_days_not_negative"),
        ]
        indexes = [
            models.Index(fields=["staff", "start_date"], name="attendance_request_staff_idx"),
            models.Index(fields=["status", "kind"], name="attendance_request_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.staff} {self.start_date}"

    @property
    def is_open(self) -> bool:
        return self.status in (RequestStatus.PENDING_LEAD, RequestStatus.PENDING_ADMIN)


class RequestEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    LEAD_APPROVED = "lead_approved", _("Approved by the team lead")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class RequestEvent(models.Model):
    """One step in a request's history: who did what, when, with which comment."""

    Kind = RequestEventKind

    request = models.ForeignKey(
        AttendanceRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    kind = models.CharField(_("kind"), max_length=14, choices=RequestEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"
