"""ZKTeco binary protocol (port 4370) as pyzk 0.9 speaks it: constants, framing, checksums, the
device time encoding, the comm key, and the fixed-size user and attendance records.

Everything here is pure (no sockets, no state) so the simulator and the tests share one definition.
See docs/zkteco.md for where each fact comes from.
"""

from __future__ import annotations

import struct
from datetime import datetime

# --- commands -----------------------------------------------------------------------------------
CMD_USER_WRQ = 8
CMD_USERTEMP_RRQ = 9
CMD_OPTIONS_RRQ = 11
CMD_OPTIONS_WRQ = 12
CMD_ATTLOG_RRQ = 13
CMD_CLEAR_DATA = 14
CMD_CLEAR_ATTLOG = 15
CMD_DELETE_USER = 18
CMD_DELETE_USERTEMP = 19
CMD_GET_FREE_SIZES = 50
CMD_STARTVERIFY = 60
CMD_CANCELCAPTURE = 62
CMD_GET_PINWIDTH = 69
CMD_GET_TIME = 201
CMD_SET_TIME = 202
CMD_REG_EVENT = 500
CMD_CONNECT = 1000
CMD_EXIT = 1001
CMD_ENABLEDEVICE = 1002
CMD_DISABLEDEVICE = 1003
CMD_RESTART = 1004
CMD_POWEROFF = 1005
CMD_REFRESHDATA = 1013
CMD_REFRESHOPTION = 1014
CMD_GET_VERSION = 1100
CMD_AUTH = 1102
CMD_PREPARE_DATA = 1500
CMD_DATA = 1501
CMD_FREE_DATA = 1502
CMD_PREPARE_BUFFER = 1503
CMD_READ_BUFFER = 1504
CMD_ACK_OK = 2000
CMD_ACK_ERROR = 2001
CMD_ACK_DATA = 2002
CMD_ACK_UNAUTH = 2005
CMD_ACK_UNKNOWN = 0xFFFF

FCT_USER = 5
EF_ATTLOG = 1

COMMAND_NAMES = {
    value: name[4:]
    for name, value in dict(globals()).items()
    if name.startswith("CMD_") and isinstance(value, int) and name != "CMD_ACK_DATA"
}

# --- sizes --------------------------------------------------------------------------------------
TCP_MAGIC = b"\x50\x50\x82\x7d"
HEADER_SIZE = 8
TCP_TOP_SIZE = 8
TCP_MAX_CHUNK = 0xFFC0  # what pyzk asks for per 1504 over TCP
UDP_MAX_CHUNK = 16 * 1024  # ... and over UDP
UDP_DATA_PACKET = 1024  # payload of each DATA datagram inside a UDP chunk
TCP_DATA_PACKET = 1008  # payload of each DATA packet when real terminals split a TCP chunk
INLINE_MAX = 1016  # a UDP reply pyzk reads whole is 1024 bytes: 8 header + 1016 payload

USER_RECORD = struct.Struct("<HB8s24sIx7sx24s")  # 72 bytes, user id as a string
USER_RECORD_WRITE = struct.Struct("<HB8s24s4sx7sx24s")  # what pyzk's set_user sends over TCP (72)
USER_RECORD_WRITE_28 = struct.Struct("<HB5s8sIxBHI")  # what pyzk's set_user sends over UDP (28)
ATT_RECORD = struct.Struct("<H24sB4sB8s")  # 40 bytes
EVENT_RECORD = struct.Struct("<24sBB6s")  # 32-byte live event (REG_EVENT)
U32 = struct.Struct("<I")


def command_name(code: int) -> str:
    return COMMAND_NAMES.get(code, str(code))


# --- checksum and packets -----------------------------------------------------------------------
def checksum(data: bytes) -> int:
    """16-bit ones'-complement sum, as pyzk (and zkemsdk.c) compute it, over header + payload with
    the checksum field zero."""
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for (word,) in struct.iter_unpack("<H", data):
        total += word
        if total > 0xFFFF:
            total -= 0xFFFF
    while total > 0xFFFF:
        total -= 0xFFFF
    return (~total) & 0xFFFF


def make_header(command: int, session_id: int, reply_id: int, payload: bytes = b"") -> bytes:
    """The 8-byte header plus payload, with a correct checksum."""
    raw = struct.pack("<4H", command, 0, session_id, reply_id) + payload
    return struct.pack("<4H", command, checksum(raw), session_id, reply_id) + payload


def tcp_frame(packet: bytes) -> bytes:
    """Wrap a header+payload packet in the TCP top (magic + u32 length)."""
    return TCP_MAGIC + U32.pack(len(packet)) + packet


def parse_header(packet: bytes) -> tuple[int, int, int, int, bytes]:
    """(command, checksum, session id, reply id, payload) of a header+payload packet."""
    command, chk, session_id, reply_id = struct.unpack("<4H", packet[:HEADER_SIZE])
    return command, chk, session_id, reply_id, packet[HEADER_SIZE:]


# --- time ---------------------------------------------------------------------------------------
def encode_time_parts(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    """The device's u32 time, without checking that the date exists (30 February encodes fine).
    Devices keep years 2000-2099; a later year encodes past that range, as garbage records do (2130)."""
    days = (year - 2000 if year >= 2000 else year % 100) * 12 * 31 + (month - 1) * 31 + day - 1
    return days * 86400 + (hour * 60 + minute) * 60 + second


def encode_time(moment: datetime) -> int:
    return encode_time_parts(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def time_parts(code: int) -> tuple[int, int, int, int, int, int]:
    """(year, month, day, hour, minute, second) of a device time, as pyzk decodes it (no validation)."""
    second = code % 60
    code //= 60
    minute = code % 60
    code //= 60
    hour = code % 24
    code //= 24
    day = code % 31 + 1
    code //= 31
    month = code % 12 + 1
    year = code // 12 + 2000
    return year, month, day, hour, minute, second


def decode_time(code: int) -> datetime | None:
    """The naive datetime of a device time, or None when the encoded date does not exist."""
    try:
        return datetime(*time_parts(code))  # noqa: DTZ001 - device-local wall clock
    except ValueError:
        return None


def format_time(code: int) -> str:
    """``YYYY-MM-DD HH:MM:SS`` of a device time, impossible dates included (as a device prints them)."""
    return "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(*time_parts(code))


def time_hex(code: int) -> bytes:
    """The 6 raw bytes (YY MM DD hh mm ss) of live events."""
    year, month, day, hour, minute, second = time_parts(code)
    return bytes([year % 100, month, day, hour, minute, second])


# --- comm key -----------------------------------------------------------------------------------
def make_commkey(key: int, session_id: int, ticks: int = 50) -> bytes | None:
    """The 4-byte AUTH key for ``key`` (the numeric comm password) and a session id, as the device
    computes it (commpro.c MakeKey). None where the 32-bit intermediate overflows (pyzk crashes there)."""
    k = 0
    for i in range(32):
        k = (k << 1 | 1) if key & (1 << i) else k << 1
    k += session_id
    if k > 0xFFFFFFFF:
        return None
    b = bytearray(struct.pack("<I", k))
    b = bytearray((b[0] ^ ord("Z"), b[1] ^ ord("K"), b[2] ^ ord("S"), b[3] ^ ord("O")))
    b = b[2:4] + b[0:2]  # the two 16-bit halves swap places
    t = ticks & 0xFF
    return bytes((b[0] ^ t, b[1] ^ t, t, b[3] ^ t))


def check_commkey(key: int, session_id: int, received: bytes) -> bool:
    """Whether ``received`` is the AUTH key for ``key``; the ticks byte travels in clear at index 2."""
    if len(received) < 4:
        return False
    return make_commkey(key, session_id, received[2]) == bytes(received[:4])


# --- records ------------------------------------------------------------------------------------
def fit(text: str, size: int, encoding: str = "utf-8") -> bytes:
    """``text`` encoded into at most ``size`` bytes without cutting a character in half."""
    raw = text.encode(encoding, errors="ignore")[:size]
    return raw.decode(encoding, errors="ignore").encode(encoding)


def pack_user(uid: int, pin: str, name: str, privilege: int, password: str, card: int, group: str = "1") -> bytes:
    return USER_RECORD.pack(uid, privilege, fit(password, 8), fit(name, 24), card, fit(group, 7), fit(pin, 24))


def unpack_user_write(payload: bytes) -> dict | None:
    """The user pyzk's ``set_user`` sent (72-byte TCP or 28-byte UDP layout), or None."""

    def text(raw: bytes) -> str:
        return raw.split(b"\x00")[0].decode("utf-8", errors="ignore")

    if len(payload) >= USER_RECORD_WRITE.size:
        uid, privilege, password, name, card, group, pin = USER_RECORD_WRITE.unpack(payload[: USER_RECORD_WRITE.size])
        card = U32.unpack(card)[0]
        return {"uid": uid, "privilege": privilege, "password": text(password), "name": text(name).strip(),
                "card": card, "group": text(group), "pin": text(pin)}  # fmt: skip
    if len(payload) >= USER_RECORD_WRITE_28.size:
        uid, privilege, password, name, card, group, _tz, pin = USER_RECORD_WRITE_28.unpack(payload[:28])
        return {"uid": uid, "privilege": privilege, "password": text(password), "name": text(name).strip(),
                "card": card, "group": str(group), "pin": str(pin)}  # fmt: skip
    return None


def pack_attendance(uid: int, pin: str, time_code: int, verify: int, punch: int) -> bytes:
    """A 40-byte record: pyzk reads ``status`` = verify type and ``punch`` = in/out state."""
    return ATT_RECORD.pack(uid, fit(pin, 24), verify & 0xFF, U32.pack(time_code), punch & 0xFF, b"\x00" * 8)


def pack_event(pin: str, time_code: int, verify: int, punch: int) -> bytes:
    return EVENT_RECORD.pack(fit(pin, 24), verify & 0xFF, punch & 0xFF, time_hex(time_code))


def free_sizes(*, users: int, records: int, user_cap: int, record_cap: int, finger_cap: int = 3000) -> bytes:
    """GET_FREE_SIZES reply: 20 int32 (users at 4, fingers 6, records 8, cards 12, capacities 14-16,
    available 17-19) + 3 int32 for faces (count, reserved, capacity)."""
    fields = [0] * 20
    fields[4], fields[6], fields[8], fields[12] = users, 0, records, 0
    fields[14], fields[15], fields[16] = finger_cap, user_cap, record_cap
    fields[17], fields[18], fields[19] = finger_cap, max(user_cap - users, 0), max(record_cap - records, 0)
    return struct.pack("<20i", *fields) + struct.pack("<3i", 0, 0, 0)
