"""``manage.py stock_check [--rebuild]``: prove the stock balances agree with the ledger."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from spareparts.audit import balances_rebuild, ledger_verify


class Command(BaseCommand):
    help = "Check that every stock balance equals its ledger (exit status 1 when not)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rewrite the balances from the ledger first")

    def handle(self, *args, rebuild: bool, **options):
        if rebuild:
            self.stdout.write(f"balances rewritten: {balances_rebuild()}")
        found = ledger_verify()
        for discrepancy in found[:100]:
            self.stdout.write(str(discrepancy))
        if found:
            raise CommandError(f"{len(found)} discrepancies between the balances and the ledger")
        self.stdout.write(self.style.SUCCESS("stock balances agree with the ledger"))
