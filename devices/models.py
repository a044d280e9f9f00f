"""Attendance terminals (ZKTeco), their runs, and what came from them that needs a person's look."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.common.fields import EncryptedCharField
from logistics.common.models import TimeStampedModel


class Terminal(TimeStampedModel):
    """An attendance terminal on the hospital network. Identified by its serial number (read from
    the device), never by its address, which DHCP may change."""

    class Transport(models.TextChoices):
        TCP = "tcp", "TCP"
        UDP = "udp", "UDP"

    class Mode(models.TextChoices):
        PULL = "pull", _("Pull (the server reads the terminal)")
        PUSH = "push", _("Push (the terminal sends to the server)")
        BOTH = "both", _("Pull and push")

    class State(models.TextChoices):
        UNKNOWN = "unknown", _("Not contacted yet")
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")
        ERROR = "error", _("Error")

    name = models.CharField(_("name"), max_length=100, unique=True)
    serial = models.CharField(_("serial number"), max_length=64, unique=True, null=True, blank=True)
    host = models.GenericIPAddressField(_("IP address"), null=True, blank=True, protocol="both", unpack_ipv4=True)
    port = models.PositiveIntegerField(_("port"), default=4370)
    transport = models.CharField(_("transport"), max_length=3, choices=Transport.choices, default=Transport.TCP)
    comm_password = EncryptedCharField(_("comm password"), blank=True, help_text=_("Stored encrypted."))
    campus = models.ForeignKey(
        "org.Campus",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terminals",
        verbose_name=_("campus"),
    )
    location = models.ForeignKey(
        "org.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terminals",
        verbose_name=_("location"),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.PULL)
    poll_interval_minutes = models.PositiveIntegerField(_("poll every (minutes)"), default=5)
    enabled = models.BooleanField(_("enabled"), default=True)
    clear_log_after_pull = models.BooleanField(
        _("clear the device log after a complete pull"),
        default=False,
        help_text=_("Only when every record read in the run was stored. Off by default."),
    )
    correct_clock = models.BooleanField(_("correct the clock when it drifts"), default=False)
    max_clock_drift_seconds = models.PositiveIntegerField(_("allowed clock drift (seconds)"), default=60)

    # Live state, written by the pull/push services.
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.UNKNOWN)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_pull_at = models.DateTimeField(_("last successful pull"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    records_on_device = models.PositiveIntegerField(_("records on the device"), null=True, blank=True)
    users_on_device = models.PositiveIntegerField(_("users on the device"), null=True, blank=True)
    clock_drift_seconds = models.IntegerField(_("clock drift at last contact (s)"), null=True, blank=True)
    firmware = models.CharField(_("firmware"), max_length=100, blank=True)
    platform = models.CharField(_("platform"), max_length=100, blank=True)
    device_name = models.CharField(_("device model"), max_length=100, blank=True)
    push_stamps = models.JSONField(_("push upload stamps"), default=dict, blank=True)

    class Meta:
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(port__gte=1, port__lte=65535), name="devices_terminal_port_valid"),
            models.CheckConstraint(condition=Q(poll_interval_minutes__gte=1), name="devices_terminal_interval_min"),
            models.CheckConstraint(
                condition=Q(mode="push") | Q(host__isnull=False), name="devices_terminal_pull_needs_host"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def pulls(self) -> bool:
        return self.mode in (self.Mode.PULL, self.Mode.BOTH)


class TerminalRun(models.Model):
    """One exchange with a terminal: a pull, a push upload or a file import, with its counts."""

    class Kind(models.TextChoices):
        PULL = "pull", _("Pull")
        PUSH = "push", _("Push")
        FILE = "file", _("File import")
        USERS = "users", _("Staff to terminal")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("Completed")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (another run in progress)")

    terminal = models.ForeignKey(
        Terminal, on_delete=models.PROTECT, null=True, blank=True, related_name="runs", verbose_name=_("terminal")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    read = models.PositiveIntegerField(_("read"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    device_count = models.PositiveIntegerField(_("records the device reported"), null=True, blank=True)
    cleared = models.BooleanField(_("device log cleared"), default=False)
    error = models.TextField(_("error"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    file_name = models.CharField(_("file"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("terminal run")
        verbose_name_plural = _("terminal runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["terminal", "-started_at"], name="devices_run_terminal_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["pull", "push", "file", "users"]), name="devices_terminalrun_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["running", "ok", "failed", "skipped"]), name="devices_terminalrun_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.terminal or self.file_name} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def batch(self) -> str:
        """The import batch value stored on each punch of this run."""
        return f"run:{self.pk}"


class QuarantinedRecord(models.Model):
    """A record that could not be stored as a punch (impossible date, empty PIN, malformed line),
    kept with its raw content for a person to look at. Nothing is silently dropped."""

    run = models.ForeignKey(TerminalRun, on_delete=models.CASCADE, related_name="quarantined", verbose_name=_("run"))
    line = models.PositiveIntegerField(_("line or record number"), null=True, blank=True)
    raw = models.TextField(_("raw content"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("quarantined record")
        verbose_name_plural = _("quarantined records")
        ordering = ["run", "line"]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.line} {self.reason}"


class PendingDevice(models.Model):
    """A device that pushed with a serial not in the registry: recorded and shown for approval,
    never trusted (it is answered 403 and keeps its data)."""

    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    last_address = models.GenericIPAddressField(_("last address"), null=True, blank=True)
    requests = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        verbose_name = _("unregistered device")
        verbose_name_plural = _("unregistered devices")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return self.serial


class DeviceCommand(models.Model):
    """A command queued for a pushing terminal (``/iclock/getrequest``), and its result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    terminal = models.ForeignKey(
        Terminal, on_delete=models.CASCADE, related_name="commands", verbose_name=_("terminal")
    )
    command = models.CharField(_("command"), max_length=500)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    return_code = models.IntegerField(_("return code"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("queued by"),
    )

    class Meta:
        verbose_name = _("device command")
        verbose_name_plural = _("device commands")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"C:{self.pk}:{self.command}"
