"""The queue of days to recompute, on PostgreSQL: a range is marked in (staff, date) order so a
batch holds whole stretches of few people; two workers split a long queue and every day is computed
once; a day marked again while its batch is being computed stays queued."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from attendance.models import DailyResult, DirtyDay, RosterEntry, ShiftType
from attendance.services import days_mark_dirty, results_recompute_dirty, results_recompute_range
from attendance.services import results as results_module
from logistics.common.models import OutboxMessage
from logistics.org.models import Staff, Team
from tests.conftest import race

MONTH = [dt.date(2026, 8, 1) + dt.timedelta(days=i) for i in range(31)]
TASK = "attendance.results_recompute_dirty"


@pytest.fixture
def crew(db):
    """40 tracked people on a day shift every day of August 2026."""
    team = Team.objects.create(code="q", name="Queue")
    shift = ShiftType.objects.create(code="D", name="Day", start=dt.time(8), end=dt.time(17), break_minutes=60)
    people = Staff.objects.bulk_create(
        [Staff(employee_no=f"9{i:04d}", name=f"员工{i}", team=team, attendance_tracked=True) for i in range(40)]
    )
    RosterEntry.objects.bulk_create([RosterEntry(staff=p, date=d, shift=shift) for p in people for d in MONTH])
    return sorted(p.pk for p in people)


def test_a_marked_range_is_queued_once_per_day_and_consumed_person_by_person(crew, monkeypatch):
    assert results_recompute_range(start=MONTH[0], end=MONTH[-1], staff_ids=crew) == 40 * 31  # COPY path
    assert days_mark_dirty(pairs=[(crew[-1], MONTH[-1])] * 3) == 1  # marked again: still one row
    assert DirtyDay.objects.count() == 40 * 31

    monkeypatch.setattr(results_module, "BATCH", 62)
    assert results_recompute_dirty(max_batches=1) == 62
    # The first batch was two people's whole months (one input load), not scattered days.
    first_two = set(DailyResult.objects.values_list("staff_id", flat=True))
    assert len(first_two) == 2
    assert DailyResult.objects.count() == 62
    # A full first batch asks for one more run, so that an idle worker shares the queue.
    assert OutboxMessage.objects.filter(task_name=TASK).count() == 3  # two marks, one helper

    assert results_recompute_dirty() == 40 * 31 - 62
    assert not DirtyDay.objects.exists()
    assert DailyResult.objects.count() == 40 * 31
    assert set(DailyResult.objects.values_list("status", flat=True)) == {"absent"}  # nobody punched


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL")
def test_two_workers_split_a_long_queue_and_compute_each_day_once(transactional_db, crew, monkeypatch):
    results_recompute_range(start=MONTH[0], end=MONTH[-1], staff_ids=crew)
    monkeypatch.setattr(results_module, "BATCH", 31)
    done: list[int] = []
    assert race(lambda: done.append(results_recompute_dirty()), lambda: done.append(results_recompute_dirty())) == [
        "ok",
        "ok",
    ]
    assert sum(done) == 40 * 31  # between them, every day once
    assert all(done)  # both took a share
    assert not DirtyDay.objects.exists()
    assert DailyResult.objects.count() == 40 * 31


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_day_marked_again_while_its_batch_is_computed_stays_queued(transactional_db, crew):
    day = (crew[0], MONTH[0])
    days_mark_dirty(pairs=[day])
    claimed, release, marked = threading.Event(), threading.Event(), threading.Event()

    def worker() -> None:
        try:
            with transaction.atomic():
                pairs = results_module._batch_claim(10)
                claimed.set()
                release.wait(timeout=10)  # still computing when the new punch arrives
                results_module.results_recompute(pairs=pairs)
        finally:
            connection.close()

    def new_punch() -> None:
        try:
            claimed.wait(timeout=10)
            days_mark_dirty(pairs=[day])  # waits for the batch to commit
            marked.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker), threading.Thread(target=new_punch)]
    for t in threads:
        t.start()
    claimed.wait(timeout=10)
    assert not marked.wait(timeout=1)  # the mark waits for the batch
    release.set()
    for t in threads:
        t.join(timeout=30)
    assert marked.is_set()
    assert list(DirtyDay.objects.values_list("staff_id", "date")) == [day]  # computed again next time
    assert DailyResult.objects.filter(staff_id=day[0], date=day[1]).count() == 1
