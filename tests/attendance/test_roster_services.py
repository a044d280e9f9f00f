"""Roster services: one day, bulk changes, rotations across a month end, copying weeks and months,
removal, conflicts refused as a whole, warnings, days queued for recomputing, audit with the actor,
and two editors racing on one person."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from auditlog.models import LogEntry
from django.db import connection

from attendance.models import DirtyDay, RosterEntry, RosterPattern
from attendance.services import (
    roster_apply_pattern,
    roster_assign,
    roster_bulk_set,
    roster_copy,
    roster_pattern_create,
    roster_remove,
    roster_set_day,
)
from logistics.common.errors import DomainError

from .roster_world import approve_leave, build_world

D = dt.date(2026, 11, 16)  # a Monday
DAY = dt.timedelta(days=1)


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def dirty(person) -> set[dt.date]:
    return set(DirtyDay.objects.filter(staff=person).values_list("date", flat=True))


# --- one day --------------------------------------------------------------------------------------
def test_set_day_replaces_the_cell_and_queues_the_day_and_the_next(world):
    worker, s = world.people[1], world.shifts
    roster_set_day(staff=worker, day=D, shifts=[s["D"]], actor=world.users["lead"])
    change = roster_set_day(staff=worker, day=D, shifts=[s["N"]], actor=world.users["lead"])
    assert world.codes(worker, D) == ["N"]
    assert change.deleted == 1 and len(change.created) == 1
    assert dirty(worker) == {D, D + DAY}  # a night shift spills into the next day

    roster_set_day(staff=worker, day=D, shifts=[], actor=world.users["lead"])
    assert world.codes(worker, D) == []


def test_every_change_is_audited_with_the_actor(world):
    worker, s, lead = world.people[1], world.shifts, world.users["lead"]
    roster_set_day(staff=worker, day=D, shifts=[s["D"]], actor=lead)
    roster_set_day(staff=worker, day=D, shifts=[s["E"]], actor=lead)
    entries = LogEntry.objects.filter(content_type__model="rosterentry").order_by("pk")
    assert [(e.action, e.actor_id) for e in entries] == [
        (LogEntry.Action.CREATE, lead.pk),
        (LogEntry.Action.DELETE, lead.pk),
        (LogEntry.Action.CREATE, lead.pk),
    ]
    assert "D" in entries[1].object_repr and worker.name in entries[1].object_repr
    assert entries[2].additional_data["team"] == world.team.pk


def test_a_shift_overlapping_the_night_before_is_refused_and_changes_nothing(world):
    worker, s = world.people[1], world.shifts
    roster_set_day(staff=worker, day=D, shifts=[s["N"]], actor=None)  # 20:00 → 08:00
    DirtyDay.objects.all().delete()
    with pytest.raises(DomainError, match="夜班"):
        roster_set_day(staff=worker, day=D + DAY, shifts=[s["A"]], actor=None)  # 07:00: overlaps
    assert world.codes(worker, D + DAY) == []
    assert not DirtyDay.objects.exists()


def test_two_overlapping_shifts_on_one_day_are_refused(world):
    with pytest.raises(DomainError):
        roster_set_day(staff=world.people[1], day=D, shifts=[world.shifts["D"], world.shifts["E"]], actor=None)
    assert not RosterEntry.objects.exists()


def test_no_rest_after_a_night_and_leave_are_warnings(world):
    worker, s = world.people[1], world.shifts
    roster_set_day(staff=worker, day=D, shifts=[s["N"]], actor=None)
    approve_leave(world, worker, D + DAY, D + DAY)
    change = roster_set_day(staff=worker, day=D + DAY, shifts=[s["D"]], actor=None)  # 08:00 touches 08:00
    assert world.codes(worker, D + DAY) == ["D"]
    assert len(change.warnings) == 2
    assert any("夜班" in text for text in change.warnings) and any("年假" in text for text in change.warnings)


def test_untracked_people_cannot_be_rostered_but_their_days_can_be_cleared(world):
    nurse, s = world.untracked, world.shifts
    with pytest.raises(DomainError, match=nurse.name):
        roster_set_day(staff=nurse, day=D, shifts=[s["D"]], actor=None)
    RosterEntry.objects.create(staff=nurse, date=D, shift=s["D"])  # left over from before
    roster_set_day(staff=nurse, day=D, shifts=[], actor=None)
    assert world.codes(nurse, D) == []


def test_an_inactive_shift_type_cannot_be_added(world):
    s = world.shifts
    s["E"].is_active = False
    s["E"].save()
    with pytest.raises(DomainError, match="E"):
        roster_set_day(staff=world.people[1], day=D, shifts=[s["E"]], actor=None)


def test_assign_adds_beside_existing_shifts_and_marks_the_days(world):
    worker, s = world.people[1], world.shifts
    roster_assign(staff=worker, day=D, shift=s["A"], actor=None)  # 07–15
    result = roster_assign(staff=worker, day=D, shift=s["N"], actor=None)  # 20–08: no overlap
    assert world.codes(worker, D) == ["A", "N"] and result.entry.shift == s["N"]
    assert dirty(worker) == {D, D + DAY}
    with pytest.raises(DomainError):
        roster_assign(staff=worker, day=D, shift=s["N"], actor=None)


def test_remove_one_entry(world):
    worker, s = world.people[1], world.shifts
    roster_set_day(staff=worker, day=D, shifts=[s["A"], s["N"]], actor=None)
    DirtyDay.objects.all().delete()
    roster_remove(staff=worker, day=D, shift=s["A"], actor=None)
    assert world.codes(worker, D) == ["N"]
    assert dirty(worker) == {D, D + DAY}
    entry = RosterEntry.objects.get(staff=worker, date=D)
    roster_remove(entry=entry, actor=None)
    assert world.codes(worker, D) == []
    with pytest.raises(DomainError):
        roster_remove(entry=entry, actor=None)


# --- many cells -----------------------------------------------------------------------------------
def test_bulk_set_gives_every_selected_day_the_shift(world):
    people, s = world.people[1:3], world.shifts
    days = [D, D + DAY, D + 2 * DAY]
    change = roster_bulk_set(cells=[(p, d) for p in people for d in days], shifts=[s["D"]], actor=None)
    assert len(change.changed_cells) == 6
    assert all(world.codes(p, d) == ["D"] for p in people for d in days)
    roster_bulk_set(cells=[(people[0], D)], shifts=[], actor=None)
    assert world.codes(people[0], D) == []


def test_bulk_set_is_all_or_nothing(world):
    first, second = world.people[1:3]
    s = world.shifts
    roster_set_day(staff=second, day=D - DAY, shifts=[s["N"]], actor=None)  # runs until 08:00 on D
    with pytest.raises(DomainError, match=second.name):
        roster_bulk_set(cells=[(first, D), (second, D)], shifts=[s["A"]], actor=None)  # 07:00
    assert world.codes(first, D) == [] and world.codes(second, D) == []


def test_pattern_rolls_over_the_month_end_with_staggered_people(world):
    first, second = world.people[1:3]
    s = world.shifts
    start, end = dt.date(2026, 11, 28), dt.date(2026, 12, 4)
    RosterEntry.objects.create(staff=first, date=dt.date(2026, 11, 29), shift=s["A"])  # replaced
    RosterEntry.objects.create(staff=first, date=dt.date(2026, 12, 5), shift=s["A"])  # outside: kept
    sequence = [s["D"], s["E"], s["N"], None, None]
    roster_apply_pattern(
        pattern=sequence, staff=[first, second], start=start, end=end, offsets={second.pk: 1}, actor=None
    )

    def row(person):
        return ["+".join(world.codes(person, start + n * DAY)) or "-" for n in range(7)]

    assert row(first) == ["D", "E", "N", "-", "-", "D", "E"]  # 11-28 … 12-04
    assert row(second) == ["E", "N", "-", "-", "D", "E", "N"]
    assert world.codes(first, dt.date(2026, 12, 5)) == ["A"]
    assert dt.date(2026, 12, 4) in dirty(second) and dt.date(2026, 12, 5) in dirty(second)


def test_a_saved_pattern_and_its_refusals(world):
    s = world.shifts
    pattern = roster_pattern_create(name="两班倒", team=world.team, sequence=[s["D"], s["N"], None], actor=None)
    assert RosterPattern.objects.get(pk=pattern.pk).sequence == [s["D"].pk, s["N"].pk, None]
    roster_apply_pattern(pattern=pattern, staff=[world.people[1]], start=D, end=D + 2 * DAY, actor=None)
    assert [world.codes(world.people[1], D + n * DAY) for n in range(3)] == [["D"], ["N"], []]
    with pytest.raises(DomainError):
        roster_pattern_create(name="两班倒", team=world.team, sequence=[s["D"]], actor=None)
    with pytest.raises(DomainError):
        roster_pattern_create(name="全休", team=world.team, sequence=[None, None], actor=None)
    with pytest.raises(DomainError):
        roster_apply_pattern(pattern=[s["D"]], staff=[world.people[1]], start=D, end=D - DAY, actor=None)


def test_copy_a_week_replaces_the_target_week_for_tracked_members(world):
    worker, s = world.people[1], world.shifts
    for n, code in enumerate(["D", "D", "E", "N"]):
        RosterEntry.objects.create(staff=worker, date=D + n * DAY, shift=s[code])
    RosterEntry.objects.create(staff=world.untracked, date=D, shift=s["D"])
    target = D + 7 * DAY
    RosterEntry.objects.create(staff=worker, date=target + 5 * DAY, shift=s["A"])  # a Saturday: becomes rest
    change = roster_copy(team=world.team, source_start=D, source_end=D + 6 * DAY, target_start=target, actor=None)
    assert [world.codes(worker, target + n * DAY) for n in range(7)] == [["D"], ["D"], ["E"], ["N"], [], [], []]
    assert world.codes(world.untracked, target) == []  # not tracked: skipped
    assert len(change.changed_cells) == 5
    assert world.codes(world.outsider, target) == []


def test_copy_a_month_onto_a_shorter_month_stops_at_its_end(world):
    worker, s = world.people[1], world.shifts
    RosterEntry.objects.create(staff=worker, date=dt.date(2026, 10, 1), shift=s["D"])
    RosterEntry.objects.create(staff=worker, date=dt.date(2026, 10, 31), shift=s["E"])
    roster_copy(
        team=world.team,
        source_start=dt.date(2026, 10, 1),
        source_end=dt.date(2026, 10, 30),  # November has 30 days
        target_start=dt.date(2026, 11, 1),
        actor=None,
    )
    assert world.codes(worker, dt.date(2026, 11, 1)) == ["D"]
    assert world.codes(worker, dt.date(2026, 12, 1)) == []


def test_copy_skips_shift_types_no_longer_in_use_with_a_warning(world):
    worker, s = world.people[1], world.shifts
    RosterEntry.objects.create(staff=worker, date=D, shift=s["E"])
    s["E"].is_active = False
    s["E"].save()
    change = roster_copy(team=world.team, source_start=D, source_end=D, target_start=D + 7 * DAY, actor=None)
    assert world.codes(worker, D + 7 * DAY) == []
    assert change.warnings and "E" in change.warnings[0]


# --- two editors at once --------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_editors_cannot_build_an_overlap_together(make_user):
    world = build_world(make_user)
    worker, s = world.people[1], world.shifts
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(day, shift):
        try:
            barrier.wait(timeout=10)
            roster_set_day(staff=worker, day=day, shifts=[shift], actor=None)
            outcomes.append("ok")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=args) for args in ((D, s["N"]), (D + DAY, s["A"]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert RosterEntry.objects.filter(staff=worker).count() == 1
