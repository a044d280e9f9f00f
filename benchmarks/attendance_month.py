"""Monthly attendance benchmark (not run in CI).

    bash scripts/test.sh --exec .venv/bin/python benchmarks/attendance_month.py [--staff 3000] [--repeat 3] [--profile]

On the PostgreSQL started by the test script: N tracked staff on a day shift (08:00–17:30, one hour's
break) every day of a 31-day month, four punches a day each (≈ 372,000 punches for 3,000 people),
stored with ``punches_record``. Measured in the same run and printed as ratios:
- computing the month (``results_recompute`` of every person-day) vs reading those punches once
                                                                                   (goal ≤ 3×)
  each the median of ``--repeat`` runs, the month's results removed before each compute; and the
  same month through the queue as the deployment runs it: marked dirty, then drained by one and by
  two worker processes (the Procfile's concurrency)
- monthly sheet export (``month_rows`` → ``month_sheet_write``) rate vs raw openpyxl write-only
  writing the same number of cells of the same kinds                              (goal ≥ 0.7×)
- peak memory of the export, in a fresh process: RSS growth and Python peak (tracemalloc)
                                                                                   (goal ≤ 150 MB)
``--profile`` prints cProfile's top functions of the compute (on a tenth of the people).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "logistics.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from attendance.exports import month_sheet_write, total_headers  # noqa: E402
from attendance.models import DailyResult, DirtyDay, Punch, RosterEntry, ShiftType  # noqa: E402
from attendance.selectors_month import leave_types_for_sheet, month_days, month_rows  # noqa: E402
from attendance.services import (  # noqa: E402
    PunchIn,
    punches_record,
    results_recompute,
    results_recompute_dirty,
    results_recompute_range,
    terminal_watermark_report,
)
from logistics.org.models import Campus, Department, Staff, Team  # noqa: E402

MONTH = dt.date(2026, 8, 1)  # 31 days, no public holiday
PIN_BASE = 700000
TERMINALS = 12
TEAM_SIZE = 30
DEPARTMENTS = 12


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label:<52} {elapsed:8.2f} s", flush=True)
    return result, elapsed


def current_rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


# --- data ----------------------------------------------------------------------------------------
def seed(staff_count: int, rng: random.Random) -> tuple[list[int], int]:
    """Staff, teams, departments, the roster and the punches (once: a second run reuses them)."""
    existing = list(
        Staff.objects.filter(employee_no__startswith="7", attendance_tracked=True).values_list("pk", flat=True)
    )
    if len(existing) >= staff_count:
        return sorted(existing)[:staff_count], Punch.objects.filter(terminal_serial__startswith="BENCH").count()
    campus, _ = Campus.objects.get_or_create(code="BENCH", defaults={"name": "基准院区"})
    departments = [
        Department.objects.get_or_create(code=f"BENCH-D{i:02d}", defaults={"name": f"科室{i:02d}", "campus": campus,
                                                                            "sort_order": i})[0]
        for i in range(DEPARTMENTS)
    ]  # fmt: skip
    teams = [
        Team.objects.get_or_create(code=f"BENCH-T{i:03d}", defaults={"name": f"班组{i:03d}", "campus": campus})[0]
        for i in range((staff_count + TEAM_SIZE - 1) // TEAM_SIZE)
    ]
    Staff.objects.bulk_create(
        [
            Staff(employee_no=str(PIN_BASE + i), name=f"员工{i:05d}", team=teams[i // TEAM_SIZE],
                  department=departments[(i // TEAM_SIZE) % DEPARTMENTS], attendance_tracked=True)
            for i in range(staff_count)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )  # fmt: skip
    staff = list(
        Staff.objects.filter(employee_no__startswith="7", attendance_tracked=True)
        .order_by("pk")
        .values_list("pk", "employee_no")
    )[:staff_count]
    shift, _ = ShiftType.objects.get_or_create(
        code="BENCH-D", defaults={"name": "白班", "start": dt.time(8), "end": dt.time(17, 30), "break_minutes": 60}
    )
    days = month_days(MONTH)
    RosterEntry.objects.bulk_create(
        [RosterEntry(staff_id=pk, date=day, shift=shift) for pk, _no in staff for day in days],
        batch_size=5000,
        ignore_conflicts=True,
    )
    total = 0
    for t in range(TERMINALS):
        punches = []
        for _pk, number in staff[t::TERMINALS]:
            for day in days:
                base = dt.datetime.combine(day, dt.time())
                late = rng.random() < 0.03
                arrive = dt.timedelta(hours=7, minutes=45 + rng.randint(0, 14) + (rng.randint(10, 40) if late else 0))
                punches += [
                    PunchIn(number, base + arrive + dt.timedelta(seconds=rng.randint(0, 59))),
                    PunchIn(number, base + dt.timedelta(hours=12, minutes=rng.randint(0, 5))),
                    PunchIn(number, base + dt.timedelta(hours=12, minutes=55 + rng.randint(0, 4))),
                    PunchIn(number, base + dt.timedelta(hours=17, minutes=31 + rng.randint(0, 40))),
                ]
        stored = punches_record(terminal_serial=f"BENCH-{t:02d}", tz="Asia/Shanghai", punches=punches, source="file")
        total += stored.new
        end = dt.datetime.combine(days[-1] + dt.timedelta(days=2), dt.time(), tzinfo=timezone.get_default_timezone())
        terminal_watermark_report(terminal_serial=f"BENCH-{t:02d}", synced_until=end)
    DirtyDay.objects.all().delete()  # recomputed below, measured
    return [pk for pk, _no in staff], total


# --- measurements --------------------------------------------------------------------------------
def read_punches_once() -> int:
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(MONTH - dt.timedelta(days=2), dt.time(), tzinfo=zone)
    end = dt.datetime.combine(MONTH + dt.timedelta(days=33), dt.time(), tzinfo=zone)
    rows = Punch.objects.filter(punched_at__gte=start, punched_at__lt=end).values_list(
        "pin", "punched_at", "terminal_serial"
    )
    return len(list(rows.iterator(chunk_size=20000)))


def results_clear(staff_ids: list[int]) -> None:
    """Remove the month's results (the next compute writes them all again) and vacuum the table, so
    that every compute run starts from the same state."""
    DailyResult.objects.filter(staff_id__in=staff_ids).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {DailyResult._meta.db_table}")


def queue_drain(staff_ids: list[int], workers: int) -> tuple[float, float]:
    """The month as the deployment recomputes a range: marked dirty (``results_recompute_range``,
    the admin's action), then drained by ``workers`` processes running what the worker's task runs
    (``results_recompute_dirty``; they split the queue with SKIP LOCKED). The processes are started
    and connected first, so their start-up is not counted. Returns (mark, drain wall time) in s."""
    results_clear(staff_ids)
    procs = [
        subprocess.Popen([sys.executable, __file__, "--drain"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, env=os.environ)
        for _ in range(workers)
    ]  # fmt: skip
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    days = month_days(MONTH)
    started = time.perf_counter()
    results_recompute_range(start=days[0], end=days[-1], staff_ids=staff_ids)
    t_mark = time.perf_counter() - started
    started = time.perf_counter()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    done = sum(int(proc.stdout.readline()) for proc in procs)
    t_drain = time.perf_counter() - started
    for proc in procs:
        proc.wait()
    assert done == len(staff_ids) * len(days), done
    return t_mark, t_drain


def drain_when_told() -> None:
    """A worker process of ``queue_drain``: connect, say ready, wait for the word, drain."""
    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    print(results_recompute_dirty(), flush=True)


def raw_openpyxl(rows: int, width: int, out) -> int:
    """The baseline: openpyxl write-only appending ``rows`` rows of ``width`` cells of the sheet's
    kinds (3 texts, one short text per day, numbers for the totals, a note)."""
    days = len(month_days(MONTH))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("raw")
    symbols = ["√", "√", "√+", "迟", "休", "√"]
    totals = width - 3 - days - 1
    for i in range(rows):
        ws.append([str(PIN_BASE + i), f"员工{i:05d}", "班组"] + [symbols[(i + d) % 6] for d in range(days)]
                  + [float(i % 23) + 0.5 for _ in range(totals)] + [""])  # fmt: skip
    wb.save(out)
    return rows * width


def export_only(staff_ids: list[int]) -> dict:
    """The sheet export alone, in this process (run in a fresh process for the memory figures): once
    with the resident set size sampled every 5 ms (peak growth over the size before the export),
    once traced by tracemalloc for the peak of Python allocations (tracing slows it down)."""
    staff_qs = Staff.objects.filter(pk__in=staff_ids) if staff_ids else None

    def export() -> tuple[int, int]:
        with tempfile.TemporaryFile() as out:
            people = month_sheet_write(month=MONTH, rows_iter=month_rows(month=MONTH, staff_qs=staff_qs), out_file=out)
            return people, out.tell()

    base = current_rss_mib()
    peak = [base]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.005):
            peak[0] = max(peak[0], current_rss_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    people, size = export()
    stop.set()
    sampler.join()
    tracemalloc.start()
    export()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"people": people, "peak_python_mib": traced / 1024 / 1024, "rss_growth_mib": peak[0] - base,
            "rss_before_mib": base, "size_mib": size / 1024 / 1024}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the read and the compute (median)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--drain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    translation.activate("zh-hans")
    if args.drain:
        drain_when_told()
        return
    if args.export_only:
        ids = list(Staff.objects.filter(employee_no__startswith="7", attendance_tracked=True)
                   .order_by("pk").values_list("pk", flat=True)[: args.staff])  # fmt: skip
        print(json.dumps(export_only(ids)))
        return

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    print(f"Monthly attendance benchmark: {args.staff} staff × 31 days, PostgreSQL {connection.pg_version}")
    (staff_ids, punches), _ = timed("seed: staff, roster, punches (punches_record)", lambda: seed(args.staff, rng))
    pairs = [(pk, day) for pk in staff_ids for day in month_days(MONTH)]
    print(f"  {len(pairs):,} person-days, {punches:,} punches")

    # Each timing is the median of REPEAT runs (a busy 2-core machine's noise is ±30 % per run);
    # before each compute the month's results are removed and the table vacuumed, untimed.
    reads, computes, marks, drains = [], [], [], {1: [], 2: []}
    for run in range(1, args.repeat + 1):
        n_read, t = timed(f"read the punches once (values_list, iterator) #{run}", read_punches_once)
        reads.append(t)
        results_clear(staff_ids)
        _, t = timed(f"compute the month (results_recompute, all person-days) #{run}", lambda: results_recompute(
            pairs=pairs, now=timezone.now()))  # fmt: skip
        computes.append(t)
        for workers, queue in drains.items():
            t_mark, t_drain = queue_drain(staff_ids, workers)
            print(f"  {f'queue #{run}: mark the month, drain by {workers} worker process(es)':<52} "
                  f"{t_mark:8.2f} s + {t_drain:.2f} s", flush=True)  # fmt: skip
            marks.append(t_mark)
            queue.append(t_drain)
    t_read, t_compute = statistics.median(reads), statistics.median(computes)
    t_mark, t_drain1, t_drain2 = (statistics.median(x) for x in (marks, drains[1], drains[2]))
    statuses = dict(
        DailyResult.objects.filter(date__range=(MONTH, month_days(MONTH)[-1]), staff_id__in=staff_ids)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    print(f"  results by status: {statuses}")
    _, t_again = timed("recompute again (nothing changed)", lambda: results_recompute(pairs=pairs))

    staff_qs = Staff.objects.filter(pk__in=staff_ids)
    _, t_rows = timed("month_rows alone (selector)", lambda: sum(1 for _ in month_rows(month=MONTH, staff_qs=staff_qs)))
    buffer = io.BytesIO()
    people, t_export = timed("month sheet export (month_rows → month_sheet_write)", lambda: month_sheet_write(
        month=MONTH, rows_iter=month_rows(month=MONTH, staff_qs=staff_qs), out_file=buffer))  # fmt: skip
    width = 3 + 31 + len(total_headers(leave_types_for_sheet())) + 1
    cells, t_raw = timed("raw openpyxl write-only, same cells", lambda: raw_openpyxl(people, width, io.BytesIO()))

    child = subprocess.run(
        [sys.executable, __file__, "--export-only", "--staff", str(args.staff)],
        capture_output=True, text=True, check=True, env=os.environ,
    )  # fmt: skip
    memory = json.loads(child.stdout.strip().splitlines()[-1])

    print("\nResults (goal in brackets):")
    ratios = sorted(c / r for c, r in zip(computes, reads, strict=True))
    print(f"  compute month / read punches once   {t_compute / t_read:6.2f}×   [≤ 3×]  "
          f"(medians of {args.repeat}: {t_compute:.2f} s vs {t_read:.2f} s for {n_read:,} punches; "
          f"runs {ratios[0]:.2f}–{ratios[-1]:.2f}×)")  # fmt: skip
    print(f"  through the queue: drain, 1 worker  {t_drain1 / t_read:6.2f}×           "
          f"({t_drain1:.2f} s; marking the month dirty first takes {t_mark:.2f} s)")  # fmt: skip
    print(f"  through the queue: drain, 2 workers {t_drain2 / t_read:6.2f}×           ({t_drain2:.2f} s)")
    print(f"  recompute unchanged / read          {t_again / t_read:6.2f}×")
    print(f"  export rate / raw openpyxl rate     {t_raw / t_export:6.2f}    [≥ 0.7]  "
          f"({cells / t_export:,.0f} vs {cells / t_raw:,.0f} cells/s, {cells:,} cells, "
          f"{len(buffer.getvalue()) / 1024 / 1024:.1f} MiB)")  # fmt: skip
    print(f"  selector share of the export        {t_rows / t_export:6.0%}")
    print(f"  export peak memory (fresh process)  RSS +{memory['rss_growth_mib']:.1f} MiB "
          f"(from {memory['rss_before_mib']:.0f} MiB), "
          f"Python peak {memory['peak_python_mib']:.1f} MiB   [≤ 150 MB]")  # fmt: skip

    if args.profile:
        sample = pairs[: len(pairs) // 10]
        profiler = cProfile.Profile()
        profiler.enable()
        results_recompute(pairs=sample)
        profiler.disable()
        print("\ncProfile of results_recompute on a tenth of the person-days:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
