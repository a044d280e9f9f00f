"""Storing punches: idempotent on (serial, PIN, device-local time), whatever path they come by."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from attendance.models import Punch
from attendance.selectors import staff_for_pin, unknown_pins, watermark_of
from attendance.services import PunchIn, pin_mapping_create, punches_record, terminal_watermark_report
from logistics.common.errors import DomainError
from logistics.org.models import Staff

T0 = dt.datetime(2026, 11, 20, 7, 55, 12)


def _punches(n: int, start: dt.datetime = T0, pin: str = "200001") -> list[PunchIn]:
    return [PunchIn(pin=pin, local_time=start + dt.timedelta(minutes=i)) for i in range(n)]


def test_punches_are_stored_once_whatever_the_path(db):
    first = punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(5), source="pull", batch="run:1")
    assert (first.read, first.new, first.duplicates) == (5, 5, 0)
    again = punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(5), source="push")
    from_file = punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(6), source="file")
    assert (again.new, again.duplicates) == (0, 5)
    assert (from_file.new, from_file.duplicates) == (1, 5)
    assert Punch.objects.count() == 6
    assert Punch.objects.filter(source="pull").count() == 5  # the first arrival is kept as it was


def test_same_time_on_another_terminal_is_another_punch(db):
    punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(1), source="pull")
    result = punches_record(terminal_serial="SN2", tz="Asia/Shanghai", punches=_punches(1), source="pull")
    assert result.new == 1


def test_device_local_time_is_converted_with_the_terminal_zone(db):
    punches_record(terminal_serial="SH", tz="Asia/Shanghai", punches=_punches(1), source="pull")
    punches_record(terminal_serial="UR", tz="Asia/Urumqi", punches=_punches(1), source="pull")
    shanghai = Punch.objects.get(terminal_serial="SH")
    urumqi = Punch.objects.get(terminal_serial="UR")
    assert shanghai.local_time == urumqi.local_time == T0  # stored exactly as the device said
    assert urumqi.punched_at - shanghai.punched_at == dt.timedelta(hours=2)
    assert shanghai.punched_at == dt.datetime(2026, 11, 19, 23, 55, 12, tzinfo=dt.UTC)


def test_duplicates_inside_one_batch_count_once(db):
    result = punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(3) + _punches(3), source="push")
    assert (result.read, result.new, result.duplicates) == (6, 3, 3)


@pytest.mark.parametrize(
    ("punch", "reason"),
    [
        (PunchIn(pin="", local_time=T0), "PIN"),
        (PunchIn(pin="1" * 25, local_time=T0), "PIN"),
        (PunchIn(pin="200001", local_time=dt.datetime(2000, 1, 1, 0, 3)), "2000"),
        (PunchIn(pin="200001", local_time=dt.datetime(2130, 5, 1, 8, 0)), "future"),
    ],
)
def test_implausible_records_are_rejected_not_stored_and_the_rest_is(db, punch, reason):
    from django.utils import translation

    with translation.override("en"):
        result = punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=[*_punches(2), punch], source="pull")
    assert result.new == 2 and len(result.rejected) == 1
    assert reason in result.rejected[0][1]
    assert Punch.objects.count() == 2


def test_bad_source_or_serial_is_refused(db):
    with pytest.raises(DomainError):
        punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(1), source="correction")
    with pytest.raises(DomainError):
        punches_record(terminal_serial="", tz="Asia/Shanghai", punches=_punches(1), source="pull")
    assert Punch.objects.count() == 0


def test_concurrent_writers_of_the_same_punches_store_each_once(transactional_db):
    """Pull and push of one terminal at the same moment (two connections)."""
    results = []
    barrier = threading.Barrier(2)

    def write(source: str) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(
                punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(500), source=source)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(s,)) for s in ("pull", "push")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert Punch.objects.count() == 500
    assert sum(r.new for r in results) == 500
    assert sum(r.duplicates for r in results) == 500


def test_unknown_pins_are_kept_and_count_once_mapped(db):
    from logistics.org.models import Campus, Department

    campus = Campus.objects.create(code="M", name="本部")
    dept = Department.objects.create(code="L", name="后勤", campus=campus, kind="logistics")
    known = Staff.objects.create(employee_no="200001", name="王建国", department=dept)
    punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(2), source="pull")
    punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(3, pin="777"), source="pull")
    assert staff_for_pin("200001", T0.date()) == known
    assert [u.pin for u in unknown_pins()] == ["777"]
    assert unknown_pins()[0].punches == 3

    newcomer = Staff.objects.create(employee_no="300009", name="新同事", department=dept)
    pin_mapping_create(pin="777", staff=newcomer, valid_from=dt.date(2026, 11, 1))
    assert unknown_pins() == []
    assert staff_for_pin("777", T0.date()) == newcomer
    assert staff_for_pin("777", dt.date(2026, 10, 31)) is None  # before the mapping: nobody
    with pytest.raises(DomainError):
        pin_mapping_create(pin="777", staff=known, valid_from=dt.date(2026, 11, 15))


def test_watermark_only_moves_forward(db):
    later = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    terminal_watermark_report(terminal_serial="SN1", synced_until=later)
    terminal_watermark_report(terminal_serial="SN1", synced_until=later - dt.timedelta(hours=1))
    assert watermark_of("SN1") == later
    terminal_watermark_report(terminal_serial="SN1", synced_until=later + dt.timedelta(minutes=5))
    assert watermark_of("SN1") == later + dt.timedelta(minutes=5)


def test_punches_are_immutable_in_the_admin(client_as, sysadmin_user, db):
    punches_record(terminal_serial="SN1", tz="Asia/Shanghai", punches=_punches(1), source="pull")
    punch = Punch.objects.get()
    client = client_as(sysadmin_user)
    client.post(f"/admin/attendance/punch/{punch.pk}/change/", {"pin": "999"})
    client.post(f"/admin/attendance/punch/{punch.pk}/delete/", {"post": "yes"})
    punch.refresh_from_db()
    assert punch.pin == "200001"
