"""Reads of the work-orders app."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import WorkOrder
from .states import OPEN


def open_duplicates(*, category, location=None) -> QuerySet[WorkOrder]:
    """Open orders of the same category at the same place: the form warns before a second report
    of the same fault (the equipment condition joins when the equipment app lands)."""
    if location is None:
        return WorkOrder.objects.none()
    return WorkOrder.objects.filter(status__in=OPEN, category=category, location=location).order_by("-submitted_at")
