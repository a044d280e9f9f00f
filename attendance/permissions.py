"""Who may decide attendance requests (predicates used by services, views and the API)."""

from __future__ import annotations

from logistics.common.registries import user_roles
from logistics.org.roles import ATTENDANCE_ADMIN

from .models import AttendanceRequest, RequestStatus


def is_attendance_admin(user) -> bool:
    return bool(user.is_superuser or ATTENDANCE_ADMIN in user_roles(user))


def is_lead_of(user, staff) -> bool:
    team = staff.team
    return bool(team and team.lead_id and team.lead.user_id == user.pk)


def can_decide(user, request: AttendanceRequest) -> bool:
    """Whether ``user`` may approve or reject ``request`` now: the team lead at the first step
    (never their own request), the attendance administrator at either step."""
    if not user.is_authenticated or not request.is_open:
        return False
    if is_attendance_admin(user):
        return True
    own = request.staff.user_id == user.pk
    return request.status == RequestStatus.PENDING_LEAD and is_lead_of(user, request.staff) and not own
