"""Infrastructure tables of the platform: the task outbox, worker heartbeats, database leases."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for domain models: creation and last-change times."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """One task call scheduled by a transaction; written in that transaction, published after it
    commits. A row with ``published_at`` unset is still owed to the broker; the relay sends it.
    The row id is the Celery task id, so a message published twice is recognisably the same."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("publish attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox message")
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(published_at__isnull=True),
                name="common_outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.pk}"


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker (by host name) answered a ping; /healthz reads it."""

    hostname = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last heartbeat"))
    token = models.CharField(_("last ping token"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Lease(models.Model):
    """A named lock held in the database until ``expires_at``, valid across every process and
    host (web, worker, beat), unlike a per-process cache lock. See ``leases.py``."""

    name = models.CharField(_("name"), max_length=200, primary_key=True)
    holder = models.CharField(_("holder"), max_length=200)
    acquired_at = models.DateTimeField(_("acquired at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("lease")

    def __str__(self) -> str:
        return self.name


class DailyNumber(models.Model):
    """The last number handed out for a prefix on a day, behind human-readable document numbers
    such as ``RQ-20261207-0003`` (see ``numbers.py``)."""

    prefix = models.CharField(_("prefix"), max_length=8)
    day = models.DateField(_("day"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document number sequence")
        verbose_name_plural = _("document number sequences")
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="common_dailynumber_unique")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.day} {self.last}"
