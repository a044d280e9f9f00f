"""Who may do what in the equipment app, beyond a model permission."""

from __future__ import annotations

from logistics.common.registries import user_roles
from logistics.org.roles import DISPATCHER, MANAGER, SYSADMIN, TEAM_LEAD

# The equipment KPIs are for those who run the service, not for every technician who may look an
# item up: the page, its menu entry and the API endpoint share this list.
KPI_ROLES = (MANAGER, TEAM_LEAD, DISPATCHER, SYSADMIN)


def can_view_kpis(user) -> bool:
    """The equipment KPIs: the ledger's view permission and a role that runs the service."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("equipment.view_equipment"):
        return False
    return user.is_superuser or bool(user_roles(user) & set(KPI_ROLES))
