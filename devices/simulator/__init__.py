"""A ZKTeco attendance-terminal simulator: the 4370 binary protocol over TCP and UDP exactly as
pyzk 0.9 expects it (with the framings and faults real terminals show), and the ADMS push client.

Start one with ``python manage.py terminal_simulator`` or, in tests, the ``terminal_simulator``
fixture (tests/devices/conftest.py). It stores no fingerprint or face templates.
"""

from .handlers import CHUNK_MODES, Faults
from .server import TerminalSimulator
from .state import AttendanceRecord, DeviceInfo, DeviceState, SimUser

__all__ = [
    "CHUNK_MODES",
    "AttendanceRecord",
    "DeviceInfo",
    "DeviceState",
    "Faults",
    "SimUser",
    "TerminalSimulator",
]
