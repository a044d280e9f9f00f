"""The simulated terminal: TCP and UDP servers on one port number (4370-style), or an ADMS push
client, around a ``DeviceState``. Several instances can run in one process on different ports.

    sim = TerminalSimulator(port=0, users=20, history_days=3, seed=1).start()
    ZK("127.0.0.1", port=sim.port, ommit_ping=True, timeout=2).connect()
    ...
    sim.stop()
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
import time
from collections.abc import Iterable
from datetime import datetime

from . import generator
from . import protocol as p
from .handlers import CommandHandler, Faults, Out, Session
from .state import DEFAULT_TIME_ZONE, AttendanceRecord, DeviceInfo, DeviceState, SimUser

logger = logging.getLogger("devices.simulator")


class TerminalSimulator:
    """A ZKTeco terminal that pyzk 0.9 can talk to, with knobs to make it misbehave like real ones.

    ``users``: a number (synthetic users, PINs 900001...) or (pin, name) pairs. ``password``: the
    numeric comm password (None: none). ``chunk_mode``: how a TCP 1504 chunk is sent: ``single`` (one
    DATA packet), ``prepare`` (PREPARE_DATA + DATA + ACK_OK) or ``packets`` (PREPARE_DATA + DATA packets
    of 1008 bytes + ACK_OK, as real terminals do). UDP chunks always go as PREPARE_DATA + 1024-byte DATA
    datagrams + ACK_OK, which is what pyzk reads over UDP. Buffers up to ``inline_max`` bytes are
    answered inline. ``push_url``: act as an ADMS device posting to that server instead of listening.
    Fault keywords: see ``Faults``; ``bad_date_records`` / ``garbage_records`` add broken records.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 4370,
        udp: bool = True,
        users: int | Iterable[tuple[str, str]] = 0,
        password: int | str | None = None,
        serial: str = "SIM0000000001",
        device_name: str = "SIM-F22",
        platform: str = "ZMM220_TFT",
        firmware: str = "Ver 6.60 Apr 28 2017",
        mac: str = "00:17:61:00:00:01",
        time_zone: str = DEFAULT_TIME_ZONE,
        clock_offset: float = 0.0,
        history_days: int = 0,
        seed: int = 0,
        punch_rate: float = 0.0,
        chunk_mode: str = "single",
        inline_max: int = p.INLINE_MAX,
        session_id: int | None = None,
        strict_checksums: bool = True,
        bad_date_records: int = 0,
        garbage_records: int = 0,
        close_after_bytes: int | None = None,
        stall_after_bytes: int | None = None,
        fault_limit: int | None = None,
        reply_delay: float = 0.0,
        split_replies: bool | Iterable[int] = False,
        garbage_if_enabled: bool = False,
        push_url: str | None = None,
        realtime: bool = False,
        push_options: dict | None = None,
    ) -> None:
        self.host, self.port, self.udp = host, port, udp
        info = DeviceInfo(serial=serial, device_name=device_name, platform=platform, firmware=firmware, mac=mac)
        self.state = DeviceState(info, time_zone=time_zone, clock_offset=clock_offset)
        self.faults = Faults(
            close_after_bytes=close_after_bytes,
            stall_after_bytes=stall_after_bytes,
            fault_limit=fault_limit,
            reply_delay=reply_delay,
            split_replies=split_replies if isinstance(split_replies, bool) else frozenset(split_replies),
            garbage_if_enabled=garbage_if_enabled,
        )
        self.handler = CommandHandler(
            self.state,
            password=int(password) if password not in (None, "", 0, "0") else None,
            faults=self.faults,
            chunk_mode=chunk_mode,
            inline_max=inline_max,
            session_id=session_id,
        )
        self.strict_checksums = strict_checksums
        self.bad_checksums = 0
        self.connections = 0
        self.seed = seed
        self.punch_rate = punch_rate
        self.push_url, self.realtime, self.push_options = push_url, realtime, push_options or {}
        self.push = None
        self.generator: generator.PunchGenerator | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._tcp: socket.socket | None = None
        self._udp: socket.socket | None = None
        self._clients: set[socket.socket] = set()
        self._udp_sessions: dict[int, Session] = {}
        self._tcp_sessions: dict[Session, socket.socket] = {}
        self._lock = threading.Lock()

        generator.enrol(self.state, generator.synthetic_users(users) if isinstance(users, int) else users)
        if history_days:
            generator.fill_history(self.state, days=history_days, seed=seed)
        generator.add_broken_records(self.state, bad_dates=bad_date_records, garbage=garbage_records)
        self.state.subscribe(self._send_live_event)

    # --- what tests look at ---------------------------------------------------------------------
    @property
    def serial(self) -> str:
        return self.state.info.serial

    @property
    def users(self) -> list[SimUser]:
        return self.state.users()

    @property
    def attendance(self) -> list[AttendanceRecord]:
        return self.state.records()

    @property
    def enabled(self) -> bool:
        return self.state.enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self.state.set_enabled(value)

    @property
    def clock_offset(self) -> float:
        return self.state.clock_offset

    @clock_offset.setter
    def clock_offset(self, seconds: float) -> None:
        self.state.clock_offset = float(seconds)

    @property
    def commands(self) -> list[str]:
        """Names of the commands received so far (``CONNECT``, ``DISABLEDEVICE``, ``1503``...)."""
        return [name for _session, name in list(self.handler.commands)]

    @property
    def pending_punches(self) -> int:
        """Punches waiting because the device is disabled."""
        return self.state.pending()

    def device_now(self) -> datetime:
        return self.state.now()

    def add_user(self, pin: str, name: str = "", **fields) -> SimUser:
        return self.state.set_user(str(pin), name, **fields)

    def remove_user(self, pin: str) -> bool:
        return self.state.delete_user(pin=str(pin))

    def add_punch(self, pin: str, moment: datetime, *, status: int = 0, verify: int = 1, workcode: int = 0):
        """Store a punch at a given device-local time (whatever the device state)."""
        return self.state.add_records([(str(pin), p.encode_time(moment), status, verify, workcode)])[0]

    def add_raw_punch(self, pin: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0,
                      second: int = 0, *, status: int = 0, verify: int = 1) -> AttendanceRecord:  # fmt: skip
        """Store a punch with a date that need not exist (30 February) or make sense (2130)."""
        code = p.encode_time_parts(year, month, day, hour, minute, second)
        return self.state.add_records([(str(pin), code, status, verify, 0)])[0]

    def punch(self, pin: str, *, status: int = 0, verify: int = 1) -> AttendanceRecord | None:
        """Someone punches now; waits (returns None) while the device is disabled."""
        return self.state.punch(str(pin), status=status, verify=verify)

    def clear_attendance(self) -> None:
        self.state.clear_records()

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> TerminalSimulator:
        if self.push_url:
            from .push import PushClient

            self.push = PushClient(self.state, self.push_url, realtime=self.realtime, **self.push_options)
            self._spawn(self.push.run, self._stop, name="push")
        else:
            self._bind()
            self._spawn(self._accept_loop, name="tcp")
            if self._udp:
                self._spawn(self._udp_loop, name="udp")
            logger.info("simulator %s listening on %s:%s (tcp%s)", self.serial, self.host, self.port,
                        "+udp" if self._udp else "")  # fmt: skip
        if self.punch_rate:
            self.generator = generator.PunchGenerator(self.state, self.punch_rate, seed=self.seed)
            self._spawn(self.generator.run, self._stop, name="punches")
        return self

    def stop(self) -> None:
        self._stop.set()
        for sock in [self._tcp, self._udp, *list(self._clients)]:
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.state.unsubscribe(self._send_live_event)
        logger.info("simulator %s stopped", self.serial)

    def __enter__(self) -> TerminalSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self, target, *args, name: str) -> None:
        thread = threading.Thread(target=target, args=args, name=f"sim-{self.serial}-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _bind(self) -> None:
        """TCP and UDP on the same port number; with port 0, retry until both get the same one."""
        for _attempt in range(50):
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((self.host, self.port))
            port = tcp.getsockname()[1]
            if not self.udp:
                break
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                udp.bind((self.host, port))
            except OSError:
                udp.close()
                tcp.close()
                if self.port:
                    raise
                continue
            udp.settimeout(0.3)
            self._udp = udp
            break
        else:
            raise OSError("no port free for both TCP and UDP")
        tcp.listen(16)
        self._tcp, self.port = tcp, port

    # --- TCP ------------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._tcp], [], [], 0.3)
                if not ready:
                    continue
                conn, peer = self._tcp.accept()
            except (OSError, ValueError):
                return
            with self._lock:
                self._clients.add(conn)
                self.connections += 1
            self._spawn(self._serve_tcp, conn, peer, name=f"conn-{peer[1]}")

    def _recv_exact(self, conn: socket.socket, size: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < size:
            if self._stop.is_set():
                return None
            try:
                ready, _, _ = select.select([conn], [], [], 0.3)
                if not ready:
                    continue
                chunk = conn.recv(size - len(buf))
            except (OSError, ValueError):
                return None
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def _serve_tcp(self, conn: socket.socket, peer: tuple) -> None:
        session = Session(id=0, transport="tcp", peer=peer)
        with self._lock:
            self._tcp_sessions[session] = conn
        logger.info("simulator %s: connection from %s:%s", self.serial, *peer[:2])
        try:
            while not self._stop.is_set() and not session.dead:
                top = self._recv_exact(conn, p.TCP_TOP_SIZE)
                if top is None or top[:4] != p.TCP_MAGIC:
                    break
                packet = self._recv_exact(conn, p.U32.unpack(top[4:])[0])
                if packet is None or len(packet) < p.HEADER_SIZE:
                    break
                outs, reply_id = self._dispatch(session, packet)
                if outs:
                    self._reply(session, conn, outs, reply_id, p.U32.unpack(packet[:2] + b"\x00\x00")[0])
            if session.stalled:
                self._stop.wait()  # stalled: hold the connection open, answer nothing, until stopped
        finally:
            with self._lock:
                self._tcp_sessions.pop(session, None)
                self._clients.discard(conn)
            conn.close()
            logger.info("simulator %s: connection from %s:%s closed", self.serial, *peer[:2])

    def _dispatch(self, session: Session, packet: bytes) -> tuple[list[Out] | None, int]:
        command, chk, _session_id, reply_id, payload = p.parse_header(packet)
        if p.checksum(packet[:2] + b"\x00\x00" + packet[4:]) != chk:
            self.bad_checksums += 1
            logger.warning("simulator %s: bad checksum on %s", self.serial, p.command_name(command))
            if self.strict_checksums:
                return None, reply_id  # a real terminal ignores the packet
        return self.handler.handle(session, command, payload), reply_id

    def _encode(self, session: Session, outs: list[Out], reply_id: int) -> tuple[list[bytes], int | None, str]:
        """Framed packets, and where the armed transfer fault cuts the stream (byte offset in the
        joined packets; None: no cut)."""
        packets, offset, cut, kind = [], 0, None, ""
        for out in outs:
            raw = p.make_header(out.command, session.id, reply_id, out.payload)
            if session.transport == "tcp":
                raw = p.tcp_frame(raw)
            if out.data and session.fault and cut is None:
                kind, limit = session.fault
                if session.sent + out.data > limit:
                    cut = offset + len(raw) - out.data + max(limit - session.sent, 0)
                session.sent += out.data
            packets.append(raw)
            offset += len(raw)
        return packets, cut, kind

    def _reply(self, session: Session, conn: socket.socket, outs: list[Out], reply_id: int, command: int) -> None:
        if self.faults.reply_delay and self._stop.wait(self.faults.reply_delay):
            return
        packets, cut, kind = self._encode(session, outs, reply_id)
        stream = b"".join(packets)
        if cut is not None:
            stream = stream[:cut]
        with session.send_lock:
            try:
                if self.faults.splits(command) and len(stream) > 16:
                    conn.sendall(stream[:16])
                    time.sleep(0.05)
                    stream = stream[16:]
                conn.sendall(stream)
            except OSError:
                session.dead = True
                return
        if cut is not None:
            self._trigger(session, kind, cut)
            if kind == "close":
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        if session.dead and cut is None:  # EXIT: the device closes its side
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def _trigger(self, session: Session, kind: str, cut: int) -> None:
        session.dead, session.stalled = True, kind == "stall"
        self.faults.triggered.append(kind)
        logger.info("simulator %s: fault %s after %d transfer bytes (session %s)", self.serial, kind,
                    session.fault[1] if session.fault else cut, session.id)  # fmt: skip

    # --- UDP ------------------------------------------------------------------------------------
    def _udp_loop(self) -> None:
        while not self._stop.is_set():
            try:
                packet, peer = self._udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            if len(packet) < p.HEADER_SIZE:
                continue
            command, _chk, session_id, _reply, _payload = p.parse_header(packet)
            if command == p.CMD_CONNECT:
                session = Session(id=0, transport="udp", peer=peer)
            else:
                session = self._udp_sessions.get(session_id) or Session(id=session_id, transport="udp", peer=peer)
            if session.dead:
                continue  # stalled or closed by a fault: silence
            session.peer = peer
            outs, reply_id = self._dispatch(session, packet)
            if session.authed or command == p.CMD_CONNECT:
                with self._lock:
                    self._udp_sessions[session.id] = session
            if not outs:
                continue
            if self.faults.reply_delay and self._stop.wait(self.faults.reply_delay):
                return
            packets, cut, kind = self._encode(session, outs, reply_id)
            offset = 0
            for raw in packets:
                if cut is not None and offset + len(raw) > cut:
                    self._trigger(session, kind, cut)
                    break
                with contextlib.suppress(OSError):
                    self._udp.sendto(raw, peer)
                offset += len(raw)
            if session.dead and cut is None:
                with self._lock:
                    self._udp_sessions.pop(session.id, None)

    # --- live events (REG_EVENT) ----------------------------------------------------------------
    def _send_live_event(self, record: AttendanceRecord) -> None:
        payload = p.pack_event(record.pin, record.time_code, record.verify, record.status)
        with self._lock:
            targets = [*self._tcp_sessions.items(), *((s, None) for s in self._udp_sessions.values())]
        for session, conn in targets:
            if not session.events & p.EF_ATTLOG or session.dead:
                continue
            packet = p.make_header(p.CMD_REG_EVENT, session.id, 0, payload)
            try:
                if conn is None:
                    self._udp.sendto(packet, session.peer)
                else:
                    with session.send_lock:
                        conn.sendall(p.tcp_frame(packet))
            except OSError:
                continue
