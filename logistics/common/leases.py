"""Named locks held as database rows with an expiry (leases).

Used where one thing must run at a time across every process and host, e.g. one pull per
terminal. A per-process cache lock would not hold across the web and worker processes of the
embedded run; a row in the database does. A lease that its holder never released (the process
died) expires by itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Lease


def lease_acquire(*, name: str, holder: str, ttl: timedelta) -> bool:
    """Take lease ``name`` for ``holder`` for ``ttl`` unless someone else holds an unexpired one.
    Re-acquiring your own lease extends it. Atomic on both PostgreSQL and SQLite."""
    now = timezone.now()
    with transaction.atomic():
        taken = Lease.objects.filter(Q(expires_at__lte=now) | Q(holder=holder), name=name).update(
            holder=holder, acquired_at=now, expires_at=now + ttl
        )
        if taken:
            return True
        try:
            with transaction.atomic():
                Lease.objects.create(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
        except IntegrityError:
            return False
    return True


def lease_release(*, name: str, holder: str) -> bool:
    """Give lease ``name`` back; only its holder can. True if it was held by ``holder``."""
    deleted, _ = Lease.objects.filter(name=name, holder=holder).delete()
    return bool(deleted)


@contextmanager
def held_lease(name: str, *, ttl: timedelta) -> Iterator[bool]:
    """``with held_lease("devices.pull.7", ttl=...) as got:`` — ``got`` is False when another
    process holds it; the lease is released on exit if it was taken here."""
    holder = uuid.uuid4().hex
    got = lease_acquire(name=name, holder=holder, ttl=ttl)
    try:
        yield got
    finally:
        if got:
            lease_release(name=name, holder=holder)
