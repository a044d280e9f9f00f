"""Reads of planned work for the equipment pages (a plan's occurrences, the calendar of due work,
an item's maintenance results)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, QuerySet

from .models import ChecklistEntry, Occurrence, OccurrenceState


def occurrences_of_plan(plan) -> QuerySet[Occurrence]:
    return (
        Occurrence.objects.filter(plan=plan)
        .select_related("equipment", "work_order")
        .order_by("-due_date", "equipment__code")
    )


def occurrences_of_item(equipment) -> QuerySet[Occurrence]:
    return (
        Occurrence.objects.filter(equipment=equipment)
        .select_related("plan", "work_order")
        .annotate(failed=Count("entries", filter=_failed()))
        .order_by("-due_date")
    )


def _failed():
    from django.db.models import Q

    return Q(entries__ok=False)


def failed_entries_of_item(equipment, limit: int = 20) -> list[ChecklistEntry]:
    return list(
        ChecklistEntry.objects.filter(occurrence__equipment=equipment, ok=False)
        .select_related("occurrence__plan", "repair_order")
        .order_by("-filled_at")[:limit]
    )


def due_by_day(start: dt.date, end: dt.date, plans=None) -> dict[dt.date, dict[int, dict[str, int]]]:
    """Recorded occurrences per day in [start, end]: {day: {plan id: {state: items}}}."""
    qs = Occurrence.objects.filter(due_date__range=(start, end))
    if plans is not None:
        qs = qs.filter(plan__in=plans)
    days: dict[dt.date, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in qs.values("due_date", "plan_id", "state").annotate(n=Count("pk")).order_by():
        days[row["due_date"]][row["plan_id"]][row["state"]] = row["n"]
    return days


def plan_summary(plan_ids) -> dict[int, dict[str, int]]:
    """Per plan: occurrences open, done, missed (for the plan list)."""
    summary: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OccurrenceState.values, 0))
    rows = Occurrence.objects.filter(plan_id__in=plan_ids).values("plan_id", "state").annotate(n=Count("pk"))
    for row in rows.order_by():
        summary[row["plan_id"]][row["state"]] = row["n"]
    return summary
