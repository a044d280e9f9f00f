"""Demo data of the attendance app: the holiday calendar (from chinese-calendar) and shift types
for every team (day, evening, night, 24-hour duty). Rosters, requests and results come with the
rest of the attendance work. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from logistics.org.models import Team

from .models import ShiftType
from .services import calendar_fill

T = dt.time
SHIFTS = (
    # code suffix, name, start, end, 24 h, rest after
    ("D", "白班", T(8), T(17, 30), False, False),
    ("E", "中班", T(16), T(0), False, False),
    ("N", "夜班", T(20), T(8), False, True),
    ("H", "24小时值班", T(8), T(8), True, True),
)


def seed(scale: str, rng: random.Random) -> dict[str, int]:
    year = timezone.localdate().year
    days = sum(calendar_fill(year=y).created for y in (year - 1, year, year + 1))
    existing = set(ShiftType.objects.values_list("code", flat=True))
    new = []
    for team in Team.objects.filter(is_active=True).order_by("code"):
        for suffix, name, start, end, is_24h, rest_after in SHIFTS:
            code = f"{team.code}-{suffix}"[:20]
            if code in existing:
                continue
            new.append(
                ShiftType(
                    code=code,
                    name=f"{team.name}{name}"[:50],
                    team=team,
                    start=start,
                    end=end,
                    is_24h=is_24h,
                    rest_day_after=rest_after,
                    break_minutes=0 if is_24h else 60 if suffix == "D" else 30,
                    full_day_minutes=420,
                )
            )
    ShiftType.objects.bulk_create(new)
    return {"calendar_days": days, "shift_types": len(new)}
