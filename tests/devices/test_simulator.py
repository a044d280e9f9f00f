"""The terminal simulator against the real pyzk 0.9: what it serves must be exactly what pyzk reads,
and each fault must reproduce the pyzk failure it is there for (docs/zkteco.md)."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from zk.base import make_commkey as pyzk_make_commkey
from zk.exception import ZKErrorResponse, ZKNetworkError

from devices.simulator import DeviceInfo, DeviceState, generator
from devices.simulator import protocol as p
from tests.conftest import wait_for

pytestmark = pytest.mark.timeout(30)
ROOT = Path(__file__).resolve().parents[2]
BASE = datetime(2025, 3, 1, 7, 40)


def fill(sim, count: int, start: datetime = BASE, pins: int = 7) -> None:
    """``count`` punches, one a minute, cycling through ``pins`` users, states and verify types."""
    items = [
        (
            str(900001 + i % pins),
            p.encode_time(start + timedelta(minutes=i, seconds=i % 60)),
            i % 2,
            (1, 15, 4)[i % 3],
            0,
        )
        for i in range(count)
    ]
    sim.state.add_records(items, notify=False)


def as_rows(attendances) -> list[tuple]:
    """pyzk's view: in 40-byte records ``status`` is the verify type and ``punch`` the in/out state."""
    return [(a.user_id, a.timestamp, a.punch, a.status) for a in attendances]


def sim_rows(sim) -> list[tuple]:
    return [(r.pin, r.timestamp, r.status, r.verify) for r in sim.attendance]


def shanghai_now() -> datetime:
    return datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)


class RawClient:
    """A bare TCP client for looking at the simulator's bytes."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        self.session, self.reply_id = 0, 0

    def send(self, command: int, payload: bytes = b"", *, bad_checksum: bool = False) -> None:
        self.reply_id += 1
        packet = bytearray(p.make_header(command, self.session, self.reply_id, payload))
        if bad_checksum:
            packet[2] ^= 0xFF
        self.sock.sendall(p.tcp_frame(bytes(packet)))

    def recv_exact(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = self.sock.recv(size - len(data))
            if not part:
                break
            data += part
        return data

    def packet(self) -> tuple[int, int, int, bytes] | None:
        """(command, session id, reply id, payload); None at EOF. Checks the reply's checksum."""
        top = self.recv_exact(8)
        if len(top) < 8:
            return None
        raw = self.recv_exact(p.U32.unpack(top[4:])[0])
        command, chk, session, reply, payload = p.parse_header(raw)
        assert chk == p.checksum(raw[:2] + b"\x00\x00" + raw[4:])
        return command, session, reply, payload

    def request(self, command: int, payload: bytes = b"") -> tuple[int, int, int, bytes]:
        self.send(command, payload)
        reply = self.packet()
        if command == p.CMD_CONNECT:
            self.session = reply[1]
        return reply

    def close(self) -> None:
        self.sock.close()


# --- identity, session, users ----------------------------------------------------------------------
def test_identity_sizes_and_checksums(terminal_simulator, zk_client):
    sim = terminal_simulator(serial="CKJF201960123", device_name="iFace702", platform="ZMM510_TFT",
                             firmware="Ver 6.70 Jan 9 2024", mac="00:17:61:aa:bb:cc", users=3)  # fmt: skip
    fill(sim, 12)
    conn = zk_client(sim).connect()
    assert conn.get_serialnumber() == "CKJF201960123"
    assert conn.get_device_name() == "iFace702"
    assert conn.get_platform() == "ZMM510_TFT"
    assert conn.get_firmware_version() == "Ver 6.70 Jan 9 2024"
    assert conn.get_mac() == "00:17:61:aa:bb:cc"
    assert conn.get_fp_version() == 10
    assert conn.get_extend_fmt() == 1
    conn.read_sizes()
    assert (conn.users, conn.records, conn.users_cap, conn.rec_cap) == (3, 12, 10_000, 200_000)
    conn.disconnect()
    assert sim.bad_checksums == 0  # pyzk's checksums are valid ones'-complement sums of what it sends
    assert sim.commands[:2] == ["CONNECT", "OPTIONS_RRQ"] and sim.commands[-1] == "EXIT"


def test_commkey_matches_pyzk():
    for key in (0, 1, 1234, 999999):
        for session in (1, 4242, 65534):
            assert p.make_commkey(key, session) == pyzk_make_commkey(key, session)
            assert p.check_commkey(key, session, pyzk_make_commkey(key, session, ticks=77))


def test_password(terminal_simulator, zk_client):
    sim = terminal_simulator(password=1234)
    conn = zk_client(sim, password=1234).connect()
    assert conn.get_serialnumber() == sim.serial
    conn.disconnect()
    with pytest.raises(ZKErrorResponse, match="Unauthenticated"):
        zk_client(sim, password=4321).connect()
    with pytest.raises(ZKErrorResponse, match="Unauthenticated"):
        zk_client(sim).connect()

    raw = RawClient(sim.port)  # commands before AUTH are refused
    assert raw.request(p.CMD_CONNECT)[0] == p.CMD_ACK_UNAUTH
    assert raw.request(p.CMD_OPTIONS_RRQ, b"~SerialNumber\x00")[0] == p.CMD_ACK_UNAUTH
    assert raw.request(p.CMD_AUTH, p.make_commkey(1234, raw.session))[0] == p.CMD_ACK_OK
    assert raw.request(p.CMD_OPTIONS_RRQ, b"~SerialNumber\x00")[3] == f"~SerialNumber={sim.serial}\x00".encode()
    raw.close()


def test_pyzk_cannot_compute_some_keys_for_high_session_ids(terminal_simulator, zk_client):
    sim = terminal_simulator(password=131071, session_id=65000)
    with pytest.raises(struct.error):
        zk_client(sim, password=131071).connect()


def test_replies_echo_reply_id_and_unknown_commands_are_answered(terminal_simulator):
    sim = terminal_simulator()
    raw = RawClient(sim.port)
    command, session, reply_id, _ = raw.request(p.CMD_CONNECT)
    assert (command, reply_id) == (p.CMD_ACK_OK, 1) and session
    assert raw.request(4321)[:3] == (p.CMD_ACK_OK, session, 2)
    raw.send(p.CMD_GET_TIME, bad_checksum=True)  # a real terminal ignores a packet with a bad checksum
    assert select.select([raw.sock], [], [], 0.5)[0] == []
    assert sim.bad_checksums == 1
    raw.close()


def test_get_users(terminal_simulator, zk_client):
    sim = terminal_simulator()
    sim.add_user("100234", "张伟", privilege=14, password="1234", card=4242)
    sim.add_user("A77", "Maria Lopez")
    users = zk_client(sim).connect().get_users()
    assert [(u.uid, u.user_id, u.name, u.privilege, u.password, u.card) for u in users] == [
        (1, "100234", "张伟", 14, "1234", 4242),
        (2, "A77", "Maria Lopez", 0, "", 0),
    ]


def test_set_user_and_delete_user(terminal_simulator, zk_client):
    sim = terminal_simulator(users=2)
    conn = zk_client(sim).connect()
    conn.set_user(uid=7, name="Wang Fang", privilege=0, password="55", user_id="100777", card=31337)
    assert [(u.uid, u.pin, u.name, u.password, u.card) for u in sim.users][-1] == (
        7,
        "100777",
        "Wang Fang",
        "55",
        31337,
    )
    assert "REFRESHDATA" in sim.commands
    assert "100777" in [u.user_id for u in conn.get_users()]
    conn.delete_user(uid=7)
    assert [u.pin for u in sim.users] == ["900001", "900002"]
    conn.delete_user(user_id="900002")
    assert [u.user_id for u in conn.get_users()] == ["900001"]


# --- attendance reads -------------------------------------------------------------------------------
def test_attendance_inline(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7)
    fill(sim, 10)
    rows = as_rows(zk_client(sim).connect().get_attendance())
    assert rows == sim_rows(sim) and len(rows) == 10
    assert "READ_BUFFER" not in sim.commands  # 404 bytes: answered inline


@pytest.mark.parametrize("chunk_mode", ["single", "prepare"])
def test_attendance_chunked(terminal_simulator, zk_client, chunk_mode):
    sim = terminal_simulator(users=7, chunk_mode=chunk_mode)
    fill(sim, 5000)
    rows = as_rows(zk_client(sim).connect().get_attendance())
    assert len(rows) == 5000 and rows == sim_rows(sim)
    assert sim.commands.count("READ_BUFFER") == 4  # 200,004 bytes in chunks of at most 0xFFC0
    assert "FREE_DATA" in sim.commands


def test_disable_enable_and_waiting_punches(terminal_simulator, zk_client):
    sim = terminal_simulator(users=2)
    conn = zk_client(sim).connect()
    conn.disable_device()
    assert sim.enabled is False
    assert sim.punch("900001") is None  # the terminal refuses; the person waits
    assert (sim.pending_punches, sim.attendance) == (1, [])
    conn.enable_device()
    assert sim.enabled is True and sim.pending_punches == 0
    assert [r.pin for r in sim.attendance] == ["900001"]
    assert abs((sim.attendance[0].timestamp - sim.device_now()).total_seconds()) < 3


def test_time_with_clock_offset(terminal_simulator, zk_client):
    sim = terminal_simulator(clock_offset=-3600)
    conn = zk_client(sim).connect()
    assert abs((conn.get_time() - (shanghai_now() - timedelta(hours=1))).total_seconds()) < 3
    conn.set_time(shanghai_now())
    assert abs(sim.clock_offset) < 2
    assert abs((conn.get_time() - shanghai_now()).total_seconds()) < 3


def test_clear_attendance(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7)
    fill(sim, 30)
    conn = zk_client(sim).connect()
    conn.clear_attendance()
    assert sim.attendance == [] and conn.get_attendance() == []


def test_udp_reads(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7, serial="UDP-0001")
    fill(sim, 10)
    conn = zk_client(sim, force_udp=True).connect()
    assert conn.get_serialnumber() == "UDP-0001"
    assert [u.user_id for u in conn.get_users()] == [str(900001 + i) for i in range(7)]
    assert as_rows(conn.get_attendance()) == sim_rows(sim)
    fill(sim, 990, start=BASE + timedelta(days=1))  # 40 KB: 16 KiB chunks of 1024-byte datagrams
    assert as_rows(conn.get_attendance()) == sim_rows(sim)
    conn.disconnect()


def test_udp_inline_reply_over_1016_bytes_loses_records_silently(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7, inline_max=65_000)
    fill(sim, 30)  # 1,204 bytes inline: pyzk reads 1,016 of them
    assert len(zk_client(sim, force_udp=True).connect().get_attendance()) == 25


# --- framings and faults ----------------------------------------------------------------------------
def _read_buffer_raw(raw: RawClient, table: int = p.CMD_ATTLOG_RRQ) -> int:
    raw.request(p.CMD_CONNECT)
    command, _s, _r, payload = raw.request(p.CMD_PREPARE_BUFFER, struct.pack("<bhii", 1, table, 0, 0))
    assert command == p.CMD_ACK_OK
    return struct.unpack("<I", payload[1:5])[0]


def test_packets_mode_framing(terminal_simulator):
    sim = terminal_simulator(users=7, chunk_mode="packets")
    fill(sim, 3000)
    raw = RawClient(sim.port)
    assert _read_buffer_raw(raw) == 120_004
    raw.send(p.CMD_READ_BUFFER, struct.pack("<ii", 0, p.TCP_MAX_CHUNK))
    packets = [raw.packet() for _ in range(67)]
    assert packets[0][0] == p.CMD_PREPARE_DATA and p.U32.unpack(packets[0][3][:4])[0] == p.TCP_MAX_CHUNK
    data = packets[1:-1]
    assert {c for c, *_ in data} == {p.CMD_DATA} and {len(x[3]) for x in data[:-1]} == {1008}
    assert sum(len(x[3]) for x in data) == p.TCP_MAX_CHUNK and packets[-1][0] == p.CMD_ACK_OK
    assert {x[2] for x in packets} == {raw.reply_id}
    raw.close()


def test_bare_pyzk_fails_on_packets_mode(terminal_simulator, zk_client):
    """What real TCP terminals do defeats pyzk 0.9: it waits for data it already received."""
    sim = terminal_simulator(users=7, chunk_mode="packets")
    fill(sim, 3000)
    outcome = {}

    def pull():
        try:
            outcome["rows"] = as_rows(zk_client(sim).connect().get_attendance())
        except Exception as error:  # any failure is the documented outcome
            outcome["error"] = error

    thread = threading.Thread(target=pull, daemon=True)
    thread.start()
    thread.join(timeout=15)
    assert outcome, "pyzk neither returned nor raised within 15 s"
    assert "error" in outcome or outcome["rows"] != sim_rows(sim)
    # Observed: a bare TimeoutError after pyzk's own timeout (it recv()s for bytes it already holds).
    assert isinstance(outcome.get("error"), TimeoutError) or outcome.get("rows") != sim_rows(sim)


def test_close_mid_transfer(terminal_simulator):
    sim = terminal_simulator(users=7, close_after_bytes=10_000)
    fill(sim, 2000)
    raw = RawClient(sim.port)
    assert _read_buffer_raw(raw) == 80_004
    raw.send(p.CMD_READ_BUFFER, struct.pack("<ii", 0, p.TCP_MAX_CHUNK))
    top = raw.recv_exact(16)
    assert p.U32.unpack(top[4:8])[0] == 8 + p.TCP_MAX_CHUNK  # announces a whole chunk...
    assert len(raw.recv_exact(p.TCP_MAX_CHUNK)) == 10_000  # ...sends 10,000 bytes, then closes
    assert sim.faults.triggered == ["close"]
    raw.close()


def test_close_mid_transfer_makes_pyzk_spin(terminal_simulator):
    sim = terminal_simulator(users=7, close_after_bytes=10_000)
    fill(sim, 2000)
    code = (
        "from zk import ZK\n"
        f"c = ZK('127.0.0.1', port={sim.port}, ommit_ping=True, timeout=2).connect()\n"
        "print(len(c.get_attendance()))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: sim.faults.triggered, timeout=5) == ["close"]
        time.sleep(2.5)  # well past pyzk's 2 s timeout: it is looping on recv() == b""
        assert process.poll() is None, process.communicate()
    finally:
        process.kill()
        process.communicate()


def test_stall_raises_bare_timeout_error(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7, stall_after_bytes=10_000)
    fill(sim, 2000)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as raised:
        zk_client(sim).connect().get_attendance()
    assert not isinstance(raised.value, ZKNetworkError)
    assert time.monotonic() - started < 6 and sim.faults.triggered == ["stall"]


def test_fault_limit_leaves_device_disabled_until_next_run(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7, stall_after_bytes=1000, fault_limit=1)
    fill(sim, 2000)
    first = zk_client(sim).connect()
    first.disable_device()
    with pytest.raises(TimeoutError):
        first.get_attendance()
    assert sim.enabled is False
    second = zk_client(sim).connect()
    second.enable_device()
    second.disable_device()
    assert as_rows(second.get_attendance()) == sim_rows(sim)
    second.enable_device()
    assert sim.enabled is True


def test_impossible_date_fails_the_whole_pyzk_pull(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7, bad_date_records=1)
    fill(sim, 10)
    bad = sim.attendance[0]
    assert bad.timestamp is None and re.fullmatch(r"\d{4}-02-30 08:00:00", bad.time_text)
    with pytest.raises(ValueError, match="day is out of range"):
        zk_client(sim).connect().get_attendance()


def test_garbage_records(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7, garbage_records=2)
    rows = zk_client(sim).connect().get_attendance()
    assert rows[0].user_id == "" and rows[1].timestamp.year == 2130


def test_garbage_when_read_while_enabled(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7, garbage_if_enabled=True)
    fill(sim, 10)
    conn = zk_client(sim).connect()
    rows = conn.get_attendance()
    assert len(rows) == 11 and (rows[-1].user_id, rows[-1].timestamp.year) == ("", 2130)
    conn.disable_device()
    assert as_rows(conn.get_attendance()) == sim_rows(sim)


def test_split_reply_makes_pyzk_return_nothing(terminal_simulator, zk_client):
    sim = terminal_simulator(users=7, split_replies={p.CMD_GET_FREE_SIZES})
    fill(sim, 50)
    assert zk_client(sim).connect().get_attendance() == []


def test_reply_delay(terminal_simulator, zk_client):
    sim = terminal_simulator(reply_delay=0.3)
    conn = zk_client(sim).connect()
    started = time.monotonic()
    conn.get_serialnumber()
    assert time.monotonic() - started >= 0.3


def test_live_capture_event(terminal_simulator, zk_client):
    sim = terminal_simulator(users=3)
    conn = zk_client(sim).connect()
    events = conn.live_capture(new_timeout=1)
    threading.Timer(0.3, sim.punch, args=("900002",), kwargs={"status": 1}).start()
    event = next(e for e in events if e is not None)
    assert (event.user_id, event.punch, event.uid) == ("900002", 1, 2)
    assert abs((event.timestamp - sim.device_now()).total_seconds()) < 3
    conn.end_live_capture = True


def test_two_instances_in_one_process(terminal_simulator, zk_client):
    one, two = terminal_simulator(serial="ONE", users=1), terminal_simulator(serial="TWO", users=1)
    one.add_punch("900001", BASE)
    assert one.port != two.port
    assert zk_client(two).connect().get_serialnumber() == "TWO"
    assert len(zk_client(one).connect().get_attendance()) == 1 and two.attendance == []


# --- punch generation -------------------------------------------------------------------------------
def test_history_is_deterministic_and_shaped_by_shifts(terminal_simulator):
    first = [(r.pin, r.time_code, r.status) for r in terminal_simulator(users=60, history_days=7, seed=7).attendance]
    again = [(r.pin, r.time_code, r.status) for r in terminal_simulator(users=60, history_days=7, seed=7).attendance]
    other = [(r.pin, r.time_code, r.status) for r in terminal_simulator(users=60, history_days=7, seed=8).attendance]
    assert first == again and first != other and len(first) > 300
    records = terminal_simulator(users=60, history_days=7, seed=7).attendance
    minutes = [r.timestamp.hour * 60 + r.timestamp.minute for r in records]
    near_change = [m for m in minutes if any(abs(m - c) <= 45 for c in (480, 1050, 1200))]
    assert len(near_change) / len(minutes) > 0.95
    ins = [m for m, r in zip(minutes, records, strict=True) if r.status == 0]
    outs = [m for m, r in zip(minutes, records, strict=True) if r.status == 1]
    assert sum(1 for m in ins if 435 <= m < 480 or 1155 <= m < 1200) / len(ins) > 0.85  # in before 08:00 / 20:00
    assert sum(1 for m in outs if 1050 <= m <= 1110 or 480 <= m <= 540) / len(outs) > 0.85  # out after 17:30 / 08:00


def test_generated_punches_peak_at_shift_changes():
    rates = [sum(generator.intensity(m)) * 1440 for m in range(1440)]
    assert abs(sum(rates) / 1440 - 1) < 0.01  # the average is the requested rate
    assert min(rates[465:480]) > 10 * max(rates[600:900])  # 07:45-08:00 vs 10:00-15:00
    state = DeviceState(DeviceInfo())
    generator.enrol(state, generator.synthetic_users(50))
    gen = generator.PunchGenerator(state, 1, seed=3)
    morning = [x for x in (gen.next_punch(datetime(2025, 3, 3, 7, 50)) for _ in range(3000)) if x]
    evening = [x for x in (gen.next_punch(datetime(2025, 3, 3, 17, 45)) for _ in range(3000)) if x]
    assert sum(1 for _pin, status, _v in morning if status == 0) / len(morning) > 0.7
    assert sum(1 for _pin, status, _v in evening if status == 1) / len(evening) > 0.7


def test_realtime_punches_wait_while_disabled(terminal_simulator):
    sim = terminal_simulator(users=20, punch_rate=6000, seed=1)
    assert wait_for(lambda: len(sim.attendance) >= 3, timeout=5)
    sim.enabled = False
    time.sleep(0.1)
    count = len(sim.attendance)
    assert wait_for(lambda: sim.pending_punches >= 3, timeout=5)
    assert len(sim.attendance) == count
    waiting = sim.pending_punches
    sim.enabled = True
    assert len(sim.attendance) >= count + waiting


# --- the command ------------------------------------------------------------------------------------
def test_command_enrols_tracked_staff_from_db(db, capsys):
    from devices.management.commands.terminal_simulator import staff_to_enrol
    from logistics.org.models import Staff

    Staff.objects.create(employee_no="A1001", name="张伟", attendance_tracked=True)
    Staff.objects.create(employee_no="A1002", name="Left", attendance_tracked=True, is_active=False)
    Staff.objects.create(employee_no="D2001", name="Doctor", attendance_tracked=False)
    assert staff_to_enrol() == [("A1001", "张伟")]
    call_command("terminal_simulator", "--from-db", "--port", "0", "--no-udp", "--duration", "0.2")
    assert "1 users" in capsys.readouterr().out


def test_command_serves_and_stops_on_sigterm(zk_client):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "manage.py", "terminal_simulator", "--port", "0", "--users", "3", "--serial", "CLI-1"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = ""
        while "terminal simulator" not in line:
            line = process.stdout.readline()
            assert line, "the command exited before serving"
        port = int(re.search(r":(\d+):", line).group(1))
        sim = type("Target", (), {"host": "127.0.0.1", "port": port})
        assert zk_client(sim).connect().get_serialnumber() == "CLI-1"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()
    finally:
        process.kill()


# --- push (ADMS) ------------------------------------------------------------------------------------
class FakeAdms:
    """A tiny /iclock/ server on loopback that records what the device sends and answers from
    queues: handshake statuses, ATTLOG replies (default ``OK: n``) and commands."""

    def __init__(self, options: str = "ATTLOGStamp=0\nDelay=0.2\nErrorDelay=0.3\nTransInterval=0\nRealtime=1"):
        self.options = options
        self.requests: list[tuple[str, str, dict, str]] = []
        self.handshake_statuses: deque[int] = deque()
        self.attlog_replies: deque[str] = deque()
        self.commands: deque[str] = deque()
        adms = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, text: str) -> None:
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _record(self, body: str) -> tuple[str, dict]:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                adms.requests.append((self.command, url.path, query, body))
                return url.path, query

            def do_GET(self):
                path, query = self._record("")
                if path == "/iclock/cdata":
                    status = adms.handshake_statuses.popleft() if adms.handshake_statuses else 200
                    self._answer(status, f"GET OPTION FROM: {query['SN']}\n{adms.options}\n")
                else:
                    self._answer(200, f"{adms.commands.popleft()}\n" if adms.commands else "OK")

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                path, _query = self._record(body)
                if path == "/iclock/cdata":
                    lines = body.strip().splitlines()
                    self._answer(200, adms.attlog_replies.popleft() if adms.attlog_replies else f"OK: {len(lines)}")
                else:
                    self._answer(200, "OK")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def posts(self, table: str = "ATTLOG") -> list[tuple[dict, list[str]]]:
        return [(q, b.splitlines()) for m, path, q, b in list(self.requests)
                if m == "POST" and path == "/iclock/cdata" and q.get("table") == table]  # fmt: skip

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def adms():
    server = FakeAdms()
    yield server
    server.close()


def push_sim(terminal_simulator, adms, count: int = 3, **options):
    sim = terminal_simulator(start=False, users=3, push_url=adms.url, serial="PUSH-01",
                             push_options={"error_delay": 0.3, "delay": 0.2}, **options)  # fmt: skip
    fill(sim, count, pins=3)
    return sim.start()


def attlog_line(record) -> str:
    return f"{record.pin}\t{record.timestamp:%Y-%m-%d %H:%M:%S}\t{record.status}\t{record.verify}\t0\t0\t0"


def test_push_handshake_upload_and_realtime(terminal_simulator, adms):
    adms.handshake_statuses.append(403)  # not approved yet: the device keeps its data and retries
    sim = push_sim(terminal_simulator, adms)
    assert wait_for(lambda: adms.posts(), timeout=5)
    handshakes = [q for m, path, q, _b in adms.requests if path == "/iclock/cdata" and m == "GET"]
    assert len(handshakes) == 2
    assert handshakes[0] == {"SN": "PUSH-01", "options": "all", "pushver": "2.4.1", "language": "69"}
    query, lines = adms.posts()[0]
    assert query == {"SN": "PUSH-01", "table": "ATTLOG", "Stamp": "3"}
    assert lines == [attlog_line(r) for r in sim.attendance]
    sim.punch("900002", status=1)  # realtime: sent at once
    assert wait_for(lambda: len(adms.posts()) == 2, timeout=3)
    assert adms.posts()[1][1] == [attlog_line(sim.attendance[-1])]
    assert wait_for(lambda: any(path == "/iclock/getrequest" for _m, path, _q, _b in adms.requests), timeout=3)


def test_push_waits_trans_interval_unless_realtime(terminal_simulator, adms):
    adms.options = adms.options.replace("Realtime=1", "Realtime=0").replace("TransInterval=0", "TransInterval=0.02")
    sim = push_sim(terminal_simulator, adms)
    assert wait_for(lambda: adms.posts(), timeout=5)  # what was waiting goes up right after the handshake
    sim.punch("900003")
    time.sleep(0.4)
    assert len(adms.posts()) == 1  # 1.2 s interval: not yet
    assert wait_for(lambda: len(adms.posts()) == 2, timeout=3)
    assert adms.posts()[1][1] == [attlog_line(sim.attendance[-1])]


def test_push_resends_after_a_non_ok_reply(terminal_simulator, adms):
    adms.attlog_replies.extend(["ERROR: database busy"])
    sim = push_sim(terminal_simulator, adms)
    assert wait_for(lambda: len(adms.posts()) >= 2, timeout=5)
    first, second = adms.posts()[:2]
    assert first == second and sim.push.stamp == 3
    time.sleep(0.5)
    assert len(adms.posts()) == 2  # acknowledged: not sent again


def test_push_honours_attlog_stamp(terminal_simulator, adms):
    adms.options = adms.options.replace("ATTLOGStamp=0", "ATTLOGStamp=3")
    sim = push_sim(terminal_simulator, adms, count=5)
    assert wait_for(lambda: adms.posts(), timeout=5)
    assert adms.posts()[0][1] == [attlog_line(r) for r in sim.attendance[3:]]


def test_push_executes_queued_commands(terminal_simulator, adms):
    adms.options = adms.options.replace("ATTLOGStamp=0", "ATTLOGStamp=99999")
    adms.commands.extend([
        "C:17:DATA QUERY ATTLOG StartTime=2025-03-01 07:41:00\tEndTime=2025-03-01 07:43:59",
        "C:18:DATA UPDATE USERINFO PIN=100234\tName=Li Lei\tPri=0\tCard=77",
        "C:19:DATA DELETE USERINFO PIN=900001",
        "C:20:SET OPTION DateTime=2030-01-02 03:04:05",
    ])  # fmt: skip
    sim = push_sim(terminal_simulator, adms, count=6, clock_offset=-7200)
    assert wait_for(lambda: sum(1 for r in adms.requests if r[1] == "/iclock/devicecmd") == 4, timeout=8)
    assert adms.posts()[0][1] == [attlog_line(r) for r in sim.attendance[1:4]]  # the re-sent range only
    results = [b.strip() for m, path, _q, b in adms.requests if path == "/iclock/devicecmd"]
    assert results == ["ID=17&Return=0&CMD=DATA", "ID=18&Return=0&CMD=DATA", "ID=19&Return=0&CMD=DATA",
                       "ID=20&Return=0&CMD=SET OPTION"]  # fmt: skip
    users = [(u.pin, u.name, u.card) for u in sim.users]
    assert users == [("900002", "Sim Staff 0002", 0), ("900003", "Sim Staff 0003", 0), ("100234", "Li Lei", 77)]
    assert abs((sim.device_now() - datetime(2030, 1, 2, 3, 4, 5)).total_seconds()) < 60


def test_push_takes_the_clock_from_the_date_header(terminal_simulator, adms):
    sim = push_sim(terminal_simulator, adms, clock_offset=-7200)
    assert wait_for(lambda: sim.push.registered, timeout=5)
    assert abs(sim.clock_offset) < 2
