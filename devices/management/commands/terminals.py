"""``manage.py terminals add|sync|import-file|list``: the terminal registry from the command line."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devices.fileimport import file_import
from devices.models import Terminal
from devices.services import terminal_pull, terminal_register
from logistics.common.errors import DomainError
from logistics.org.models import Campus


class Command(BaseCommand):
    help = "Manage attendance terminals: add, sync (pull now), import-file, list."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register a terminal")
        add.add_argument("--name", required=True)
        add.add_argument("--host", required=True)
        add.add_argument("--port", type=int, default=4370)
        add.add_argument("--password", default="")
        add.add_argument("--campus", help="campus code")
        add.add_argument("--timezone", default="Asia/Shanghai")
        add.add_argument("--mode", choices=[m for m, _ in Terminal.Mode.choices], default=Terminal.Mode.PULL)
        add.add_argument("--interval", type=int, default=5, help="poll interval in minutes")
        sync = sub.add_parser("sync", help="pull now and print one line per terminal")
        sync.add_argument("name", nargs="?")
        sync.add_argument("--all", action="store_true")
        imp = sub.add_parser("import-file", help="import a USB attendance log or CSV/Excel export")
        imp.add_argument("path")
        imp.add_argument("--terminal", required=True)
        sub.add_parser("list", help="list terminals with their state")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _add(self, *, name, host, port, password, campus, timezone, mode, interval, **_):
        campus_obj = None
        if campus:
            campus_obj = Campus.objects.filter(code=campus).first()
            if campus_obj is None:
                raise CommandError(f"unknown campus code {campus!r}")
        terminal = terminal_register(
            name=name, host=host, port=port, comm_password=password, campus=campus_obj, time_zone=timezone,
            mode=mode, poll_interval_minutes=interval,
        )  # fmt: skip
        self.stdout.write(f"added {terminal.name} ({terminal.host}:{terminal.port})")

    def _sync(self, *, name, all, **_):
        if not name and not all:
            raise CommandError("name a terminal or pass --all")
        terminals = Terminal.objects.filter(enabled=True) if all else Terminal.objects.filter(name=name)
        if not terminals.exists():
            raise CommandError(f"no terminal named {name!r}" if name else "no enabled terminal")
        failed = 0
        for terminal in terminals.exclude(mode=Terminal.Mode.PUSH):
            outcome = terminal_pull(terminal=terminal)
            self.stdout.write(outcome.line())
            failed += not outcome.ok
        if failed:
            raise CommandError(f"{failed} terminal(s) failed")

    def _import_file(self, *, path, terminal, **_):
        target = Terminal.objects.filter(name=terminal).first()
        if target is None:
            raise CommandError(f"no terminal named {terminal!r}")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no such file: {path}")
        report = file_import(terminal=target, name=file.name, data=file.read_bytes())
        for line in report.lines:
            if line.outcome == "invalid":
                self.stderr.write(f"line {line.line}: {line.error}: {line.raw[:80]}")
        self.stdout.write(
            f"{target.name}: lines {len(report.lines)}, new {report.count('new')}, "
            f"duplicates {report.count('duplicate')}, invalid {report.count('invalid')}"
        )

    def _list(self, **_):
        for t in Terminal.objects.order_by("name"):
            last = f"{t.last_pull_at:%Y-%m-%d %H:%M}" if t.last_pull_at else "never"
            self.stdout.write(
                f"{t.name:<20} {t.serial or '-':<16} {t.host or '-':<16} {t.port:<6} {t.mode:<5} "
                f"{t.state:<8} last pull {last}"
            )
