"""Fixtures for terminal tests.

``terminal_simulator(**options)`` starts a ``devices.simulator.TerminalSimulator`` in this process on
a free loopback port (TCP and UDP) and stops it after the test. Every constructor option is a
keyword: ``users`` (a number or (pin, name) pairs), ``password``, ``serial``, ``device_name``,
``platform``, ``firmware``, ``mac``, ``time_zone``, ``clock_offset``, ``history_days``, ``seed``,
``punch_rate``, ``chunk_mode`` ("single" | "prepare" | "packets"), ``inline_max``, ``udp``,
``session_id``, ``strict_checksums``; faults: ``close_after_bytes``, ``stall_after_bytes``,
``fault_limit``, ``reply_delay``, ``split_replies``, ``garbage_if_enabled``, ``bad_date_records``,
``garbage_records``; push: ``push_url``, ``realtime``, ``push_options`` (``delay``, ``error_delay``,
``trans_interval``, ``batch_size``, ``encoding``, ``timeout``, ``clock_from_server``). ``start=False``
returns it unstarted (fill it, then call ``.start()``); it is stopped after the test either way.

The returned simulator has ``.host``, ``.port``, ``.serial``, ``.users``, ``.attendance``,
``.enabled`` (settable), ``.clock_offset``, ``.device_now()``, ``.commands`` (names received, as in
pyzk's const.py without ``CMD_``; 1503 is ``PREPARE_BUFFER``, 1504 ``READ_BUFFER``),
``.faults`` (changeable while running), ``.add_user(pin, name)``, ``.add_punch(pin, dt)``,
``.add_raw_punch(pin, y, m, d, ...)``, ``.punch(pin)`` (waits while disabled), ``.pending_punches``,
``.clear_attendance()``, ``.push`` (the push client in push mode) and ``.state`` (everything else).
``zk_client(sim, **kw)`` gives a pyzk ``ZK`` for it with the test defaults (no ping, 2 s timeout).
"""

from __future__ import annotations

import pytest


@pytest.fixture
def terminal_simulator():
    from devices.simulator import TerminalSimulator

    started: list[TerminalSimulator] = []

    def _start(*, start: bool = True, **options) -> TerminalSimulator:
        options.setdefault("host", "127.0.0.1")
        options.setdefault("port", 0)
        simulator = TerminalSimulator(**options)
        started.append(simulator)
        return simulator.start() if start else simulator

    yield _start
    for simulator in reversed(started):
        simulator.stop()


@pytest.fixture
def zk_client():
    """``zk_client(sim, **kwargs)``: an unconnected pyzk 0.9 ``ZK`` pointed at a simulator."""
    from zk import ZK

    def _client(simulator, **kwargs):
        kwargs.setdefault("ommit_ping", True)
        kwargs.setdefault("timeout", 2)
        return ZK(simulator.host, port=simulator.port, **kwargs)

    return _client
