"""Equipment KPI benchmark (not run in CI).

    bash scripts/test.sh --exec .venv/bin/python benchmarks/equipment_kpis.py [--items 5000] [--repeat 5]

On the PostgreSQL started by the test script: N items over a small category tree and a year of
status history ending now (each item fails every 5 to 90 days: faulty, under repair a few hours
later, back in service a day or two after; a few go out of service for a while; a few retire), written
with ``bulk_create``. Then ``equipment.kpis.equipment_kpis`` over the last 30 days and over the year
(p50 and max of ``--repeat`` runs, and its number of queries), on PostgreSQL and on a copy of the
ledger in an in-memory SQLite database (the demo's engine), whose figures must be equal.
Goal: the year of 5,000 items well under a second or two.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "logistics.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.db.utils import ConnectionHandler  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from equipment.kpis import equipment_kpis  # noqa: E402
from equipment.models import Category, Equipment, StatusChange  # noqa: E402
from logistics.org.models import Building, Campus, Department, Location  # noqa: E402

SEED = 20261122
SQLITE = "benchmark_sqlite"


def seed(items: int, rng: random.Random) -> int:
    """N items with a year of history; returns the number of status changes written."""
    now = timezone.now()
    year_ago = now - dt.timedelta(days=365)
    tops = [Category.objects.create(code=f"BT{n}", name=f"top {n}") for n in range(6)]
    leaves = [Category.objects.create(code=f"BL{n}", name=f"leaf {n}", parent=tops[n % 6]) for n in range(30)]
    rows, changes = [], []
    for n in range(items):
        rows.append(Equipment(code=f"BE-{n:06d}", name=f"item {n}", category=rng.choice(leaves),
                              created_at=year_ago - dt.timedelta(days=30), status_since=year_ago))  # fmt: skip
    created = Equipment.objects.bulk_create(rows, batch_size=2000)
    for item in created:
        at, status = year_ago + dt.timedelta(hours=rng.uniform(0, 24 * 60)), "in_service"
        while at < now:
            if rng.random() < 0.1:
                steps = [("out_of_service", rng.uniform(24, 24 * 14)), ("in_service", 0)]
            else:
                steps = [("faulty", rng.uniform(1, 8)), ("under_repair", rng.uniform(4, 48)), ("in_service", 0)]
            for target, hours in steps:
                if at >= now:
                    break
                changes.append(StatusChange(equipment=item, from_status=status, to_status=target, at=at))
                status, at = target, at + dt.timedelta(hours=hours)
            at += dt.timedelta(days=rng.uniform(5, 90))
        if rng.random() < 0.02 and status == "in_service":
            changes.append(
                StatusChange(equipment=item, from_status=status, to_status="retired", at=at - dt.timedelta(days=3))
            )
            status = "retired"
        item.status = status
    StatusChange.objects.bulk_create(changes, batch_size=5000)
    Equipment.objects.bulk_update(created, ["status"], batch_size=2000)
    return len(changes)


COPIED = (Campus, Building, Department, Location, Category, Equipment, StatusChange)


def sqlite_copy() -> None:
    memory = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    connections[SQLITE] = ConnectionHandler({"default": memory, SQLITE: memory})[SQLITE]
    with connections[SQLITE].schema_editor() as editor:
        for model in COPIED:
            editor.create_model(model)
    with connections[SQLITE].cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
    for model in COPIED:
        model.objects.using(SQLITE).bulk_create((model(**row) for row in model.objects.values()), batch_size=5000)


def measure(label: str, repeat: int, fn) -> dict:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    print(f"  {label:<44} p50 {statistics.median(times) * 1000:7.0f} ms   max {max(times) * 1000:7.0f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"Equipment KPI benchmark: {args.items:,} items, PostgreSQL {connection.pg_version}")
    with transaction.atomic():
        started = time.perf_counter()
        changes = seed(args.items, random.Random(SEED))
    print(f"  seeded {changes:,} status changes in {time.perf_counter() - started:.1f} s")
    connection.cursor().execute("ANALYZE")
    now = timezone.now()
    periods = {"30 days": now - dt.timedelta(days=30), "the year": now - dt.timedelta(days=365)}
    items = Equipment.objects.filter(code__startswith="BE-")
    results = {}
    for name, start in periods.items():
        with CaptureQueriesContext(connection) as queries:
            results[name] = measure(f"PostgreSQL, {name}", args.repeat,
                                    lambda s=start: equipment_kpis(items, start=s, end=now, now=now))  # fmt: skip
        print(f"  {'':<44} {len(queries) // args.repeat} queries per call")
    sqlite_copy()
    for name, start in periods.items():
        on_sqlite = measure(f"SQLite, {name}", args.repeat,
                            lambda s=start: equipment_kpis(items.using(SQLITE), start=s, end=now, now=now))  # fmt: skip
        print(f"  {'':<44} same figures as PostgreSQL: {on_sqlite == results[name]}")
    overall = results["the year"]["overall"]
    print(f"  the year: 完好率 {overall['good_rate']}, MTTR {overall['mttr_hours']} h, MTBF {overall['mtbf_hours']} h,"
          f" {overall['failures']:,} failures")  # fmt: skip


if __name__ == "__main__":
    main()
