"""Pages of the attendance app: the "On duty now" board (who is present, due but not arrived, on
leave, gone or off, by team), refreshing itself every 30 s with htmx."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from logistics.common.registries import MenuEntry, menu, user_roles
from logistics.org.models import Campus, Department, Team
from logistics.org.roles import DISPATCHER, TRANSPORT_DISPATCHER

from ..selectors import tracked_staff_visible_to
from ..selectors_duty import duty_board

BOARD_PERMISSION = "attendance.view_dailyresult"  # managers, team leads, attendance administrators
DISPATCH_ROLES = frozenset({DISPATCHER, TRANSPORT_DISPATCHER})  # they dispatch to the people on duty
REFRESH_SECONDS = 30


def can_view_duty_board(user) -> bool:
    """Who may open the board: holders of ``attendance.view_dailyresult`` (managers, team leads,
    attendance administrators, finance) and the dispatchers. What each sees is scoped by
    ``tracked_staff_visible_to``."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.has_perm(BOARD_PERMISSION):
        return True
    return bool(user_roles(user) & DISPATCH_ROLES)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


class DutyBoardView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """On duty now: counters per state and the people by team, for the staff the user may see,
    filtered by campus / department / team. With htmx (the 30 s poll) only the board is returned."""

    template_name = "attendance/duty_board.html"
    partial_template_name = "attendance/partials/_duty_board.html"

    def has_permission(self) -> bool:
        return can_view_duty_board(self.request.user)

    def get_template_names(self) -> list[str]:
        return [self.partial_template_name if self.request.htmx else self.template_name]

    def filters(self) -> dict[str, int | None]:
        get = self.request.GET
        return {name: _int(get.get(name)) for name in ("campus", "department", "team")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = tracked_staff_visible_to(self.request.user)
        current = self.filters()
        context.update(
            board=duty_board(staff_qs=visible, **current),
            current=current,
            query=self.request.GET.urlencode(),
            refresh_seconds=REFRESH_SECONDS,
        )
        if not self.request.htmx:
            # Filter choices: only what the user's people belong to.
            in_scope = visible.filter(is_active=True).values("pk")
            context.update(
                campuses=Campus.objects.filter(is_active=True).only("pk", "name"),
                departments=Department.objects.filter(is_active=True, staff__in=in_scope)
                .distinct()
                .only("pk", "name", "sort_order")
                .order_by("sort_order", "name"),
                teams=Team.objects.filter(is_active=True, members__in=in_scope)
                .distinct()
                .only("pk", "code", "name")
                .order_by("code"),
            )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ("HX-Request",))  # same URL, two bodies: caches must tell them apart
        return response


urlpatterns: list = [
    path("on-duty/", DutyBoardView.as_view(), name="duty_board"),
]


@dataclass(frozen=True)
class _DutyBoardMenuEntry(MenuEntry):
    """Shown to holders of the permission *or* the dispatcher roles (a plain entry needs both)."""

    def visible_to(self, user) -> bool:
        return can_view_duty_board(user)


def register_menu() -> None:
    """Menu entries of these pages (called from AttendanceConfig.ready)."""
    menu.register(
        _DutyBoardMenuEntry(
            key="attendance.duty_board",
            label=_("On duty now"),
            description=_("Who is present, not yet arrived, on leave or off, by team"),
            url_name="attendance:duty_board",
            section=_("Attendance"),
            icon="bi-people",
            order=320,
            permissions=(BOARD_PERMISSION,),
            roles=tuple(sorted(DISPATCH_ROLES)),
        )
    )
