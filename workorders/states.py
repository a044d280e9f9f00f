"""Workflow of work orders.

submitted ──dispatch──▶ dispatched ──accept──▶ accepted ──arrive──▶ on_site ──start──▶ in_progress
    ▲                     │  ▲                    │                    │                 │  ▲
    └──reject (tech)──────┘  └──reassign──────────┘                    │   hold ◀────────┘  │ resume
                                                                       ▼                     │
in_progress / on_site ──complete──▶ completed ──verify──▶ closed    on_hold ─────────────────┘
completed ──reject by the requester──▶ dispatched (reopened);  open states ──cancel──▶ cancelled
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from logistics.common.errors import InvalidTransition

from .models import Status as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.DISPATCHED, S.CANCELLED}),
    S.DISPATCHED: frozenset({S.ACCEPTED, S.SUBMITTED, S.DISPATCHED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.ON_SITE, S.DISPATCHED, S.CANCELLED}),
    S.ON_SITE: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.COMPLETED, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.COMPLETED: frozenset({S.CLOSED, S.DISPATCHED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
OPEN = frozenset({S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.ON_SITE, S.IN_PROGRESS, S.ON_HOLD})


def ensure_transition(current: str, target: str) -> None:
    """Raise ``InvalidTransition`` (translated) unless an order in ``current`` may move to ``target``."""
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(
            _("Work order is %(current)s; it cannot become %(target)s.")
            % {"current": S(current).label, "target": S(target).label}
        )
