"""Database leases: one holder at a time across processes, expiry frees a dead holder's lease."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.db import connection

from logistics.common.leases import held_lease, lease_acquire, lease_release
from logistics.common.models import Lease


def test_second_holder_is_refused_until_release(db):
    assert lease_acquire(name="devices.pull.1", holder="a", ttl=timedelta(minutes=5))
    assert not lease_acquire(name="devices.pull.1", holder="b", ttl=timedelta(minutes=5))
    assert not lease_release(name="devices.pull.1", holder="b")  # only the holder can release
    assert lease_release(name="devices.pull.1", holder="a")
    assert lease_acquire(name="devices.pull.1", holder="b", ttl=timedelta(minutes=5))


def test_expired_lease_is_taken_over(db):
    assert lease_acquire(name="job", holder="dead-process", ttl=timedelta(seconds=-1))
    assert lease_acquire(name="job", holder="b", ttl=timedelta(minutes=1))
    assert Lease.objects.get(name="job").holder == "b"


def test_context_manager_releases(db):
    with held_lease("report", ttl=timedelta(minutes=1)) as got:
        assert got
        with held_lease("report", ttl=timedelta(minutes=1)) as second:
            assert not second
    assert not Lease.objects.filter(name="report").exists()


def test_concurrent_acquire_has_exactly_one_winner(transactional_db):
    """Eight threads, eight database connections, one lease: exactly one gets it."""
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def contend(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(lease_acquire(name="contended", holder=f"h{i}", ttl=timedelta(minutes=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [False] * 7 + [True]
    assert Lease.objects.filter(name="contended").count() == 1
