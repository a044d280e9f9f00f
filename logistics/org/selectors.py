"""Reads of the organization app, scoped to what the user may see (out of scope → 404)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from logistics.common.registries import user_roles

from .models import Location, Staff
from .roles import ATTENDANCE_ADMIN, DISPATCHER, MANAGER, SYSADMIN, TEAM_LEAD, TRANSPORT_DISPATCHER

# Roles that see every staff member (they assign work or administer people).
SEES_ALL_STAFF = frozenset({MANAGER, SYSADMIN, ATTENDANCE_ADMIN, DISPATCHER, TRANSPORT_DISPATCHER})


def staff_visible_to(user) -> QuerySet[Staff]:
    """Staff the user may see: everyone for managers, administrators and dispatchers; a team
    lead their own teams' members; anyone else only themselves."""
    base = Staff.objects.select_related("department", "team", "vendor", "user")
    if not user.is_authenticated:
        return base.none()
    if user.is_superuser or user_roles(user) & SEES_ALL_STAFF:
        return base
    own = Q(user=user)
    if TEAM_LEAD in user_roles(user):
        return base.filter(own | Q(team__lead__user=user))
    return base.filter(own)


def locations_for_labels(
    *, campus: int | None = None, building: int | None = None, department: int | None = None, search: str = ""
) -> QuerySet[Location]:
    """Active locations to print labels for, in campus/building/floor order."""
    qs = Location.objects.filter(is_active=True).select_related("campus", "building", "floor", "department")
    if campus:
        qs = qs.filter(campus_id=campus)
    if building:
        qs = qs.filter(building_id=building)
    if department:
        qs = qs.filter(department_id=department)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return qs


def location_by_token(token: str) -> Location | None:
    """The active location whose QR token this is; None for unknown or malformed tokens."""
    if not token or len(token) > 32 or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return (
        Location.objects.select_related("campus", "building", "floor", "department")
        .filter(qr_token=token, is_active=True)
        .first()
    )
