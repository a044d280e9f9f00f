"""``python manage.py terminal_simulator``: run a simulated ZKTeco terminal until Ctrl-C / SIGTERM.

python manage.py terminal_simulator --port 4370 --users 50 --punch-rate 2 --history 7 --seed 1
python manage.py terminal_simulator --from-db --punch-rate 1 --password 1234 --chunk-mode packets
python manage.py terminal_simulator --from-db --push http://127.0.0.1:8000 --realtime
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from devices.simulator import CHUNK_MODES, TerminalSimulator
from devices.simulator.state import DEFAULT_TIME_ZONE

logger = logging.getLogger("devices.simulator")


def staff_to_enrol() -> list[tuple[str, str]]:
    """(PIN, name) of the active, attendance-tracked staff: the people enrolled on terminals."""
    from logistics.org.models import Staff

    rows = Staff.objects.filter(is_active=True, attendance_tracked=True).order_by("employee_no")
    return list(rows.values_list("employee_no", "name"))


class Command(BaseCommand):
    help = "Run a simulated ZKTeco attendance terminal (port-4370 protocol over TCP and UDP, or ADMS push)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=4370, help="TCP and UDP port (0: any free port)")
        parser.add_argument("--udp", action=argparse.BooleanOptionalAction, default=True, help="also serve UDP")
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--users", type=int, help="enrol N synthetic users, PINs 900001... (default 20)")
        who.add_argument("--from-db", action="store_true", help="enrol the active attendance-tracked staff")
        parser.add_argument("--punch-rate", type=float, default=0.0, help="punches per minute on average")
        parser.add_argument("--history", type=int, default=0, metavar="DAYS", help="pre-fill DAYS days of punches")
        parser.add_argument("--seed", type=int, default=0, help="random seed (history and punches)")
        parser.add_argument("--password", type=int, help="numeric comm password (comm key)")
        parser.add_argument("--serial", default="SIM0000000001")
        parser.add_argument("--name", default="SIM-F22", help="device name (~DeviceName)")
        parser.add_argument("--platform", default="ZMM220_TFT")
        parser.add_argument("--firmware", default="Ver 6.60 Apr 28 2017")
        parser.add_argument("--mac", default="00:17:61:00:00:01")
        parser.add_argument("--time-zone", default=DEFAULT_TIME_ZONE, help="zone of the device clock")
        parser.add_argument(
            "--clock-offset",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="clock drift (in push mode it also turns off taking the time from the server)",
        )
        parser.add_argument("--chunk-mode", choices=CHUNK_MODES, default="single", help="TCP chunk framing")
        parser.add_argument("--inline-max", type=int, default=1016, help="largest buffer answered inline")
        parser.add_argument("--push", metavar="URL", help="act as an ADMS device pushing to URL")
        parser.add_argument("--realtime", action="store_true", help="push each punch at once")
        parser.add_argument(
            "--push-delay", type=float, default=30.0, help="command poll interval until the server sets Delay"
        )
        faults = parser.add_argument_group("fault injection")
        faults.add_argument("--close-after-bytes", type=int, help="close the connection after N bytes of a transfer")
        faults.add_argument("--stall-after-bytes", type=int, help="stop answering after N bytes of a transfer")
        faults.add_argument("--fault-limit", type=int, help="how many transfers the faults above hit (default all)")
        faults.add_argument("--bad-date-records", type=int, default=0, help="add N records dated 30 February")
        faults.add_argument("--garbage-records", type=int, default=0, help="add N records with empty PIN / year 2130")
        faults.add_argument("--garbage-if-enabled", action="store_true", help="garbage record when read while enabled")
        faults.add_argument("--reply-delay", type=float, default=0.0, help="seconds before each reply")
        faults.add_argument("--split-replies", action="store_true", help="send reply headers and payloads apart")
        parser.add_argument("--duration", type=float, default=0.0, help="stop after SECONDS (0: run until stopped)")

    def handle(self, *args, **options):
        users = staff_to_enrol() if options["from_db"] else (options["users"] if options["users"] is not None else 20)
        if options["from_db"] and not users:
            logger.warning("no active attendance-tracked staff: the terminal has no users")
        try:
            simulator = TerminalSimulator(
                host=options["host"], port=options["port"], udp=options["udp"], users=users,
                password=options["password"], serial=options["serial"], device_name=options["name"],
                platform=options["platform"], firmware=options["firmware"], mac=options["mac"],
                time_zone=options["time_zone"], clock_offset=options["clock_offset"],
                history_days=options["history"], seed=options["seed"], punch_rate=options["punch_rate"],
                chunk_mode=options["chunk_mode"], inline_max=options["inline_max"],
                bad_date_records=options["bad_date_records"], garbage_records=options["garbage_records"],
                close_after_bytes=options["close_after_bytes"], stall_after_bytes=options["stall_after_bytes"],
                fault_limit=options["fault_limit"], reply_delay=options["reply_delay"],
                split_replies=options["split_replies"], garbage_if_enabled=options["garbage_if_enabled"],
                push_url=options["push"], realtime=options["realtime"],
                # A drifting clock is asked for: do not let the server's Date header correct it.
                push_options={"delay": options["push_delay"], "clock_from_server": not options["clock_offset"]},
            ).start()  # fmt: skip
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot start the simulator: {error}") from error
        where = f"pushing to {options['push']}" if options["push"] else f"on {simulator.host}:{simulator.port}"
        self.stdout.write(
            f"terminal simulator {simulator.serial} {where}: {len(simulator.users)} users, "
            f"{len(simulator.attendance)} records"
        )
        stop = threading.Event()
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, lambda *_: stop.set())
        try:
            stop.wait(options["duration"] or None)
        except KeyboardInterrupt:
            pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            simulator.stop()
            self.stdout.write(f"terminal simulator {simulator.serial} stopped: {len(simulator.attendance)} records")
