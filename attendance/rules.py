"""Pure rules of attendance (no database): when a shift's segments fall, how long it is, what kind
of day a date is. Everything here works on device-local naive wall-clock times (Asia/Shanghai has
no DST), so a night shift's end is simply the next day's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

DAY = dt.timedelta(days=1)
WORKDAY, REST, HOLIDAY = "workday", "rest", "holiday"


@dataclass(frozen=True)
class Segment:
    start: dt.datetime
    end: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def overlaps(self, other: Segment) -> bool:
        return self.start < other.end and other.start < self.end


def _after(day: dt.date, at: dt.time, not_before: dt.datetime | None = None) -> dt.datetime:
    moment = dt.datetime.combine(day, at)
    if not_before is not None:
        while moment <= not_before:
            moment += DAY
    return moment


def shift_segments(shift, day: dt.date) -> list[Segment]:
    """The segments of ``shift`` when it starts on ``day``. End at or before start = next day;
    24-hour duty ends at the same time the next day; a split shift's second segment follows the first."""
    start = dt.datetime.combine(day, shift.start)
    if shift.is_24h:
        return [Segment(start, start + DAY)]
    first = Segment(start, _after(day, shift.end, start))
    if shift.second_start is None:
        return [first]
    second_start = _after(day, shift.second_start, first.end - dt.timedelta(microseconds=1))
    second = Segment(second_start, _after(second_start.date(), shift.second_end, second_start))
    return [first, second]


def scheduled_minutes(shift, day: dt.date) -> int:
    """Minutes the shift asks for: its segments less the unpaid break."""
    return max(sum(seg.minutes for seg in shift_segments(shift, day)) - shift.break_minutes, 0)


def punch_window(shift, day: dt.date) -> Segment:
    """Punches between these times belong to the shift starting on ``day``: from the check-in
    window before its start to the check-out window after its end."""
    segments = shift_segments(shift, day)
    return Segment(
        segments[0].start - dt.timedelta(minutes=shift.checkin_window_minutes),
        segments[-1].end + dt.timedelta(minutes=shift.checkout_window_minutes),
    )


def day_type(day: dt.date, calendar: Mapping[dt.date, str]) -> str:
    """``holiday``, ``workday`` or ``rest``: the calendar table first (holidays, adjusted working
    days, hospital days off), then Monday–Friday work, Saturday–Sunday rest."""
    kind = calendar.get(day)
    if kind in ("holiday", "hospital"):
        return HOLIDAY
    if kind == "workday":
        return WORKDAY
    return WORKDAY if day.weekday() < 5 else REST
