"""ADMS push (``/iclock/``): handshake, uploads, commands, and what a terminal may not do."""

from __future__ import annotations

import ast
import datetime as dt
import threading
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import CharField, JSONField, TextField
from django.db.models.functions import Cast
from django.test import override_settings
from django.utils import timezone

from attendance.models import Punch, TerminalWatermark
from attendance.services import PunchIn, punches_record
from devices import push, push_commands
from devices.models import DeviceCommand, PendingDevice, QuarantinedRecord, Terminal, TerminalRun
from logistics.common.errors import DomainError

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.devices.urls_push")]

SN = "CQZ7224460246"
SN_URUMQI = "CQZ7224460999"
UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
PRODUCTION_SETTINGS = Path(__file__).resolve().parents[2] / "logistics" / "settings" / "production.py"


@pytest.fixture
def make_terminal(db):
    """``make_terminal(serial, time_zone=..., mode=..., enabled=...)``: a registered terminal."""

    def _make(serial: str = SN, *, time_zone: str = "Asia/Shanghai", mode: str = "push", enabled: bool = True):
        host = None if mode == "push" else "10.20.1.15"
        return Terminal.objects.create(
            name=f"门诊楼 {serial}", serial=serial, time_zone=time_zone, mode=mode, enabled=enabled, host=host
        )

    return _make


@pytest.fixture
def terminal(make_terminal):
    return make_terminal()


def upload(client, body: bytes | str, *, table: str = "ATTLOG", serial: str = SN, stamp: str | None = "100", **extra):
    data = body.encode() if isinstance(body, str) else body
    url = f"/iclock/cdata?SN={serial}&table={table}" + (f"&Stamp={stamp}" if stamp is not None else "")
    return client.post(url, data=data, content_type="text/plain", **extra)


def attlog(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


def _columns_containing(text: str) -> list[str]:
    """Every text or JSON column of every table that holds ``text``."""
    hits = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, CharField | TextField | JSONField):
                rows = model._base_manager.annotate(_as_text=Cast(field.name, TextField()))
                if rows.filter(_as_text__contains=text).exists():
                    hits.append(f"{model._meta.label}.{field.name}")
    return hits


# --- handshake --------------------------------------------------------------------------------
def test_handshake_gives_options_stamps_and_time_zone_and_records_contact(client, terminal):
    terminal.push_stamps = {"ATTLOG": "4711"}
    terminal.save()
    response = client.get(f"/iclock/cdata?SN={SN}&options=all&pushver=2.4.1&language=83")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    lines = response.content.decode().splitlines()
    assert lines == [
        f"GET OPTION FROM: {SN}",
        "ATTLOGStamp=4711",
        "OPERLOGStamp=0",
        "ATTPHOTOStamp=None",
        "ErrorDelay=30",
        "Delay=10",
        "TransTimes=00:00;14:05",
        "TransInterval=1",
        "TransFlag=TransData AttLog OpLog EnrollUser ChgUser",
        "TimeZone=8",
        "Realtime=1",
        "Encrypt=None",
    ]
    # Terminals set their clock from the Date header.
    assert abs(parsedate_to_datetime(response["Date"]) - timezone.now()) < dt.timedelta(seconds=5)
    terminal.refresh_from_db()
    assert terminal.state == Terminal.State.ONLINE
    assert timezone.now() - terminal.last_contact_at < dt.timedelta(seconds=5)


def test_handshake_time_zone_follows_the_terminal(client, make_terminal):
    make_terminal(SN_URUMQI, time_zone="Asia/Urumqi")
    make_terminal("KOLKATA01", time_zone="Asia/Kolkata")
    assert "TimeZone=6" in client.get(f"/iclock/cdata?SN={SN_URUMQI}").content.decode().splitlines()
    # A half-hour zone cannot be said in whole hours: no line rather than a wrong one.
    assert "TimeZone" not in client.get("/iclock/cdata?SN=KOLKATA01").content.decode()


def test_unknown_serial_is_refused_and_listed_for_approval(client, terminal):
    response = client.get("/iclock/cdata?SN=STRANGER01&options=all", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 403
    assert response["Content-Type"] == "text/plain"
    assert "Date" in response
    client.get("/iclock/getrequest?SN=STRANGER01", REMOTE_ADDR="10.9.8.8")
    upload(client, attlog("200001\t2026-11-20 08:00:00\t0\t1"), serial="STRANGER01")
    pending = PendingDevice.objects.get()
    assert (pending.serial, pending.requests, pending.last_address) == ("STRANGER01", 3, "127.0.0.1")
    assert Punch.objects.count() == 0
    assert TerminalRun.objects.count() == 0


@pytest.mark.parametrize("mode, enabled", [("pull", True), ("push", False), ("both", False)])
def test_disabled_or_pull_only_terminal_is_refused(client, make_terminal, mode, enabled):
    make_terminal(mode=mode, enabled=enabled)
    assert client.get(f"/iclock/cdata?SN={SN}").status_code == 403
    assert upload(client, attlog("200001\t2026-11-20 08:00:00\t0\t1")).status_code == 403
    assert client.get(f"/iclock/getrequest?SN={SN}").status_code == 403
    assert Punch.objects.count() == 0
    assert not PendingDevice.objects.exists()  # registered: nothing to approve


def test_terminal_in_both_modes_may_push(client, make_terminal):
    make_terminal(mode="both")
    assert client.get(f"/iclock/cdata?SN={SN}").status_code == 200
    assert client.get(f"/iclock/cdata.aspx?SN={SN}").status_code == 200  # older firmware
    refused = client.put(f"/iclock/getrequest?SN={SN}")
    assert refused.status_code == 405 and refused["Allow"] == "GET" and "Date" in refused


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/iclock/cdata?options=all"),
        ("post", "/iclock/cdata?table=ATTLOG&Stamp=1"),
        ("get", "/iclock/getrequest"),
        ("post", "/iclock/devicecmd"),
        ("get", "/iclock/cdata?SN="),
    ],
)
def test_missing_serial_is_a_bad_request(client, terminal, method, url):
    response = (
        getattr(client, method)(url, data=b"x", content_type="text/plain") if method == "post" else client.get(url)
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain"


def test_implausible_serial_is_a_bad_request_and_not_recorded(client):
    assert client.get("/iclock/cdata?SN=" + "X" * 65).status_code == 400
    assert client.get("/iclock/cdata?SN=a%20b").status_code == 400
    assert not PendingDevice.objects.exists()


# --- ATTLOG -----------------------------------------------------------------------------------
def test_attlog_upload_stores_punches_in_each_terminals_zone(client, make_terminal):
    make_terminal(SN)
    make_terminal(SN_URUMQI, time_zone="Asia/Urumqi")
    body = attlog("200001\t2026-11-20 08:00:00\t0\t1\t0\t0\t0", "200002\t2026-11-20 17:31:05\t1\t15\t0\t0\t0")
    for serial in (SN, SN_URUMQI):
        response = upload(client, body, serial=serial, stamp="9999")
        assert response.status_code == 200
        assert response.content.decode() == "OK: 2"
        assert "Date" in response
    shanghai = Punch.objects.get(terminal_serial=SN, pin="200001")
    urumqi = Punch.objects.get(terminal_serial=SN_URUMQI, pin="200001")
    assert shanghai.local_time == urumqi.local_time == dt.datetime(2026, 11, 20, 8, 0)
    assert shanghai.punched_at == dt.datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # UTC+8
    assert urumqi.punched_at == dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # UTC+6
    out = Punch.objects.get(terminal_serial=SN, pin="200002")
    assert (out.status, out.verify_type, out.source) == (1, 15, "push")
    run = TerminalRun.objects.filter(terminal__serial=SN).get()
    assert out.batch == run.batch == f"run:{run.pk}"
    assert (run.kind, run.status, run.read, run.new, run.duplicates, run.rejected) == ("push", "ok", 2, 2, 0, 0)
    assert run.detail["table"] == "ATTLOG"
    assert Terminal.objects.get(serial=SN).push_stamps == {"ATTLOG": "9999"}
    # The next handshake tells the device where to go on from.
    assert "ATTLOGStamp=9999" in client.get(f"/iclock/cdata?SN={SN}").content.decode().splitlines()


def test_reupload_stores_nothing_new_and_answers_ok_again(client, terminal):
    body = attlog("200001\t2026-11-20 08:00:00\t0\t1\t0", "200002\t2026-11-20 08:01:00\t0\t1\t0")
    assert upload(client, body).content == b"OK: 2"
    again = upload(client, body)
    assert again.status_code == 200
    assert again.content == b"OK: 2"  # the device may delete them: they are stored
    assert Punch.objects.count() == 2
    second = TerminalRun.objects.order_by("-pk").first()
    assert (second.new, second.duplicates) == (0, 2)


def test_punch_already_pulled_is_not_doubled(client, make_terminal):
    make_terminal(mode="both")
    punches_record(
        terminal_serial=SN,
        tz="Asia/Shanghai",
        punches=[PunchIn(pin="200001", local_time=dt.datetime(2026, 11, 20, 8, 0))],
        source="pull",
    )
    response = upload(client, attlog("200001\t2026-11-20 08:00:00\t0\t1\t0"))
    assert response.content == b"OK: 1"
    assert Punch.objects.get().source == "pull"


def test_space_separated_firmware_lines(client, terminal):
    body = attlog("200001 2026-11-20 08:00:00 0 1 0", "200002   2026-11-20 17:30:00  1  15")
    assert upload(client, body).content == b"OK: 2"
    late = Punch.objects.get(pin="200002")
    assert (late.local_time, late.status, late.verify_type) == (dt.datetime(2026, 11, 20, 17, 30), 1, 15)


def test_gb18030_body_with_chinese_work_code(client, terminal):
    body = attlog("200001\t2026-11-20 20:00:00\t0\t1\t夜班\t0").encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert upload(client, body).content == b"OK: 1"
    assert Punch.objects.get().workcode == "夜班"


def test_malformed_lines_are_quarantined_and_good_lines_stored(client, terminal):
    body = b"".join(
        [
            b"200001\t2026-11-20 07:55:12\t0\t1\t0\t0\n",  # 1 good
            b"200002\t2026-02-30 08:00:00\t0\t1\t0\t0\n",  # 2 impossible date
            b"200003\n",  # 3 no time
            b"\t2026-11-20 08:01:00\t0\t1\t0\t0\n",  # 4 empty PIN
            b"\x00\xff\xfe\x81\x00garbage\x07\x1b\n",  # 5 binary garbage
            b"\r\n",  # blank: not a record
            b"200004\t2026-11-20 08:02:00\t0\t1\t0\t0\r\n",  # 7 good (CRLF)
            b"200005\x00\t2026-11-20 08:03:00\t0\t1\n",  # 8 NUL in the PIN
            b"200006\t2000-01-01 00:00:05\t0\t1\n",  # 9 clock reset (refused by attendance)
            b"200007\t2026-11-2",  # 10 truncated last line
        ]
    )
    response = upload(client, body)
    assert response.status_code == 200
    assert response.content == b"OK: 2"
    assert set(Punch.objects.values_list("pin", flat=True)) == {"200001", "200004"}
    run = TerminalRun.objects.get()
    assert (run.read, run.new, run.rejected, run.status) == (9, 2, 7, "ok")
    bad = list(QuarantinedRecord.objects.filter(run=run).order_by("line"))
    assert [q.line for q in bad] == [2, 3, 4, 5, 8, 9, 10]
    assert bad[0].raw.startswith("200002\t2026-02-30")
    assert all(q.reason for q in bad)
    assert "\x00" not in bad[3].raw and "\\x00" in bad[3].raw  # stored escaped, never as NUL
    assert bad[6].raw == "200007\t2026-11-2"


def test_garbage_never_makes_a_server_error(client, terminal):
    garbage = bytes(range(256)) * 40
    response = upload(client, garbage, stamp="abc")
    assert response.status_code == 200
    assert response.content == b"OK: 0"
    assert Terminal.objects.get().push_stamps == {}  # "abc" is no stamp
    for query in ("table=AT%00TLOG&Stamp=%00", "Stamp=1", "table=ATTLOG&Stamp=" + "9" * 500):
        response = client.post(f"/iclock/cdata?SN={SN}&{query}", data=b"\x00\x01", content_type="text/plain")
        assert response.status_code == 200
    assert TerminalRun.objects.filter(status="ok").count() == 4


def test_watermark_moves_forward_with_the_newest_stored_punch(client, terminal):
    upload(client, attlog("200001\t2026-11-20 08:00:00\t0\t1"))
    watermark = TerminalWatermark.objects.get(terminal_serial=SN)
    assert watermark.synced_until == dt.datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI)
    future = timezone.now().astimezone(SHANGHAI) + dt.timedelta(days=3)  # refused by attendance
    upload(
        client,
        attlog(
            "200001\t2026-11-20 17:30:00\t1\t1",
            "200001\t2026-02-30 23:00:00\t1\t1",
            f"200001\t{future:%Y-%m-%d %H:%M:%S}\t1\t1",
        ),
    )
    watermark.refresh_from_db()
    assert watermark.synced_until == dt.datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)  # not the bad lines
    upload(client, attlog("200002\t2026-11-19 09:00:00\t0\t1"))  # an old punch sent late
    watermark.refresh_from_db()
    assert watermark.synced_until == dt.datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)


def test_body_over_the_cap_is_refused_and_nothing_stored(client, terminal):
    body = attlog(*[f"2000{i:02d}\t2026-11-20 08:{i:02d}:00\t0\t1" for i in range(20)])
    with override_settings(DEVICES_PUSH_MAX_BODY_BYTES=200):
        response = upload(client, body)
    assert response.status_code == 413
    assert "Date" in response
    assert Punch.objects.count() == 0
    assert Terminal.objects.get().push_stamps == {}
    refused = TerminalRun.objects.get()  # shown on the terminal's page
    assert refused.status == "failed" and refused.detail["bytes"] == len(body.encode())
    with override_settings(DEVICES_PUSH_MAX_BODY_BYTES=200), pytest.raises(push.BodyTooLarge):
        push.push_upload(serial=SN, table="ATTLOG", stamp="1", body=body.encode(), remote_addr=None)


def test_body_over_djangos_form_limit_but_within_the_cap_is_stored(client, terminal):
    body = attlog(*[f"2000{i:02d}\t2026-11-20 08:{i:02d}:00\t0\t1" for i in range(20)])
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        response = upload(client, body)
    assert response.content == b"OK: 20"


def test_upload_without_a_length_is_refused(client, terminal):
    response = upload(client, attlog("200001\t2026-11-20 08:00:00\t0\t1"), CONTENT_LENGTH="")
    assert response.status_code == 411
    assert Punch.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_uploads_store_each_punch_once(make_terminal):
    make_terminal()
    body = attlog(*[f"2000{i:02d}\t2026-11-20 08:{i:02d}:00\t0\t1" for i in range(50)]).encode()
    barrier = threading.Barrier(2)
    replies: list[str] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            reply, _result = push.push_upload(serial=SN, table="ATTLOG", stamp="7", body=body, remote_addr=None)
            replies.append(reply)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert replies == ["OK: 50", "OK: 50"]
    assert Punch.objects.count() == 50
    assert sum(TerminalRun.objects.values_list("new", flat=True)) == 50


# --- OPERLOG and other tables -----------------------------------------------------------------
def test_operlog_gb18030_user_names_are_reported(client, terminal):
    body = (
        "USER PIN=200001\tName=张三\tPri=0\tPasswd=8642\tCard=[5A00000000]\tGrp=1\tTZ=0000000100000000\n"
        "USER PIN=200002\tName=李四\tPri=14\tPasswd=\tCard=\tGrp=1\n"
        "USER PIN=200003\tName=\x00\tPri=\x00\n"
        "OPLOG 4\t0\t2026-11-20 08:00:00\t0\t0\t0\t0\n"
    ).encode("gb18030")
    response = upload(client, body, table="OPERLOG", stamp="321")
    assert response.content == b"OK: 4"
    run = TerminalRun.objects.get()
    assert run.detail["users"] == [
        {"pin": "200001", "name": "张三", "privilege": "0"},
        {"pin": "200002", "name": "李四", "privilege": "14"},
        {"pin": "200003", "name": "\\x00", "privilege": "\\x00"},  # stored escaped: never a NUL
    ]
    assert run.detail["oplog"] == 1
    assert "8642" not in str(run.detail) and "5A00000000" not in str(run.detail)  # no passwords, no cards
    assert Terminal.objects.get().push_stamps == {"OPERLOG": "321"}
    assert Punch.objects.count() == 0


def test_biometric_templates_are_stored_nowhere(client, terminal):
    template = "TmplQ29uZmlkZW50aWFsRmluZ2VycHJpbnQ"
    body = (
        "USER PIN=200001\tName=Li\tPri=0\n"
        f"FP PIN=200001\tFID=6\tSize=1228\tValid=1\tTMP={template}fp\n"
        f"FACE PIN=200001\tFID=0\tSIZE=1648\tVALID=1\tTMP={template}face\n"
        f"BIODATA Pin=200001\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tTmp={template}bio\n"
        f"FP PIN=200001\tFID=7\tSize=1228\tValid=1\tTMP={template}\x00broken\n"
        "OPLOG 4\t0\t2026-11-20 08:00:00\t0\t0\t0\t0\n"
    )
    response = upload(client, body, table="OPERLOG")
    assert response.content == b"OK: 6"
    run = TerminalRun.objects.get()
    assert run.detail["templates_ignored"] == 4
    assert _columns_containing("200001")  # the scan finds what is stored...
    assert _columns_containing(template) == []  # ...and no template anywhere
    assert not QuarantinedRecord.objects.exists()


def test_unknown_table_is_acknowledged_and_noted_only(client, terminal):
    response = upload(client, "PIN=1\nSN=x\nsize=3\nCMD=uploadphoto\n\xff", table="ATTPHOTO", stamp="55")
    assert response.content == b"OK: 0"
    run = TerminalRun.objects.get()
    assert run.detail["table"] == "ATTPHOTO" and run.detail["ignored"] is True
    assert Terminal.objects.get().push_stamps == {}  # we hold none of it: no stamp either


# --- commands ---------------------------------------------------------------------------------
def test_queued_commands_are_handed_out_once_then_ok(client, terminal):
    info = push_commands.command_queue_info(terminal=terminal)
    user = push_commands.command_queue_user_update(terminal=terminal, pin="200001", name="张三")
    response = client.get(f"/iclock/getrequest?SN={SN}")
    assert response.status_code == 200
    assert response.content.decode() == (
        f"C:{info.pk}:INFO\nC:{user.pk}:DATA UPDATE USERINFO PIN=200001\tName=张三\tPri=0\n"
    )
    assert set(DeviceCommand.objects.values_list("status", flat=True)) == {"sent"}
    assert client.get(f"/iclock/getrequest?SN={SN}").content == b"OK"
    terminal.refresh_from_db()
    assert terminal.state == Terminal.State.ONLINE


def test_time_command_carries_the_time_it_is_sent(client, terminal):
    command = push_commands.command_queue_time_set(terminal=terminal)
    before = timezone.now().astimezone(SHANGHAI)
    text = client.get(f"/iclock/getrequest?SN={SN}").content.decode()
    after = timezone.now().astimezone(SHANGHAI)
    sent = int(text.strip().split("SET OPTION DateTime=")[1])
    assert push_commands._encode_device_time(before) <= sent <= push_commands._encode_device_time(after)
    command.refresh_from_db()
    assert command.command == f"SET OPTION DateTime={sent}"


def test_command_results_mark_done_or_failed(client, terminal, make_terminal):
    info = push_commands.command_queue_info(terminal=terminal)
    delete = push_commands.command_queue_user_delete(terminal=terminal, pin="200009")
    other = push_commands.command_queue_info(terminal=make_terminal(SN_URUMQI))
    client.get(f"/iclock/getrequest?SN={SN}")
    body = (
        f"ID={info.pk}&Return=0&CMD=INFO\n~DeviceName=iFace702\nFWVersion=Ver 8.0.4.2\nUserCount=120\n"
        f"TransactionCount=3456\nID={delete.pk}&Return=-1002&CMD=DATA\n"
        f"ID={other.pk}&Return=0&CMD=INFO\nID=abc&Return=zz\n"
    )
    response = client.post(f"/iclock/devicecmd?SN={SN}", data=body, content_type="text/plain")
    assert response.status_code == 200
    assert response.content == b"OK"
    for command in (info, delete, other):
        command.refresh_from_db()
    assert (info.status, info.return_code) == ("done", 0)
    assert (delete.status, delete.return_code) == ("failed", -1002)
    assert other.status == "queued"  # another terminal's command: not this device's to close
    terminal.refresh_from_db()
    assert (terminal.device_name, terminal.firmware) == ("iFace702", "Ver 8.0.4.2")
    assert (terminal.users_on_device, terminal.records_on_device) == (120, 3456)
    # The same result posted again changes nothing.
    client.post(f"/iclock/devicecmd?SN={SN}", data=f"ID={info.pk}&Return=-1&CMD=INFO", content_type="text/plain")
    info.refresh_from_db()
    assert (info.status, info.return_code) == ("done", 0)


def test_attendance_query_uses_the_terminals_wall_clock(make_terminal):
    urumqi = make_terminal(SN_URUMQI, time_zone="Asia/Urumqi")
    command = push_commands.command_queue_attlog_query(
        terminal=urumqi,
        start=dt.datetime(2026, 11, 20, 0, 0, tzinfo=UTC),
        end=dt.datetime(2026, 11, 21, 0, 0, tzinfo=UTC),
    )
    assert command.command == "DATA QUERY ATTLOG StartTime=2026-11-20 06:00:00\tEndTime=2026-11-21 06:00:00"
    with pytest.raises(DomainError):
        push_commands.command_queue_attlog_query(
            terminal=urumqi, start=dt.datetime(2026, 11, 21, tzinfo=UTC), end=dt.datetime(2026, 11, 20, tzinfo=UTC)
        )


def test_commands_that_would_break_the_protocol_are_refused(terminal, make_terminal):
    with pytest.raises(DomainError):
        push_commands.command_queue_user_update(terminal=terminal, pin="200001", name="A\tPri=14")
    with pytest.raises(DomainError):
        push_commands.command_queue(terminal=terminal, command="INFO\nREBOOT")
    with pytest.raises(DomainError):
        push_commands.command_queue_info(terminal=make_terminal("PULLONLY1", mode="pull"))
    assert not DeviceCommand.objects.exists()


# --- deployment ---------------------------------------------------------------------------------
def _production_redirect_exempt() -> list[str]:
    tree = ast.parse(PRODUCTION_SETTINGS.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "SECURE_REDIRECT_EXEMPT" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("SECURE_REDIRECT_EXEMPT is not set in production settings")


def test_plain_http_push_is_not_redirected_with_production_settings(client, terminal):
    exempt = _production_redirect_exempt()
    assert exempt == [r"^iclock/"]
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        assert client.get("/healthz").status_code == 301  # the redirect is on...
        handshake = client.get(f"/iclock/cdata?SN={SN}&options=all")
        uploaded = upload(client, attlog("200001\t2026-11-20 08:00:00\t0\t1"))
        polled = client.get(f"/iclock/getrequest?SN={SN}")
    assert handshake.status_code == 200 and handshake.content.startswith(b"GET OPTION FROM:")  # ...but not here
    assert uploaded.content == b"OK: 1"
    assert polled.content == b"OK"
