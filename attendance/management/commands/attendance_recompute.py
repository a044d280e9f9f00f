"""``manage.py attendance_recompute --from 2026-11-01 --to 2026-11-30 [--staff 10023 ...] [--now]``:
recompute daily results over a range, for everyone tracked or the given employee numbers. Queued
for the worker by default; ``--now`` computes in this process and prints what changed."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from attendance.services import results_recompute_dirty, results_recompute_range
from logistics.common.errors import DomainError
from logistics.org.models import Staff


class Command(BaseCommand):
    help = "Recompute attendance daily results over a date range."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, required=True)
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, required=True)
        parser.add_argument("--staff", action="append", help="employee number (repeatable; default everyone)")
        parser.add_argument("--now", action="store_true", help="compute here instead of queueing for the worker")

    def handle(self, *args, start, end, staff=None, now=False, **options):
        ids = None
        if staff:
            found = dict(Staff.objects.filter(employee_no__in=staff).values_list("employee_no", "pk"))
            unknown = sorted(set(staff) - found.keys())
            if unknown:
                raise CommandError(f"unknown employee numbers: {', '.join(unknown)}")
            ids = list(found.values())
        try:
            queued = results_recompute_range(start=start, end=end, staff_ids=ids)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if now:
            done = results_recompute_dirty(max_batches=10_000)
            self.stdout.write(f"{done} person-days recomputed")
        else:
            self.stdout.write(f"{queued} person-days queued")
