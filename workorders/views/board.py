"""The dispatch board: orders waiting for someone, overdue orders, open work per team, and the
load of each technician on duty now (from attendance), with assignment inline. Refreshes itself."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views import View

from logistics.org.models import Staff, Team

from ..filters import overdue_q
from ..forms import DispatchForm
from ..models import Status
from ..selectors import LIST_RELATED, orders_visible_to
from ..states import OPEN
from .lists import decorate

REFRESH_SECONDS = 30
QUEUE_LIMIT = 50


def board_context(user, team_pk: int | None) -> dict:
    from attendance.selectors_duty import staff_on_duty

    now = timezone.now()
    visible = orders_visible_to(user)
    waiting = decorate(
        visible.filter(status=Status.SUBMITTED).select_related(*LIST_RELATED).order_by("submitted_at")[:QUEUE_LIMIT],
        now,
    )
    overdue = decorate(
        visible.filter(overdue_q(now)).select_related(*LIST_RELATED).order_by("resolution_due")[:QUEUE_LIMIT], now
    )
    per_team = (
        visible.filter(status__in=OPEN, team__isnull=False)
        .values("team", "team__name")
        .annotate(
            open=Count("pk"),
            waiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
            on_hold=Count("pk", filter=Q(status=Status.ON_HOLD)),
            overdue=Count("pk", filter=overdue_q(now)),
        )
        .order_by("team__name")
    )
    teams = list(Team.objects.filter(is_active=True).select_related("lead").order_by("code"))
    team = next((t for t in teams if t.pk == team_pk), None)
    if team is None:
        lead_team = next((t for t in teams if t.lead_id and t.lead.user_id == user.pk), None)
        team = lead_team or (teams[0] if teams else None)
    load = []
    if team is not None:
        on_duty = {s.pk for s in staff_on_duty(at=now, team=team)}
        members = (
            Staff.objects.filter(team=team, is_active=True)
            .annotate(
                open=Count("assigned_orders", filter=Q(assigned_orders__status__in=OPEN)),
                urgent=Count(
                    "assigned_orders", filter=Q(assigned_orders__status__in=OPEN, assigned_orders__priority="urgent")
                ),
            )
            .order_by("employee_no")
        )
        load = [{"staff": s, "on_duty": s.pk in on_duty, "open": s.open, "urgent": s.urgent} for s in members]
        load.sort(key=lambda row: (not row["on_duty"], row["open"], row["staff"].employee_no))
    return {
        "waiting": waiting,
        "overdue": overdue,
        "per_team": list(per_team),
        "teams": teams,
        "team": team,
        "load": load,
        "refresh_seconds": REFRESH_SECONDS,
        "dispatch_form": DispatchForm(team=None, auto_id="board_%s"),
        "now": now,
    }


class BoardView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "workorders.change_workorder"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        team = request.GET.get("team")
        context = board_context(request.user, int(team) if team and team.isdigit() else None)
        template = "workorders/partials/_board.html" if request.htmx else "workorders/board.html"
        return render(request, template, context)


urlpatterns = [path("board/", BoardView.as_view(), name="board")]
