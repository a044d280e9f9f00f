"""Answers to each 4370 command, transport-neutral: ``CommandHandler.handle`` turns one request into
the list of packets the device sends back. The server (server.py) frames and sends them, and applies
the transfer faults, which need to know how many buffer bytes each packet carries (``Out.data``).
"""

from __future__ import annotations

import itertools
import logging
import struct
import threading
from collections import deque
from dataclasses import dataclass, field

from . import protocol as p
from .state import AttendanceRecord, DeviceState

logger = logging.getLogger("devices.simulator")

CHUNK_MODES = ("single", "prepare", "packets")


@dataclass
class Out:
    """One packet to send: command, payload, and how many bytes at the end of the payload are
    buffer data (counted for the close/stall-after-N-bytes faults)."""

    command: int
    payload: bytes = b""
    data: int = 0


@dataclass
class Faults:
    """Fault injection, changeable while the simulator runs (``sim.faults.stall_after_bytes = None``).

    - ``close_after_bytes``: close the connection after N buffer bytes of a transfer (1503 inline
      DATA or 1504 chunks) were sent, mid-packet. pyzk 0.9 then spins at 100 % CPU forever.
    - ``stall_after_bytes``: same, but keep the connection open and stop answering. pyzk raises a
      bare ``TimeoutError``.
    - ``fault_limit``: how many transfers the two faults above hit (None: every transfer).
    - ``reply_delay``: seconds to wait before each reply.
    - ``split_replies``: send each reply's 16-byte TCP header and its payload as separate segments
      (True: every command; or a set of command codes, e.g. ``{50}``). pyzk reads only the header and
      then misreads the payload as the next reply: ``get_attendance()`` returns ``[]`` silently.
    - ``garbage_if_enabled``: an attendance read while the device is enabled contains one extra
      garbage record (empty PIN, year 2130), as reading while people punch does.
    """

    close_after_bytes: int | None = None
    stall_after_bytes: int | None = None
    fault_limit: int | None = None
    reply_delay: float = 0.0
    split_replies: bool | frozenset[int] | set[int] = False
    garbage_if_enabled: bool = False
    triggered: list[str] = field(default_factory=list)

    def transfer_fault(self) -> tuple[str, int] | None:
        """(kind, byte count) of the fault armed for the next transfer, if any."""
        if self.fault_limit is not None and len(self.triggered) >= self.fault_limit:
            return None
        if self.close_after_bytes is not None:
            return "close", self.close_after_bytes
        if self.stall_after_bytes is not None:
            return "stall", self.stall_after_bytes
        return None

    def splits(self, command: int) -> bool:
        if isinstance(self.split_replies, bool):
            return self.split_replies
        return command in self.split_replies


@dataclass(eq=False)
class Session:
    """One client session (a TCP connection, or a UDP peer's session id)."""

    id: int
    transport: str  # "tcp" or "udp"
    peer: tuple
    authed: bool = False
    buffer: bytes | None = None
    sent: int = 0  # buffer bytes sent in the current transfer
    fault: tuple[str, int] | None = None  # armed for the current transfer
    events: int = 0  # REG_EVENT flags
    dead: bool = False  # closed or stalled by a fault, or after EXIT
    stalled: bool = False  # by a fault: the connection stays open and silent
    send_lock: threading.Lock = field(default_factory=threading.Lock)


class CommandHandler:
    """The device's command table. Shared by the TCP and UDP servers of one simulator."""

    def __init__(
        self,
        state: DeviceState,
        *,
        password: int | None,
        faults: Faults,
        chunk_mode: str = "single",
        inline_max: int = p.INLINE_MAX,
        session_id: int | None = None,
    ) -> None:
        if chunk_mode not in CHUNK_MODES:
            raise ValueError(f"chunk_mode must be one of {CHUNK_MODES}, not {chunk_mode!r}")
        self.state = state
        self.password = password or None
        self.faults = faults
        self.chunk_mode = chunk_mode
        self.inline_max = inline_max
        self.fixed_session_id = session_id
        self._session_ids = itertools.count(((id(self) >> 4) % 40000) + 1000)
        self.commands: deque[tuple[int, str]] = deque(maxlen=20_000)  # (session id, command name)

    def new_session_id(self) -> int:
        if self.fixed_session_id is not None:
            return self.fixed_session_id
        return next(self._session_ids) % 0xFFFE + 1

    def handle(self, session: Session, command: int, payload: bytes) -> list[Out] | None:
        """The packets answering ``command``; None for no answer (the client's own ACK_OK)."""
        if command == p.CMD_ACK_OK:
            return None  # pyzk acknowledges live events; a device does not answer that
        self.commands.append((session.id, p.command_name(command)))
        logger.info(
            "simulator %s: session %s %s %s (%d bytes)",
            self.state.info.serial, session.id, session.transport, p.command_name(command), len(payload),
        )  # fmt: skip
        if command == p.CMD_CONNECT:
            session.id = self.new_session_id()
            session.authed = self.password is None
            return [Out(p.CMD_ACK_OK if session.authed else p.CMD_ACK_UNAUTH)]
        if command == p.CMD_AUTH:
            session.authed = self.password is None or p.check_commkey(self.password, session.id, payload)
            return [Out(p.CMD_ACK_OK if session.authed else p.CMD_ACK_UNAUTH)]
        if not session.authed:
            return [Out(p.CMD_ACK_UNAUTH)]
        method = self._table.get(command)
        return method(self, session, payload) if method else [Out(p.CMD_ACK_OK)]

    # --- simple commands ------------------------------------------------------------------------
    def _exit(self, session: Session, payload: bytes) -> list[Out]:
        session.dead = True
        return [Out(p.CMD_ACK_OK)]

    def _enable(self, session: Session, payload: bytes) -> list[Out]:
        self.state.set_enabled(True)
        return [Out(p.CMD_ACK_OK)]

    def _disable(self, session: Session, payload: bytes) -> list[Out]:
        self.state.set_enabled(False)
        return [Out(p.CMD_ACK_OK)]

    def _version(self, session: Session, payload: bytes) -> list[Out]:
        return [Out(p.CMD_ACK_OK, self.state.info.firmware.encode() + b"\x00")]

    def _options_read(self, session: Session, payload: bytes) -> list[Out]:
        key = payload.split(b"\x00")[0].decode("ascii", errors="replace")
        value = self.state.option(key)
        if value is None:
            return [Out(p.CMD_ACK_ERROR)]
        return [Out(p.CMD_ACK_OK, f"{key}={value}".encode() + b"\x00")]

    def _options_write(self, session: Session, payload: bytes) -> list[Out]:
        key, _, value = payload.split(b"\x00")[0].decode("utf-8", errors="replace").partition("=")
        with self.state.lock:
            self.state.options[key] = value
        return [Out(p.CMD_ACK_OK)]

    def _sizes(self, session: Session, payload: bytes) -> list[Out]:
        return [Out(p.CMD_ACK_OK, self.state.sizes())]

    def _pin_width(self, session: Session, payload: bytes) -> list[Out]:
        return [Out(p.CMD_ACK_OK, bytes([self.state.info.pin_width]))]

    def _get_time(self, session: Session, payload: bytes) -> list[Out]:
        return [Out(p.CMD_ACK_OK, p.U32.pack(p.encode_time(self.state.now())))]

    def _set_time(self, session: Session, payload: bytes) -> list[Out]:
        moment = p.decode_time(p.U32.unpack(payload[:4])[0]) if len(payload) >= 4 else None
        if moment is None:
            return [Out(p.CMD_ACK_ERROR)]
        self.state.set_clock(moment)
        return [Out(p.CMD_ACK_OK)]

    def _clear_attlog(self, session: Session, payload: bytes) -> list[Out]:
        self.state.clear_records()
        return [Out(p.CMD_ACK_OK)]

    def _clear_data(self, session: Session, payload: bytes) -> list[Out]:
        self.state.clear_records()
        self.state.clear_users()
        return [Out(p.CMD_ACK_OK)]

    def _user_write(self, session: Session, payload: bytes) -> list[Out]:
        user = p.unpack_user_write(payload)
        if user is None or not user["pin"]:
            return [Out(p.CMD_ACK_ERROR)]
        pin = user.pop("pin")
        self.state.set_user(pin, user.pop("name"), **user)
        return [Out(p.CMD_ACK_OK)]

    def _delete_user(self, session: Session, payload: bytes) -> list[Out]:
        if len(payload) < 2:
            return [Out(p.CMD_ACK_ERROR)]
        self.state.delete_user(uid=struct.unpack("<H", payload[:2])[0])
        return [Out(p.CMD_ACK_OK)]

    def _reg_event(self, session: Session, payload: bytes) -> list[Out]:
        session.events = p.U32.unpack(payload[:4])[0] if len(payload) >= 4 else 0
        return [Out(p.CMD_ACK_OK)]

    # --- buffered reads -------------------------------------------------------------------------
    def _prepare_buffer(self, session: Session, payload: bytes) -> list[Out]:
        if len(payload) < 11:
            return [Out(p.CMD_ACK_ERROR)]
        _one, table, fct, _ext = struct.unpack("<bhii", payload[:11])
        if table == p.CMD_ATTLOG_RRQ:
            extra = []
            if self.faults.garbage_if_enabled and self.state.enabled:
                extra = [AttendanceRecord(pin="", time_code=p.encode_time_parts(2130, 1, 1, 0, 0, 0))]
            buffer = self.state.attendance_buffer(extra)
        elif table == p.CMD_USERTEMP_RRQ and fct == p.FCT_USER:
            buffer = self.state.user_buffer()
        elif table == 7:  # fingerprint templates: never stored, always empty
            buffer = p.U32.pack(0)
        else:
            return [Out(p.CMD_ACK_ERROR)]
        session.sent, session.fault = 0, self.faults.transfer_fault()
        if len(buffer) <= self.inline_max:
            session.buffer = None
            return [Out(p.CMD_DATA, buffer, len(buffer))]
        session.buffer = buffer
        size = len(buffer)
        return [Out(p.CMD_ACK_OK, b"\x00" + struct.pack("<II", size, size) + b"\x00" * 4)]

    def _read_buffer(self, session: Session, payload: bytes) -> list[Out]:
        if session.buffer is None or len(payload) < 8:
            return [Out(p.CMD_ACK_ERROR)]
        start, size = struct.unpack("<ii", payload[:8])
        chunk = session.buffer[start : start + size]
        mode = "udp" if session.transport == "udp" else self.chunk_mode
        if mode == "single":
            return [Out(p.CMD_DATA, chunk, len(chunk))]
        piece = {"udp": p.UDP_DATA_PACKET, "packets": p.TCP_DATA_PACKET, "prepare": max(len(chunk), 1)}[mode]
        data = [Out(p.CMD_DATA, chunk[i : i + piece], len(chunk[i : i + piece])) for i in range(0, len(chunk), piece)]
        return [Out(p.CMD_PREPARE_DATA, struct.pack("<II", len(chunk), 0)), *data, Out(p.CMD_ACK_OK)]

    def _free_data(self, session: Session, payload: bytes) -> list[Out]:
        session.buffer = None
        return [Out(p.CMD_ACK_OK)]

    def _unknown_error(self, session: Session, payload: bytes) -> list[Out]:
        return [Out(p.CMD_ACK_ERROR)]

    _table = {
        p.CMD_EXIT: _exit,
        p.CMD_ENABLEDEVICE: _enable,
        p.CMD_DISABLEDEVICE: _disable,
        p.CMD_GET_VERSION: _version,
        p.CMD_OPTIONS_RRQ: _options_read,
        p.CMD_OPTIONS_WRQ: _options_write,
        p.CMD_GET_FREE_SIZES: _sizes,
        p.CMD_GET_PINWIDTH: _pin_width,
        p.CMD_GET_TIME: _get_time,
        p.CMD_SET_TIME: _set_time,
        p.CMD_CLEAR_ATTLOG: _clear_attlog,
        p.CMD_CLEAR_DATA: _clear_data,
        p.CMD_USER_WRQ: _user_write,
        p.CMD_DELETE_USER: _delete_user,
        p.CMD_REG_EVENT: _reg_event,
        p.CMD_PREPARE_BUFFER: _prepare_buffer,
        p.CMD_READ_BUFFER: _read_buffer,
        p.CMD_FREE_DATA: _free_data,
        p.CMD_ACK_ERROR: _unknown_error,  # pyzk's _clear_error sends these and reads a reply
        p.CMD_ACK_UNKNOWN: _unknown_error,
    }
