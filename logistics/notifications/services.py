"""Writes of the notifications app: ``notify`` (inbox rows + outgoing deliveries), marking read,
configuring channels, and sending one delivery (``delivery_attempt``, run by the task).

Other apps call ``notify(...)`` inside their own transaction: the rows and the outbox messages for
the deliveries commit or roll back with the caller's change, and a broker outage costs nothing but
a later send (see ``logistics.common.outbox``).
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection, send_mail
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.outbox import enqueue
from logistics.org.models import Staff, Team

from .models import Channel, Delivery, DeliveryAttempt, Level, Notification, validate_link

logger = logging.getLogger(__name__)

User = get_user_model()

DELIVER_TASK = "notifications.deliver"
# Group robots answer within a second; a hung robot must not hold the worker.
WEBHOOK_TIMEOUT_SECONDS = 5
EMAIL_TIMEOUT_SECONDS = 10
# WeCom refuses markdown content over 4096 bytes; DingTalk's limit is larger. Keep bodies short.
MAX_BODY_CHARS = 1500

Recipient = Any  # a User, a Staff or a Team


# --- notify ------------------------------------------------------------------------------------
def _target_values(target: models.Model | tuple[str, Any] | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    target_type, target_id = target
    return str(target_type), str(target_id)


def _resolve_recipients(recipients: Iterable[Recipient]) -> tuple[list[Any], list[int]]:
    """Users to notify (active logins, each once, in the order given) and the teams named.

    Staff without a login are skipped; a team stands for its active members with an active login.
    Staff logins and team members are loaded with one query each, however many there are.
    """
    wanted: dict[int, Any] = {}  # user id -> User, or None when it still has to be loaded
    team_ids: list[int] = []
    for recipient in recipients:
        if isinstance(recipient, Team):
            if recipient.pk not in team_ids:
                team_ids.append(recipient.pk)
        elif isinstance(recipient, Staff):
            if recipient.user_id is not None:
                wanted.setdefault(recipient.user_id, None)
        elif isinstance(recipient, User):
            if wanted.get(recipient.pk) is None:
                wanted[recipient.pk] = recipient
        else:
            raise TypeError(f"notify: cannot notify {recipient!r} (expected a User, Staff or Team)")
    to_load = [pk for pk, user in wanted.items() if user is None]
    if to_load:
        wanted.update({user.pk: user for user in User.objects.filter(pk__in=to_load)})
    if team_ids:
        members = User.objects.filter(is_active=True, staff__team_id__in=team_ids, staff__is_active=True).order_by(
            "staff__team_id", "staff__employee_no"
        )
        for member in members:
            wanted.setdefault(member.pk, member)
    return [user for user in wanted.values() if user is not None and user.is_active], team_ids


def notify(
    *,
    recipients: Iterable[Recipient],
    verb: str,
    title: str,
    body: str = "",
    url: str = "",
    level: str = Level.INFO,
    target: models.Model | tuple[str, Any] | None = None,
    actor: Any = None,
) -> list[Notification]:
    """Tell ``recipients`` (Users, Staff, Teams, mixed) about something.

    Writes one inbox ``Notification`` per user (bulk insert; a user named twice, e.g. directly and
    as a team member, gets one), one ``Delivery`` per enabled channel of those users and of the
    teams named (a team channel gets one message per call, even when no member has a login), and
    schedules ``notifications.deliver`` for every delivery through the outbox: nothing leaves before
    the caller's transaction commits, and a rollback sends nothing. ``url`` is a path on this site
    (or an http(s) URL); ``target`` is the model instance (or ``("app_label.model", id)``) the
    notification is about. Returns the notifications written. Raises ``ValidationError`` for an
    unsafe ``url`` (``javascript:``, ``//host``) and ``ValueError`` for an unknown ``level``.
    """
    if level not in Level.values:
        raise ValueError(f"notify: unknown level {level!r}")
    validate_link(url)
    target_type, target_id = _target_values(target)
    users, team_ids = _resolve_recipients(recipients)
    title = title[:200]
    now = timezone.now()

    with transaction.atomic():
        notifications = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    verb=verb,
                    title=title,
                    body=body,
                    url=url,
                    level=level,
                    target_type=target_type,
                    target_id=target_id,
                    actor=actor,
                    created_at=now,
                )
                for user in users
            ]
        )
        by_user = {n.recipient_id: n for n in notifications}
        channel_filter = Q(user_id__in=by_user.keys()) | Q(team_id__in=team_ids)
        channels = (
            list(Channel.objects.filter(channel_filter, enabled=True).order_by("pk")) if by_user or team_ids else []
        )
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(
                    notification=by_user.get(channel.user_id) if channel.user_id else None,
                    channel=channel,
                    verb=verb,
                    title=title,
                    body=body,
                    url=url,
                    level=level,
                    created_at=now,
                )
                for channel in channels
            ]
        )
        for delivery in deliveries:
            enqueue(DELIVER_TASK, delivery.pk)
    return notifications


# --- reading -----------------------------------------------------------------------------------
def notification_mark_read(*, notification: Notification, user: Any) -> Notification:
    """Mark ``user``'s own ``notification`` read (kept as it is when already read).

    Raises ``PermissionDenied`` for someone else's notification; views fetch through
    ``selectors.notifications_for(user)`` first, so there it is a 404.
    """
    if notification.recipient_id != user.pk:
        raise PermissionDenied("not your notification")
    if notification.read_at is None:
        now = timezone.now()
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        if updated:
            notification.read_at = now
        else:  # marked read meanwhile (another tab): keep that time
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of ``user`` read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- channels ----------------------------------------------------------------------------------
def channel_create(
    *,
    name: str,
    kind: str,
    address: str,
    team: Team | None = None,
    user: Any = None,
    secret: str = "",
    enabled: bool = True,
) -> Channel:
    """Configure a channel for ``team`` or ``user`` (exactly one). Raises ``ValidationError`` for
    an address that does not fit the kind (an e-mail address, or an http(s) webhook URL)."""
    channel = Channel(
        name=name, kind=kind, address=address.strip(), team=team, user=user, secret=secret.strip(), enabled=enabled
    )
    channel.full_clean()
    channel.save()
    return channel


# --- sending -----------------------------------------------------------------------------------
class Outcome(enum.StrEnum):
    """What one ``delivery_attempt`` call did."""

    SENT = "sent"  # sent now
    ALREADY_DONE = "already_done"  # sent (or given up) before: nothing done
    RETRY = "retry"  # this try failed, the delivery is still pending
    FAILED = "failed"  # this try failed and it was the last one
    MISSING = "missing"  # no such delivery (deleted)


@dataclass
class SendResult:
    ok: bool
    http_status: int | None = None
    error: str = ""


class SendError(Exception):
    """A send failed; ``http_status`` is the webhook's answer when there was one."""

    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


def absolute_link(url: str) -> str:
    """``url`` as a link that works outside the app (``PUBLIC_BASE_URL`` + path)."""
    if not url:
        return ""
    if url.startswith("/"):
        return settings.PUBLIC_BASE_URL.rstrip("/") + url
    return url


def _level_label(level: str) -> str:
    return {Level.WARNING: _("Warning"), Level.DANGER: _("Urgent")}.get(level, "")


def _body(delivery: Delivery) -> str:
    body = delivery.body.strip()
    return body if len(body) <= MAX_BODY_CHARS else body[: MAX_BODY_CHARS - 1] + "…"


def _markdown(delivery: Delivery) -> str:
    """The message as group-robot markdown: bold title, text, link."""
    label = _level_label(delivery.level)
    lines = [f"**{'【' + label + '】' if label else ''}{delivery.title}**"]
    body = _body(delivery)
    if body:
        lines += ["", body]
    link = absolute_link(delivery.url)
    if link:
        lines += ["", f"[{_('Open in the logistics platform')}]({link})"]
    return "\n".join(lines)


def _plain_text(delivery: Delivery) -> str:
    parts = [delivery.title]
    body = _body(delivery)
    if body:
        parts.append(body)
    link = absolute_link(delivery.url)
    if link:
        parts.append(link)
    return "\n\n".join(parts)


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """DingTalk's signed webhook URL: ``&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256 of
    "<timestamp>\\n<secret>" keyed with the secret>`` (valid for one hour)."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def webhook_payload(delivery: Delivery) -> dict[str, Any]:
    """The JSON body for the channel's robot kind."""
    if delivery.channel.kind == Channel.Kind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": _markdown(delivery)}}
    return {"msgtype": "markdown", "markdown": {"title": delivery.title, "text": _markdown(delivery)}}


def _post_webhook(delivery: Delivery) -> SendResult:
    channel = delivery.channel
    url = channel.address
    if channel.kind == Channel.Kind.DINGTALK and channel.secret:
        url = dingtalk_signed_url(url, channel.secret)
    request = urllib.request.Request(  # noqa: S310 - the channel's address is validated as http(s)
        url,
        data=json.dumps(webhook_payload(delivery), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}", http_status=exc.code) from exc
    except urllib.error.URLError as exc:
        raise SendError(f"connection failed: {exc.reason}") from exc
    except TimeoutError as exc:
        raise SendError(f"no answer within {WEBHOOK_TIMEOUT_SECONDS}s") from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise SendError("answer is not JSON", http_status=status) from exc
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if errcode != 0:
        errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise SendError(f"errcode {errcode}: {errmsg}"[:500], http_status=status)
    return SendResult(ok=True, http_status=status)


def _send_email(delivery: Delivery) -> SendResult:
    label = _level_label(delivery.level)
    subject = f"[{label}] {delivery.title}" if label else delivery.title
    connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT_SECONDS)
    send_mail(
        subject,
        _plain_text(delivery),
        None,
        [delivery.channel.address],
        fail_silently=False,
        connection=connection,
    )
    return SendResult(ok=True)


def _send(delivery: Delivery) -> SendResult:
    """Send once; never raises (a soft time limit included): failures come back as a result."""
    try:
        if delivery.channel.kind == Channel.Kind.EMAIL:
            return _send_email(delivery)
        return _post_webhook(delivery)
    except SendError as exc:
        return SendResult(ok=False, http_status=exc.http_status, error=str(exc))
    except Exception as exc:  # SMTP errors, socket errors, SoftTimeLimitExceeded
        return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:2000])


def delivery_attempt(*, delivery_id: int, final: bool = False) -> Outcome:
    """Send delivery ``delivery_id`` once and record the try as a ``DeliveryAttempt``.

    Idempotent: a delivery that is already sent (or failed for good) is left alone, so a message
    the broker hands out twice sends once. The delivery row is locked (``select_for_update``) for
    the duration of the send (at most the webhook/e-mail timeout), so two workers never send the
    same delivery at the same time. On failure the delivery stays ``pending`` for a retry, or turns
    ``failed`` when ``final`` (the task's last retry). A disabled channel fails without a try.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",)).select_related("channel").filter(pk=delivery_id).first()
        )
        if delivery is None:
            return Outcome.MISSING
        if delivery.status != Delivery.Status.PENDING:
            return Outcome.ALREADY_DONE
        if not delivery.channel.enabled:
            delivery.status, delivery.last_error = Delivery.Status.FAILED, "channel disabled"
            delivery.save(update_fields=["status", "last_error"])
            return Outcome.FAILED

        started = time.monotonic()
        result = _send(delivery)
        duration_ms = int((time.monotonic() - started) * 1000)
        now = timezone.now()
        DeliveryAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            ok=result.ok,
            http_status=result.http_status,
            error=result.error,
            duration_ms=duration_ms,
        )
        delivery.attempts += 1
        if result.ok:
            delivery.status, delivery.sent_at, delivery.last_error = Delivery.Status.SENT, now, ""
            outcome = Outcome.SENT
        else:
            delivery.last_error = result.error
            if final:
                delivery.status = Delivery.Status.FAILED
                outcome = Outcome.FAILED
            else:
                outcome = Outcome.RETRY
            logger.warning(
                "notifications: delivery %s over %s channel %s failed: %s",
                delivery.pk,
                delivery.channel.kind,
                delivery.channel_id,
                result.error,
            )
        delivery.save(update_fields=["status", "sent_at", "attempts", "last_error"])
    return outcome
