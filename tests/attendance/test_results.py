"""Daily results on the database: which days new punches queue, incremental recomputation, the
terminal watermark rule for absences, time zones around midnight, closed months, evidence, and a
real Celery worker turning a punch into a result."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from attendance.models import DailyResult, DirtyDay, MonthClose, RosterEntry, ShiftType
from attendance.services import (
    PunchIn,
    pin_mapping_create,
    presence_evidence_record,
    punches_record,
    results_recheck_due,
    results_recompute,
    results_recompute_dirty,
    terminal_watermark_report,
)
from logistics.org.models import Staff, Team
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
D = dt.date(2026, 11, 18)
T = dt.time


def local(day: dt.date, hhmm: str, plus_days: int = 0) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(day + dt.timedelta(days=plus_days), dt.time(h, m))


@pytest.fixture
def team():
    return Team.objects.create(code="hvac", name="HVAC")


@pytest.fixture
def day_shift(team):
    return ShiftType.objects.create(code="D", name="Day", start=T(8), end=T(17, 30), break_minutes=60, team=team)


@pytest.fixture
def night_shift(team):
    return ShiftType.objects.create(code="N", name="Night", start=T(20), end=T(8), break_minutes=30, team=team)


@pytest.fixture
def worker(team):
    return Staff.objects.create(employee_no="1001", name="张工", team=team, attendance_tracked=True)


def record(pin: str, *times: dt.datetime, serial: str = "T1", tz: str = "Asia/Shanghai"):
    return punches_record(
        terminal_serial=serial, tz=tz, punches=[PunchIn(pin=pin, local_time=t) for t in times], source="pull"
    )


def result(staff, day=D) -> DailyResult:
    return DailyResult.objects.get(staff=staff, date=day)


def later():
    return timezone.now() + dt.timedelta(days=400)


def test_new_punches_queue_their_day_and_the_day_before_duplicates_queue_nothing(worker):
    record("1001", local(D, "07:58"), local(D, "17:40"))
    assert set(DirtyDay.objects.values_list("staff_id", "date")) == {(worker.pk, D), (worker.pk, D - dt.timedelta(1))}
    DirtyDay.objects.all().delete()
    again = record("1001", local(D, "07:58"), local(D, "17:40"))
    assert again.new == 0
    assert not DirtyDay.objects.exists()  # a re-pull of the whole log recomputes nothing


def test_untracked_and_unknown_pins_queue_nothing(team):
    Staff.objects.create(employee_no="2002", name="Office", team=team, attendance_tracked=False)
    record("2002", local(D, "08:00"))
    record("9999", local(D, "08:00"))
    assert not DirtyDay.objects.exists()


def test_late_punch_changes_a_computed_day(worker, day_shift):
    RosterEntry.objects.create(staff=worker, date=D, shift=day_shift)
    record("1001", local(D, "07:58"))
    terminal_watermark_report(terminal_serial="T1", synced_until=local(D, "23:00").replace(tzinfo=SH))
    results_recompute(pairs=[(worker.pk, D)], now=later())
    day = result(worker)
    assert (day.status, day.missing_out, day.worked_minutes) == ("missing", 1, 0)

    # The check-out arrives a day later from a terminal that was offline: the day is corrected.
    record("1001", local(D, "17:36"), serial="T2")
    assert DirtyDay.objects.filter(staff=worker, date=D).exists()
    results_recompute(pairs=[(worker.pk, D)], now=later())
    day = result(worker)
    assert (day.status, day.missing_out, day.worked_minutes) == ("present", 0, 510)


def test_absent_only_after_every_terminal_of_the_person_is_synced(worker, day_shift):
    # The person punches on T1 and T2; T2 has not been synced past the shift.
    record("1001", local(D - dt.timedelta(days=3), "08:00"), serial="T1")
    record("1001", local(D - dt.timedelta(days=2), "08:00"), serial="T2")
    RosterEntry.objects.create(staff=worker, date=D, shift=day_shift)
    terminal_watermark_report(terminal_serial="T1", synced_until=local(D, "23:59").replace(tzinfo=SH))
    terminal_watermark_report(terminal_serial="T2", synced_until=local(D, "12:00").replace(tzinfo=SH))
    results_recompute(pairs=[(worker.pk, D)], now=later())
    day = result(worker)
    assert (day.status, day.absent, day.awaiting_sync) == ("pending", False, True)
    assert day.recheck_after is not None

    terminal_watermark_report(terminal_serial="T2", synced_until=local(D, "23:59").replace(tzinfo=SH))
    assert results_recheck_due(now=later() + dt.timedelta(minutes=11)) == 1  # rechecked every 10 minutes
    day = result(worker)
    assert (day.status, day.absent, day.awaiting_sync, day.recheck_after) == ("absent", True, False, None)


def test_night_shift_punches_either_side_of_midnight_and_a_terminal_in_another_zone(worker, night_shift):
    RosterEntry.objects.create(staff=worker, date=D, shift=night_shift)
    # A terminal set to UTC reports 11:55 = 19:55 in Shanghai; another punch at 23:59 / 00:00:30.
    record("1001", local(D, "11:55"), serial="UTC-1", tz="UTC")
    record("1001", local(D, "23:59"), local(D, "00:01", plus_days=1), local(D, "08:03", plus_days=1))
    results_recompute(pairs=[(worker.pk, D), (worker.pk, D + dt.timedelta(1))], now=later())
    day = result(worker)
    assert day.first_in == local(D, "19:55").replace(tzinfo=SH)
    assert day.last_out == local(D, "08:03", 1).replace(tzinfo=SH)
    assert (day.status, day.night, day.worked_minutes) == ("present", True, 690)
    # The next day has no shift: the midnight punches did not leak into it.
    assert result(worker, D + dt.timedelta(1)).status == "rest"


def test_pin_mapping_punches_count_for_the_mapped_person(worker, day_shift):
    pin_mapping_create(pin="77", staff=worker, valid_from=D)
    RosterEntry.objects.create(staff=worker, date=D, shift=day_shift)
    record("77", local(D, "07:59"), local(D, "17:31"))
    assert DirtyDay.objects.filter(staff=worker, date=D).exists()
    results_recompute_dirty()
    assert result(worker).status == "present"
    assert not DirtyDay.objects.exists()


def test_untracked_staff_get_no_results(worker, day_shift):
    RosterEntry.objects.create(staff=worker, date=D, shift=day_shift)
    results_recompute(pairs=[(worker.pk, D)], now=later())
    assert DailyResult.objects.filter(staff=worker).exists()
    Staff.objects.filter(pk=worker.pk).update(attendance_tracked=False)
    results_recompute(pairs=[(worker.pk, D)], now=later())
    assert not DailyResult.objects.filter(staff=worker).exists()


def test_a_change_in_a_closed_month_is_flagged(worker, day_shift, team):
    RosterEntry.objects.create(staff=worker, date=D, shift=day_shift)
    record("1001", local(D, "07:58"))
    results_recompute(pairs=[(worker.pk, D)], now=later())
    assert result(worker).changed_after_close is False
    MonthClose.objects.create(team=team, month=D.replace(day=1), status=MonthClose.Status.CLOSED)
    results_recompute(pairs=[(worker.pk, D)], now=later())  # same inputs: no flag
    assert result(worker).changed_after_close is False
    record("1001", local(D, "17:35"))
    results_recompute(pairs=[(worker.pk, D)], now=later())
    day = result(worker)
    assert (day.status, day.changed_after_close) == ("present", True)


def test_presence_evidence_is_idempotent_and_fills_a_missing_check_in(worker, day_shift):
    RosterEntry.objects.create(staff=worker, date=D, shift=day_shift)
    record("1001", local(D, "17:35"))
    at = local(D, "09:20").replace(tzinfo=SH)
    assert presence_evidence_record(staff=worker, at=at, source="workorder", reference="WO-20261118-0001")
    assert not presence_evidence_record(staff=worker, at=at, source="workorder", reference="WO-20261118-0001")
    results_recompute(pairs=[(worker.pk, D)], now=later())
    day = result(worker)
    assert (day.status, day.missing_in, day.evidence_used, day.worked_minutes) == ("present", 0, True, 0)


def test_recompute_queue_keeps_a_pair_marked_again_meanwhile(worker, day_shift):
    RosterEntry.objects.create(staff=worker, date=D, shift=day_shift)
    DirtyDay.objects.create(staff=worker, date=D, marked_at=timezone.now() + dt.timedelta(hours=1))
    DirtyDay.objects.create(staff=worker, date=D + dt.timedelta(1))
    assert results_recompute_dirty(max_batches=1) == 2
    # Rows marked up to the newest mark time read are consumed; none is left half-done.
    assert not DirtyDay.objects.exists()
    assert DailyResult.objects.filter(staff=worker).count() == 2


@pytest.mark.worker
@pytest.mark.timeout(90)
def test_a_real_worker_turns_punches_into_a_result(transactional_db, celery_worker_process, team):
    staff = Staff.objects.create(employee_no="3003", name="李师傅", team=team, attendance_tracked=True)
    shift = ShiftType.objects.create(code="D2", name="Day", start=T(8), end=T(17, 30), break_minutes=60)
    RosterEntry.objects.create(staff=staff, date=D, shift=shift)
    record("3003", local(D, "07:57"), local(D, "17:33"))  # commits; the outbox publishes the recompute
    found = wait_for(lambda: DailyResult.objects.filter(staff=staff, date=D, status="present").first(), timeout=60)
    assert found is not None, "the worker did not compute the day"
    assert found.worked_minutes == 510
