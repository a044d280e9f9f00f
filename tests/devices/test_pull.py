"""Pulling a terminal with the pyzk adapter against the simulator over a real loopback socket:
everything arrives once, every failure mode leaves a clear state and loses nothing."""

from __future__ import annotations

import datetime as dt
import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from attendance.models import Punch
from attendance.selectors import watermark_of
from attendance.services import PunchIn, punches_record
from devices.models import QuarantinedRecord, Terminal, TerminalRun
from devices.services import terminal_pull, terminal_register
from logistics.common.leases import lease_acquire

pytestmark = pytest.mark.timeout(60)


def _terminal(sim, **fields) -> Terminal:
    terminal = terminal_register(name=f"T{sim.port}", host="127.0.0.1", port=sim.port, **fields)
    return terminal


def _stored(sim) -> set[tuple[str, dt.datetime]]:
    return set(Punch.objects.filter(terminal_serial=sim.serial).values_list("pin", "local_time"))


def _on_device(sim) -> set[tuple[str, dt.datetime]]:
    return {(r.pin, r.timestamp) for r in sim.attendance if r.timestamp}


def test_pull_stores_every_punch_once_and_leaves_the_device_enabled(db, terminal_simulator):
    sim = terminal_simulator(users=20, history_days=3, seed=7)
    terminal = _terminal(sim)
    outcome = terminal_pull(terminal=terminal)
    assert outcome.ok, outcome.run.error
    assert outcome.run.new == len(sim.attendance) > 50
    assert _stored(sim) == _on_device(sim)
    assert sim.enabled, "the terminal must be re-enabled after reading"
    terminal.refresh_from_db()
    assert terminal.serial == sim.serial and terminal.state == Terminal.State.ONLINE
    assert terminal.records_on_device == len(sim.attendance) and terminal.users_on_device == 20
    assert watermark_of(sim.serial) is not None

    again = terminal_pull(terminal=terminal)
    assert (again.run.new, again.run.duplicates) == (0, len(sim.attendance))
    assert Punch.objects.count() == len(sim.attendance)


@pytest.mark.parametrize("chunk_mode", ["single", "prepare", "packets"])
def test_large_logs_in_every_chunk_framing(db, terminal_simulator, chunk_mode):
    """> 64 KB: read in chunks; ``packets`` is what real terminals send (1008-byte DATA packets)."""
    sim = terminal_simulator(users=60, history_days=60, seed=3, chunk_mode=chunk_mode)
    assert len(sim.attendance) * 40 > 0xFFC0
    outcome = terminal_pull(terminal=_terminal(sim))
    assert outcome.ok, outcome.run.error
    assert _stored(sim) == _on_device(sim)


def test_udp_terminal(db, terminal_simulator):
    sim = terminal_simulator(users=5, history_days=1, seed=1)
    outcome = terminal_pull(terminal=_udp(sim))
    assert outcome.ok, outcome.run.error
    assert _stored(sim) == _on_device(sim)


def _udp(sim) -> Terminal:
    terminal = _terminal(sim)
    Terminal.objects.filter(pk=terminal.pk).update(transport=Terminal.Transport.UDP)
    terminal.refresh_from_db()
    return terminal


def test_comm_password(db, terminal_simulator):
    sim = terminal_simulator(users=3, history_days=1, password=123456)
    good = terminal_pull(terminal=_terminal(sim, comm_password="123456"))
    assert good.ok
    wrong_sim = terminal_simulator(users=3, history_days=1, password=123456, serial="SIM2")
    wrong = _terminal(wrong_sim, comm_password="654321")
    outcome = terminal_pull(terminal=wrong)
    assert not outcome.ok and outcome.run.error == "考勤机拒绝了通讯密码。"
    wrong.refresh_from_db()
    assert wrong.state in (Terminal.State.OFFLINE, Terminal.State.ERROR)
    assert not Punch.objects.filter(terminal_serial="SIM2").exists()


def test_unreachable_terminal_fails_fast_and_is_shown_offline(db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once closed
    terminal = terminal_register(name="离线", host="127.0.0.1", port=port)
    started = time.monotonic()
    outcome = terminal_pull(terminal=terminal)
    assert time.monotonic() - started < 10
    assert not outcome.ok and outcome.run.status == TerminalRun.Status.FAILED
    terminal.refresh_from_db()
    assert terminal.state == Terminal.State.OFFLINE and terminal.last_error


def test_connection_dropped_mid_transfer_then_next_run_stores_everything(db, terminal_simulator):
    sim = terminal_simulator(users=60, history_days=60, seed=5, chunk_mode="packets", close_after_bytes=30000,
                             fault_limit=1)  # fmt: skip
    terminal = _terminal(sim)
    started = time.monotonic()
    failed = terminal_pull(terminal=terminal)
    assert time.monotonic() - started < 15, "a dropped connection must not hang the worker"
    assert not failed.ok and failed.run.status == TerminalRun.Status.FAILED
    assert watermark_of(sim.serial) is None  # nothing claimed as synced
    recovered = terminal_pull(terminal=terminal)
    assert recovered.ok, recovered.run.error
    assert _stored(sim) == _on_device(sim)
    assert sim.enabled


def test_stall_mid_chunk_times_out_and_the_device_is_re_enabled_next_time(db, terminal_simulator):
    sim = terminal_simulator(users=60, history_days=60, seed=5, stall_after_bytes=20000, fault_limit=1)
    terminal = _terminal(sim)
    failed = terminal_pull(terminal=terminal)
    assert not failed.ok
    sim.faults.stall_after_bytes = None
    ok = terminal_pull(terminal=terminal)
    assert ok.ok and sim.enabled
    assert _stored(sim) == _on_device(sim)


def test_impossible_date_is_quarantined_and_the_rest_stored(db, terminal_simulator):
    sim = terminal_simulator(users=10, history_days=2, seed=2, bad_date_records=1)
    outcome = terminal_pull(terminal=_terminal(sim))
    assert outcome.ok, outcome.run.error
    assert outcome.run.rejected == 1
    quarantined = QuarantinedRecord.objects.get(run=outcome.run)
    assert quarantined.reason == "日期不存在" and quarantined.raw
    assert _stored(sim) == _on_device(sim)  # every record with a real date


def test_garbage_record_is_rejected_not_stored(db, terminal_simulator):
    sim = terminal_simulator(users=10, history_days=2, seed=2, garbage_records=1)
    outcome = terminal_pull(terminal=_terminal(sim))
    assert outcome.run.rejected == 1
    assert not Punch.objects.filter(pin="").exists()
    assert Punch.objects.filter(terminal_serial=sim.serial).count() == len(sim.attendance) - 1


def test_clock_drift_is_flagged_and_optionally_corrected(db, terminal_simulator):
    sim = terminal_simulator(users=2, clock_offset=600)
    terminal = _terminal(sim)
    terminal_pull(terminal=terminal)
    terminal.refresh_from_db()
    assert 590 <= terminal.clock_drift_seconds <= 610
    assert "600" in terminal.last_error or "时钟" in terminal.last_error or "clock" in terminal.last_error

    Terminal.objects.filter(pk=terminal.pk).update(correct_clock=True)
    terminal.refresh_from_db()
    terminal_pull(terminal=terminal)
    drift = (sim.device_now() - timezone.localtime().replace(tzinfo=None)).total_seconds()
    assert abs(drift) < 5


def test_a_different_device_at_the_address_is_refused(db, terminal_simulator):
    sim = terminal_simulator(users=2, history_days=1)
    terminal = _terminal(sim)
    Terminal.objects.filter(pk=terminal.pk).update(serial="ANOTHER-ONE")
    terminal.refresh_from_db()
    outcome = terminal_pull(terminal=terminal)
    assert not outcome.ok and sim.serial in outcome.run.error
    assert not Punch.objects.exists()


def test_two_pulls_at_once_the_second_is_skipped(db, terminal_simulator):
    sim = terminal_simulator(users=2, history_days=1)
    terminal = _terminal(sim)
    assert lease_acquire(name=f"devices.pull.{terminal.pk}", holder="other-worker", ttl=timedelta(minutes=5))
    outcome = terminal_pull(terminal=terminal)
    assert outcome.run.status == TerminalRun.Status.SKIPPED
    assert not Punch.objects.exists()


def test_device_log_is_cleared_only_when_allowed_and_complete(db, terminal_simulator):
    sim = terminal_simulator(users=5, history_days=2, seed=9)
    keep = terminal_pull(terminal=_terminal(sim))
    assert keep.ok and len(sim.attendance) > 0 and not keep.run.cleared

    other = terminal_simulator(users=5, history_days=2, seed=9, serial="SIM-CLEAR")
    count = len(other.attendance)
    terminal = _terminal(other)
    Terminal.objects.filter(pk=terminal.pk).update(clear_log_after_pull=True)
    terminal.refresh_from_db()
    cleared = terminal_pull(terminal=terminal)
    assert cleared.ok and cleared.run.cleared
    assert Punch.objects.filter(terminal_serial="SIM-CLEAR").count() == count
    assert other.attendance == []


def test_late_punches_from_a_terminal_that_was_offline(db, terminal_simulator):
    sim = terminal_simulator(users=3)
    terminal = _terminal(sim)
    terminal_pull(terminal=terminal)
    three_days_ago = timezone.localtime().replace(tzinfo=None, microsecond=0) - timedelta(days=3)
    sim.add_punch("900001", three_days_ago)
    outcome = terminal_pull(terminal=terminal)
    assert outcome.run.new == 1
    assert Punch.objects.filter(pin="900001", local_time=three_days_ago).exists()


def test_same_punches_by_pull_push_and_file_are_stored_once(db, terminal_simulator):
    sim = terminal_simulator(users=3, history_days=3, seed=4)  # three days: punches whatever the hour now
    records = [(r.pin, r.timestamp) for r in sim.attendance]
    assert len(records) >= 10
    punches_record(terminal_serial=sim.serial, tz="Asia/Shanghai", source="push",
                   punches=[PunchIn(pin, t) for pin, t in records[:5]])  # fmt: skip
    outcome = terminal_pull(terminal=_terminal(sim))
    assert outcome.run.duplicates == 5 and outcome.run.new == len(records) - 5
    assert Punch.objects.count() == len(records)


def test_sync_command_prints_a_line_per_terminal_and_fails_on_errors(db, terminal_simulator, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    sim = terminal_simulator(users=3, history_days=1, seed=4)
    good = _terminal(sim)
    call_command("terminals", "sync", good.name)
    assert (
        f"{good.name}: read {len(sim.attendance)}, new {len(sim.attendance)}, duplicates 0" in capsys.readouterr().out
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    terminal_register(name="坏的", host="127.0.0.1", port=port)
    with pytest.raises(CommandError):
        call_command("terminals", "sync", "--all")
    assert "坏的: FAILED" in capsys.readouterr().out


def test_staff_are_enrolled_and_leavers_removed_after_their_punches_are_stored(db, terminal_simulator):
    from devices.services_users import terminal_users_sync
    from logistics.org.models import Campus, Department, Staff

    campus = Campus.objects.create(code="M", name="本部")
    dept = Department.objects.create(code="L", name="后勤", campus=campus, kind="logistics")
    Staff.objects.create(employee_no="200001", name="王建国", department=dept, attendance_tracked=True)
    Staff.objects.create(employee_no="200002", name="欧阳娜娜", department=dept, attendance_tracked=True)
    Staff.objects.create(employee_no="100100", name="护士", department=dept, attendance_tracked=False)
    leaver = Staff.objects.create(employee_no="200003", name="离职者", department=dept, attendance_tracked=True)
    sim = terminal_simulator(users=[("200003", "离职者"), ("1", "admin")])
    last_punch = timezone.localtime().replace(tzinfo=None, microsecond=0) - timedelta(hours=2)
    sim.add_punch("200003", last_punch)
    terminal = _terminal(sim, campus=campus)

    Staff.objects.filter(pk=leaver.pk).update(is_active=False)
    run = terminal_users_sync(terminal=terminal)
    assert run.status == TerminalRun.Status.OK, run.error
    pins = {user.pin for user in sim.users}
    assert {"200001", "200002"} <= pins  # enrolled
    assert "100100" not in pins  # not attendance-tracked
    assert "200003" not in pins  # removed ...
    assert Punch.objects.filter(pin="200003", local_time=last_punch).exists()  # ... after its punch was stored
    assert "1" in pins  # a user the system does not know is left alone
    assert run.detail["removed"] == ["200003"]


def test_replies_split_across_tcp_segments_are_read_whole(db, terminal_simulator):
    """pyzk alone returns [] silently when the sizes reply arrives in two segments."""
    sim = terminal_simulator(users=5, history_days=2, seed=1, split_replies=True)
    outcome = terminal_pull(terminal=_terminal(sim))
    assert outcome.ok, outcome.run.error
    assert outcome.run.read == len(sim.attendance) > 0
    assert _stored(sim) == _on_device(sim)


def test_dispatch_queues_only_terminals_whose_interval_has_passed(db, terminal_simulator, celery_broker, redis_server):
    from devices.tasks import dispatch_pulls

    sim = terminal_simulator(users=2, history_days=1)
    fresh = _terminal(sim)  # never pulled: due
    recent = terminal_register(name="刚拉过", host="127.0.0.1", port=sim.port + 1 if sim.port < 65535 else 1)
    TerminalRun.objects.create(terminal=recent, kind=TerminalRun.Kind.PULL, status=TerminalRun.Status.OK)
    Terminal.objects.create(name="推送", mode=Terminal.Mode.PUSH, serial="P1")  # never pulled
    with celery_broker(redis_server.url):
        assert dispatch_pulls() == 1
    import json

    queued = [json.loads(raw)["headers"] for raw in redis_server.client().lrange("devices", 0, -1)]
    assert [(h["task"], h["argsrepr"]) for h in queued] == [("devices.pull_terminal", f"[{fresh.pk}]")]
