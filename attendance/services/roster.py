"""Roster writes: assigning shifts to people on days (排班), one cell or many at once.

Every write goes through one path (``_plan`` then ``_apply``): the cells to change are compared
with what is stored, the resulting roster is checked (overlapping shifts are refused; no rest after
a night shift and approved leave are reported as warnings), then entries are deleted and created
with bulk statements. Locks, in this order: the ``Staff`` rows of the people concerned (pk order),
then their roster entries around the changed days (pk order), so that two editors cannot build an
overlap together and a whole operation either applies or changes nothing. Each created or deleted
entry gets its own audit row (django-auditlog's ``LogEntry``, written explicitly because bulk
statements bypass its signals) with the actor, and each changed day and the day after it (a night
shift spills over) are queued for recomputing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from logistics.common.errors import DomainError
from logistics.org.models import Staff, Team

from ..models import RosterEntry, RosterPattern, ShiftType
from ..roster_checks import LEAVE, NO_REST, OVERLAP, cell_issues
from .results import days_mark_dirty

DAY = dt.timedelta(days=1)
MAX_RANGE_DAYS = 92  # a pattern or a copy covers at most about a quarter
MAX_CELLS = 20_000
MAX_REPORTED = 8  # problems listed in one refusal message

Cell = tuple[int, dt.date]  # (staff id, day)


@dataclass
class RosterResult:
    """The entry ``roster_assign`` created and what is worth knowing about it."""

    entry: RosterEntry
    warnings: list[str] = field(default_factory=list)


@dataclass
class RosterChange:
    """What a roster operation did: entries created and deleted, person-days whose shifts
    changed, and warnings (no rest after a night shift, scheduled on leave)."""

    created: list[RosterEntry] = field(default_factory=list)
    deleted: int = 0
    changed_cells: list[Cell] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changed_cells)


@dataclass
class _Plan:
    staff: dict[int, Staff]
    create: list[RosterEntry] = field(default_factory=list)
    delete: list[RosterEntry] = field(default_factory=list)
    changed: list[Cell] = field(default_factory=list)
    errors: list[tuple[Cell, str]] = field(default_factory=list)
    warnings: list[tuple[Cell, str]] = field(default_factory=list)


# --- the one write path ---------------------------------------------------------------------------
def _label(staff: Staff, day: dt.date, message: str) -> str:
    return _("%(name)s on %(date)s: %(problem)s") % {"name": staff.name, "date": day.isoformat(), "problem": message}


def _plan(
    *,
    staff: Mapping[int, Staff],
    cells: Mapping[Cell, Sequence[ShiftType]],
    lock: bool,
    check_people: bool = True,
) -> _Plan:
    """Compare the wanted ``cells`` (person-day → shifts, empty = rest) with the stored roster and
    check the result. With ``lock`` the staff rows and their entries around the days are locked
    (call inside a transaction)."""
    from ..selectors_roster import leave_by_day

    plan = _Plan(staff=dict(staff))
    if not cells:
        return plan
    if len(cells) > MAX_CELLS:
        raise DomainError(_("Too many cells at once (at most %(max)d).") % {"max": MAX_CELLS})
    ids = sorted({sid for sid, _day in cells})
    days = {day for _sid, day in cells}
    low, high = min(days) - DAY, max(days) + DAY
    if lock:
        list(Staff.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    stored_qs = RosterEntry.objects.select_related("shift").filter(staff_id__in=ids, date__range=(low, high))
    if lock:
        stored_qs = stored_qs.select_for_update(of=("self",))
    stored: dict[Cell, list[RosterEntry]] = defaultdict(list)
    for entry in stored_qs.order_by("pk"):
        stored[(entry.staff_id, entry.date)].append(entry)

    after: dict[int, dict[dt.date, list[ShiftType]]] = defaultdict(dict)
    for (sid, day), entries in stored.items():
        after[sid][day] = [e.shift for e in entries]
    for (sid, day), wanted in sorted(cells.items(), key=lambda item: (item[0][0], item[0][1])):
        person = plan.staff[sid]
        unique = list({shift.pk: shift for shift in wanted}.values())
        have = {e.shift_id: e for e in stored.get((sid, day), [])}
        adding = [shift for shift in unique if shift.pk not in have]
        removing = [e for shift_id, e in have.items() if shift_id not in {s.pk for s in unique}]
        if not adding and not removing:
            continue
        for shift in adding:
            if not shift.is_active:
                plan.errors.append(
                    ((sid, day), _("The shift type %(code)s is no longer in use.") % {"code": shift.code})
                )
        if adding and check_people and not person.attendance_tracked:
            plan.errors.append(((sid, day), _("%(name)s is not attendance-tracked.") % {"name": person.name}))
        elif adding and check_people and not person.is_active:
            plan.errors.append(((sid, day), _("%(name)s is no longer active.") % {"name": person.name}))
        plan.changed.append((sid, day))
        plan.delete.extend(removing)
        plan.create.extend(RosterEntry(staff=person, date=day, shift=shift) for shift in adding)
        after[sid][day] = unique

    changed = set(plan.changed)
    if not changed:
        return plan
    leave = leave_by_day(staff_ids=ids, start=min(days), end=max(days))
    to_check = sorted(changed | {(sid, day + DAY) for sid, day in changed})
    for sid, day in to_check:
        for issue in cell_issues(day, after[sid], leave=leave.get((sid, day))):
            # Only what this change causes counts: an old problem elsewhere does not block it.
            touches = (sid, issue.day) in changed or (sid, issue.other_day) in changed
            if issue.kind == OVERLAP and touches:
                plan.errors.append(((sid, day), issue.message))
            elif (issue.kind == NO_REST and touches) or (issue.kind == LEAVE and (sid, day) in changed):
                plan.warnings.append(((sid, day), issue.message))
    return plan


def _refuse(plan: _Plan, *, labelled: bool) -> None:
    if not plan.errors:
        return
    lines = [_label(plan.staff[sid], day, msg) if labelled else msg for (sid, day), msg in plan.errors]
    text = " ".join(lines[:MAX_REPORTED])
    if len(lines) > MAX_REPORTED:
        text += " " + _("Further problems not shown: %(count)d.") % {"count": len(lines) - MAX_REPORTED}
    raise DomainError(text, code="roster_conflict")


def _audit(*, created: Sequence[RosterEntry], deleted: Sequence[RosterEntry], actor, operation: str) -> None:
    """One audit row per created or deleted entry, as django-auditlog writes them itself, with the
    actor and, inside a request, the address the auditlog middleware recorded."""
    from auditlog.cid import get_cid
    from auditlog.context import auditlog_value
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if not created and not deleted:
        return
    user = actor if getattr(actor, "is_authenticated", False) else None
    context = auditlog_value.get(None) or {}
    same_request = user is not None and context.get("actor") == user
    content_type = ContentType.objects.get_for_model(RosterEntry)
    as_json = settings.AUDITLOG_STORE_JSON_CHANGES
    cid = get_cid()
    rows = []
    for action, entries in ((LogEntry.Action.DELETE, deleted), (LogEntry.Action.CREATE, created)):
        for entry in entries:
            old, new = (None, entry) if action == LogEntry.Action.CREATE else (entry, None)
            rows.append(
                LogEntry(
                    content_type=content_type,
                    object_pk=str(entry.pk),
                    object_id=entry.pk,
                    object_repr=str(entry),
                    action=action,
                    changes=model_instance_diff(old, new, use_json_for_changes=as_json),
                    actor=user,
                    actor_email=getattr(user, "email", None) or None,
                    remote_addr=context.get("remote_addr") if same_request else None,
                    cid=cid,
                    additional_data={
                        "operation": operation,
                        "staff": entry.staff_id,
                        "team": entry.staff.team_id,
                        "date": entry.date.isoformat(),
                        "month": entry.date.strftime("%Y-%m"),
                        "shift": entry.shift.code,
                    },
                )
            )
    LogEntry.objects.bulk_create(rows, batch_size=1000)


def _apply(plan: _Plan, *, actor, operation: str) -> RosterChange:
    """Write a checked plan: delete, create, audit, mark the days (and the next ones) dirty."""
    from auditlog.context import disable_auditlog

    for entry in plan.delete:
        entry.staff = plan.staff[entry.staff_id]
    if plan.delete:
        with disable_auditlog():  # audited below, with the actor, like the created entries
            RosterEntry.objects.filter(pk__in=[e.pk for e in plan.delete]).delete()
    user = actor if getattr(actor, "is_authenticated", False) else None
    for entry in plan.create:
        entry.created_by = user
    created = RosterEntry.objects.bulk_create(plan.create, batch_size=1000)
    _audit(created=created, deleted=plan.delete, actor=actor, operation=operation)
    days_mark_dirty(pairs=[pair for sid, day in plan.changed for pair in ((sid, day), (sid, day + DAY))])
    return RosterChange(
        created=created,
        deleted=len(plan.delete),
        changed_cells=list(plan.changed),
        warnings=[_label(plan.staff[sid], day, msg) for (sid, day), msg in plan.warnings],
    )


def _write(
    *, staff: Mapping[int, Staff], cells: Mapping[Cell, Sequence[ShiftType]], actor, operation: str
) -> RosterChange:
    plan = _plan(staff=staff, cells=cells, lock=True)
    _refuse(plan, labelled=len(cells) > 1)
    return _apply(plan, actor=actor, operation=operation)


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise DomainError(_("The end date is before the start date."))
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise DomainError(_("At most %(days)d days at once.") % {"days": MAX_RANGE_DAYS})


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


# --- one cell -------------------------------------------------------------------------------------
@transaction.atomic
def roster_assign(*, staff: Staff, day: dt.date, shift: ShiftType, actor=None) -> RosterResult:
    """Put ``staff`` on ``shift`` on ``day``, beside the shifts they already have that day.
    Refused when it overlaps another of their shifts (including a night shift of the day before
    that runs into this one), when they already have it, or the person is not attendance-tracked;
    flagged (allowed) when it breaks the rest day after a night shift. Locks as the module says."""
    if not staff.attendance_tracked:
        raise DomainError(_("%(name)s is not attendance-tracked.") % {"name": staff.name})
    if not shift.is_active:
        raise DomainError(_("This shift type is no longer in use."))
    list(Staff.objects.select_for_update().filter(pk=staff.pk).values_list("pk", flat=True))
    current = list(RosterEntry.objects.select_related("shift").filter(staff=staff, date=day).order_by("pk"))
    if any(e.shift_id == shift.pk for e in current):
        raise DomainError(_("%(name)s already has this shift on that day.") % {"name": staff.name})
    plan = _plan(staff={staff.pk: staff}, cells={(staff.pk, day): [*(e.shift for e in current), shift]}, lock=True)
    _refuse(plan, labelled=False)
    change = _apply(plan, actor=actor, operation="assign")
    return RosterResult(change.created[0], [msg for _cell, msg in plan.warnings])


@transaction.atomic
def roster_set_day(*, staff: Staff, day: dt.date, shifts: Sequence[ShiftType], actor) -> RosterChange:
    """Replace the shifts of ``staff`` on ``day`` with ``shifts`` (empty: a rest day). Refused
    (nothing changes) when the shifts overlap each other or a neighbouring day's shift, a shift type
    is no longer in use, or the person is not attendance-tracked or no longer active (clearing a
    day is always allowed)."""
    return _write(staff={staff.pk: staff}, cells={(staff.pk, day): list(shifts)}, actor=actor, operation="set_day")


@transaction.atomic
def roster_remove(
    *,
    entry: RosterEntry | None = None,
    staff: Staff | None = None,
    day: dt.date | None = None,
    shift: ShiftType | None = None,
    actor,
) -> RosterChange:
    """Take one shift off the roster: ``entry``, or the entry of ``staff`` on ``day`` for
    ``shift``. Refused when there is no such entry (someone else may have removed it)."""
    if entry is not None:
        staff, day, shift_id = entry.staff, entry.date, entry.shift_id
    elif staff is not None and day is not None and shift is not None:
        shift_id = shift.pk
    else:
        raise DomainError(_("Say which roster entry to remove."))
    list(Staff.objects.select_for_update().filter(pk=staff.pk).values_list("pk", flat=True))
    current = list(RosterEntry.objects.select_related("shift").filter(staff=staff, date=day).order_by("pk"))
    if not any(e.shift_id == shift_id for e in current):
        raise DomainError(_("This roster entry no longer exists."), code="not_found")
    keep = [e.shift for e in current if e.shift_id != shift_id]
    return _write(staff={staff.pk: staff}, cells={(staff.pk, day): keep}, actor=actor, operation="remove")


# --- many cells -----------------------------------------------------------------------------------
@transaction.atomic
def roster_bulk_set(*, cells: Iterable[tuple[Staff, dt.date]], shifts: Sequence[ShiftType], actor) -> RosterChange:
    """Give every person-day in ``cells`` the same ``shifts`` (empty: rest). All or nothing: any
    overlap, unused shift type or untracked person refuses the whole change."""
    staff: dict[int, Staff] = {}
    wanted: dict[Cell, list[ShiftType]] = {}
    for person, day in cells:
        staff[person.pk] = person
        wanted[(person.pk, day)] = list(shifts)
    if not wanted:
        raise DomainError(_("Select at least one person and day."))
    return _write(staff=staff, cells=wanted, actor=actor, operation="bulk_set")


def pattern_shifts(pattern: RosterPattern) -> list[ShiftType | None]:
    """The steps of a saved pattern as shift types (None for rest); one query."""
    ids = [step for step in pattern.sequence if step is not None]
    by_id = ShiftType.objects.in_bulk(ids)
    missing = [step for step in ids if step not in by_id]
    if missing:
        raise DomainError(_("The pattern %(name)s uses a shift type that no longer exists.") % {"name": pattern.name})
    return [by_id[step] if step is not None else None for step in pattern.sequence]


@transaction.atomic
def roster_apply_pattern(
    *,
    pattern: RosterPattern | Sequence[ShiftType | None],
    staff: Sequence[Staff],
    start: dt.date,
    end: dt.date,
    offsets: Mapping[int, int] | None = None,
    actor,
) -> RosterChange:
    """Roll a rotation over ``start``…``end`` (inclusive) for each person: on day ``d`` the person
    gets step ``(d - start).days + offset`` of the sequence (repeating), where the offset is
    ``offsets[staff.pk]`` (default 0), so people can be staggered through the rotation. Rest steps
    clear the day. The days in the range are replaced; all or nothing."""
    sequence = pattern_shifts(pattern) if isinstance(pattern, RosterPattern) else list(pattern)
    if not sequence:
        raise DomainError(_("The pattern has no steps."))
    if not staff:
        raise DomainError(_("Select at least one person."))
    _check_range(start, end)
    offsets = offsets or {}
    cells: dict[Cell, list[ShiftType]] = {}
    for person in staff:
        offset = offsets.get(person.pk, 0)
        for index, day in enumerate(_days(start, end)):
            step = sequence[(index + offset) % len(sequence)]
            cells[(person.pk, day)] = [step] if step is not None else []
    return _write(staff={p.pk: p for p in staff}, cells=cells, actor=actor, operation="pattern")


def roster_staff_of(team: Team) -> list[Staff]:
    """The people a team's roster is made for: its active, attendance-tracked members."""
    return list(Staff.objects.filter(team=team, is_active=True, attendance_tracked=True).order_by("employee_no", "pk"))


@transaction.atomic
def roster_copy(
    *, team: Team, source_start: dt.date, source_end: dt.date, target_start: dt.date, actor
) -> RosterChange:
    """Copy the team's roster of ``source_start``…``source_end`` to the same number of days from
    ``target_start`` (a week onto another week, a month onto another month). Each target day is
    replaced by its source day, rest days included, for the team's active attendance-tracked
    members; others are skipped. Entries of shift types no longer in use are not copied (a
    warning says so). All or nothing."""
    _check_range(source_start, source_end)
    shift_by = target_start - source_start
    if not shift_by:
        raise DomainError(_("The target is the same as the source."))
    people = {p.pk: p for p in roster_staff_of(team)}
    if not people:
        raise DomainError(_("The team has nobody whose attendance is tracked."))
    source: dict[Cell, list[ShiftType]] = defaultdict(list)
    skipped: list[str] = []
    rows = RosterEntry.objects.select_related("shift").filter(
        staff_id__in=people, date__range=(source_start, source_end)
    )
    for entry in rows.order_by("date", "pk"):
        if entry.shift.is_active:
            source[(entry.staff_id, entry.date)].append(entry.shift)
        else:
            skipped.append(
                _label(
                    people[entry.staff_id],
                    entry.date,
                    _("The shift type %(code)s is no longer in use; not copied.") % {"code": entry.shift.code},
                )
            )
    cells = {
        (sid, day + shift_by): source.get((sid, day), []) for sid in people for day in _days(source_start, source_end)
    }
    change = _write(staff=people, cells=cells, actor=actor, operation="copy")
    change.warnings = skipped + change.warnings
    return change


# --- patterns -------------------------------------------------------------------------------------
@transaction.atomic
def roster_pattern_create(
    *, name: str, team: Team | None, sequence: Sequence[ShiftType | None], actor
) -> RosterPattern:
    """Save a rotation under ``name`` for ``team`` (None: every team). Refused when it is empty,
    longer than 62 steps, only rest, or the name is taken."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the pattern a name."))
    if not sequence or all(step is None for step in sequence):
        raise DomainError(_("A pattern needs at least one shift."))
    if len(sequence) > 62:
        raise DomainError(_("A pattern has at most 62 steps."))
    if RosterPattern.objects.filter(team=team, name=name).exists():
        raise DomainError(_("A pattern named %(name)s exists already.") % {"name": name})
    user = actor if getattr(actor, "is_authenticated", False) else None
    return RosterPattern.objects.create(
        name=name, team=team, sequence=[s.pk if s is not None else None for s in sequence], created_by=user
    )


@transaction.atomic
def roster_pattern_delete(*, pattern: RosterPattern, actor) -> None:
    """Delete a saved pattern (rosters made with it stay as they are)."""
    RosterPattern.objects.filter(pk=pattern.pk).delete()


# --- Excel import ---------------------------------------------------------------------------------
@transaction.atomic
def roster_import(*, team: Team, file: bytes | IO[bytes], actor, dry_run: bool = False):
    """Import a roster sheet (the layout ``roster_excel`` exports) for ``team``: each listed
    person-day gets the shifts the file names (blank: rest). Every row is checked first (unknown
    employee number, person not in the team, unknown shift code, overlaps); with errors, or with
    ``dry_run``, nothing is written and the report says what would change. Returns the report."""
    from ..roster_excel import read_roster_file

    report = read_roster_file(team=team, data=file)
    plan = _plan(staff=report.staff, cells=report.cells, lock=not dry_run)
    report.add_plan(plan)
    if dry_run or report.has_errors:
        return report
    report.change = _apply(plan, actor=actor, operation="import")
    report.applied = True
    return report
