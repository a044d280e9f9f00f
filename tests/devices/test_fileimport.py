"""USB attendance files and CSV/Excel exports: preview, idempotent import, per-line report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from attendance.models import Punch
from attendance.services import PunchIn, punches_record
from devices.fileimport import file_import, parse_file
from devices.models import QuarantinedRecord, Terminal, TerminalRun
from devices.services import terminal_register
from logistics.common.errors import DomainError

ATTLOG = (
    "        1\t2026-11-20 07:51:02\t0\t1\t0\t0\n"
    "200001\t2026-11-20 07:55:12\t0\t1\t0\t0\n"
    "200002\t2026-11-20 07:58:40\t0\t15\t0\t0\n"
    "200002\t2026-02-30 17:31:00\t1\t15\t0\t0\n"  # impossible date
    "\t2026-11-20 08:00:00\t0\t1\n"  # no PIN
    "200003\tgarbage\n"
    "200001\t2026-11-20 17:32:09\t1\t1\t0\t0\n"
)


@pytest.fixture
def terminal(db):
    return terminal_register(name="门诊楼1层", host="10.20.1.15", serial="CKJH201960021")


def test_preview_reports_bad_lines_and_stores_nothing(terminal):
    report = parse_file(name="1_attlog.dat", data=ATTLOG.encode())
    assert [line.line for line in report.invalid] == [4, 5, 6]
    assert len(report.valid) == 4
    assert Punch.objects.count() == 0


def test_import_stores_good_lines_and_quarantines_bad_ones(terminal):
    report = file_import(terminal=terminal, name="1_attlog.dat", data=ATTLOG.encode())
    assert (report.count("new"), report.count("duplicate"), report.count("invalid")) == (4, 0, 3)
    assert Punch.objects.filter(terminal_serial="CKJH201960021", source="file").count() == 4
    assert Punch.objects.filter(pin="1").exists()  # leading spaces of the device format stripped
    run = TerminalRun.objects.get(kind="file")
    assert (run.read, run.new, run.duplicates, run.rejected) == (7, 4, 0, 3)
    assert sorted(QuarantinedRecord.objects.filter(run=run).values_list("line", flat=True)) == [4, 5, 6]


def test_importing_the_same_file_twice_doubles_nothing(terminal):
    file_import(terminal=terminal, name="1_attlog.dat", data=ATTLOG.encode())
    second = file_import(terminal=terminal, name="1_attlog.dat", data=ATTLOG.encode())
    assert (second.count("new"), second.count("duplicate")) == (0, 4)
    assert Punch.objects.count() == 4


def test_punches_already_pulled_are_duplicates(terminal):
    punches_record(
        terminal_serial=terminal.serial,
        tz="Asia/Shanghai",
        punches=[PunchIn(pin="200001", local_time=dt.datetime(2026, 11, 20, 7, 55, 12))],
        source="pull",
    )
    report = file_import(terminal=terminal, name="1_attlog.dat", data=ATTLOG.encode())
    outcomes = {line.line: line.outcome for line in report.lines}
    assert outcomes[2] == "duplicate" and outcomes[3] == "new"
    assert Punch.objects.count() == 4


def test_csv_with_header_and_gb18030(terminal):
    text = "工号,时间,状态,验证方式\n200001,2026/11/20 07:55:12,0,1\n200009,2026-11-21 08:01,0,1\n"
    report = file_import(terminal=terminal, name="export.csv", data=text.encode("gb18030"))
    assert report.count("new") == 2


def test_excel_export(terminal):
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.append(["工号", "时间", "状态", "验证方式"])
    sheet.append(["200001", dt.datetime(2026, 11, 20, 7, 55, 12), 0, 1])
    sheet.append([200004, "2026-11-20 08:03:00", 0, 1])
    buffer = io.BytesIO()
    wb.save(buffer)
    report = file_import(terminal=terminal, name="考勤.xlsx", data=buffer.getvalue())
    assert report.count("new") == 2
    assert Punch.objects.filter(pin="200004").exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [("x.dat", b""), ("x.xlsx", b"not a workbook"), ("x.dat", b"\n\n\n"), ("x.dat", b"\xff\xfe\x00bad")],
)
def test_unreadable_files_are_refused_and_change_nothing(terminal, name, data):
    with pytest.raises(DomainError):
        file_import(terminal=terminal, name=name, data=data)
    assert Punch.objects.count() == 0
    assert not TerminalRun.objects.filter(kind="file").exists()


def test_terminal_without_serial_cannot_take_a_file(db):
    blank = terminal_register(name="新装", host="10.20.1.16")
    with pytest.raises(DomainError):
        file_import(terminal=blank, name="1_attlog.dat", data=ATTLOG.encode())


# --- management command ----------------------------------------------------------------------------
def test_terminals_add_and_list(db, capsys):
    call_command("terminals", "add", "--name", "住院部A栋", "--host", "10.20.3.7", "--port", "4370")
    call_command("terminals", "list")
    assert "住院部A栋" in capsys.readouterr().out
    assert Terminal.objects.get(name="住院部A栋").host == "10.20.3.7"


@pytest.mark.parametrize("host", ["10.0.0.1; rm -rf /", "terminal.local", "999.1.1.1", "$(reboot)"])
def test_a_host_that_is_not_an_address_is_refused(db, host):
    with pytest.raises(CommandError):
        call_command("terminals", "add", "--name", "x", "--host", host)
    assert not Terminal.objects.exists()


def test_import_file_command(terminal, tmp_path, capsys):
    path = tmp_path / "1_attlog.dat"
    path.write_text(ATTLOG)
    call_command("terminals", "import-file", str(path), "--terminal", terminal.name)
    out = capsys.readouterr()
    assert "new 4, duplicates 0, invalid 3" in out.out
    assert "line 4" in out.err
