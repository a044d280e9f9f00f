"""The device side of ADMS ("PUSH SDK", ``/iclock/``): handshake, ATTLOG uploads with stamps and
retries, and the command channel. The server side is the project's own ``/iclock/`` endpoint.

Cycle: ``GET /iclock/cdata?SN=..&options=all&pushver=2.4.1`` reads the server's options
(``ATTLOGStamp`` sets the upload cursor, ``Delay`` the command poll interval in seconds,
``ErrorDelay`` the retry delay, ``TransInterval`` the upload interval in minutes, ``Realtime=1``,
``TimeZone``); the reply's ``Date`` header sets the clock. Records newer than the cursor go up with
``POST /iclock/cdata?SN=..&table=ATTLOG&Stamp=<last seq>``; only ``OK: n`` advances the cursor, any
other answer (or a network error, or 403) keeps the data for a retry after ``ErrorDelay``.
``GET /iclock/getrequest`` returns commands ``C:<id>:<command>``, answered by
``POST /iclock/devicecmd`` with ``ID=<id>&Return=<code>&CMD=<verb>`` lines.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from . import protocol as p
from .state import AttendanceRecord, DeviceState

logger = logging.getLogger("devices.simulator")

OK_REPLY = re.compile(r"^\s*OK\s*:\s*\d+")
COMMAND_LINE = re.compile(r"^C:([^:]+):(.*)$")
UNSUPPORTED = -1


def _number(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def _fields(text: str) -> dict[str, str]:
    """``PIN=1\\tName=Ann`` (tabs, or spaces on some firmware) → dict."""
    out = {}
    for part in re.split(r"\t+", text.strip()):
        key, sep, value = part.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - device-local wall clock
    except ValueError:
        return None


class PushClient:
    """An ADMS device loop around a ``DeviceState``. ``requests`` keeps (method, path?query, status)
    of every exchange for tests and logs."""

    def __init__(
        self,
        state: DeviceState,
        url: str,
        *,
        realtime: bool = False,
        delay: float = 30.0,
        error_delay: float = 60.0,
        trans_interval: float = 2.0,
        batch_size: int = 500,
        encoding: str = "utf-8",
        timeout: float = 5.0,
        clock_from_server: bool = True,
        pushver: str = "2.4.1",
    ) -> None:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"push URL must be http:// or https://, not {url!r}")
        self.state, self.base = state, url.rstrip("/")
        self.realtime, self.delay, self.error_delay = realtime, delay, error_delay
        self.trans_interval, self.batch_size, self.encoding = trans_interval, batch_size, encoding
        self.timeout, self.clock_from_server, self.pushver = timeout, clock_from_server, pushver
        self.stamp = 0  # seq of the last record the server acknowledged
        self.registered = False
        self.server_options: dict[str, str] = {}
        self.requests: deque[tuple[str, str, int]] = deque(maxlen=5000)
        self.uploaded = 0
        self.failures = 0
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
        self._wake = threading.Event()
        state.subscribe(self._on_punch)

    # --- HTTP -----------------------------------------------------------------------------------
    def _request(self, method: str, path: str, query: dict, body: str | None = None) -> tuple[int, str, dict]:
        """(status, text, headers); status 0 on a network error."""
        query = {"SN": self.state.info.serial, **query}
        target = f"{path}?{urllib.parse.urlencode(query, safe=':')}"
        data = body.encode(self.encoding, errors="replace") if body is not None else None
        request = urllib.request.Request(self.base + target, data=data, method=method)  # noqa: S310 - scheme checked
        request.add_header("User-Agent", "iClock Proxy/1.09")
        if data is not None:
            request.add_header("Content-Type", "text/plain")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, text, headers = response.status, response.read().decode("utf-8", "replace"), response.headers
        except urllib.error.HTTPError as error:
            status, text, headers = error.code, error.read().decode("utf-8", "replace"), error.headers
        except (OSError, ValueError) as error:
            logger.info("simulator %s: %s %s failed: %s", self.state.info.serial, method, path, error)
            status, text, headers = 0, "", {}
        self.requests.append((method, target, status))
        logger.info("simulator %s: %s %s -> %s", self.state.info.serial, method, target, status)
        return status, text, headers

    # --- handshake ------------------------------------------------------------------------------
    def handshake(self) -> bool:
        status, text, headers = self._request(
            "GET", "/iclock/cdata", {"options": "all", "pushver": self.pushver, "language": "69"}
        )
        if status != 200:
            return False
        options = {}
        for line in text.splitlines():
            key, sep, value = line.partition("=")
            if sep:
                options[key.strip()] = value.strip()
        self.server_options = options
        if "ATTLOGStamp" in options and options["ATTLOGStamp"].lstrip("-").isdigit():
            self.stamp = max(0, min(int(options["ATTLOGStamp"]), self.state.last_seq()))
        self.delay = _number(options.get("Delay"), self.delay)
        self.error_delay = _number(options.get("ErrorDelay"), self.error_delay)
        self.trans_interval = _number(options.get("TransInterval"), self.trans_interval)
        self.realtime = self.realtime or options.get("Realtime") == "1"
        self._set_clock(headers, options.get("TimeZone"))
        self.registered = True
        return True

    def _set_clock(self, headers, zone_hours: str | None) -> None:
        """Devices take their time from the server's ``Date`` header (UTC), shifted by ``TimeZone``
        hours when the server sends one, else by the device's own zone."""
        if not self.clock_from_server or not headers or not headers.get("Date"):
            return
        try:
            utc = parsedate_to_datetime(headers["Date"]).astimezone(UTC)
        except (TypeError, ValueError):
            return
        if zone_hours is not None and re.fullmatch(r"-?\d+(\.\d+)?", zone_hours):
            local = utc.replace(tzinfo=None) + timedelta(hours=float(zone_hours))
        else:
            local = utc.astimezone(self.state.zone).replace(tzinfo=None)
        self.state.set_clock(local)

    # --- uploads --------------------------------------------------------------------------------
    def pending(self) -> list[AttendanceRecord]:
        return [r for r in self.state.records() if r.seq > self.stamp]

    @staticmethod
    def line(record: AttendanceRecord) -> str:
        return f"{record.pin}\t{record.time_text}\t{record.status}\t{record.verify}\t{record.workcode}\t0\t0"

    def post_attlog(self, records: list[AttendanceRecord], stamp: int) -> bool:
        body = "".join(self.line(r) + "\n" for r in records)
        status, text, _headers = self._request("POST", "/iclock/cdata", {"table": "ATTLOG", "Stamp": stamp}, body)
        return status == 200 and bool(OK_REPLY.match(text))

    def upload(self) -> bool:
        """Send the next batch; advance the cursor only on ``OK: n``."""
        batch = self.pending()[: self.batch_size]
        if not batch:
            return True
        if self.post_attlog(batch, batch[-1].seq):
            self.stamp = batch[-1].seq
            self.uploaded += len(batch)
            return True
        self.failures += 1
        return False

    # --- commands -------------------------------------------------------------------------------
    def poll_commands(self) -> None:
        status, text, _headers = self._request("GET", "/iclock/getrequest", {})
        if status != 200:
            return
        results = []
        for raw in text.splitlines():
            match = COMMAND_LINE.match(raw.strip())
            if match:
                command_id, command = match.groups()
                code, verb, extra = self.execute(command)
                results.append(f"ID={command_id}&Return={code}&CMD={verb}" + "".join(f"\n{x}" for x in extra))
        if results:
            self._request("POST", "/iclock/devicecmd", {}, "\n".join(results) + "\n")

    def execute(self, command: str) -> tuple[int, str, list[str]]:
        """Run one server command: (return code, verb, extra lines for the reply)."""
        head, _, rest = command.strip().partition(" ")
        if head == "DATA":
            return self._data_command(rest), "DATA", []
        if command.startswith("SET OPTION"):
            for key, value in _fields(command[len("SET OPTION") :]).items():
                if key == "DateTime":
                    moment = p.decode_time(int(value)) if value.isdigit() else _parse_time(value)
                    if moment is None:
                        return UNSUPPORTED, "SET OPTION", []
                    self.state.set_clock(moment)
                else:
                    with self.state.lock:
                        self.state.options[key] = value
            return 0, "SET OPTION", []
        if command.strip() == "CLEAR LOG":
            self.state.clear_records()
            return 0, "CLEAR LOG", []
        if command.strip() == "CLEAR DATA":
            self.state.clear_records()
            self.state.clear_users()
            return 0, "CLEAR DATA", []
        if head in ("CHECK", "REBOOT"):
            self.registered = False
            return 0, head, []
        if head == "INFO":
            info = self.state.info
            lines = [f"~SerialNumber={info.serial}", f"~DeviceName={info.device_name}", f"FWVersion={info.firmware}",
                     f"UserCount={len(self.state.users())}", f"TransactionCount={self.state.record_count()}",
                     f"MAC={info.mac}", f"~Platform={info.platform}"]  # fmt: skip
            return 0, "INFO", lines
        return UNSUPPORTED, head or "UNKNOWN", []

    def _data_command(self, rest: str) -> int:
        action, _, rest = rest.partition(" ")
        table, _, args = rest.partition(" ")
        fields = _fields(args)
        if action == "QUERY" and table == "ATTLOG":
            records = self.state.records_between(_parse_time(fields.get("StartTime", "")) or None,
                                                 _parse_time(fields.get("EndTime", "")) or None)  # fmt: skip
            for i in range(0, len(records), self.batch_size):
                if not self.post_attlog(records[i : i + self.batch_size], self.stamp):
                    return UNSUPPORTED
            return 0
        if action == "UPDATE" and table == "USERINFO" and fields.get("PIN"):
            self.state.set_user(
                fields["PIN"],
                fields.get("Name", ""),
                privilege=int(_number(fields.get("Pri"), 0)),
                password=fields.get("Passwd", ""),
                card=int(_number(fields.get("Card"), 0)),
                group=fields.get("Grp", "1") or "1",
            )
            return 0
        if action == "DELETE" and table == "USERINFO" and fields.get("PIN"):
            self.state.delete_user(pin=fields["PIN"])
            return 0
        return UNSUPPORTED

    # --- loop -----------------------------------------------------------------------------------
    def _on_punch(self, record: AttendanceRecord) -> None:
        if self.realtime:
            self._wake.set()

    def run(self, stop: threading.Event) -> None:
        logger.info("simulator %s: pushing to %s", self.state.info.serial, self.base)
        upload_at = next_poll = 0.0
        while not stop.is_set():
            self._wake.clear()
            now = time.monotonic()
            if not self.registered:
                if not self.handshake():
                    stop.wait(self.error_delay)
                    continue
                upload_at = next_poll = now
            if now >= upload_at and self.pending():
                ok = self.upload()
                if ok and self.pending():
                    continue  # more batches waiting: send them now
                interval = 0 if self.realtime else self.trans_interval * 60
                upload_at = now + (interval if ok else self.error_delay)
            if now >= next_poll:
                self.poll_commands()
                next_poll = time.monotonic() + self.delay
            deadlines = [next_poll] + ([upload_at] if self.pending() else [])
            self._wake.wait(max(0.02, min(deadlines) - time.monotonic()))
        self.state.unsubscribe(self._on_punch)
