"""Reads of the notifications app. A user only ever sees their own notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Notification


def notifications_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The inbox of ``user``, newest first (``unread_only``: not read yet). Anonymous: empty.

    Views fetch single notifications through this queryset, so another user's id is a 404.
    """
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    queryset = Notification.objects.filter(recipient=user).select_related("actor").order_by("-created_at", "-pk")
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


def unread_count(user: Any) -> int:
    """How many notifications ``user`` has not read (the navbar badge)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
