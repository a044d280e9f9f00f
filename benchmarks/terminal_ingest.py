"""Terminal ingest benchmark (not run in CI).

    bash scripts/test.sh --exec .venv/bin/python benchmarks/terminal_ingest.py [--records 100000]

Against a simulator holding N punches, on the PostgreSQL started by the test script, measured in the
same run and printed as ratios:
- full pull end to end (connect, read, parse, store) vs bare pyzk ``get_attendance()``  (goal ≤ 1.5×)
- storage rate of ``punches_record`` vs a raw ``COPY`` of the same rows            (goal ≥ 1/3 of COPY)
- re-ingest of the same N vs the first ingest                                        (goal ≤ 1.2×, 0 new)
- peak Python memory of the pull (tracemalloc)
- punch-to-database latency: a punch made on a pushing simulator in real-time mode
  (goal ≤ 5 s) and on a pulled terminal with a 1-minute interval (goal ≤ interval + 10 s)
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "logistics.settings.test")
os.environ["TERMINAL_TIMEOUT_SECONDS"] = "30"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from zk import ZK  # noqa: E402

from attendance.models import Punch  # noqa: E402
from attendance.services import PunchIn, punches_record  # noqa: E402
from devices.models import Terminal  # noqa: E402
from devices.services import terminal_pull, terminal_register  # noqa: E402
from devices.simulator import TerminalSimulator  # noqa: E402
from devices.simulator import protocol as p  # noqa: E402


def fill(sim: TerminalSimulator, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=400)
    pins = [str(900001 + i) for i in range(1000)]
    items, t = [], start
    for _ in range(count):
        t += dt.timedelta(seconds=rng.randint(60, 400))
        items.append((rng.choice(pins), p.encode_time(t), rng.choice((0, 1)), 15, 0))
    sim.state.add_records(items, notify=False)


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label:<46} {elapsed:8.2f} s")
    return result, elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_baseline(rows: list[PunchIn]) -> float:
    """Seconds for COPY of the same rows into an unlogged scratch copy of the punch table."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_punch_copy")
        cursor.execute("CREATE UNLOGGED TABLE bench_punch_copy (LIKE attendance_punch INCLUDING ALL)")
        buffer = io.StringIO()
        for r in rows:
            buffer.write(f"BENCH-COPY\t{r.pin}\t{r.local_time:%Y-%m-%d %H:%M:%S}\t{r.local_time:%Y-%m-%d %H:%M:%S}+08\t"
                         f"{r.status}\t{r.verify_type}\t\tpull\tbench\t2026-01-01 00:00:00+00\t\n")  # fmt: skip
        buffer.seek(0)
        started = time.perf_counter()
        cursor.copy_expert(
            "COPY bench_punch_copy (terminal_serial, pin, local_time, punched_at, status, verify_type, workcode, "
            "source, batch, received_at, note) FROM STDIN",
            buffer,
        )
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_punch_copy")
    return elapsed


def latency_push() -> float:
    """Seconds from a punch on a real-time pushing simulator to its row in the database."""
    port = free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "logistics.wsgi:application", "--bind", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(3)
        Terminal.objects.filter(serial="BENCH-PUSH").delete()
        Terminal.objects.create(name="bench push", serial="BENCH-PUSH", mode=Terminal.Mode.PUSH)
        sim = TerminalSimulator(port=0, users=5, serial="BENCH-PUSH", push_url=f"http://127.0.0.1:{port}",
                                realtime=True, push_options={"delay": 1})  # fmt: skip
        sim.start()
        try:
            time.sleep(3)  # handshake
            before = Punch.objects.filter(terminal_serial="BENCH-PUSH").count()
            started = time.perf_counter()
            sim.punch("900001")
            while Punch.objects.filter(terminal_serial="BENCH-PUSH").count() == before:
                if time.perf_counter() - started > 30:
                    return float("inf")
                time.sleep(0.05)
            return time.perf_counter() - started
        finally:
            sim.stop()
    finally:
        server.terminate()
        server.wait(timeout=20)


def latency_pull(interval_minutes: int = 1) -> float:
    """Seconds from a punch on a pulled terminal to its row in the database, with the production
    dispatch rule (a tick every 10 s queues terminals whose interval has passed) run in-process."""
    from devices.tasks import dispatch_pulls_due

    sim = TerminalSimulator(port=0, users=5, serial="BENCH-LATENCY", udp=False)
    sim.start()
    try:
        terminal = terminal_register(name="bench latency", host="127.0.0.1", port=sim.port, serial="BENCH-LATENCY",
                                     poll_interval_minutes=interval_minutes)  # fmt: skip
        terminal_pull(terminal=terminal)  # as if it had just been pulled
        time.sleep(random.uniform(5, 30))  # the punch lands somewhere inside the interval
        sim.punch("900001")
        started = time.perf_counter()
        while not Punch.objects.filter(terminal_serial="BENCH-LATENCY").exists():
            for due in dispatch_pulls_due():
                terminal_pull(terminal=due)
            if time.perf_counter() - started > interval_minutes * 60 + 60:
                return float("inf")
            time.sleep(10)
        return time.perf_counter() - started
    finally:
        sim.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    Punch.objects.filter(terminal_serial__startswith="BENCH").delete()
    Terminal.objects.filter(serial__startswith="BENCH").delete()
    n = args.records
    print(f"Terminal ingest benchmark: {n} punches, PostgreSQL {connection.pg_version}")

    sim = TerminalSimulator(port=0, users=1000, serial="BENCH-PULL", udp=False)
    fill(sim, n)
    sim.start()
    try:

        def bare():
            zk = ZK("127.0.0.1", port=sim.port, timeout=60, ommit_ping=True)
            conn = zk.connect()
            try:
                return len(conn.get_attendance())
            finally:
                conn.disconnect()

        count, t_pyzk = timed("bare pyzk 0.9 get_attendance()", bare)
        assert count == n, count
        terminal = terminal_register(name="bench pull", host="127.0.0.1", port=sim.port, serial="BENCH-PULL")
        outcome, t_full = timed("full pull (read, parse, store)", lambda: terminal_pull(terminal=terminal))
        assert outcome.ok and outcome.run.new == n, outcome.line()
        again, t_again = timed("re-ingest of the same punches", lambda: terminal_pull(terminal=terminal))
        assert again.run.new == 0 and again.run.duplicates == n
        tracemalloc.start()  # a third pull, traced: tracing slows allocation, so it is not timed
        terminal_pull(terminal=terminal)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        sim.stop()

    first = dt.datetime(2025, 1, 1)
    rows = [PunchIn(f"{800000 + i % 1000}", first + dt.timedelta(minutes=i)) for i in range(n)]
    _, t_store = timed("punches_record of the rows alone", lambda: punches_record(
        terminal_serial="BENCH-STORE", tz="Asia/Shanghai", punches=rows, source="file"))  # fmt: skip
    t_copy = copy_baseline(rows)
    print(f"  {'raw COPY of the same rows':<46} {t_copy:8.2f} s")
    t_push = latency_push()
    print(f"  {'push punch → database':<46} {t_push:8.2f} s")
    t_pull = latency_pull()
    print(f"  {'pull punch → database (1-minute interval)':<46} {t_pull:8.2f} s")

    print("\nResults (goal in brackets):")
    print(f"  full pull / bare pyzk          {t_full / t_pyzk:6.2f}×   [≤ 1.5×]")
    rates = f"({n / t_store:,.0f} vs {n / t_copy:,.0f} rows/s)"
    print(f"  storage rate / COPY rate       {t_copy / t_store:6.2f}    [≥ 0.33]  {rates}")
    print(
        f"  re-ingest / first ingest       {t_again / t_full:6.2f}×   [≤ 1.2×], new rows on re-ingest: {again.run.new}"
    )
    print(f"  peak Python memory of a pull   {peak / 1024 / 1024:6.1f} MiB")
    print(f"  push punch-to-database         {t_push:6.2f} s   [≤ 5 s]")
    print(f"  pull punch-to-database         {t_pull:6.2f} s   [≤ 60 + 10 s]")
    Punch.objects.filter(terminal_serial__startswith="BENCH").delete()


if __name__ == "__main__":
    main()
