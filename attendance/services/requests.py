"""Requests with approval: leave, overtime and punch corrections (补卡).

One service per step; each locks the request row, checks the transition (``states.py``), writes a
``RequestEvent`` and, when the outcome changes attendance, queues the affected days for
recomputation in the same transaction. Approvers: the lead of the requester's team, then the
attendance administrator when the request needs a second step; the attendance administrator can
act at either step. An approved correction becomes a new punch with source ``correction``: raw
punches are never edited.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.errors import DomainError
from logistics.org.models import Staff
from logistics.org.roles import ATTENDANCE_ADMIN

from ..models import (
    AttendanceRequest,
    CalendarDay,
    LeaveBalance,
    LeavePortion,
    LeaveType,
    Punch,
    RequestEvent,
    RequestKind,
    RequestStatus,
    RosterEntry,
)
from ..permissions import can_decide, is_attendance_admin
from ..rules import WORKDAY, day_type
from ..states import ensure_transition
from .results import days_mark_dirty

DAY = dt.timedelta(days=1)
OPEN = (RequestStatus.PENDING_LEAD, RequestStatus.PENDING_ADMIN)
LIVE = (*OPEN, RequestStatus.APPROVED)
HOURS_PER_DAY = Decimal("8")


def _first_status(staff, needs_admin: bool) -> str:
    """Straight to the administrator when nobody else can approve (no lead, or the lead asks)."""
    team = staff.team
    if team is None or team.lead_id is None or team.lead_id == staff.pk:
        return RequestStatus.PENDING_ADMIN
    return RequestStatus.PENDING_LEAD


def _check_staff(staff) -> None:
    if not staff.attendance_tracked or not staff.is_active:
        raise DomainError(_("%(name)s is not attendance-tracked.") % {"name": staff.name})


def _notify_approvers(request: AttendanceRequest, actor) -> None:
    from logistics.notifications.services import notify
    from logistics.org.models import Staff

    if request.status == RequestStatus.PENDING_LEAD:
        recipients = [request.staff.team.lead]
    else:
        recipients = list(Staff.objects.filter(user__groups__name=ATTENDANCE_ADMIN, user__is_active=True).distinct())
    if recipients:
        notify(
            recipients=recipients,
            verb="attendance.request_submitted",
            title=_("%(kind)s request from %(name)s")
            % {"kind": request.get_kind_display(), "name": request.staff.name},
            body=request.reason,
            url=reverse("attendance:request_detail", args=[request.pk]),
            target=request,
            actor=actor,
        )


def _notify_requester(request: AttendanceRequest, actor, comment: str = "") -> None:
    from logistics.notifications.services import notify

    notify(
        recipients=[request.staff],
        verb=f"attendance.request_{request.status}",
        title=_("Your %(kind)s request: %(status)s")
        % {"kind": request.get_kind_display(), "status": request.get_status_display()},
        body=comment,
        url=reverse("attendance:request_detail", args=[request.pk]),
        level="warning" if request.status == RequestStatus.REJECTED else "info",
        target=request,
        actor=actor,
    )


def _create(*, actor, **fields) -> AttendanceRequest:
    request = AttendanceRequest.objects.create(created_by=actor, **fields)
    RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.SUBMITTED, actor=actor)
    _notify_approvers(request, actor)
    return request


# --- leave ---------------------------------------------------------------------------------------
# Roster entries this many days around a leave decide whether the person works to a roster there.
ROSTER_CONTEXT = dt.timedelta(days=7)


def _leave_workdays(*, staff, start_date: dt.date, end_date: dt.date) -> list[dt.date]:
    """The days of the range that leave is taken on: the days the person is rostered on when they
    work to a roster around the range (any entry within a week of it, so that a day off between
    shifts is not a leave day), else the calendar's working days (no roster entered yet)."""
    rostered = set(
        RosterEntry.objects.filter(
            staff=staff, date__range=(start_date - ROSTER_CONTEXT, end_date + ROSTER_CONTEXT)
        ).values_list("date", flat=True)
    )
    days = [start_date + DAY * i for i in range((end_date - start_date).days + 1)]
    if rostered:
        return [d for d in days if d in rostered]
    calendar = dict(CalendarDay.objects.filter(date__range=(start_date, end_date)).values_list("date", "kind"))
    return [d for d in days if day_type(d, calendar) == WORKDAY]


def leave_days(*, staff, start_date: dt.date, end_date: dt.date, portion: str, minutes: int = 0) -> Decimal:
    """Days a leave request takes from a balance: full days count the days the person works (see
    ``_leave_workdays``); half a shift is 0.5 on such a day (0 on a day off); hours count 8 to a
    day, to one decimal (at least 0.1)."""
    if portion == LeavePortion.HOURS:
        return max((Decimal(minutes) / 60 / HOURS_PER_DAY).quantize(Decimal("0.1"), ROUND_HALF_UP), Decimal("0.1"))
    workdays = _leave_workdays(staff=staff, start_date=start_date, end_date=end_date)
    if portion in (LeavePortion.AM, LeavePortion.PM):
        return Decimal("0.5") if workdays else Decimal("0")
    return Decimal(len(workdays))


def leave_balance(*, staff, leave_type: LeaveType, year: int) -> dict[str, Decimal] | None:
    """Entitled (the person's balance row for the year with carried-over days, else the type's
    default days per year), used (approved), pending and available days; None when the type has
    no balance."""
    if not leave_type.has_balance:
        return None
    row = LeaveBalance.objects.filter(staff=staff, leave_type=leave_type, year=year).first()
    entitled = (row.entitled_days + row.carried_days) if row else leave_type.default_days
    taken = AttendanceRequest.objects.filter(
        staff=staff, kind=RequestKind.LEAVE, leave_type=leave_type, start_date__year=year
    )
    used = taken.filter(status=RequestStatus.APPROVED).aggregate(s=Sum("days"))["s"] or Decimal("0")
    pending = taken.filter(status__in=OPEN).aggregate(s=Sum("days"))["s"] or Decimal("0")
    return {"entitled": entitled, "used": used, "pending": pending, "available": entitled - used - pending}


def _lock_staff(staff) -> None:
    """Serialise one person's submissions: the overlap, balance and per-month checks below read
    rows that a concurrent submission is about to insert, which row locks on them cannot stop."""
    list(Staff.objects.select_for_update().filter(pk=staff.pk).values_list("pk", flat=True))


@transaction.atomic
def leave_request_submit(
    *,
    staff,
    leave_type: LeaveType,
    start_date: dt.date,
    end_date: dt.date,
    portion: str = LeavePortion.FULL,
    start_at: dt.datetime | None = None,
    end_at: dt.datetime | None = None,
    reason: str,
    actor,
) -> AttendanceRequest:
    """Ask for leave. Half a shift (am/pm) is one day; hours are ``start_at``–``end_at`` (local wall
    clock) within one day. Refused: untracked staff, an inactive type, reversed dates, a range across
    a year end (split it), overlap with another open or approved leave, more days than the balance
    has left (pending requests count), a day off (half a shift, or full days with none to work). The
    person's row is locked so that two requests at once cannot both take the last days or overlap."""
    _check_staff(staff)
    _lock_staff(staff)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."))
    if not leave_type.is_active:
        raise DomainError(_("This leave type is no longer in use."))
    if portion not in LeavePortion.values:
        raise DomainError(_("Unknown leave portion."))
    if end_date < start_date:
        raise DomainError(_("The end date is before the start date."))
    if start_date.year != end_date.year:
        raise DomainError(_("Leave cannot cross a year end: make one request per year."))
    minutes = 0
    if portion != LeavePortion.FULL and end_date != start_date:
        raise DomainError(_("Half days and hours are for one day only."))
    if portion == LeavePortion.HOURS:
        if not start_at or not end_at or end_at <= start_at:
            raise DomainError(_("Give the start and end time of the leave."))
        if start_at.date() != start_date or end_at - start_at > DAY:
            raise DomainError(_("Hours of leave must start on the chosen day and last at most 24 hours."))
        minutes = int((end_at - start_at).total_seconds() // 60)
    else:
        start_at = end_at = None
    overlapping = AttendanceRequest.objects.select_for_update().filter(
        staff=staff, kind=RequestKind.LEAVE, status__in=LIVE, start_date__lte=end_date, end_date__gte=start_date
    )
    for other in overlapping:
        clash = portion == LeavePortion.FULL or other.portion == LeavePortion.FULL or other.portion == portion
        if portion == LeavePortion.HOURS and other.portion == LeavePortion.HOURS:
            clash = other.start_at < end_at and start_at < other.end_at
        if clash:
            raise DomainError(
                _("Overlaps your leave of %(start)s–%(end)s.") % {"start": other.start_date, "end": other.end_date}
            )
    days = leave_days(staff=staff, start_date=start_date, end_date=end_date, portion=portion, minutes=minutes)
    if days <= 0:
        raise DomainError(_("You are not scheduled to work on these days: no leave is needed."))
    if leave_type.has_balance:
        balance = leave_balance(staff=staff, leave_type=leave_type, year=start_date.year)
        if days > balance["available"]:
            raise DomainError(
                _("Only %(available)s days of %(type)s are left for %(year)d; this request needs %(days)s.")
                % {"available": balance["available"], "type": leave_type.name, "year": start_date.year, "days": days}
            )
    threshold = leave_type.admin_approval_from_days
    needs_admin = threshold is not None and days >= threshold
    return _create(
        actor=actor,
        staff=staff,
        kind=RequestKind.LEAVE,
        status=_first_status(staff, needs_admin),
        leave_type=leave_type,
        portion=portion,
        start_date=start_date,
        end_date=end_date,
        start_at=start_at,
        end_at=end_at,
        days=days,
        minutes=minutes,
        reason=reason[:300],
        needs_admin=needs_admin,
    )


# --- overtime ------------------------------------------------------------------------------------
@transaction.atomic
def overtime_request_submit(
    *, staff, start_at: dt.datetime, end_at: dt.datetime, reason: str, actor
) -> AttendanceRequest:
    """Ask for overtime between two local wall-clock times (at most 24 hours). Approved overtime is
    counted where the punches show the person was present. Refused when it overlaps another open
    or approved overtime request."""
    _check_staff(staff)
    _lock_staff(staff)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."))
    if not start_at or not end_at or end_at <= start_at:
        raise DomainError(_("The end time must be after the start time."))
    if end_at - start_at > DAY:
        raise DomainError(_("Overtime requests are for at most 24 hours."))
    clash = AttendanceRequest.objects.select_for_update().filter(
        staff=staff, kind=RequestKind.OVERTIME, status__in=LIVE, start_at__lt=end_at, end_at__gt=start_at
    )
    if clash.exists():
        raise DomainError(_("Overlaps another overtime request."))
    return _create(
        actor=actor,
        staff=staff,
        kind=RequestKind.OVERTIME,
        status=_first_status(staff, settings.ATTENDANCE_OVERTIME_ADMIN_APPROVAL),
        start_date=start_at.date(),
        end_date=end_at.date(),
        start_at=start_at,
        end_at=end_at,
        minutes=int((end_at - start_at).total_seconds() // 60),
        reason=reason[:300],
        needs_admin=settings.ATTENDANCE_OVERTIME_ADMIN_APPROVAL,
    )


# --- corrections ---------------------------------------------------------------------------------
@transaction.atomic
def correction_request_submit(*, staff, punch_at: dt.datetime, reason: str, actor) -> AttendanceRequest:
    """Ask for a forgotten punch (补卡) at a local wall-clock time. Refused: a time in the future,
    older than ATTENDANCE_CORRECTION_MAX_DAYS, the same minute asked for already, or more than
    ATTENDANCE_CORRECTIONS_PER_MONTH corrections in that month (0 = no limit)."""
    _check_staff(staff)
    _lock_staff(staff)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."))
    now_local = timezone.localtime().replace(tzinfo=None)
    punch_at = punch_at.replace(second=0, microsecond=0)
    if punch_at > now_local:
        raise DomainError(_("A correction cannot be in the future."))
    if punch_at < now_local - DAY * settings.ATTENDANCE_CORRECTION_MAX_DAYS:
        raise DomainError(
            _("Corrections can be asked for up to %(days)d days back.")
            % {"days": settings.ATTENDANCE_CORRECTION_MAX_DAYS}
        )
    same = AttendanceRequest.objects.select_for_update().filter(staff=staff, kind=RequestKind.CORRECTION)
    if same.filter(status__in=LIVE, start_at=punch_at).exists():
        raise DomainError(_("A correction for this time has already been asked for."))
    limit = settings.ATTENDANCE_CORRECTIONS_PER_MONTH
    month = same.filter(status__in=LIVE, start_date__year=punch_at.year, start_date__month=punch_at.month)
    if limit and month.count() >= limit:
        raise DomainError(_("At most %(limit)d corrections per month.") % {"limit": limit})
    return _create(
        actor=actor,
        staff=staff,
        kind=RequestKind.CORRECTION,
        status=_first_status(staff, settings.ATTENDANCE_CORRECTION_ADMIN_APPROVAL),
        start_date=punch_at.date(),
        end_date=punch_at.date(),
        start_at=punch_at,
        reason=reason[:300],
        needs_admin=settings.ATTENDANCE_CORRECTION_ADMIN_APPROVAL,
    )


# --- decisions -----------------------------------------------------------------------------------
def _locked(request: AttendanceRequest, target: str) -> AttendanceRequest:
    """The request row, locked (only that row: PostgreSQL cannot lock the nullable side of the
    outer joins to the team and its lead), with the transition to ``target`` checked first, so a
    request decided already fails with ``InvalidTransition`` whoever asks."""
    req = (
        AttendanceRequest.objects.select_for_update(of=("self",))
        .select_related("staff__team__lead", "staff__user")
        .get(pk=request.pk)
    )
    if not req.is_open:
        ensure_transition(req.status, target)
    return req


def _affected_days(request: AttendanceRequest) -> list[tuple[int, dt.date]]:
    first = request.start_date - DAY
    last = (request.end_at.date() if request.end_at else request.end_date) + DAY
    return [(request.staff_id, first + DAY * i) for i in range((last - first).days + 1)]


def _event(request, kind, actor, comment="") -> None:
    RequestEvent.objects.create(request=request, kind=kind, actor=actor, comment=(comment or "")[:300])


@transaction.atomic
def request_approve(*, request: AttendanceRequest, actor, comment: str = "") -> AttendanceRequest:
    """Approve at the current step. The team lead's approval of a request that needs the attendance
    administrator moves it to ``pending_admin``; the final approval queues the affected days for
    recomputation and, for a correction, stores the correction punch."""
    req = _locked(request, RequestStatus.APPROVED)
    if not can_decide(actor, req):
        raise DomainError(_("You cannot decide this request."), code="forbidden")
    final = req.status == RequestStatus.PENDING_ADMIN or not req.needs_admin or is_attendance_admin(actor)
    target = RequestStatus.APPROVED if final else RequestStatus.PENDING_ADMIN
    ensure_transition(req.status, target)
    req.status = target
    if final:
        req.decided_at = timezone.now()
        if req.kind == RequestKind.CORRECTION:
            req.correction_punch = _correction_punch(req, actor)
        days_mark_dirty(pairs=_affected_days(req))
    req.save(update_fields=["status", "decided_at", "correction_punch"])
    _event(req, RequestEvent.Kind.APPROVED if final else RequestEvent.Kind.LEAD_APPROVED, actor, comment)
    if final:
        _notify_requester(req, actor, comment)
    else:
        _notify_approvers(req, actor)
    return req


def _correction_punch(req: AttendanceRequest, actor) -> Punch:
    zone = timezone.get_default_timezone()
    existing = Punch.objects.filter(source=Punch.Source.CORRECTION, pin=req.staff.employee_no, local_time=req.start_at)
    if existing.exists():
        raise DomainError(_("A correction punch at this time already exists."))
    return Punch.objects.create(
        terminal_serial="",
        pin=req.staff.employee_no,
        local_time=req.start_at,
        punched_at=req.start_at.replace(tzinfo=zone),
        source=Punch.Source.CORRECTION,
        batch=f"request-{req.pk}",
        created_by=actor,
        note=req.reason[:200],
    )


@transaction.atomic
def request_reject(*, request: AttendanceRequest, actor, comment: str) -> AttendanceRequest:
    """Reject at the current step, with a reason the requester sees."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("Say why the request is rejected."))
    req = _locked(request, RequestStatus.REJECTED)
    if not can_decide(actor, req):
        raise DomainError(_("You cannot decide this request."), code="forbidden")
    ensure_transition(req.status, RequestStatus.REJECTED)
    req.status, req.decided_at = RequestStatus.REJECTED, timezone.now()
    req.save(update_fields=["status", "decided_at"])
    _event(req, RequestEvent.Kind.REJECTED, actor, comment)
    _notify_requester(req, actor, comment)
    return req


@transaction.atomic
def request_cancel(*, request: AttendanceRequest, actor, comment: str = "") -> AttendanceRequest:
    """The requester withdraws an open request; the attendance administrator revokes an approved
    leave or overtime (its days are recomputed, leave days return to the balance). An approved
    correction cannot be revoked: its punch is part of the record."""
    req = _locked(request, RequestStatus.CANCELLED)
    own = req.staff.user_id == actor.pk or req.created_by_id == actor.pk
    if req.status == RequestStatus.APPROVED:
        if not is_attendance_admin(actor):
            raise DomainError(_("Only the attendance administrator can revoke an approved request."), code="forbidden")
        if req.kind == RequestKind.CORRECTION:
            raise DomainError(_("An approved correction cannot be revoked."))
    elif not (own or is_attendance_admin(actor)):
        raise DomainError(_("Only the requester can withdraw this request."), code="forbidden")
    was_approved = req.status == RequestStatus.APPROVED
    ensure_transition(req.status, RequestStatus.CANCELLED)
    req.status, req.decided_at = RequestStatus.CANCELLED, timezone.now()
    req.save(update_fields=["status", "decided_at"])
    _event(req, RequestEvent.Kind.CANCELLED, actor, comment)
    if was_approved:
        days_mark_dirty(pairs=_affected_days(req))
        _notify_requester(req, actor, comment)
    return req


__all__ = [
    "can_decide", "correction_request_submit", "leave_balance", "leave_days", "leave_request_submit",
    "overtime_request_submit", "request_approve", "request_cancel", "request_reject",
]  # fmt: skip
