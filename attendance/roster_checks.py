"""Pure checks of a roster (no database): what is wrong or worth knowing about one person's day.

Shared by the roster services (which refuse overlaps and report the rest as warnings), the month
grid (which flags every cell) and the Excel import (which reports them per row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .rules import shift_segments

DAY = dt.timedelta(days=1)

OVERLAP, NO_REST, LEAVE, HOLIDAY = "overlap", "no_rest", "leave", "holiday"
DANGER, WARNING, INFO = "danger", "warning", "info"


@dataclass(frozen=True)
class Issue:
    """One finding on a person's day. ``other_day`` is the day of the shift it collides with
    (overlap, no rest after a night), else the day itself."""

    kind: str
    level: str
    message: str
    day: dt.date
    other_day: dt.date


@dataclass(frozen=True)
class LeaveMark:
    """Approved leave touching a day: the leave type's name and sheet symbol, and whether it is
    for the whole day (a partial leave only half-collides with a shift)."""

    name: str
    symbol: str
    full_day: bool


def _overlap(day: dt.date, other_day: dt.date, other) -> Issue:
    return Issue(
        OVERLAP,
        DANGER,
        _("Overlaps the %(shift)s shift of %(date)s.") % {"shift": other.name, "date": other_day.isoformat()},
        day,
        other_day,
    )


def cell_issues(
    day: dt.date,
    shifts_on: Mapping[dt.date, Sequence],
    *,
    leave: LeaveMark | None = None,
    holiday: str | None = None,
) -> list[Issue]:
    """Findings for ``day`` of one person whose shifts by day are ``shifts_on`` (only the day and
    the day before are read): overlapping shifts (the day's own, or a shift of the day before that
    runs into it), no rest after a shift whose next day is a rest day, approved leave, and work on
    a public holiday (``holiday`` is its name, or "" for an unnamed one)."""
    today = list(shifts_on.get(day, ()))
    if not today:
        return []
    issues: list[Issue] = []
    segments = [(shift, shift_segments(shift, day)) for shift in today]
    for index, (_shift, mine) in enumerate(segments):
        for other, theirs in segments[:index]:
            if any(a.overlaps(b) for a in mine for b in theirs):
                issues.append(_overlap(day, day, other))
    before = day - DAY
    for other in shifts_on.get(before, ()):
        theirs = shift_segments(other, before)
        if any(a.overlaps(b) for _shift, mine in segments for a in mine for b in theirs):
            issues.append(_overlap(day, before, other))
        if other.rest_day_after:
            issues.append(
                Issue(
                    NO_REST,
                    WARNING,
                    _("No rest after the %(shift)s shift of %(date)s.")
                    % {"shift": other.name, "date": before.isoformat()},
                    day,
                    before,
                )
            )
    if leave is not None:
        message = (
            _("Scheduled while on approved leave (%(leave)s).")
            if leave.full_day
            else _("Scheduled while on approved partial leave (%(leave)s).")
        )
        issues.append(Issue(LEAVE, WARNING if leave.full_day else INFO, message % {"leave": leave.name}, day, day))
    if holiday is not None:
        text = (
            _("Scheduled on a public holiday: %(name)s.") % {"name": holiday}
            if holiday
            else _("Scheduled on a public holiday.")
        )
        issues.append(Issue(HOLIDAY, INFO, text, day, day))
    return issues
