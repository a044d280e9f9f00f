"""Workflow of attendance requests (leave, overtime, punch corrections).

pending_lead ──team lead──▶ approved                (no second step configured)
pending_lead ──team lead──▶ pending_admin ──admin──▶ approved
pending_* ──▶ rejected (by the approver) · cancelled (by the requester)
approved ──▶ cancelled (revoked by the attendance administrator; leave days return to the balance)
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from logistics.common.errors import InvalidTransition

from .models import RequestStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_LEAD: frozenset({S.PENDING_ADMIN, S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.PENDING_ADMIN: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.CANCELLED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}


def ensure_transition(current: str, target: str) -> None:
    """Raise ``InvalidTransition`` (translated) unless a request in ``current`` may move to ``target``."""
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(
            _("This request is %(current)s and cannot become %(target)s.")
            % {"current": S(current).label, "target": S(target).label}
        )
