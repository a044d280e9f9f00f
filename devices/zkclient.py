"""The adapter around pyzk 0.9 that the pull relies on.

pyzk speaks the terminal protocol well enough to connect, authenticate and send commands, but its
buffered read loses or hangs on what real terminals do (see the ZKTeco notes): chunks sent as many
1008-byte DATA packets, connections closed mid-transfer (pyzk spins forever), replies split across
TCP segments, and one impossible date failing a whole pull. This module keeps pyzk for the session
and the commands, replaces the chunk reading with a framed reader that always makes progress or
fails, and parses the attendance buffer itself so one bad record is quarantined instead of failing
the run.
"""

from __future__ import annotations

import datetime as dt
import select
import struct
from dataclasses import dataclass

from django.utils.translation import gettext
from zk import ZK, const
from zk.exception import ZKErrorConnection, ZKErrorResponse, ZKNetworkError

__all__ = ["RawRecord", "RobustZK", "TerminalProtocolError", "decode_time", "parse_attendance"]

CMD_READ_BUFFER = 1504
TCP_MAGIC = (const.MACHINE_PREPARE_DATA_1, const.MACHINE_PREPARE_DATA_2)


class TerminalProtocolError(ZKNetworkError):
    """The terminal closed the connection, stalled, or sent something that is not the protocol."""


def decode_time(raw: bytes) -> dt.datetime:
    """The terminal's packed u32 time → naive device-local datetime (raises ValueError when the
    fields make an impossible date such as 30 February)."""
    t = struct.unpack("<I", raw)[0]
    second, t = t % 60, t // 60
    minute, t = t % 60, t // 60
    hour, t = t % 24, t // 24
    day, t = t % 31 + 1, t // 31
    month, t = t % 12 + 1, t // 12
    return dt.datetime(t + 2000, month, day, hour, minute, second)  # noqa: DTZ001 - device-local wall clock


@dataclass(frozen=True)
class RawRecord:
    """One attendance record as read: ``punch`` is None and ``problem`` says why when it could not
    be decoded; ``raw`` keeps its bytes (hex) for the quarantine."""

    index: int
    pin: str
    local_time: dt.datetime | None
    status: int
    verify_type: int
    raw: str
    problem: str = ""


def _record_size(total: int, count: int) -> int:
    if count and total % count == 0 and total // count in (8, 16, 40):
        return total // count
    for size in (40, 16, 8):
        if total % size == 0:
            return size
    return 40


def parse_attendance(buffer: bytes, device_count: int) -> tuple[list[RawRecord], int]:
    """Parse the attendance buffer (u32 byte count + fixed-size records). Returns the records and
    the record size used. A record whose time is impossible keeps ``problem`` instead of raising."""
    if len(buffer) < 4:
        return [], 0
    total = struct.unpack("<I", buffer[:4])[0]
    body = buffer[4 : 4 + total]
    size = _record_size(total, device_count)
    records: list[RawRecord] = []
    for index in range(len(body) // size):
        chunk = body[index * size : (index + 1) * size]
        if size == 40:
            _uid, user_id, verify, packed_time, state, _ = struct.unpack("<H24sB4sB8s", chunk)
            pin = user_id.split(b"\x00")[0].decode("ascii", errors="replace").strip()
        elif size == 16:
            user_no, packed_time, verify, state, _, _workcode = struct.unpack("<I4sBB2sI", chunk)
            pin = str(user_no)
        else:
            uid, verify, packed_time, state = struct.unpack("<HB4sB", chunk)
            pin = str(uid)
        try:
            when, problem = decode_time(packed_time), ""
        except ValueError:
            when, problem = None, gettext("impossible date")
        records.append(RawRecord(index, pin, when, state, verify, chunk.hex(), problem))
    return records, size


class RobustZK(ZK):
    """pyzk's ``ZK`` with a buffered read that makes progress or fails, never spins.

    pyzk calls its private ``__read_chunk`` and ``__recieve_raw_data`` (name-mangled to
    ``_ZK__...``); defining those names here replaces them for every pyzk method that reads a
    buffer (attendance, users).
    """

    def __init__(self, ip: str, port: int = 4370, *, timeout: float = 10, password: int = 0, force_udp: bool = False):
        # ommit_ping: pyzk would otherwise shell out to `ping` with the host in the command line.
        super().__init__(ip, port=port, timeout=timeout, password=password, force_udp=force_udp, ommit_ping=True)

    # --- low-level framed TCP reading ------------------------------------------------------------
    def _recv_exact(self, size: int) -> bytes:
        sock = self._ZK__sock
        parts, missing = [], size
        while missing > 0:
            try:
                part = sock.recv(missing)
            except OSError as exc:  # timeout included: the terminal stalled
                raise TerminalProtocolError(f"no data from the terminal ({exc})") from exc
            if not part:
                raise TerminalProtocolError("the terminal closed the connection in the middle of a transfer")
            parts.append(part)
            missing -= len(part)
        return b"".join(parts)

    def _read_packet(self) -> tuple[int, int, bytes]:
        """One TCP packet: (command, reply id, payload)."""
        top = self._recv_exact(8)
        magic1, magic2, length = struct.unpack("<HHI", top)
        if (magic1, magic2) != TCP_MAGIC or length < 8 or length > 16 * 1024 * 1024:
            raise TerminalProtocolError("not a terminal protocol packet")
        packet = self._recv_exact(length)
        command, _checksum, _session, reply_id = struct.unpack("<4H", packet[:8])
        return command, reply_id, packet[8:]

    def _drain_stale_ack(self) -> None:
        """Swallow an ACK_OK some firmware sends after the last DATA packet of a chunk."""
        sock = self._ZK__sock
        readable, _, _ = select.select([sock], [], [], 0.05)
        if readable:
            command, _, _ = self._read_packet()
            if command != const.CMD_ACK_OK:
                raise TerminalProtocolError(f"unexpected packet {command} after a chunk")

    # --- replacements of pyzk's private readers ----------------------------------------------------
    def _ZK__send_command(self, command: int, command_string: bytes = b"", response_size: int = 8) -> dict:
        """pyzk's command round trip, but reading the reply as one whole framed packet: pyzk reads
        whatever one ``recv`` returns, so a reply split across TCP segments leaves it with an empty
        payload (e.g. a record count of 0, and a silently empty pull)."""
        if not self.tcp:
            return super()._ZK__send_command(command, command_string, response_size)
        if command not in (const.CMD_CONNECT, const.CMD_AUTH) and not self.is_connect:
            raise ZKErrorConnection("instance are not connected.")
        header = self._ZK__create_header(command, command_string, self._ZK__session_id, self._ZK__reply_id)
        try:
            self._ZK__sock.send(self._ZK__create_tcp_top(header))
        except OSError as exc:
            raise ZKNetworkError(str(exc)) from exc
        top = self._recv_exact(8)
        magic1, magic2, length = struct.unpack("<HHI", top)
        if (magic1, magic2) != TCP_MAGIC or length < 8:
            raise TerminalProtocolError("not a terminal protocol packet")
        packet = self._recv_exact(length)
        # The state pyzk's own methods read after a command.
        self._ZK__tcp_data_recv = top + packet
        self._ZK__tcp_length = length
        self._ZK__header = struct.unpack("<4H", packet[:8])
        self._ZK__data_recv = packet
        self._ZK__response = self._ZK__header[0]
        self._ZK__reply_id = self._ZK__header[3]
        self._ZK__data = packet[8:]
        ok = self._ZK__response in (const.CMD_ACK_OK, const.CMD_PREPARE_DATA, const.CMD_DATA)
        return {"status": ok, "code": self._ZK__response}

    def _ZK__recieve_raw_data(self, size: int) -> bytes:
        return self._recv_exact(size)

    def _ZK__read_chunk(self, start: int, size: int) -> bytes:
        if not self.tcp:
            return super()._ZK__read_chunk(start, size)
        sock = self._ZK__sock
        header = self._ZK__create_header(
            CMD_READ_BUFFER, struct.pack("<ii", start, size), self._ZK__session_id, self._ZK__reply_id
        )
        try:
            sock.send(self._ZK__create_tcp_top(header))
        except OSError as exc:
            raise TerminalProtocolError(f"cannot send to the terminal ({exc})") from exc
        data = bytearray()
        expected = size
        prepared = False
        while len(data) < expected:
            command, reply_id, payload = self._read_packet()
            self._ZK__reply_id = reply_id
            if command == const.CMD_PREPARE_DATA:
                expected = struct.unpack("<I", payload[:4])[0]
                prepared = True
            elif command == const.CMD_DATA:
                data.extend(payload)
            elif command == const.CMD_ACK_OK and not data:
                continue
            else:
                raise TerminalProtocolError(f"unexpected reply {command} while reading a chunk")
        if prepared:
            command, reply_id, _ = self._read_packet()
            if command != const.CMD_ACK_OK:
                raise TerminalProtocolError(f"chunk not closed by ACK_OK (got {command})")
        else:
            self._drain_stale_ack()
        return bytes(data[:expected])

    def read_attendance_buffer(self) -> bytes:
        """The raw attendance buffer (u32 byte count + records)."""
        data, _size = self.read_with_buffer(const.CMD_ATTLOG_RRQ)
        return data


NETWORK_ERRORS = (ZKNetworkError, ZKErrorConnection, ZKErrorResponse, OSError, TimeoutError, struct.error)
