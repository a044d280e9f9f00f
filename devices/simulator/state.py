"""What a simulated terminal holds: identity, enrolled users, the attendance log, its clock and
whether it is enabled. One lock guards it all; the TCP, UDP, generator and push threads share it.

No fingerprint or face templates are stored or served: a user here is PIN, name, privilege,
password and card only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from . import protocol as p

DEFAULT_TIME_ZONE = "Asia/Shanghai"  # the Terminal model's default


@dataclass
class SimUser:
    """One enrolled user. ``uid`` is the device's internal slot; ``pin`` (pyzk's ``user_id``) is the
    staff employee number and the only identity the project maps on."""

    uid: int
    pin: str
    name: str = ""
    privilege: int = 0
    password: str = ""
    card: int = 0
    group: str = "1"


@dataclass
class AttendanceRecord:
    """One punch in the device log. The time is kept as the device's raw u32 code so impossible
    dates (30 February) and garbage years (2130) can exist, exactly as on a broken terminal.

    ``verify`` is the verify type (1 fingerprint, 15 face, 4 card, 0 password; pyzk's ``status``);
    ``status`` the punch state (0 check-in, 1 check-out, 2 break-out, 3 break-in, 4 OT-in, 5 OT-out;
    pyzk's ``punch``, ADMS's status column). ``seq`` is the device's upload counter (ADMS stamps)."""

    pin: str
    time_code: int
    status: int = 0
    verify: int = 1
    workcode: int = 0
    uid: int = 0
    seq: int = 0

    @property
    def timestamp(self) -> datetime | None:
        """The naive device-local time, or None when the stored date does not exist."""
        return p.decode_time(self.time_code)

    @property
    def time_text(self) -> str:
        return p.format_time(self.time_code)


@dataclass
class DeviceInfo:
    serial: str = "SIM0000000001"
    device_name: str = "SIM-F22"
    platform: str = "ZMM220_TFT"
    firmware: str = "Ver 6.60 Apr 28 2017"
    mac: str = "00:17:61:00:00:01"
    fp_version: str = "10"
    face_version: str = "7"
    os: str = "1"
    user_capacity: int = 10_000
    record_capacity: int = 200_000
    pin_width: int = 14
    extra_options: dict[str, str] = field(default_factory=dict)


class DeviceState:
    """The terminal's memory. Every public method takes the lock; listeners (live events, push
    upload) are called after it is released."""

    def __init__(self, info: DeviceInfo, *, time_zone: str = DEFAULT_TIME_ZONE, clock_offset: float = 0.0) -> None:
        self.info = info
        self.lock = threading.RLock()
        self.zone = ZoneInfo(time_zone)
        self.clock_offset = float(clock_offset)
        self.enabled = True
        self._users: dict[int, SimUser] = {}
        self._records: list[AttendanceRecord] = []
        self._pending: list[tuple[str, int, int, int]] = []  # (pin, status, verify, workcode) while disabled
        self._seq = 0
        self._listeners: list[Callable[[AttendanceRecord], None]] = []
        self.options: dict[str, str] = {}

    # --- clock ----------------------------------------------------------------------------------
    def real_local_now(self) -> datetime:
        """Wall-clock time in the device's zone, naive (what a correct clock would show)."""
        return datetime.now(self.zone).replace(tzinfo=None)

    def now(self) -> datetime:
        """The device clock: local time plus its offset (drift), naive."""
        return self.real_local_now() + timedelta(seconds=self.clock_offset)

    def set_clock(self, moment: datetime) -> None:
        with self.lock:
            self.clock_offset = (moment - self.real_local_now()).total_seconds()

    # --- users ----------------------------------------------------------------------------------
    def users(self) -> list[SimUser]:
        with self.lock:
            return [SimUser(**vars(u)) for u in sorted(self._users.values(), key=lambda u: u.uid)]

    def user_by_pin(self, pin: str) -> SimUser | None:
        with self.lock:
            return next((u for u in self._users.values() if u.pin == pin), None)

    def set_user(self, pin: str, name: str = "", *, uid: int | None = None, **fields) -> SimUser:
        """Add or update a user. ``uid`` given: that slot (replaced); else the PIN's slot or the next free."""
        with self.lock:
            current = self.user_by_pin(pin)
            if uid is None:
                uid = current.uid if current else max(self._users, default=0) + 1
            elif current and current.uid != uid:
                del self._users[current.uid]  # a PIN lives in one slot only
            user = SimUser(uid=uid, pin=pin, name=name, **fields)
            self._users[uid] = user
            return user

    def delete_user(self, *, uid: int | None = None, pin: str | None = None) -> bool:
        with self.lock:
            if uid is None and pin is not None:
                user = self.user_by_pin(pin)
                uid = user.uid if user else None
            return self._users.pop(uid, None) is not None if uid is not None else False

    def clear_users(self) -> None:
        with self.lock:
            self._users.clear()

    # --- attendance -----------------------------------------------------------------------------
    def records(self) -> list[AttendanceRecord]:
        with self.lock:
            return [AttendanceRecord(**vars(r)) for r in self._records]

    def record_count(self) -> int:
        with self.lock:
            return len(self._records)

    def last_seq(self) -> int:
        with self.lock:
            return self._seq

    def add_records(
        self, items: Iterable[tuple[str, int, int, int, int]], *, notify: bool = True
    ) -> list[AttendanceRecord]:
        """Append (pin, time_code, status, verify, workcode) records in order; listeners hear of each."""
        added = []
        with self.lock:
            for pin, time_code, status, verify, workcode in items:
                user = self.user_by_pin(pin)
                self._seq += 1
                record = AttendanceRecord(pin, time_code, status, verify, workcode, user.uid if user else 0, self._seq)
                self._records.append(record)
                added.append(record)
            listeners = list(self._listeners) if notify else []
        for record in added:
            for listener in listeners:
                listener(record)
        return added

    def punch(self, pin: str, *, status: int = 0, verify: int = 1, workcode: int = 0) -> AttendanceRecord | None:
        """Someone punches now. A disabled terminal refuses: the person waits and the punch is
        recorded (at the device's time then) when the terminal is enabled again. Returns the record,
        or None while it waits."""
        with self.lock:
            if not self.enabled:
                self._pending.append((pin, status, verify, workcode))
                return None
            code = p.encode_time(self.now())
        return self.add_records([(pin, code, status, verify, workcode)])[0]

    def pending(self) -> int:
        with self.lock:
            return len(self._pending)

    def set_enabled(self, enabled: bool) -> None:
        with self.lock:
            self.enabled = enabled
            waiting, self._pending = (self._pending, []) if enabled else ([], self._pending)
            code = p.encode_time(self.now())
        if waiting:
            self.add_records([(pin, code, status, verify, workcode) for pin, status, verify, workcode in waiting])

    def clear_records(self) -> None:
        with self.lock:
            self._records.clear()

    def records_between(self, start: datetime | None, end: datetime | None) -> list[AttendanceRecord]:
        """Records whose (valid) time lies in [start, end]; records with impossible dates never match."""
        out = []
        for record in self.records():
            moment = record.timestamp
            if moment and (start is None or moment >= start) and (end is None or moment <= end):
                out.append(record)
        return out

    def subscribe(self, listener: Callable[[AttendanceRecord], None]) -> None:
        with self.lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[AttendanceRecord], None]) -> None:
        with self.lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    # --- buffers served by 1503 -----------------------------------------------------------------
    def user_buffer(self) -> bytes:
        with self.lock:
            body = b"".join(
                p.pack_user(u.uid, u.pin, u.name, u.privilege, u.password, u.card, u.group) for u in self.users()
            )
        return p.U32.pack(len(body)) + body

    def attendance_buffer(self, extra: Iterable[AttendanceRecord] = ()) -> bytes:
        with self.lock:
            rows = [*self._records, *extra]
            body = b"".join(p.pack_attendance(r.uid, r.pin, r.time_code, r.verify, r.status) for r in rows)
        return p.U32.pack(len(body)) + body

    def sizes(self) -> bytes:
        with self.lock:
            return p.free_sizes(
                users=len(self._users),
                records=len(self._records),
                user_cap=self.info.user_capacity,
                record_cap=self.info.record_capacity,
            )

    def option(self, key: str) -> str | None:
        """Value of an OPTIONS_RRQ key (``~SerialNumber``, ``MAC``...), or None when unknown."""
        info = self.info
        known = {
            "~SerialNumber": info.serial,
            "~DeviceName": info.device_name,
            "~Platform": info.platform,
            "MAC": info.mac,
            "~ZKFPVersion": info.fp_version,
            "ZKFaceVersion": info.face_version,
            "~OS": info.os,
            "~ExtendFmt": "1",
            "~UserExtFmt": "1",
            "FaceFunOn": "0",
            "CompatOldFirmware": "0",
            "~IsOnlyRFMachine": "0",
            "~PIN2Width": str(info.pin_width),
            "~MaxUserCount": str(info.user_capacity // 100),
            "~MaxAttLogCount": str(info.record_capacity // 10_000),
            "IPAddress": "192.168.1.201",
            "NetMask": "255.255.255.0",
            "GATEIPAddress": "192.168.1.1",
            **info.extra_options,
        }
        with self.lock:
            return self.options.get(key, known.get(key))
