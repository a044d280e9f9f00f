"""Who is enrolled and when they punch: synthetic users, a deterministic history, broken records on
request, and a real-time punch stream with peaks around the shift changes.

Shifts: day 08:00-17:30 and night 20:00-08:00 (next day). People check in mostly before their shift
starts and check out mostly after it ends, so the punches pile up around 07:45-08:10, 17:30-17:50 and
19:40-20:00. A few press the wrong state key, punch twice, or forget a punch.
"""

from __future__ import annotations

import bisect
import logging
import math
import random
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from . import protocol as p
from .state import DeviceState

logger = logging.getLogger("devices.simulator")

CHECK_IN, CHECK_OUT, BREAK_OUT, BREAK_IN = 0, 1, 2, 3
VERIFY_TYPES = ((1, 0.70), (15, 0.25), (4, 0.05))  # fingerprint, face, card
DAY_SHIFT_SHARE = 0.7
WORK_DAYS_PER_WEEK = 5


@dataclass(frozen=True)
class Peak:
    """Punches of one kind around one time of day (minutes after midnight)."""

    shift: str
    status: int
    centre: float
    spread: float  # standard deviation, minutes
    offset_days: int = 0  # the night shift's check-out falls on the next day


PEAKS = (
    Peak("day", CHECK_IN, 7 * 60 + 47, 7),
    Peak("night", CHECK_OUT, 8 * 60 + 10, 6, offset_days=1),
    Peak("day", CHECK_OUT, 17 * 60 + 42, 7),
    Peak("night", CHECK_IN, 19 * 60 + 47, 7),
)
BACKGROUND_SHARE = 0.12  # breaks and stray punches spread over the day


def synthetic_users(count: int, first_pin: int = 900001) -> list[tuple[str, str]]:
    return [(str(first_pin + i), f"Sim Staff {i + 1:04d}") for i in range(count)]


def enrol(state: DeviceState, users: Iterable[tuple[str, str]]) -> None:
    for pin, name in users:
        state.set_user(str(pin), name)


def shift_of(pin: str, seed: int = 0) -> str:
    """A user's shift, stable for a PIN and seed."""
    return "day" if zlib.crc32(f"{seed}:{pin}".encode()) % 1000 < DAY_SHIFT_SHARE * 1000 else "night"


def _verify(rng: random.Random) -> int:
    return rng.choices([v for v, _w in VERIFY_TYPES], [w for _v, w in VERIFY_TYPES])[0]


def _wrong_key(rng: random.Random, status: int) -> int:
    """Staff press the wrong state key now and then."""
    if rng.random() < 0.03:
        return {CHECK_IN: CHECK_OUT, CHECK_OUT: CHECK_IN}.get(status, status)
    return status


def day_punches(pin: str, day: date, seed: int) -> list[tuple[datetime, int, int]]:
    """(time, status, verify) of one user's punches for the shift starting on ``day``. Deterministic
    for (pin, day, seed)."""
    rng = random.Random(f"{seed}:{pin}:{day.isoformat()}")  # noqa: S311 - simulation, not security
    if rng.random() >= WORK_DAYS_PER_WEEK / 7:
        return []
    shift = shift_of(pin, seed)
    out = []
    for peak in (k for k in PEAKS if k.shift == shift):
        if rng.random() < 0.02:  # forgot to punch
            continue
        minutes = min(max(rng.gauss(peak.centre, peak.spread), peak.centre - 45), peak.centre + 60)
        moment = datetime.combine(day, datetime.min.time()) + timedelta(days=peak.offset_days, minutes=minutes)
        moment = moment.replace(microsecond=0)
        status = _wrong_key(rng, peak.status)
        verify = _verify(rng)
        out.append((moment, status, verify))
        if rng.random() < 0.02:  # pressed twice
            out.append((moment + timedelta(seconds=rng.randint(3, 50)), status, verify))
    return out


def fill_history(state: DeviceState, *, days: int, seed: int = 0) -> int:
    """Pre-fill ``days`` days of punches (those before the device's now), in time order."""
    now = state.now()
    pins = [u.pin for u in state.users()]
    punches = []
    for offset in range(days, -1, -1):
        day = now.date() - timedelta(days=offset)
        for pin in pins:
            punches.extend((moment, pin, status, verify) for moment, status, verify in day_punches(pin, day, seed))
    punches = sorted(x for x in punches if x[0] <= now and x[0] >= now - timedelta(days=days))
    state.add_records(((pin, p.encode_time(m), status, verify, 0) for m, pin, status, verify in punches), notify=False)
    return len(punches)


def add_broken_records(state: DeviceState, *, bad_dates: int = 0, garbage: int = 0) -> None:
    """Records a real terminal sometimes holds: 30 February (pyzk raises ValueError on it), and
    garbage from reading while people punch (empty PIN, year 2130)."""
    users = state.users()
    pin = users[0].pin if users else "1"
    year = state.now().year
    items = [(pin, p.encode_time_parts(year, 2, 30, 8, 0, i % 60), CHECK_IN, 1, 0) for i in range(bad_dates)]
    for i in range(garbage):
        if i % 2 == 0:
            items.append(("", p.encode_time(state.now()), CHECK_IN, 1, 0))
        else:
            items.append((pin, p.encode_time_parts(2130, 1, 1, 0, 0, i % 60), CHECK_IN, 1, 0))
    state.add_records(items, notify=False)


def _density(peak: Peak, minute: float) -> float:
    """Normal density of ``peak`` at ``minute`` of the day, wrapped around midnight."""
    total = 0.0
    for shift in (-1440, 0, 1440):
        z = (minute + shift - peak.centre) / peak.spread
        total += math.exp(-0.5 * z * z) / (peak.spread * math.sqrt(2 * math.pi))
    return total


def _weights() -> list[float]:
    shares = {"day": DAY_SHIFT_SHARE, "night": 1 - DAY_SHIFT_SHARE}
    total = sum(shares[k.shift] for k in PEAKS)
    return [(1 - BACKGROUND_SHARE) * shares[k.shift] / total for k in PEAKS]


def intensity(minute: float) -> list[float]:
    """Relative punch intensity per minute at ``minute`` of the day, per peak, then background.
    The sum integrates to 1 over a day."""
    return [w * _density(k, minute) for w, k in zip(_weights(), PEAKS, strict=True)] + [BACKGROUND_SHARE / 1440]


class PunchGenerator:
    """Punches in real time at ``rate`` per minute on average, shaped by ``intensity`` (a thinned
    Poisson process on the device clock). Each punch goes through ``DeviceState.punch``, so it waits
    while the terminal is disabled."""

    def __init__(self, state: DeviceState, rate: float, *, seed: int = 0) -> None:
        self.state, self.rate, self.seed = state, rate, seed
        self.rng = random.Random(seed)  # noqa: S311 - simulation, not security
        self.peak = max(sum(intensity(m / 4)) for m in range(1440 * 4)) * 1440 * 1.02
        self.inside: set[str] = set()  # users whose last punch was a check-in
        self.generated = 0

    def next_punch(self, now: datetime) -> tuple[str, int, int] | None:
        """(pin, status, verify) for a punch at ``now``, or None when thinning rejects it."""
        minute = now.hour * 60 + now.minute + now.second / 60
        parts = intensity(minute)
        if self.rng.random() * self.peak > sum(parts) * 1440:
            return None
        users = [u.pin for u in self.state.users()]
        if not users:
            return None
        index = bisect.bisect(list(_cumulative(parts)), self.rng.random() * sum(parts))
        if index >= len(PEAKS):  # background: a break or a stray punch
            pin = self.rng.choice(users)
            status = self.rng.choice((BREAK_OUT, BREAK_IN, CHECK_IN, CHECK_OUT))
        else:
            peak = PEAKS[index]
            group = [u for u in users if shift_of(u, self.seed) == peak.shift] or users
            wanted = [u for u in group if (u in self.inside) == (peak.status == CHECK_OUT)] or group
            pin = self.rng.choice(wanted)
            status = _wrong_key(self.rng, peak.status)
        if status == CHECK_IN:
            self.inside.add(pin)
        elif status == CHECK_OUT:
            self.inside.discard(pin)
        return pin, status, _verify(self.rng)

    def run(self, stop: threading.Event) -> None:
        logger.info("simulator %s: generating %.2f punches/minute", self.state.info.serial, self.rate)
        per_second = self.rate * self.peak / 60  # candidate rate before thinning
        while not stop.wait(self.rng.expovariate(per_second)):
            punch = self.next_punch(self.state.now())
            if punch:
                pin, status, verify = punch
                record = self.state.punch(pin, status=status, verify=verify)
                self.generated += 1
                logger.debug("simulator %s: punch %s status %s%s", self.state.info.serial, pin, status,
                             "" if record else " (waiting: device disabled)")  # fmt: skip


def _cumulative(values: list[float]) -> Iterable[float]:
    total = 0.0
    for value in values:
        total += value
        yield total
