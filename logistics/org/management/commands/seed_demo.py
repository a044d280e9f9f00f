"""``manage.py seed_demo --scale small|hospital|large``: load the demo hospital.

Calls ``<app>.demo.seed(scale, rng)`` for every installed app that has one, in the order of
INSTALLED_APPS (which is layer order: org before attendance before devices ...). Every app's seed is
idempotent, so the command can run at every start. Refuses to run on production settings: demo
accounts have a published password.
"""

from __future__ import annotations

import importlib
import random
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

SCALES = ("small", "hospital", "large")


class Command(BaseCommand):
    help = "Load the demo hospital (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="small")
        parser.add_argument("--seed", type=int, default=20261121, help="random seed (same seed, same data)")

    def handle(self, *args, scale: str, seed: int, **options):
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError("seed_demo refuses to run with production settings: demo logins have a known password.")
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            started = time.monotonic()
            with transaction.atomic():
                counts = module.seed(scale, rng)
            summary = ", ".join(f"{k} +{v}" for k, v in (counts or {}).items())
            self.stdout.write(f"{config.label}: {summary or 'ok'} ({time.monotonic() - started:.1f}s)")
        self.stdout.write(self.style.SUCCESS(f"demo data ({scale}) loaded"))
