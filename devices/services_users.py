"""Staff to terminals: enrol the PIN and name of active attendance-tracked staff on chosen
terminals, and remove leavers only after a pull has stored their last punches."""

from __future__ import annotations

import logging

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.org.models import Staff

from .models import Terminal, TerminalRun
from .services import _safe, _timeout, terminal_pull
from .zkclient import NETWORK_ERRORS, RobustZK

logger = logging.getLogger(__name__)
NAME_BYTES = 24  # the 72-byte user record holds 24 bytes of name


def _wanted(terminal: Terminal) -> dict[str, str]:
    """PIN → name of the staff who should be on this terminal: active, attendance-tracked, and of
    the terminal's campus when it has one (by team or department)."""
    staff = Staff.objects.filter(is_active=True, attendance_tracked=True)
    if terminal.campus_id:
        staff = staff.filter(Q(team__campus_id=terminal.campus_id) | Q(department__campus_id=terminal.campus_id))
    return dict(staff.values_list("employee_no", "name"))


def _leavers() -> set[str]:
    today = timezone.localdate()
    gone = Staff.objects.filter(Q(is_active=False) | Q(leave_date__lt=today)).values_list("employee_no", flat=True)
    return set(gone)


def terminal_users_sync(*, terminal: Terminal, actor=None) -> TerminalRun:
    """Enrol missing staff and fix changed names; remove leavers from the device only when a pull
    made just before succeeded (their last punches are stored). Users the system does not know
    (e.g. the device's own administrator) are never touched. Returns the run with the result."""
    pulled = terminal_pull(terminal=terminal, actor=actor)
    run = TerminalRun.objects.create(terminal=terminal, kind=TerminalRun.Kind.USERS, started_by=actor)
    wanted, leavers = _wanted(terminal), _leavers()
    conn = RobustZK(terminal.host, terminal.port, timeout=_timeout(), password=int(terminal.comm_password or 0),
                    force_udp=terminal.transport == Terminal.Transport.UDP)  # fmt: skip
    added, renamed, removed, kept = [], [], [], []
    try:
        conn.connect()
        conn.disable_device()
        on_device = {user.user_id: user for user in conn.get_users()}
        next_uid = max((user.uid for user in on_device.values()), default=0) + 1
        for pin, name in sorted(wanted.items()):
            short = name.encode(conn.encoding, errors="ignore")[:NAME_BYTES].decode(conn.encoding, errors="ignore")
            current = on_device.get(pin)
            if current is None:
                conn.set_user(uid=next_uid, name=short, user_id=pin)
                next_uid += 1
                added.append(pin)
            elif current.name != short:
                conn.set_user(uid=current.uid, name=short, privilege=current.privilege, user_id=pin)
                renamed.append(pin)
        for pin, user in on_device.items():
            if pin in leavers and pin not in wanted:
                if pulled.ok:
                    conn.delete_user(uid=user.uid, user_id=pin)
                    removed.append(pin)
                else:
                    kept.append(pin)
        run.status = TerminalRun.Status.OK
    except NETWORK_ERRORS as exc:
        run.status, run.error = TerminalRun.Status.FAILED, (_("Staff sync failed: %(error)s") % {"error": exc})[:2000]
    finally:
        if conn.is_connect:
            _safe(conn.enable_device)
            _safe(conn.disconnect)
    run.detail = {"added": added, "renamed": renamed, "removed": removed, "leavers_kept": kept}
    if kept:
        run.error = _("Leavers were kept on the device because the pull before the sync failed.")
    run.finished_at = timezone.now()
    run.save()
    return run
