"""The rules that turn one person's day into a result (pure: no database, no clock).

Everything works on naive local wall-clock times (Asia/Shanghai has no DST). A day is the day a
shift starts on: a night shift 20:00–08:00 belongs to the evening it begins. The loader in
``services/results.py`` gathers the inputs for many person-days at once and calls ``day_compute``,
or for the common day a ``SimpleShiftDay`` shared by everyone on the same shift that day.

Definitions (the scenario tables in ``tests/attendance/test_compute.py`` spell them out):
- Punches within ``DUPLICATE_SECONDS`` of the previous one (in the same window) are one punch.
- Each shift segment owns the punches in its window (check-in window before its start to check-out
  window after its end), cut half-way between two segments (of the same or a neighbouring day).
- First in / last out: the first punch is the check-in and the last the check-out; a single punch
  is a check-in before the middle of the segment, else a check-out. Alternating: punches pair up
  in order (in, out, in, out ...); an unpaired last punch is a missing check-out.
- Worked minutes: time inside the segment between paired punches, less excused leave, less the
  shift's break when the worked time reaches the middle of the shift. A missing punch pays nothing
  for that segment until it is corrected.
- Late / early: minutes after the expected start / before the expected end (leave at the start or
  end moves them), counted in full once they exceed the grace minutes.
- Absent: no punch and no presence evidence in any segment not on leave. A segment is only judged
  once its window has closed and every terminal the person uses has been synced past it; until
  then the day is pending.
- Overtime: past the end of the last segment, beyond the shift's threshold, rounded down; plus
  approved overtime requests, counted where the person was present. Kind by day: workday 1.5×,
  rest day 2×, public holiday 3× (every worked minute of a rostered shift on a holiday counts as
  holiday overtime, as the labour law pays it).
- Presence evidence (an on-site check-in from a work order) stands for a missing check-in or for
  the whole absence; it never adds worked minutes.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from .rules import HOLIDAY, REST, WORKDAY, Segment, shift_segments

DUPLICATE_SECONDS = 60
# Approved overtime without a shift (a rest day) is counted where punches show presence around it.
FREE_OVERTIME_SLACK = dt.timedelta(hours=2)
FREE_OVERTIME_ROUNDING = 30
HOLIDAY_WORK_IS_OVERTIME = True
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
NO_LEAVE_DAYS = Decimal("0")

# Local wall-clock times as integers: microseconds since 1970-01-01 00:00 local. The loader reads
# punches in this form, and the common day (``SimpleShiftDay``) is judged on it: comparing and
# subtracting integers costs a fraction of doing it on datetimes, and loses nothing.
EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - local wall clock
US = dt.timedelta(microseconds=1)
MINUTE_US = 60_000_000
DAY_US = 86_400_000_000
DUPLICATE_US = DUPLICATE_SECONDS * 1_000_000


@dataclass(frozen=True)
class Leave:
    """Approved leave touching the day: ``portion`` full / am / pm apply to the shifts starting on
    this day; ``hours`` leave is the interval itself."""

    leave_type_id: int
    portion: str
    interval: Segment | None = None


@dataclass(slots=True)
class DayInput:
    day: dt.date
    day_type: str  # rules.WORKDAY / REST / HOLIDAY from the calendar
    shifts: list  # ShiftType-like objects starting on this day
    punches: list[dt.datetime]  # local naive, sorted, a generous range around the day
    leaves: list[Leave] = field(default_factory=list)
    overtime: list[Segment] = field(default_factory=list)  # approved requests belonging to this day
    evidence: list[dt.datetime] = field(default_factory=list)
    prev_end: dt.datetime | None = None  # end of the last segment of the day before
    next_start: dt.datetime | None = None  # start of the first segment of the day after
    synced_until: dt.datetime | None = None  # oldest watermark of the person's terminals (None: none)
    now: dt.datetime = dt.datetime.max  # noqa: DTZ901 - local wall clock


@dataclass(slots=True)
class DayOutcome:
    day_type: str
    status: str
    shift_codes: str = ""
    night: bool = False
    scheduled_minutes: int = 0
    worked_minutes: int = 0
    late_minutes: int = 0
    early_minutes: int = 0
    absent: bool = False
    missing_in: int = 0
    missing_out: int = 0
    leave_minutes: int = 0
    leave_type_id: int | None = None
    leave_days: Decimal = Decimal("0")
    overtime_workday_minutes: int = 0
    overtime_rest_minutes: int = 0
    overtime_holiday_minutes: int = 0
    first_in: dt.datetime | None = None
    last_out: dt.datetime | None = None
    evidence_used: bool = False
    awaiting_sync: bool = False
    recheck_after: dt.datetime | None = None


# An outcome as a tuple (what the loader compares with the stored result and writes): the fields
# the sheet and payroll read first, then the rest.
OUTCOME_FIELDS = (
    "day_type", "status", "shift_codes", "scheduled_minutes", "worked_minutes", "late_minutes", "early_minutes",
    "absent", "missing_in", "missing_out", "leave_minutes", "leave_type_id", "leave_days", "overtime_workday_minutes",
    "overtime_rest_minutes", "overtime_holiday_minutes", "night", "first_in", "last_out", "evidence_used",
    "awaiting_sync", "recheck_after",
)  # fmt: skip
outcome_values = attrgetter(*OUTCOME_FIELDS)  # outcome_values(out) → the tuple
TIME_FIELDS = tuple(i for i, name in enumerate(OUTCOME_FIELDS) if name in ("first_in", "last_out", "recheck_after"))


def to_us(at: dt.datetime) -> int:
    """A local wall-clock time as microseconds since ``EPOCH``."""
    return (at - EPOCH) // US


def from_us(us: int) -> dt.datetime:
    """The local wall-clock time of ``to_us``."""
    return EPOCH + US * us


def _half(us: int) -> int:
    """Half of a span in microseconds, rounded as ``timedelta / 2`` rounds (half to even)."""
    quotient, odd = divmod(us, 2)
    return quotient + 1 if odd and quotient % 2 else quotient


def dedupe(punches: list[dt.datetime]) -> list[dt.datetime]:
    """Drop punches within ``DUPLICATE_SECONDS`` of the previous kept one (a double press)."""
    kept: list[dt.datetime] = []
    for p in punches:
        if not kept or (p - kept[-1]).total_seconds() >= DUPLICATE_SECONDS:
            kept.append(p)
    return kept


def _minutes(delta: dt.timedelta) -> int:
    return max(int(delta.total_seconds() // 60), 0)


def _overlap(a: Segment, b: Segment) -> dt.timedelta:
    return max(min(a.end, b.end) - max(a.start, b.start), dt.timedelta(0))


def _union_minutes(intervals: list[Segment]) -> int:
    total, cur = dt.timedelta(0), None
    for seg in sorted(intervals, key=lambda s: s.start):
        if seg.end <= seg.start:
            continue
        if cur is None or seg.start > cur.end:
            if cur is not None:
                total += cur.end - cur.start
            cur = Segment(seg.start, seg.end)
        elif seg.end > cur.end:
            cur = Segment(cur.start, seg.end)
    if cur is not None:
        total += cur.end - cur.start
    return _minutes(total)


def _midpoint(a: dt.datetime, b: dt.datetime) -> dt.datetime:
    return a + (b - a) / 2


@dataclass
class _Slot:
    """One segment of a shift being judged."""

    shift: object
    seg: Segment
    window: Segment
    excused: list[Segment]
    last_of_shift: bool


def _slots(inp: DayInput) -> list[_Slot]:
    slots: list[_Slot] = []
    for shift in sorted(inp.shifts, key=lambda s: shift_segments(s, inp.day)[0].start):
        segments = shift_segments(shift, inp.day)
        span = Segment(segments[0].start, segments[-1].end)
        excused = _excused(inp.leaves, span)
        for i, seg in enumerate(segments):
            window = Segment(
                seg.start - dt.timedelta(minutes=shift.checkin_window_minutes),
                seg.end + dt.timedelta(minutes=shift.checkout_window_minutes),
            )
            slots.append(
                _Slot(shift, seg, window, [e for e in excused if e.overlaps(seg)], last_of_shift=i == len(segments) - 1)
            )
    # Cut windows half-way between neighbouring segments so that one punch never counts twice.
    bounds = [inp.prev_end, *[None] * len(slots), inp.next_start]
    for i, slot in enumerate(slots):
        before = slots[i - 1].seg.end if i > 0 else bounds[0]
        after = slots[i + 1].seg.start if i + 1 < len(slots) else bounds[-1]
        start, end = slot.window.start, slot.window.end
        if before is not None and before <= slot.seg.start:
            start = max(start, _midpoint(before, slot.seg.start))
        if after is not None and after >= slot.seg.end:
            end = min(end, _midpoint(slot.seg.end, after))
        slot.window = Segment(start, end)
    return slots


def _excused(leaves: list[Leave], span: Segment) -> list[Segment]:
    """The parts of a shift's span that approved leave excuses."""
    out = []
    middle = _midpoint(span.start, span.end)
    for leave in leaves:
        if leave.portion == "full":
            out.append(span)
        elif leave.portion == "am":
            out.append(Segment(span.start, middle))
        elif leave.portion == "pm":
            out.append(Segment(middle, span.end))
        elif leave.interval is not None and leave.interval.overlaps(span):
            out.append(Segment(max(leave.interval.start, span.start), min(leave.interval.end, span.end)))
    return out


def _expected(seg: Segment, excused: list[Segment]) -> tuple[dt.datetime, dt.datetime]:
    start, end = seg.start, seg.end
    for e in sorted(excused, key=lambda s: s.start):
        if e.start <= start < e.end:
            start = e.end
    for e in sorted(excused, key=lambda s: s.end, reverse=True):
        if e.start < end <= e.end:
            end = e.start
    return start, end


def day_compute(inp: DayInput, *, fast: bool = True) -> DayOutcome:
    """The result of one person-day. See the module docstring for the rules. The most common day
    (one single-segment shift, first in / last out, no leave, overtime request or evidence) takes
    a shorter path with the same results (``fast=False`` forces the general one; a property test
    compares both on random days)."""
    punches = inp.punches  # de-duplicated within each window below
    if not inp.shifts:
        return _free_day(inp, punches)
    if fast and len(inp.shifts) == 1 and not (inp.leaves or inp.overtime or inp.evidence):
        shift = inp.shifts[0]
        if shift.second_start is None and shift.pairing == "first_last":
            return _simple_day(inp, shift, punches)

    out = DayOutcome(day_type=inp.day_type, status="present")
    codes: list[str] = []
    for shift in sorted(inp.shifts, key=lambda s: (s.start, s.code)):  # the same codes whatever the roster order
        if shift.code not in codes:
            codes.append(shift.code)
        segments = shift_segments(shift, inp.day)
        out.night |= segments[-1].end.date() > inp.day
    out.shift_codes = "+".join(codes)[:64]

    slots = _slots(inp)
    pending = waiting_for_sync = False
    judged_absent = on_leave = 0
    overtime: list[Segment] = []
    leave_types: dict[int, int] = {}
    recheck: list[dt.datetime] = []
    shift_worked: dict[int, tuple[dt.timedelta, object, list[Segment]]] = {}

    for slot in slots:
        seg = slot.seg
        out.scheduled_minutes += seg.minutes
        excused_minutes = _minutes(sum((_overlap(e, seg) for e in slot.excused), dt.timedelta(0)))
        out.leave_minutes += min(excused_minutes, seg.minutes)
        for leave in inp.leaves:
            if _excused([leave], seg) and excused_minutes:
                leave_types[leave.leave_type_id] = leave_types.get(leave.leave_type_id, 0) + excused_minutes
        window_closed = inp.now >= slot.window.end
        synced = inp.synced_until is None or inp.synced_until >= slot.window.end
        if not (window_closed and synced):
            recheck.append(slot.window.end)
        if excused_minutes >= seg.minutes:
            on_leave += 1
            continue

        mine = dedupe([p for p in punches if slot.window.start <= p < slot.window.end])
        expected_in, expected_out = _expected(seg, slot.excused)
        evidence = any(slot.window.start <= e <= seg.end for e in inp.evidence)
        pairs, no_in, no_out = _pair(slot.shift.pairing, mine, expected_in, expected_out)

        if not mine:
            if evidence:
                out.evidence_used = True
            elif window_closed and synced:
                judged_absent += 1
            else:
                pending = True
                waiting_for_sync |= window_closed and not synced
            continue

        if pairs:
            first_in = pairs[0][0]
            last_out = pairs[-1][1]
            out.first_in = min(out.first_in or first_in, first_in)
            out.last_out = max(out.last_out or last_out, last_out)
            late = _minutes(first_in - expected_in)
            if late > slot.shift.late_grace_minutes:
                out.late_minutes += late
            if not no_out:
                early = _minutes(expected_out - last_out)
                if early > slot.shift.early_grace_minutes:
                    out.early_minutes += early
            worked = sum((_overlap(Segment(a, b), seg) for a, b in pairs), dt.timedelta(0))
            worked -= sum((_overlap(Segment(a, b), e) for a, b in pairs for e in slot.excused), dt.timedelta(0))
            prev = shift_worked.get(id(slot.shift), (dt.timedelta(0), slot.shift, []))
            shift_worked[id(slot.shift)] = (prev[0] + worked, slot.shift, prev[2] + [Segment(a, b) for a, b in pairs])
            if slot.last_of_shift:
                threshold = seg.end + dt.timedelta(minutes=slot.shift.overtime_after_minutes)
                if last_out > threshold:
                    rounding = slot.shift.overtime_rounding_minutes
                    extra = _minutes(last_out - seg.end) // rounding * rounding
                    if extra:
                        overtime.append(Segment(seg.end, seg.end + extra * MINUTE))
                overtime += [_overlap_segment(r, Segment(first_in, last_out)) for r in inp.overtime]
        if no_in:
            if not window_closed or not synced:
                pending = True
                waiting_for_sync |= window_closed and not synced
            elif evidence:
                out.evidence_used = True
            else:
                out.missing_in += 1
        if no_out:
            if not window_closed or not synced:
                pending = True
                waiting_for_sync |= window_closed and not synced
            else:
                out.missing_out += 1
        if not pairs:  # one punch: a check-in (still judged for lateness) or a check-out (early leave)
            lone = mine[0]
            if no_out:
                out.first_in = min(out.first_in or lone, lone)
                late = _minutes(lone - expected_in)
                out.late_minutes += late if late > slot.shift.late_grace_minutes else 0
            else:
                out.last_out = max(out.last_out or lone, lone)
                early = _minutes(expected_out - lone)
                out.early_minutes += early if early > slot.shift.early_grace_minutes else 0

    # Breaks: deducted from a shift whose worked time reaches its middle (breaks are mid-shift).
    for worked, shift, spans in shift_worked.values():
        segments = shift_segments(shift, inp.day)
        middle = _midpoint(segments[0].start, segments[-1].end)
        minutes = _minutes(worked)
        if shift.break_minutes and any(s.start <= middle <= s.end for s in spans):
            minutes = max(minutes - shift.break_minutes, 0)
        out.worked_minutes += minutes
    out.scheduled_minutes = max(out.scheduled_minutes - sum(s.break_minutes for s in inp.shifts), 0)

    ot = _union_minutes([s for s in overtime if s.end > s.start])
    if ot:
        rounding = min(s.overtime_rounding_minutes for s in inp.shifts)
        ot = ot // rounding * rounding
    if inp.day_type == HOLIDAY:
        out.overtime_holiday_minutes = ot + (out.worked_minutes if HOLIDAY_WORK_IS_OVERTIME else 0)
    else:
        out.overtime_workday_minutes = ot

    if leave_types:
        out.leave_type_id = max(leave_types, key=leave_types.get)
        scheduled = max(out.scheduled_minutes, 1)
        out.leave_days = min(Decimal(round(out.leave_minutes * 2 / scheduled)) / 2, Decimal("1"))
        if out.leave_minutes and out.leave_days == 0:
            out.leave_days = Decimal("0.5")

    active = len(slots) - on_leave
    out.absent = active > 0 and judged_absent == active
    out.awaiting_sync = waiting_for_sync
    out.recheck_after = max(recheck) if recheck else None
    out.status = _status(out, pending=pending, all_leave=active == 0)
    return out


def _simple_day(inp: DayInput, shift, punches: list[dt.datetime]) -> DayOutcome:
    """``day_compute`` for one single-segment first-in / last-out shift with nothing else to
    consider: ``SimpleShiftDay`` on this one day."""
    plan = SimpleShiftDay(shift, inp.day, prev_end=inp.prev_end, next_start=inp.next_start)
    synced = None if inp.synced_until is None else to_us(inp.synced_until)
    values = plan.judge([to_us(p) for p in punches], inp.day_type, synced, to_us(inp.now))
    return DayOutcome(**dict(zip(OUTCOME_FIELDS, values, strict=True)))


class SimpleShiftDay:
    """The common day, judged fast: one single-segment first-in / last-out shift with no leave,
    overtime request or evidence. The same rules as the general path, without building slots, pairs
    and interval lists; the shift's bounds are worked out once here, so the loader shares one
    instance among everyone with the same shift, day and neighbouring shifts. Times are integers
    (``to_us``); ``within`` is the range of the punches the caller will pass, if it gives fewer
    than all (punches outside it are not looked for)."""

    __slots__ = (
        "break_minutes", "code", "early_grace", "end", "late_grace", "middle", "night", "overtime_after",
        "rounding", "scheduled", "select_from", "select_to", "start", "window_end",
    )  # fmt: skip

    def __init__(
        self,
        shift,
        day: dt.date,
        *,
        prev_end: dt.datetime | None = None,
        next_start: dt.datetime | None = None,
        within: tuple[int, int] | None = None,
    ) -> None:
        start = dt.datetime.combine(day, shift.start)
        if shift.is_24h:
            end = start + DAY
        else:
            end = dt.datetime.combine(day, shift.end)
            if end <= start:
                end += DAY
        self.code = shift.code[:64]
        self.night = end.date() > day
        self.start, self.end = to_us(start), to_us(end)
        self.middle = self.start + _half(self.end - self.start)
        self.scheduled = max((self.end - self.start) // MINUTE_US - shift.break_minutes, 0)
        self.break_minutes = shift.break_minutes
        self.late_grace, self.early_grace = shift.late_grace_minutes, shift.early_grace_minutes
        self.overtime_after = self.end + shift.overtime_after_minutes * MINUTE_US
        self.rounding = shift.overtime_rounding_minutes
        # The window, cut half-way to the neighbouring days' shifts.
        window_start = self.start - shift.checkin_window_minutes * MINUTE_US
        window_end = self.end + shift.checkout_window_minutes * MINUTE_US
        prev = None if prev_end is None else to_us(prev_end)
        following = None if next_start is None else to_us(next_start)
        if prev is not None and prev <= self.start:
            window_start = max(window_start, prev + _half(self.start - prev))
        if following is not None and following >= self.end:
            window_end = min(window_end, self.end + _half(following - self.end))
        self.window_end = window_end
        self.select_from, self.select_to = window_start, window_end
        if within is not None:
            self.select_from, self.select_to = max(window_start, within[0]), min(window_end, within[1])

    def judge(
        self, punches: list[int], day_type: str, synced_until: int | None, now: int, epoch: dt.datetime = EPOCH
    ) -> tuple:
        """The outcome in ``OUTCOME_FIELDS`` order given the person's punches (sorted), the kind of
        day, the oldest watermark of their terminals and the time now (integers). Its times are
        ``epoch`` + microseconds: local naive, or aware if ``epoch`` is (``EPOCH`` with a zone)."""
        first = bisect_left(punches, self.select_from)
        stop = bisect_left(punches, self.select_to, first)
        start, end, window_end = self.start, self.end, self.window_end
        closed = now >= window_end
        final = closed and (synced_until is None or synced_until >= window_end)
        first_in = last_out = None
        late = early = worked = overtime = missing_in = missing_out = 0
        absent = pending = False
        if first == stop:
            absent, pending = final, not final
        else:
            # De-duplicated on the fly: a punch within DUPLICATE_SECONDS of the last kept one is
            # the same press; only the first, the last kept and whether there are two count.
            earliest = last = punches[first]
            kept = 1
            for i in range(first + 1, stop):
                if punches[i] - last >= DUPLICATE_US:
                    last = punches[i]
                    kept += 1
            # Minutes are floored, and never negative (conditionals: cheaper than max() here).
            if kept == 1:  # a check-in before the middle of the shift, else a check-out
                pending = not final
                if earliest < self.middle:
                    first_in = earliest
                    late = (earliest - start) // MINUTE_US if earliest > start else 0
                    missing_out = 1 if final else 0
                else:
                    last_out = earliest
                    early = (end - earliest) // MINUTE_US if earliest < end else 0
                    missing_in = 1 if final else 0
            else:
                first_in, last_out = earliest, last
                late = (earliest - start) // MINUTE_US if earliest > start else 0
                early = (end - last) // MINUTE_US if last < end else 0
                # Inside the shift: from the later of arrival and start to the earlier of leaving and end.
                inside = (last if last < end else end) - (earliest if earliest > start else start)
                worked = inside // MINUTE_US if inside > 0 else 0
                if self.break_minutes and earliest <= self.middle <= last:
                    worked = worked - self.break_minutes if worked > self.break_minutes else 0
                if last > self.overtime_after:
                    overtime = (last - end) // MINUTE_US // self.rounding * self.rounding
            if late <= self.late_grace:
                late = 0
            if early <= self.early_grace:
                early = 0
        if pending:
            status = "pending"
        elif absent:
            status = "absent"
        elif missing_in or missing_out:
            status = "missing"
        elif late:
            status = "late_early" if early else "late"
        else:
            status = "early" if early else "present"
        if day_type == HOLIDAY:
            on_workday, on_holiday = 0, overtime + (worked if HOLIDAY_WORK_IS_OVERTIME else 0)
        else:
            on_workday, on_holiday = overtime, 0
        return (
            day_type, status, self.code, self.scheduled, worked, late, early, absent, missing_in, missing_out,
            0, None, NO_LEAVE_DAYS, on_workday, 0, on_holiday, self.night,
            None if first_in is None else epoch + US * first_in,
            None if last_out is None else epoch + US * last_out,
            False, pending and closed, None if final else epoch + US * window_end,
        )  # fmt: skip


def _overlap_segment(a: Segment, b: Segment) -> Segment:
    return Segment(max(a.start, b.start), min(a.end, b.end))


def _pair(
    mode: str, punches: list[dt.datetime], expected_in: dt.datetime, expected_out: dt.datetime
) -> tuple[list[tuple[dt.datetime, dt.datetime]], bool, bool]:
    """Pairs of (in, out); whether a check-in is missing; whether a check-out is missing."""
    if not punches:
        return [], False, False
    if len(punches) == 1:
        lone = punches[0]
        before_middle = lone < _midpoint(expected_in, max(expected_out, expected_in))
        return [], not before_middle, before_middle
    if mode == "alternating":
        pairs = [(punches[i], punches[i + 1]) for i in range(0, len(punches) - 1, 2)]
        return pairs, False, len(punches) % 2 == 1
    return [(punches[0], punches[-1])], False, False


def _status(out: DayOutcome, *, pending: bool, all_leave: bool) -> str:
    if pending:
        return "pending"
    if out.absent:
        return "absent"
    if out.missing_in or out.missing_out:
        return "missing"
    if out.late_minutes and out.early_minutes:
        return "late_early"
    if out.late_minutes:
        return "late"
    if out.early_minutes:
        return "early"
    if all_leave:
        return "leave"
    return "present"


def _free_day(inp: DayInput, punches: list[dt.datetime]) -> DayOutcome:
    """A day without a shift: rest or public holiday; approved overtime counts where punches show
    the person was there."""
    out = DayOutcome(day_type=inp.day_type, status="holiday" if inp.day_type == HOLIDAY else "rest")
    counted: list[Segment] = []
    recheck: list[dt.datetime] = []
    for request in inp.overtime:
        around = dedupe(
            [p for p in punches if request.start - FREE_OVERTIME_SLACK <= p < request.end + FREE_OVERTIME_SLACK]
        )
        closes = request.end + FREE_OVERTIME_SLACK
        if inp.now < closes or (inp.synced_until is not None and inp.synced_until < closes):
            recheck.append(closes)
            out.awaiting_sync |= inp.now >= closes
        if len(around) >= 2:
            present = Segment(around[0], around[-1])
            counted.append(_overlap_segment(request, present))
            out.first_in = min(out.first_in or around[0], around[0])
            out.last_out = max(out.last_out or around[-1], around[-1])
    minutes = _union_minutes([s for s in counted if s.end > s.start])
    minutes = minutes // FREE_OVERTIME_ROUNDING * FREE_OVERTIME_ROUNDING
    out.worked_minutes = minutes
    if inp.day_type == HOLIDAY:
        out.overtime_holiday_minutes = minutes
    elif inp.day_type == REST:
        out.overtime_rest_minutes = minutes
    else:
        # An unrostered working day with approved overtime (someone called in on their day off).
        out.overtime_rest_minutes = minutes
    out.recheck_after = max(recheck) if recheck else None
    return out


__all__ = [
    "EPOCH", "HOLIDAY", "OUTCOME_FIELDS", "REST", "WORKDAY", "DayInput", "DayOutcome", "Leave", "SimpleShiftDay",
    "day_compute", "dedupe", "from_us", "outcome_values", "to_us",
]  # fmt: skip
