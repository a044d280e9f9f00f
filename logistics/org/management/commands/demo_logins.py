"""``manage.py demo_logins [--json]``: the demo accounts and their password (for the run banner
and the CI smoke lane)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from logistics.org.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        rows = [{"username": d.username, "role": d.role, "password": DEMO_PASSWORD} for d in DEMO_LOGINS]
        if options["json"]:
            self.stdout.write(json.dumps(rows))
            return
        for row in rows:
            self.stdout.write(f"  {row['username']:<22} {row['role']:<22} {row['password']}")
