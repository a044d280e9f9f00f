"""Closing a month for payroll, and the sheet exports.

A team's month is closed in two steps: the team lead (or the attendance administrator) checks it
and closes it, then the attendance administrator closes it for payroll, which freezes every
person's sheet row in a ``MonthSnapshot``. A month closed by the lead only can be reopened; a month
closed for payroll cannot: results that change later are recomputed as usual and flagged
(``changed_after_close``), and the difference is carried into the next open month's sheet as an
adjustment (see ``attendance.selectors_month``), recorded in that month's snapshot when it closes.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from logistics.common.errors import Conflict, DomainError, InvalidTransition
from logistics.org.models import Team

from ..models import MonthClose, MonthSnapshot, SheetExport
from ..selectors_month import (
    can_close_month_final,
    can_close_month_lead,
    month_end,
    month_pending_counts,
    month_rows,
    month_staff,
    month_start,
    sheet_staff_visible_to,
)

logger = logging.getLogger(__name__)

SNAPSHOT_BATCH = 500
DUPLICATE_REQUEST_WINDOW = dt.timedelta(minutes=5)
EXPORT_TASK = "attendance.export_month_sheet"


def _audit(close: MonthClose, *, action: str, actor, old: str, new: str, **data: Any) -> None:
    """One audit entry per close step (django-auditlog's ``LogEntry``, the project's change log)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(MonthClose),
        object_pk=str(close.pk),
        object_id=close.pk,
        object_repr=str(close)[:200],
        action=getattr(LogEntry.Action, action.upper()),
        changes={"status": [old, new]},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        additional_data={"team": close.team_id, "month": f"{close.month:%Y-%m}", **data},
    )


def _locked_close(team: Team, month: dt.date) -> MonthClose | None:
    """The team's close row of the month, locked (``FOR UPDATE`` of that row only)."""
    return MonthClose.objects.select_for_update(of=("self",)).filter(team=team, month=month).order_by().first()


def _ensure_nothing_pending(team: Team, month: dt.date) -> None:
    pending, dirty = month_pending_counts(month=month, teams=[team.pk]).get(team.pk, (0, 0))
    if pending or dirty:
        count = pending + dirty
        raise DomainError(
            ngettext(
                "%(count)d day of this team in %(month)s is not final yet (not yet known, or waiting to be "
                "recomputed). Close the month when every day is known.",
                "%(count)d days of this team in %(month)s are not final yet (not yet known, or waiting to be "
                "recomputed). Close the month when every day is known.",
                count,
            )
            % {"count": count, "month": f"{month:%Y-%m}"},
            code="pending",
        )


@transaction.atomic
def month_close_lead(*, team: Team, month: dt.date, actor) -> MonthClose:
    """First step: the team lead (or the attendance administrator) closes the team's month.

    Preconditions: the actor leads the team or is the attendance administrator; the month is over
    (its last day is before today); no result of the team's tracked people that month is pending or
    queued for recomputation; the month is not closed yet. Creates the ``MonthClose`` row (the
    unique key turns a concurrent second close into ``Conflict``) and an audit entry."""
    month = month_start(month)
    if not can_close_month_lead(actor, team):
        raise DomainError(_("Only the team lead or the attendance administrator can close this team's month."))
    if month_end(month) >= timezone.localdate():
        raise DomainError(_("%(month)s is not over yet.") % {"month": f"{month:%Y-%m}"}, code="not_over")
    existing = _locked_close(team, month)
    if existing is not None:
        raise InvalidTransition(_("This month is already closed (%(status)s).") % {
            "status": existing.get_status_display()})  # fmt: skip
    _ensure_nothing_pending(team, month)
    now = timezone.now()
    try:
        with transaction.atomic():
            close = MonthClose.objects.create(
                team=team, month=month, status=MonthClose.Status.LEAD_CLOSED, lead_closed_by=actor, lead_closed_at=now
            )
    except IntegrityError:
        raise Conflict(_("Someone else closed this month at the same time. Reload the page.")) from None
    _audit(close, action="create", actor=actor, old="open", new=close.status)
    return close


@transaction.atomic
def month_close_final(*, team: Team, month: dt.date, actor) -> MonthClose:
    """Second step: the attendance administrator closes the month for payroll.

    Locks the ``MonthClose`` row (``select_for_update``), requires the lead close and still nothing
    pending, then writes one ``MonthSnapshot`` per person of the team's sheet (day symbols, totals,
    and in ``carried`` the adjustments of earlier months paid with this one, so they are never
    carried again). People who already have a snapshot of the month (moved from a team that closed
    it) keep theirs. Sets the status to closed, with an audit entry."""
    month = month_start(month)
    if not can_close_month_final(actor):
        raise DomainError(_("Only the attendance administrator can close a month for payroll."))
    close = _locked_close(team, month)
    if close is None:
        raise InvalidTransition(_("The team lead has to close this month first."))
    if close.status == MonthClose.Status.CLOSED:
        raise InvalidTransition(_("This month is already closed for payroll."))
    _ensure_nothing_pending(team, month)
    now = timezone.now()
    batch: list[MonthSnapshot] = []
    people = 0
    for row in month_rows(month=month, teams=[team.pk]):
        if row.closed:
            continue
        batch.append(
            MonthSnapshot(
                staff_id=row.staff_id,
                month=month,
                department_name=row.department[:100],
                days={str(day): symbol for day, symbol in enumerate(row.days, start=1) if symbol},
                totals=row.totals.as_json(),
                carried=[adjustment.as_json() for adjustment in row.adjustments],
                created_at=now,
            )
        )
        people += 1
        if len(batch) >= SNAPSHOT_BATCH:
            MonthSnapshot.objects.bulk_create(batch)
            batch = []
    MonthSnapshot.objects.bulk_create(batch)
    close.status, close.closed_by, close.closed_at = MonthClose.Status.CLOSED, actor, now
    close.save(update_fields=["status", "closed_by", "closed_at"])
    _audit(close, action="update", actor=actor, old=MonthClose.Status.LEAD_CLOSED, new=close.status, snapshots=people)
    return close


@transaction.atomic
def month_reopen(*, team: Team, month: dt.date, actor, reason: str) -> None:
    """Undo the team lead's close (for example to wait for a late correction). Only a month closed
    by the lead can be reopened, by the lead or the attendance administrator, with a reason (kept in
    the audit entry). A month closed for payroll stays closed: later changes become adjustments."""
    month = month_start(month)
    reason = (reason or "").strip()
    if not can_close_month_lead(actor, team):
        raise DomainError(_("Only the team lead or the attendance administrator can reopen this team's month."))
    if not reason:
        raise DomainError(_("Give a reason for reopening the month."), code="reason")
    close = _locked_close(team, month)
    if close is None:
        raise InvalidTransition(_("This month is not closed."))
    if close.status == MonthClose.Status.CLOSED:
        raise InvalidTransition(
            _("A month closed for payroll cannot be reopened. Later changes are carried into the next open "
              "month's sheet as adjustments.")
        )  # fmt: skip
    _audit(close, action="delete", actor=actor, old=close.status, new="open", reason=reason[:300])
    close.delete()


# --- exports -------------------------------------------------------------------------------------
def sheet_export_request(*, month: dt.date, format: str, department=None, actor) -> SheetExport:
    """Ask for the monthly sheet (xlsx) or payroll file (csv) of a month, for one department or all.
    Creates the ``SheetExport`` row and schedules ``attendance.export_month_sheet`` (reports queue)
    through the outbox. The same request by the same person still queued or running within the last
    few minutes is returned instead of a second one (a double click builds one file)."""
    from logistics.common.outbox import enqueue

    if format not in SheetExport.Format.values:
        raise DomainError(_("Unknown export format."))
    month = month_start(month)
    with transaction.atomic():
        same = (
            SheetExport.objects.select_for_update()
            .filter(
                month=month,
                format=format,
                department=department,
                requested_by=actor,
                status__in=[SheetExport.Status.QUEUED, SheetExport.Status.RUNNING],
                created_at__gte=timezone.now() - DUPLICATE_REQUEST_WINDOW,
            )
            .first()
        )
        if same is not None:
            return same
        export = SheetExport.objects.create(month=month, format=format, department=department, requested_by=actor)
        enqueue(EXPORT_TASK, export.pk)
    return export


PROGRESS_MIN_SECONDS = 0.5  # at most two progress writes a second, whatever the row rate


def sheet_export_build(*, export_id: int) -> SheetExport | None:
    """Build the file of a requested export (the task's body). Idempotent: an export already done
    or failed is left alone; a queued one (or one left running by a lost worker) is built again
    from the start. The rows are those the requester may see, the file goes to ``SheetExport.file``;
    progress is written to ``done_rows`` every few hundred rows; errors end in ``failed``."""
    from ..exports import month_sheet_write, payroll_csv_write

    claimed = SheetExport.objects.filter(
        pk=export_id, status__in=[SheetExport.Status.QUEUED, SheetExport.Status.RUNNING]
    ).update(status=SheetExport.Status.RUNNING, done_rows=0, error="")
    if not claimed:
        return None
    export = SheetExport.objects.select_related("department", "requested_by").get(pk=export_id)
    scope = {
        "month": export.month,
        "department": export.department,
        "staff_qs": sheet_staff_visible_to(export.requested_by),
    }
    total = month_staff(**scope).count()
    SheetExport.objects.filter(pk=export_id).update(total_rows=total)
    last = [0.0]

    def progress(done: int) -> None:
        now = timezone.now().timestamp()
        if now - last[0] >= PROGRESS_MIN_SECONDS or done >= total:
            last[0] = now
            SheetExport.objects.filter(pk=export_id).update(done_rows=min(done, total))

    writer = month_sheet_write if export.format == SheetExport.Format.XLSX else payroll_csv_write
    name = f"attendance-{export.month:%Y-%m}-{export.department.code if export.department else 'all'}-{export.pk}"
    try:
        with tempfile.TemporaryFile() as tmp:
            writer(month=export.month, rows_iter=month_rows(**scope), out_file=tmp, progress=progress)
            tmp.seek(0)
            export.file.save(f"{name}.{export.format}", File(tmp), save=False)
    except SoftTimeLimitExceeded:
        _export_failed(export, _("The export took too long and was stopped."))
        return export
    except Exception as exc:
        logger.exception("attendance: export %s failed", export_id)
        _export_failed(export, f"{type(exc).__name__}: {exc}")
        return export
    SheetExport.objects.filter(pk=export_id).update(
        status=SheetExport.Status.DONE, file=export.file.name, done_rows=total, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


def _export_failed(export: SheetExport, message: str) -> None:
    SheetExport.objects.filter(pk=export.pk).update(
        status=SheetExport.Status.FAILED, error=message[:300], finished_at=timezone.now()
    )
    export.refresh_from_db()
