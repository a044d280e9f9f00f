"""Demo data of the terminals app: one terminal per campus building group, served in the
one-command run by terminal simulators (see the Procfile), a push terminal, one terminal that is
offline, and a history of punches with shift-change peaks (two weeks at ``small``, a year at
``hospital``/``large``) including a few PINs that belong to nobody.

Idempotent: terminals are found by serial, punches by their natural key.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from attendance.services import PunchIn, punches_record
from logistics.org.models import Campus, Staff

from .models import Terminal


@dataclass(frozen=True)
class DemoTerminal:
    name: str
    serial: str
    campus: str
    port: int | None
    mode: str


# The Procfile starts a simulator for each terminal with a port (and the push one), with these serials.
DEMO_TERMINALS: tuple[DemoTerminal, ...] = (
    DemoTerminal("本部 门诊楼一层大厅", "DEMO-MAIN-01", "MAIN", 4370, Terminal.Mode.PULL),
    DemoTerminal("本部 后勤楼", "DEMO-MAIN-02", "MAIN", 4371, Terminal.Mode.PULL),
    DemoTerminal("东院区 住院部", "DEMO-EAST-01", "EAST", 4372, Terminal.Mode.PULL),
    DemoTerminal("城南门诊部", "DEMO-OPD-01", "OPD", None, Terminal.Mode.PUSH),
    DemoTerminal("东院区 动力中心（网络中断）", "DEMO-EAST-02", "EAST", 4379, Terminal.Mode.PULL),
)
HISTORY_DAYS = {"small": 14, "hospital": 365, "large": 365}
UNKNOWN_PINS = ("990017", "990023", "88")


def seed(scale: str, rng: random.Random) -> dict[str, int]:
    campuses = dict(Campus.objects.values_list("code", "id"))
    existing = set(Terminal.objects.values_list("serial", flat=True))
    created = 0
    for demo in DEMO_TERMINALS:
        if demo.serial in existing:
            continue
        Terminal.objects.create(
            name=demo.name,
            serial=demo.serial,
            host="127.0.0.1" if demo.port else None,
            port=demo.port or 4370,
            campus_id=campuses.get(demo.campus),
            mode=demo.mode,
            poll_interval_minutes=2 if demo.port else 5,
        )
        created += 1
    punches = _seed_history(scale, random.Random(rng.getrandbits(64)))
    return {"terminals": created, "punches": punches}


def _seed_history(scale: str, rng: random.Random) -> int:
    """Punches of the attendance-tracked staff on the pull terminals. Along the roster where there
    is one (the attendance demo rosters last month and this one): arriving in the minutes before the
    shift, leaving after it, with a few late arrivals, early leaves, forgotten check-outs, absences
    and overtime, and nothing on approved leave. Before the roster (a year at ``hospital``): day
    shift 08:00–17:30 for most, night shifts for some. Stops yesterday: today's punches come from
    the simulators. The results of the rostered days are computed at the end."""
    from attendance.selectors import scheduled_days
    from attendance.services import results_recompute_dirty, results_recompute_range, terminal_watermark_report

    staff = list(Staff.objects.filter(attendance_tracked=True, is_active=True).values_list("employee_no", flat=True))
    if not staff:
        return 0
    terminals = [d.serial for d in DEMO_TERMINALS if d.port and d.port != 4379]
    terminal_of = {pin: terminals[i % len(terminals)] for i, pin in enumerate(sorted(staff))}
    today = timezone.localdate()
    start = today - dt.timedelta(days=HISTORY_DAYS[scale])
    roster = scheduled_days(start=today - dt.timedelta(days=62), end=today - dt.timedelta(days=1))
    roster_start = min((r.date for r in roster), default=today)
    start = min(start, roster_start)
    total = 0
    batch: dict[str, list[PunchIn]] = {serial: [] for serial in terminals}
    midnight = dt.datetime.combine(today, dt.time())

    def punch(pin: str, when: dt.datetime, status: int) -> None:
        if when < midnight:
            batch[terminal_of[pin]].append(PunchIn(pin=pin, local_time=when, status=status, verify_type=15))

    for day in roster:
        if day.on_leave or day.pin not in terminal_of:
            continue
        person = random.Random(f"{rng.random()}-{day.pin}-{day.date}")
        dice = person.random()
        if dice < 0.01:
            continue  # absent
        begin = dt.datetime.combine(day.date, day.shift.start)
        end = begin + dt.timedelta(days=1) if day.shift.is_24h else dt.datetime.combine(day.date, day.shift.end)
        if end <= begin:
            end += dt.timedelta(days=1)
        late = dice < 0.04
        arrive = begin + dt.timedelta(minutes=person.randint(6, 40)) if late else begin - dt.timedelta(
            seconds=person.randint(60, 25 * 60)
        )  # fmt: skip
        punch(day.pin, arrive, 0)
        if 0.04 <= dice < 0.06:
            continue  # forgot to check out
        if 0.06 <= dice < 0.08:
            leave = end - dt.timedelta(minutes=person.randint(10, 50))
        elif dice > 0.95:
            leave = end + dt.timedelta(minutes=person.randint(60, 180))  # overtime
        else:
            leave = end + dt.timedelta(seconds=person.randint(0, 25 * 60))
        punch(day.pin, leave, 1)

    for index, pin in enumerate(sorted(staff)):
        person = random.Random(f"{rng.random()}-{pin}")
        night_worker = index % 5 == 0
        day = start
        while day < roster_start:
            if person.random() < 0.82:  # rest days, leave
                if night_worker and day.toordinal() % 3 == 0:
                    begin, end = dt.time(20, 0), dt.time(8, 0)
                else:
                    begin, end = dt.time(8, 0), dt.time(17, 30)
                arrive = dt.datetime.combine(day, begin) - dt.timedelta(seconds=person.randint(60, 25 * 60))
                leave_day = day + dt.timedelta(days=1) if end < begin else day
                leave = dt.datetime.combine(leave_day, end) + dt.timedelta(seconds=person.randint(0, 30 * 60))
                punch(pin, arrive, 0)
                punch(pin, leave, 1)
            day += dt.timedelta(days=1)
    for number, pin in enumerate(UNKNOWN_PINS):
        for days_ago in range(1, 4):
            when = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(7, 40 + number))
            batch[terminals[0]].append(PunchIn(pin=pin, local_time=when))
    for serial, punches in batch.items():
        result = punches_record(
            terminal_serial=serial, tz="Asia/Shanghai", punches=punches, source="pull", batch="demo"
        )
        total += result.new
    if roster:
        # Every pull terminal's history is stored up to midnight: nobody waits for a sync.
        for serial in terminals:
            terminal_watermark_report(
                terminal_serial=serial, synced_until=midnight.replace(tzinfo=timezone.get_default_timezone())
            )
        # Also the days without a punch (rest days, absences): the whole rostered range, computed now
        # so that the first page load shows full months.
        results_recompute_range(start=roster_start, end=today)
        results_recompute_dirty(max_batches=1000)
    return total
