"""Pages of maintenance and inspection plans: the list, one plan (schedule, checklist, items
covered, the next due dates, what became of past ones) with "generate now", and the calendar of due
work. Plans are configured in the admin; the orders are made and run by ``workorders``, whose
selectors these pages read (presentation composes, the domain layers do not)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from logistics.common.outbox import enqueue
from workorders.maintenance_selectors import due_by_day, occurrences_of_plan, plan_summary
from workorders.models import OccurrenceState

from ..models import MaintenancePlan
from ..schedules import counts_from_completion, describe, due_dates
from ..selectors import plan_equipment

UPCOMING_DAYS = 90
STATES = OccurrenceState.values
ITEMS_SHOWN = 50


def _plans():
    return MaintenancePlan.objects.select_related("category", "campus", "building", "location", "team", "checklist")


class PlanListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "equipment.view_maintenanceplan"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        kind = request.GET.get("kind", "")
        plans = _plans().order_by("-is_active", "code")
        if kind in MaintenancePlan.Kind.values:
            plans = plans.filter(kind=kind)
        plans = list(plans)
        today = timezone.localdate()
        summary = plan_summary([p.pk for p in plans])
        rows = []
        for plan in plans:
            upcoming = [] if counts_from_completion(plan) else due_dates(plan, today, today + dt.timedelta(days=400))
            rows.append({"plan": plan, "schedule": describe(plan), "next_due": upcoming[0] if upcoming else None,
                         "counts": summary.get(plan.pk) or dict.fromkeys(STATES, 0)})  # fmt: skip
        return render(request, "equipment/plans.html",
                      {"rows": rows, "kind": kind, "kinds": MaintenancePlan.Kind.choices})  # fmt: skip


class PlanDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "equipment.view_maintenanceplan"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = get_object_or_404(_plans(), pk=pk)
        today = timezone.localdate()
        items = plan_equipment(plan)
        occurrences = list(occurrences_of_plan(plan)[:100])
        upcoming = [] if counts_from_completion(plan) else due_dates(plan, today, today + dt.timedelta(UPCOMING_DAYS))
        return render(request, "equipment/plan_detail.html", {
            "plan": plan,
            "schedule": describe(plan),
            "from_completion": counts_from_completion(plan),
            "lines": plan.checklist.items.all() if plan.checklist_id else [],
            "items": items[:ITEMS_SHOWN],
            "item_count": items.count(),
            "upcoming": upcoming[:30],
            "occurrences": occurrences,
            "can_generate": request.user.has_perm("equipment.change_maintenanceplan"),
        })  # fmt: skip


class GenerateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Make the plan's due orders now instead of at the next morning run (idempotent)."""

    permission_required = "equipment.change_maintenanceplan"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = get_object_or_404(MaintenancePlan, pk=pk)
        if not plan.is_active:
            messages.error(request, _("%(plan)s is not active.") % {"plan": plan})
        else:
            with transaction.atomic():
                enqueue("workorders.plans_generate", [plan.pk])
            messages.success(request, _("The due orders of %(plan)s are being made; they appear below in a moment.")
                             % {"plan": plan})  # fmt: skip
        return HttpResponseRedirect(reverse("equipment:plan_detail", args=[plan.pk]))


def _month(value: str | None) -> dt.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return timezone.localdate().replace(day=1)


class CalendarView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A month of due work: recorded occurrences (done, missed, open) and, for the days ahead, what
    the date-driven plans will make."""

    permission_required = "equipment.view_maintenanceplan"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        first = _month(request.GET.get("month"))
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        today = timezone.localdate()
        plans = {p.pk: p for p in _plans().filter(is_active=True)}
        recorded = due_by_day(first, last)
        sizes: dict[int, int] = {}
        days = {}
        for day in (first + dt.timedelta(n) for n in range((last - first).days + 1)):
            days[day] = [{"plan": plans[pid], "states": {s: states.get(s, 0) for s in STATES},
                          "items": sum(states.values()), "planned": False}
                         for pid, states in recorded.get(day, {}).items() if pid in plans]  # fmt: skip
        for plan in plans.values():
            if counts_from_completion(plan):
                continue
            for day in due_dates(plan, max(first, today), last):
                if plan.pk in recorded.get(day, {}):
                    continue
                if plan.pk not in sizes:
                    sizes[plan.pk] = plan_equipment(plan).count()
                if sizes[plan.pk]:
                    days[day].append({"plan": plan, "states": dict.fromkeys(STATES, 0), "items": sizes[plan.pk],
                                      "planned": True})  # fmt: skip
        weeks = calendar.Calendar().monthdatescalendar(first.year, first.month)
        grid = [[{"day": d, "in_month": d.month == first.month, "entries": days.get(d, []), "today": d == today}
                 for d in week] for week in weeks]  # fmt: skip
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = last + dt.timedelta(days=1)
        return render(request, "equipment/plan_calendar.html", {
            "first": first, "grid": grid, "previous": f"{previous:%Y-%m}", "following": f"{following:%Y-%m}",
        })  # fmt: skip


urlpatterns = [
    path("plans/", PlanListView.as_view(), name="plans"),
    path("plans/calendar/", CalendarView.as_view(), name="plan_calendar"),
    path("plans/<int:pk>/", PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/generate/", GenerateView.as_view(), name="plan_generate"),
]
