"""Notifications: the in-app inbox of each user and the outgoing messages to e-mail addresses and
group-chat robots (WeCom, DingTalk) configured per team or per user.

A ``notify(...)`` call (see ``services.py``) writes one ``Notification`` per recipient user and one
``Delivery`` per enabled ``Channel`` of those users and of the teams named; each delivery is sent by
the ``notifications.deliver`` task, and every try is kept as a ``DeliveryAttempt``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_http_url_validator = URLValidator(schemes=["http", "https"])


def validate_link(value: str) -> None:
    """A notification link: a path on this site ("/workorders/12/") or an http(s) URL.

    Anything else (``javascript:``, ``//other.host``) is refused: links are followed on click.
    """
    if not value:
        return
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return
    _http_url_validator(value)


class Level(models.TextChoices):
    INFO = "info", _("Information")
    SUCCESS = "success", _("Success")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Urgent")


LEVEL_ICONS = {
    Level.INFO: "bi-info-circle",
    Level.SUCCESS: "bi-check-circle",
    Level.WARNING: "bi-exclamation-triangle",
    Level.DANGER: "bi-exclamation-octagon",
}


class Notification(models.Model):
    """One message in one user's inbox, e.g. "work order WO-20261121-0007 was dispatched to you".

    ``verb`` is a machine key (``<app>.<event>``) for filtering and tests; ``title``/``body`` are the
    text shown. The object it is about is kept as plain values (``target_type`` "app_label.model",
    ``target_id``), so this lower app needs no foreign key to the higher apps. ``read_at`` is set
    when the user opens it or marks it read.
    """

    Level = Level

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    verb = models.CharField(_("event"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True, validators=[validate_link])
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caused by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=Level.values), name="notifications_notification_level_valid"),
        ]
        indexes = [
            # Unread count and the "unread" filter of the inbox.
            models.Index(fields=["recipient", "read_at"], name="notifications_unread_idx"),
            # The inbox, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notifications_inbox_idx"),
            models.Index(fields=["target_type", "target_id"], name="notifications_target_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def icon(self) -> str:
        """Bootstrap icon for the level."""
        return LEVEL_ICONS.get(self.level, "bi-info-circle")


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class Channel(models.Model):
    """Where notifications are also sent outside the app: an e-mail address or a group-chat robot
    webhook, configured for exactly one team (every notification to that team) or one user (every
    notification to that user). ``secret`` is the signing secret of a DingTalk robot with the
    "signature" security setting; it is left empty otherwise."""

    Kind = ChannelKind
    WEBHOOK_KINDS = (ChannelKind.WECOM, ChannelKind.DINGTALK)

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    team = models.ForeignKey(
        "org.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_channels",
        verbose_name=_("team"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_channels",
        verbose_name=_("user"),
    )
    address = models.CharField(
        _("address"),
        max_length=500,
        help_text=_("An e-mail address, or the webhook URL of the group robot."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk robots with the signature security setting only (starts with SEC)."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False, user__isnull=True) | Q(team__isnull=True, user__isnull=False),
                name="notifications_channel_one_owner",
            ),
            models.CheckConstraint(condition=Q(kind__in=ChannelKind.values), name="notifications_channel_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["team"], condition=Q(enabled=True), name="notifications_channel_team_idx"),
            models.Index(fields=["user"], condition=Q(enabled=True), name="notifications_channel_user_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_webhook(self) -> bool:
        return self.kind in self.WEBHOOK_KINDS

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if (self.team_id is None) == (self.user_id is None):
            errors["team"] = [_("Choose either a team or a user, not both.")]
        if self.kind == ChannelKind.EMAIL:
            try:
                validate_email(self.address)
            except ValidationError:
                errors["address"] = [_("Enter a valid e-mail address.")]
        elif self.kind in self.WEBHOOK_KINDS:
            try:
                _http_url_validator(self.address)
            except ValidationError:
                errors["address"] = [_("Enter the robot's webhook URL (http:// or https://).")]
        if self.secret and self.kind != ChannelKind.DINGTALK:
            errors["secret"] = [_("Only DingTalk robots use a signing secret.")]
        if errors:
            raise ValidationError(errors)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One message sent (or to be sent) over one channel.

    For a user's channel it belongs to that user's ``notification``. For a team's channel the group
    gets one message per ``notify`` call, however many members have a login (possibly none), so
    ``notification`` is empty. Either way the text is copied here when the delivery is created:
    ``title``, ``body``, ``url`` and ``level`` are what was sent. ``attempts`` counts the tries;
    each try is a ``DeliveryAttempt``.
    """

    Status = DeliveryStatus

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    # RESTRICT: a channel with history is disabled, not deleted (deleting its user still works:
    # the user's notifications take their deliveries with them).
    channel = models.ForeignKey(
        Channel, on_delete=models.RESTRICT, related_name="deliveries", verbose_name=_("channel")
    )
    verb = models.CharField(_("event"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="notifications_delivery_unique"),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="notifications_delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.SENT, sent_at__isnull=False) | ~Q(status=DeliveryStatus.SENT),
                name="notifications_delivery_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notifications_delivery_st_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.channel}"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery: when, whether it worked, the HTTP status (webhooks) or the
    error, and how long it took. Written once, never edited."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    ok = models.BooleanField(_("succeeded"))
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["attempted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}"
