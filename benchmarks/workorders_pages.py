"""Work-order pages benchmark (not run in CI).

    bash scripts/test.sh --exec .venv/bin/python benchmarks/workorders_pages.py [--orders 1000000] [--repeat 40]

On the PostgreSQL started by the test script: the demo hospital's organization (at the scale that
fits N) and N demo work orders with their timelines (``workorders.demo``, COPY), a year ending now.
Then, in the same run, with Django's test client logged in as the demo ``dispatcher`` (who sees
every order), the server time of each page (p50 and p95 of ``--repeat`` requests, in-process, no
network) against a cheap authenticated page measured alongside (the notifications inbox), printed
as ratios:
- the list, filtered and paginated: closed urgent orders page 3, and one campus + category + month
                                                                                 (goal p95 ≤ 5×)
- the detail page of an order with a full timeline (reopened, held, helpers)    (goal p95 ≤ 5×)
- the KPI selector (``workorders.kpis.work_order_kpis``) over the last month and over the year
- the number of queries of the list (two pages, two filters) and of the detail (two orders with
  timelines of different lengths): each pair must be equal, whatever the data (no N+1)
``--explain`` prints EXPLAIN ANALYZE of each page's slowest query.
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

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from logistics.org import demo as org_demo  # noqa: E402
from logistics.org.models import Campus  # noqa: E402
from workorders import demo  # noqa: E402
from workorders.models import Category, Status, WorkOrder, WorkOrderEvent  # noqa: E402
from workorders.selectors import orders_visible_to  # noqa: E402

SEED = 20261121


def org_scale(orders: int) -> str:
    """The organization that carries N orders a year: ~30 orders per person at most."""
    return "small" if orders <= 10_000 else "hospital" if orders <= 200_000 else "large"


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label:<60} {elapsed:8.1f} s", flush=True)
    return result, elapsed


def seed(orders: int) -> None:
    """The organization, then the orders (once: a database holding demo orders is reused)."""
    rng = random.Random(SEED)
    scale = org_scale(orders)
    with transaction.atomic():
        org_demo.seed(scale, rng)
    with transaction.atomic():
        counts = demo.seed(scale, rng, orders=orders)
    print(f"  organization {scale}; work orders +{counts['work_orders']:,}, events +{counts['events']:,}")


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure(fn, repeat: int, warmup: int = 3) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def getter(client: Client, url: str):
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: HTTP {response.status_code}")
        return response

    return get


SLOWEST: dict[str, tuple[float, str]] = {}  # page → its slowest query (time, SQL), for --explain


def queries(fn, label: str = "") -> int:
    """The queries of one request, caches warm (the first request of a URL may fill some)."""
    fn()
    with CaptureQueriesContext(connection) as captured:
        fn()
    if label:
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        SLOWEST[label] = (float(slowest["time"]), slowest["sql"])
    return len(captured.captured_queries)


def explain() -> None:
    """EXPLAIN ANALYZE of each page's slowest query (a cursor's DECLARE is explained as its SELECT)."""
    for label, (seconds, sql) in SLOWEST.items():
        select = sql[sql.index("FOR SELECT") + 4 :] if sql.startswith("DECLARE") else sql
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {select}")
            plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
        print(f"\n  {label}: slowest query {seconds * 1000:.0f} ms\n    {select[:400]}...\n{plan}")


def full_timelines() -> tuple[WorkOrder, WorkOrder]:
    """Two closed orders: the longest timeline among reopened, held orders with helpers, and a plain
    one (submitted → verified): their detail pages must cost the same number of queries."""
    rich = (
        WorkOrder.objects.filter(status=Status.CLOSED, reopen_count__gt=0, held_minutes__gt=0)
        .annotate(n=Count("events", distinct=True), h=Count("helpers", distinct=True))
        .order_by("-h", "-n", "pk")
        .first()
    ) or WorkOrder.objects.filter(status=Status.CLOSED, reopen_count__gt=0).order_by("pk").first()
    plain = WorkOrder.objects.filter(status=Status.CLOSED, reopen_count=0, held_minutes=0, auto_closed=False).exclude(
        pk=rich.pk
    )[:1][0]
    return rich, plain


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each page's slowest query")
    args = parser.parse_args()
    translation.activate("zh-hans")
    # One connection for the whole run, as a server with persistent connections would have (the
    # test settings close it after every request, which would add a connect to every sample).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host

    call_command("migrate", verbosity=0)
    print(f"Work-order pages benchmark: {args.orders:,} orders, PostgreSQL {connection.pg_version}")
    _, t_seed = timed("seed: organization + orders and timelines (COPY)", lambda: seed(args.orders))
    total, events = WorkOrder.objects.count(), WorkOrderEvent.objects.count()
    print(f"  {total:,} orders, {events:,} events in the database")

    dispatcher = get_user_model().objects.get(username="dispatcher")
    client = Client()
    client.force_login(dispatcher)
    now = timezone.now()
    month_ago = timezone.localdate() - dt.timedelta(days=30)
    campus = Campus.objects.get(code="MAIN")
    hvac = Category.objects.get(code="hvac")
    base = reverse("workorders:list")
    lists = {
        "list: closed urgent, page 3": f"{base}?status=closed&priority=urgent&page=3",
        "list: campus + category + last month": f"{base}?campus={campus.pk}&category={hvac.pk}"
        f"&submitted_from={month_ago:%Y-%m-%d}&submitted_to={timezone.localdate():%Y-%m-%d}",
    }
    other_list = (
        f"{base}?campus={Campus.objects.get(code='EAST').pk}"
        f"&category={Category.objects.get(code='water_electric').pk}&submitted_from={month_ago:%Y-%m-%d}"
    )
    rich, plain = full_timelines()
    detail_rich = reverse("workorders:detail", args=[rich.pk])
    detail_plain = reverse("workorders:detail", args=[plain.pk])
    baseline_url = reverse("notifications:notification_list")

    # query counts: fixed whatever the page, the filter or the timeline
    counts = {
        "list page 3 / page 9 (closed urgent)": (
            queries(getter(client, lists["list: closed urgent, page 3"]), "list: closed urgent, page 3"),
            queries(getter(client, f"{base}?status=closed&priority=urgent&page=9")),
        ),
        "list campus+category / other campus+category": (
            queries(getter(client, lists["list: campus + category + last month"]), "list: campus + category"),
            queries(getter(client, other_list)),
        ),
        f"detail {rich.events.count()} events / {plain.events.count()} events": (
            queries(getter(client, detail_rich), "detail"),
            queries(getter(client, detail_plain)),
        ),
    }

    print(f"\nServer time of {args.repeat} requests each (p50 / p95, ms):")
    results: dict[str, tuple[float, float]] = {}
    results["baseline: notifications inbox"] = measure(getter(client, baseline_url), args.repeat)
    results["baseline: profile"] = measure(getter(client, reverse("profile")), args.repeat)
    for label, url in lists.items():
        results[label] = measure(getter(client, url), args.repeat)
    results[f"detail: {rich.number} ({rich.events.count()} events)"] = measure(getter(client, detail_rich),
                                                                               args.repeat)  # fmt: skip
    for label, (p50, p95) in results.items():
        print(f"  {label:<48} {p50:8.1f} {p95:8.1f}")

    from workorders.kpis import work_order_kpis

    orders = orders_visible_to(dispatcher)
    kpi_repeat = max(3, args.repeat // 8)
    last_month = orders.filter(submitted_at__gte=now - dt.timedelta(days=30))
    kpis = {
        "KPIs: last 30 days": measure(lambda: work_order_kpis(last_month, now=now), kpi_repeat, warmup=1),
        "KPIs: the year": measure(lambda: work_order_kpis(orders, now=now), kpi_repeat, warmup=1),
    }
    for label, (p50, p95) in kpis.items():
        print(f"  {label:<48} {p50:8.1f} {p95:8.1f}   ({kpi_repeat} runs)")
    year = work_order_kpis(orders, now=now)["all"]
    print(f"  (the year: {year['total']:,} orders, mean response {year['response_minutes']['mean']} min, "
          f"urgent on time {year['urgent_on_time_rate']}, auto-dispatched {year['auto_dispatch_rate']}, "
          f"first-time fix {year['first_time_fix_rate']}, rating {year['satisfaction']['mean']})")  # fmt: skip

    baseline = results["baseline: notifications inbox"][1]
    print("\nResults (p95 / p95 of the notifications inbox; goal in brackets):")
    for label, (_p50, p95) in results.items():
        if not label.startswith("baseline"):
            print(f"  {label:<48} {p95 / baseline:6.2f}×   [≤ 5×]  {'ok' if p95 <= 5 * baseline else 'MISSED'}")
    for label, (_p50, p95) in kpis.items():
        print(f"  {label:<48} {p95 / baseline:6.1f}×")
    print("\nQueries per request (each pair must be equal):")
    failed = False
    for label, (first, second) in counts.items():
        same = first == second
        failed |= not same
        print(f"  {label:<48} {first:4d} {second:4d}   {'ok' if same else 'DIFFERENT'}")
    print(f"\n  seed: {t_seed:.0f} s for {total:,} orders and {events:,} events")
    if args.explain:
        explain()
    if failed:
        raise SystemExit("query counts differ between pages of the same kind")


if __name__ == "__main__":
    main()
