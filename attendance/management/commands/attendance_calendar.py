"""``manage.py attendance_calendar --year 2026 [--year 2027]``: fill the holiday calendar from
chinese-calendar (keeps rows entered by hand; warns for a year the package does not know)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from attendance.services import calendar_fill


class Command(BaseCommand):
    help = "Fill the holiday calendar from the chinese-calendar package."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="year (repeatable; default this and next)")

    def handle(self, *args, year=None, **options):
        this = timezone.localdate().year
        for y in year or [this, this + 1]:
            result = calendar_fill(year=y)
            if result.warning:
                self.stderr.write(self.style.WARNING(result.warning))
            else:
                self.stdout.write(f"{y}: {result.created} days added")
