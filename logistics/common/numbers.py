"""Human-readable document numbers, ``<PREFIX>-YYYYMMDD-NNNN``, one counter per prefix and local day.

The counter row is incremented with an UPDATE inside the caller's transaction, so two documents
never share a number whatever the concurrency (the second waits for the first to commit), and a
rolled-back document gives its number back."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import DailyNumber


def next_number(prefix: str, at: dt.datetime | None = None) -> str:
    day = timezone.localdate(at or timezone.now())
    with transaction.atomic():
        DailyNumber.objects.get_or_create(prefix=prefix, day=day)
        DailyNumber.objects.filter(prefix=prefix, day=day).update(last=F("last") + 1)
        last = DailyNumber.objects.get(prefix=prefix, day=day).last
    return f"{prefix}-{day:%Y%m%d}-{last:04d}"
